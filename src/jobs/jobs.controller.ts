import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser } from '../http/access.decorators';
import { Principal } from '../domain/access';
import { notFound } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { JobResponse } from './jobs.responses';
import { JobsService, JobView } from './jobs.service';

@ApiTags('jobs')
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':id')
  @Allow('agency')
  @ApiOperation({ summary: "A job of the agency user's region: status, stage, progress, and its result or error" })
  @ApiOkResponse({ type: JobResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-job`' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (!job || job.region !== p.region) throw notFound('unknown-job', `no job ${id}`);
    return job;
  }
}
