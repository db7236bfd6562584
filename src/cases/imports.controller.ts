import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { CaseImportService } from './case-import.service';
import { ImportBatchStore, ImportSummary } from './import-batch.store';
import { ImportReport } from './import-report';
import { ListQuery, PageQuery } from './import.dto';
import { ImportReportResponse, ImportSummaryResponse, RejectionsPageResponse } from './cases.responses';

@ApiTags('imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: CaseImportService,
    private readonly batches: ImportBatchStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Recent imports, newest first, with their progress' })
  @ApiOkResponse({ type: [ImportSummaryResponse] })
  @ApiErrors({ 400: 'limit is not a whole number from 1 to 500' })
  list(@Query() q: ListQuery): Promise<ImportSummary[]> {
    return this.batches.recent(q.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One import: status, progress, counts and the first rejections' })
  @ApiOkResponse({ type: ImportReportResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-import`' })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ImportReport> {
    const r = await this.imports.report(id);
    if (!r) throw notFound('unknown-import', `no import ${id}`);
    return r;
  }

  @Get(':id/rejections')
  @ApiOperation({ summary: 'Every rejected row of an import, by line, paged' })
  @ApiOkResponse({ type: RejectionsPageResponse })
  @ApiErrors({ 400: 'the id is not a UUID; offset or limit out of range', 404: '`unknown-import`' })
  async rejections(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQuery) {
    const r = await this.imports.report(id, q.offset, q.limit);
    if (!r) throw notFound('unknown-import', `no import ${id}`);
    return { batchId: id, offset: q.offset, rejected: r.counts.rejected, rejections: r.rejections, more: r.rejectionsTruncated };
  }
}
