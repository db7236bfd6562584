import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal, requireAgencyOf, seesHospital, seesRegion } from '../domain/access';
import { notFound } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { JobStartedResponse } from '../jobs/jobs.responses';
import { ResultsQuery, StartGroupingRequest } from './grouping.dto';
import { CaseExplanationResponse, CaseResultsPageResponse, GroupingRunResponse } from './grouping.responses';
import { GroupingService } from './grouping.service';

@ApiTags('groupings')
@Controller('api/v1/groupings')
export class GroupingsController {
  constructor(private readonly grouping: GroupingService) {}

  @Post()
  @Allow('agency')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Group and score the stored cases of a region and period (a job; follow it at /api/v1/jobs/:id; its result names the run)',
  })
  @ApiAcceptedResponse({ type: JobStartedResponse, description: 'Started; the Location header names the job' })
  @ApiErrors({
    400: '`bad-period` (months of one year, from ≤ to), a bad region, month or catalogueId, malformed JSON',
    404: '`unknown-region`',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
  })
  async start(@Body() b: StartGroupingRequest, @Res({ passthrough: true }) res: Response, @CurrentUser() p: Principal) {
    requireAgencyOf(p, b.region);
    const job = await this.grouping.startRun(b.region, b.from, b.to, actorOf(p), b.catalogueId);
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get(':id')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "A grouping run of the user's region: its versions and totals" })
  @ApiOkResponse({ type: GroupingRunResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-grouping`' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.run(id, p);
  }

  @Get(':id/cases')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "A page of the run's per-case results (caseId order), optionally of one hospital (a hospital user: its own) and one points rule (low, high, extreme outliers …)",
  })
  @ApiOkResponse({ type: CaseResultsPageResponse })
  @ApiErrors({ 400: 'the id is not a UUID; offset or limit out of range', 404: '`unknown-grouping`' })
  async cases(@Param('id', ParseUUIDPipe) id: string, @Query() q: ResultsQuery, @CurrentUser() p: Principal) {
    await this.run(id, p);
    if (p.role === 'hospital' && q.hospital !== undefined && q.hospital !== p.hospital)
      throw notFound('unknown-hospital', `no hospital ${q.hospital}`);
    const page = await this.grouping.results(
      id,
      { hospital: p.role === 'hospital' ? p.hospital! : q.hospital, outlier: q.outlier },
      q.offset,
      q.limit,
    );
    return { total: page.total, offset: q.offset, items: page.items };
  }

  @Get(':id/cases/:caseId')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: 'One case of the run with the full explanation of its group and points' })
  @ApiOkResponse({ type: CaseExplanationResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-grouping`, `unknown-case` (not in the run)' })
  async explain(@Param('id', ParseUUIDPipe) id: string, @Param('caseId') caseId: string, @CurrentUser() p: Principal) {
    await this.run(id, p);
    const e = await this.grouping.explain(id, caseId);
    if (!seesHospital(p, e.result.hospitalCode, p.region)) throw notFound('unknown-case', `grouping run ${id} has no case ${caseId}`);
    return e;
  }

  /** A run of the user's region; else as if it did not exist. */
  private async run(id: string, p: Principal) {
    const run = await this.grouping.get(id);
    if (!seesRegion(p, run.region)) throw notFound('unknown-grouping', `no grouping run ${id}`);
    return run;
  }
}
