import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../domain/errors';
import { JobsService, JobView } from './jobs.service';

@ApiTags('jobs')
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':id')
  @ApiOperation({ summary: 'A job: status, stage, progress, and its result or error' })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (!job) throw notFound('unknown-job', `no job ${id}`);
    return job;
  }
}
