import { BadRequestException, Body, Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { JobInputError, JobsService } from '../jobs/jobs.service';
import { ReportQuery, StartSettlementRequest } from './settlement.dto';
import { SettlementService } from './settlement.service';
import { settlementCsv, settlementXlsx } from './report-format';

@ApiTags('settlements')
@Controller('api/v1/settlements')
export class SettlementsController {
  constructor(
    private readonly settlements: SettlementService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start a settlement run of a region and period (409 when the period is finalised or being run); follow it at /api/v1/settlements/:id' })
  async start(@Body() b: StartSettlementRequest, @Res({ passthrough: true }) res: Response) {
    let id: string;
    try {
      id = await this.settlements.claim(b.region, b.kind, b.period);
    } catch (err) {
      if (err instanceof JobInputError) throw new BadRequestException({ error: err.code, message: err.message });
      throw err;
    }
    const run = b.kind === 'month' ? this.settlements.runMonth.bind(this.settlements) : this.settlements.runYear.bind(this.settlements);
    await this.jobs.start(`settlement.${b.kind}`, b.region, { region: b.region, kind: b.kind, period: b.period }, 'api', async (p) => {
      // The job keeps a pointer, not the report (a year's report can be large): GET /settlements/:id has it.
      const r = await run(id, b.region, b.period, 'api', p);
      return { settlementId: r.run.id, status: r.run.status };
    }, id);
    res.location(`/api/v1/settlements/${id}`);
    return { id, status: 'running', statusUrl: `/api/v1/settlements/${id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A settlement run: its report once stored (status draft or final), else its job (running, failed)' })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    if (await this.settlements.exists(id)) return this.settlements.report(id);
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException({ error: 'unknown-settlement', message: `no settlement run ${id}` });
    return { run: { id, status: job.status, stage: job.stage, progress: job.progress }, error: job.error };
  }

  @Get(':id/report')
  @ApiOperation({ summary: 'The report of a stored run as JSON, CSV or XLSX (docs/settlement-report.md)' })
  async report(@Param('id', ParseUUIDPipe) id: string, @Query() q: ReportQuery, @Res() res: Response): Promise<void> {
    const r = await this.settlements.report(id);
    const name = `settlement-${r.run.region}-${r.run.period}-${r.run.kind}`;
    if (q.format === 'csv') res.type('text/csv').attachment(`${name}.csv`).send(settlementCsv(r));
    else if (q.format === 'xlsx') res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(`${name}.xlsx`).send(await settlementXlsx(r));
    else res.json(r);
  }

  @Post(':id/finalise')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Freeze the run\'s period: re-runs are refused with 409 afterwards (audited)' })
  finalise(@Param('id', ParseUUIDPipe) id: string) {
    return this.settlements.finalise(id, 'api');
  }
}
