import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '../domain/errors';
import { JobsService } from '../jobs/jobs.service';
import { settlementReportFile } from './report-format';
import { ReportQuery, StartSettlementRequest } from './settlement.dto';
import { SettlementService } from './settlement.service';

@ApiTags('settlements')
@Controller('api/v1/settlements')
export class SettlementsController {
  constructor(
    private readonly settlements: SettlementService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Start a settlement run of a region and period (409 when the period is finalised or being run); follow it at /api/v1/settlements/:id',
  })
  async start(@Body() b: StartSettlementRequest, @Res({ passthrough: true }) res: Response) {
    const { id } = await this.settlements.start(b.region, b.kind, b.period, 'api');
    res.location(`/api/v1/settlements/${id}`);
    return { id, status: 'running', statusUrl: `/api/v1/settlements/${id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A settlement run: its report once stored (status draft or final), else its job (running, failed)' })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    if (await this.settlements.exists(id)) return this.settlements.report(id);
    const job = await this.jobs.get(id);
    if (!job) throw notFound('unknown-settlement', `no settlement run ${id}`);
    return { run: { id, status: job.status, stage: job.stage, progress: job.progress }, error: job.error };
  }

  @Get(':id/report')
  @ApiOperation({ summary: 'The report of a stored run as JSON, CSV or XLSX (docs/settlement-report.md)' })
  async report(@Param('id', ParseUUIDPipe) id: string, @Query() q: ReportQuery, @Res() res: Response): Promise<void> {
    const file = await settlementReportFile(await this.settlements.report(id), q.format);
    if (q.format !== 'json') res.attachment(file.name);
    res.type(file.type).send(file.body);
  }

  @Post(':id/finalise')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Freeze the run's period: re-runs are refused with 409 afterwards (audited)" })
  finalise(@Param('id', ParseUUIDPipe) id: string) {
    return this.settlements.finalise(id, 'api');
  }
}
