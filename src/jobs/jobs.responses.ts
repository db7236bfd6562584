import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ErrorBodyResponse } from '../http/error.response';

/** OpenAPI documentation of the job runner's answers (documentation classes only). */

@ApiSchema({ description: 'A long-running job was started (202); its Location header and `statusUrl` are where to follow it.' })
export class JobStartedResponse {
  @ApiProperty({ format: 'uuid', example: '5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' })
  jobId!: string;

  @ApiProperty({ enum: ['running'] })
  status!: 'running';

  @ApiProperty({ example: '/api/v1/jobs/5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' })
  statusUrl!: string;
}

export class JobProgressResponse {
  @ApiProperty({ type: 'integer', description: 'Steps done in the current stage', example: 120000 })
  done!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Steps of the current stage, when known', example: 500000 })
  total!: number | null;
}

@ApiSchema({ description: 'A job: its status, stage and progress, and its result or error once it ended.' })
export class JobResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    description: 'What the job does: catalogue.build, grouping.run, settlement.month, settlement.year',
    example: 'catalogue.build',
  })
  kind!: string;

  @ApiProperty({ type: String, nullable: true, example: '370300' })
  region!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The parameters it was started with',
    example: { region: '370300', year: 2024 },
  })
  params!: unknown;

  @ApiProperty({
    enum: ['running', 'succeeded', 'failed'],
    description: 'A running job whose process stopped beating for two minutes reads as failed (`interrupted`)',
  })
  status!: 'running' | 'succeeded' | 'failed';

  @ApiProperty({ type: String, nullable: true, example: 'budget point value' })
  stage!: string | null;

  @ApiProperty({ type: () => JobProgressResponse })
  progress!: JobProgressResponse;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The outcome once succeeded: a catalogue build its catalogue (`catalogueId`, …), a grouping run the run (`id`, totals), a settlement `{settlementId, status}` (the report is at /api/v1/settlements/:id)',
  })
  result!: unknown;

  @ApiProperty({ type: () => ErrorBodyResponse, nullable: true, description: 'Why it failed' })
  error!: ErrorBodyResponse | null;

  @ApiProperty({ example: 'api' })
  actor!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}
