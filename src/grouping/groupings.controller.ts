import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
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
  async start(@Body() b: StartGroupingRequest, @Res({ passthrough: true }) res: Response) {
    const job = await this.grouping.startRun(b.region, b.from, b.to, 'api', b.catalogueId);
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A grouping run: its versions and totals' })
  @ApiOkResponse({ type: GroupingRunResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-grouping`' })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.grouping.get(id);
  }

  @Get(':id/cases')
  @ApiOperation({ summary: "A page of the run's per-case results (caseId order), optionally of one hospital" })
  @ApiOkResponse({ type: CaseResultsPageResponse })
  @ApiErrors({ 400: 'the id is not a UUID; offset or limit out of range', 404: '`unknown-grouping`' })
  async cases(@Param('id', ParseUUIDPipe) id: string, @Query() q: ResultsQuery) {
    const page = await this.grouping.results(id, q.hospital, q.offset, q.limit);
    return { total: page.total, offset: q.offset, items: page.items };
  }

  @Get(':id/cases/:caseId')
  @ApiOperation({ summary: 'One case of the run with the full explanation of its group and points' })
  @ApiOkResponse({ type: CaseExplanationResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-grouping`, `unknown-case` (not in the run)' })
  explain(@Param('id', ParseUUIDPipe) id: string, @Param('caseId') caseId: string) {
    return this.grouping.explain(id, caseId);
  }
}
