import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ResultsQuery, StartGroupingRequest } from './grouping.dto';
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
  async start(@Body() b: StartGroupingRequest, @Res({ passthrough: true }) res: Response) {
    const job = await this.grouping.startRun(b.region, b.from, b.to, 'api', b.catalogueId);
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A grouping run: its versions and totals' })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.grouping.get(id);
  }

  @Get(':id/cases')
  @ApiOperation({ summary: "A page of the run's per-case results (caseId order), optionally of one hospital" })
  async cases(@Param('id', ParseUUIDPipe) id: string, @Query() q: ResultsQuery) {
    const page = await this.grouping.results(id, q.hospital, q.offset, q.limit);
    return { total: page.total, offset: q.offset, items: page.items };
  }

  @Get(':id/cases/:caseId')
  @ApiOperation({ summary: 'One case of the run with the full explanation of its group and points' })
  explain(@Param('id', ParseUUIDPipe) id: string, @Param('caseId') caseId: string) {
    return this.grouping.explain(id, caseId);
  }
}
