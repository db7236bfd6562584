import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal, requireAgencyOf, seesRegion } from '../domain/access';
import { DipError, notFound } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { JobsService } from '../jobs/jobs.service';
import { settlementReportFile } from './report-format';
import { OptionalYearQuery } from '../http/year.query';
import { ReportQuery, StartSettlementRequest } from './settlement.dto';
import {
  SETTLEMENT_EXTRA_MODELS,
  RunListingResponse,
  SettlementJobResponse,
  SettlementReplacedResponse,
  SettlementReportResponse,
  SettlementStartedResponse,
} from './settlement.responses';
import { SettlementReport, SettlementService } from './settlement.service';

@ApiTags('settlements')
@ApiExtraModels(...SETTLEMENT_EXTRA_MODELS)
@Controller('api/v1/settlements')
export class SettlementsController {
  constructor(
    private readonly settlements: SettlementService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @Allow('agency')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Start a settlement run of a region and period (409 when the period is finalised or being run); follow it at /api/v1/settlements/:id',
  })
  @ApiAcceptedResponse({ type: SettlementStartedResponse, description: 'Started; the Location header names the run' })
  @ApiErrors({
    400: '`bad-period`, a bad region or kind, malformed JSON',
    404: '`unknown-region`',
    409: '`finalised` (the period is frozen), `run-in-progress`',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
  })
  async start(@Body() b: StartSettlementRequest, @Res({ passthrough: true }) res: Response, @CurrentUser() p: Principal) {
    requireAgencyOf(p, b.region);
    const { id } = await this.settlements.start(b.region, b.kind, b.period, actorOf(p));
    res.location(`/api/v1/settlements/${id}`);
    return { id, status: 'running', statusUrl: `/api/v1/settlements/${id}` };
  }

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "The current run (draft or final) of each period of a year of the user's region (without year: the newest year with a run), months then the year, with each pool's figures (point value, fund, budget); the point values are published to the region's hospitals",
  })
  @ApiOkResponse({ type: [RunListingResponse] })
  @ApiErrors({ 400: 'year is not a year' })
  list(@Query() q: OptionalYearQuery, @CurrentUser() p: Principal) {
    return this.settlements.list(p.region, q.year);
  }

  @Get(':id')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "A settlement run of the user's region: its report once stored (status draft or final; a hospital user sees its own rows), else its job (running, failed)",
  })
  @ApiOkResponse({
    description: 'The report of a stored run; a draft replaced by a later run; or the job of a run not stored (running, failed)',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(SettlementReportResponse) },
        { $ref: getSchemaPath(SettlementReplacedResponse) },
        { $ref: getSchemaPath(SettlementJobResponse) },
      ],
    },
  })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-settlement`' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    if (await this.settlements.exists(id)) return this.report(id, p);
    const unknown = notFound('unknown-settlement', `no settlement run ${id}`);
    const replaced = await this.settlements.replaced(id);
    if (replaced) {
      if (!seesRegion(p, replaced.region)) throw unknown;
      return { run: { id, status: 'replaced', replacedBy: replaced.replacedBy, replacedAt: replaced.replacedAt } };
    }
    const job = await this.jobs.get(id);
    if (!job || p.role !== 'agency' || job.region !== p.region) throw unknown;
    return { run: { id, status: job.status, stage: job.stage, progress: job.progress }, error: job.error };
  }

  @Get(':id/report')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: 'The report of a stored run as JSON, CSV or XLSX (docs/settlement-report.md)' })
  @ApiOkResponse({
    description: 'format=json: the report; csv, xlsx: a file for people, as an attachment settlement-<region>-<period>-<kind>.<format>',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SettlementReportResponse) } },
      'text/csv': { schema: { type: 'string' } },
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiErrors({
    400: 'the id is not a UUID; format not json, csv or xlsx',
    404: '`unknown-settlement`, `replaced` (a later run replaced the draft)',
  })
  async file(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: ReportQuery,
    @Res() res: Response,
    @CurrentUser() p: Principal,
  ): Promise<void> {
    const file = await settlementReportFile(await this.report(id, p), q.format);
    if (q.format !== 'json') res.attachment(file.name);
    res.type(file.type).send(file.body);
  }

  @Post(':id/finalise')
  @Allow('agency')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Freeze the run's period: re-runs are refused with 409 afterwards (audited)" })
  @ApiOkResponse({ type: SettlementReportResponse, description: 'The report, now final' })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-settlement`, `replaced`', 409: '`finalised` (already)' })
  async finalise(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    await this.report(id, p);
    return this.settlements.finalise(id, actorOf(p));
  }

  /**
   * A stored run's report as the user may see it: of their region (else as if it did not exist);
   * a hospital user gets the pools' figures (the point values are published) and its own row only.
   */
  private async report(id: string, p: Principal): Promise<SettlementReport> {
    const unknown = notFound('unknown-settlement', `no settlement run ${id}`);
    const r = await this.settlements.report(id).catch(async (err: unknown) => {
      // A replaced draft names the run that replaced it: only to users of its region.
      const replaced = err instanceof DipError && err.code === 'replaced' ? await this.settlements.replaced(id) : null;
      throw replaced && !seesRegion(p, replaced.region) ? unknown : err;
    });
    if (!seesRegion(p, r.run.region)) throw unknown;
    if (p.role !== 'hospital') return r;
    return {
      ...r,
      pools: r.pools.map((pool) => ({ ...pool, hospitals: pool.hospitals.filter((h) => h.hospitalCode === p.hospital) })) as typeof r.pools,
    };
  }
}
