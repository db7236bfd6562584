import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ErrorBodyResponse, ErrorResponse } from '../http/error.response';

/** OpenAPI documentation of the case imports' answers (documentation classes only; see import-report.ts). */

export class RejectionResponse {
  @ApiProperty({ type: 'integer', description: 'CSV / JSON lines: the 1-based line; JSON array: the 0-based index', example: 3 })
  line!: number;

  @ApiProperty({ type: String, nullable: true, description: 'The caseId, when it could be read', example: 'ZY2024030001' })
  caseId!: string | null;

  @ApiProperty({ description: 'The field at fault ("*" for the row as a whole)', example: 'totalCost' })
  field!: string;

  @ApiProperty({ example: 'must not be negative; got "-1.00"' })
  reason!: string;
}

export class ImportBytesResponse {
  @ApiProperty({ type: 'integer', example: 1048576 })
  read!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The declared Content-Length, when given', example: 1048576 })
  expected!: number | null;
}

export class ImportCountsResponse {
  @ApiProperty({ type: 'integer', description: 'Rows read', example: 1000 })
  read!: number;

  @ApiProperty({ type: 'integer', example: 997 })
  inserted!: number;

  @ApiProperty({ type: 'integer', description: 'Stored cases overwritten (replace=true)', example: 0 })
  replaced!: number;

  @ApiProperty({ type: 'integer', description: 'Identical to a stored case: nothing to do', example: 1 })
  skipped!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  rejected!: number;
}

@ApiSchema({
  description:
    'What an import did. Its HTTP status says what to make of it: 201 committed (bad rows rejected, the others stored), 422 rejected (atomic: nothing stored) or failed, 413 / 415 / 500 failed with `error.code` too-large / encoding / internal.',
})
export class ImportReportResponse {
  @ApiProperty({ format: 'uuid' })
  batchId!: string;

  @ApiProperty({ enum: ['running', 'committed', 'rejected', 'failed'] })
  status!: 'running' | 'committed' | 'rejected' | 'failed';

  @ApiProperty({
    type: String,
    nullable: true,
    example: '370300',
    description: "The agency user's region it was imported for; null for the CLI's imports",
  })
  region!: string | null;

  @ApiProperty({ example: 'POST /api/v1/cases/import' })
  source!: string;

  @ApiProperty({ enum: ['csv', 'jsonl', 'json'], example: 'csv' })
  format!: string;

  @ApiProperty({ enum: ['default', 'atomic'] })
  mode!: string;

  @ApiProperty()
  replace!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'sha256 of the whole input, once read' })
  contentHash!: string | null;

  @ApiProperty({ type: () => ImportBytesResponse })
  bytes!: ImportBytesResponse;

  @ApiProperty({ type: () => ImportCountsResponse })
  counts!: ImportCountsResponse;

  @ApiProperty({
    type: () => ErrorBodyResponse,
    nullable: true,
    description: 'A file error (`empty`, `encoding`, `header`, `syntax`, `too-large`, `no-rows`), `interrupted` or `internal`',
  })
  error!: ErrorBodyResponse | null;

  @ApiProperty({
    type: () => [RejectionResponse],
    description: 'The first 1,000 rejections by line; all of them at /api/v1/imports/:id/rejections',
  })
  rejections!: RejectionResponse[];

  @ApiProperty({ description: 'More rejections than listed here' })
  rejectionsTruncated!: boolean;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

@ApiSchema({ description: 'A background import was received (202, `?async=true`); the Location header and `statusUrl` follow it.' })
export class ImportAcceptedResponse {
  @ApiProperty({ format: 'uuid' })
  batchId!: string;

  @ApiProperty({ enum: ['running'] })
  status!: 'running';

  @ApiProperty({ example: '/api/v1/imports/5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' })
  statusUrl!: string;
}

export class ImportSummaryResponse {
  @ApiProperty({ format: 'uuid' })
  batchId!: string;

  @ApiProperty({ enum: ['running', 'committed', 'rejected', 'failed'] })
  status!: string;

  @ApiProperty({ example: 'POST /api/v1/cases/import' })
  source!: string;

  @ApiProperty({ type: 'integer', description: 'Rows read so far' })
  rows!: number;

  @ApiProperty({ type: () => ImportBytesResponse })
  bytes!: ImportBytesResponse;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class RejectionsPageResponse {
  @ApiProperty({ format: 'uuid' })
  batchId!: string;

  @ApiProperty({ type: 'integer', example: 0 })
  offset!: number;

  @ApiProperty({ type: 'integer', description: 'Rejected rows of the import in all' })
  rejected!: number;

  @ApiProperty({ type: () => [RejectionResponse] })
  rejections!: RejectionResponse[];

  @ApiProperty({ description: 'More rejections after this page' })
  more!: boolean;
}

/**
 * A status an import answers with its report (the import ran and failed), or with the shared
 * error (the request was refused before an import began).
 */
export const ApiImportReportOrError = (status: number, description: string): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ImportReportResponse, ErrorResponse),
    ApiResponse({
      status,
      description,
      schema: { oneOf: [{ $ref: getSchemaPath(ImportReportResponse) }, { $ref: getSchemaPath(ErrorResponse) }] },
    }),
  );
