import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../domain/errors';
import { CaseImportService } from './case-import.service';
import { ImportBatchStore, ImportSummary } from './import-batch.store';
import { ImportReport } from './import-report';
import { ListQuery, PageQuery } from './import.dto';

@ApiTags('imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: CaseImportService,
    private readonly batches: ImportBatchStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Recent imports, newest first, with their progress' })
  list(@Query() q: ListQuery): Promise<ImportSummary[]> {
    return this.batches.recent(q.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One import: status, progress, counts and the first rejections' })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ImportReport> {
    const r = await this.imports.report(id);
    if (!r) throw notFound('unknown-import', `no import ${id}`);
    return r;
  }

  @Get(':id/rejections')
  @ApiOperation({ summary: 'Every rejected row of an import, by line, paged' })
  async rejections(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQuery) {
    const r = await this.imports.report(id, q.offset, q.limit);
    if (!r) throw notFound('unknown-import', `no import ${id}`);
    return { batchId: id, offset: q.offset, rejected: r.counts.rejected, rejections: r.rejections, more: r.rejectionsTruncated };
  }
}
