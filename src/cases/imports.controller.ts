import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService, fromSqlDatetime } from '../persistence/database.service';
import { CaseImportService } from './case-import.service';
import { ImportReport } from './import-report';
import { ListQuery, PageQuery } from './import.dto';

@ApiTags('imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: CaseImportService,
    private readonly db: DatabaseService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Recent imports, newest first, with their progress' })
  async list(@Query() q: ListQuery) {
    const { rows } = await this.db.execute(`SELECT id, status, source, rows_read, bytes_read, bytes_expected, started_at, finished_at FROM import_batch ORDER BY started_at DESC LIMIT ${q.limit}`);
    return rows.map((r) => ({
      batchId: String(r.id),
      status: String(r.status),
      source: String(r.source),
      rows: Number(r.rows_read),
      bytes: { read: Number(r.bytes_read), expected: r.bytes_expected === null ? null : Number(r.bytes_expected) },
      startedAt: fromSqlDatetime(r.started_at),
      finishedAt: r.finished_at === null ? null : fromSqlDatetime(r.finished_at),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One import: status, progress, counts and the first rejections' })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ImportReport> {
    const r = await this.imports.report(id);
    if (!r) throw new NotFoundException({ error: 'unknown-import', message: `no import ${id}` });
    return r;
  }

  @Get(':id/rejections')
  @ApiOperation({ summary: 'Every rejected row of an import, by line, paged' })
  async rejections(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQuery) {
    const r = await this.imports.report(id, q.offset, q.limit);
    if (!r) throw new NotFoundException({ error: 'unknown-import', message: `no import ${id}` });
    return { batchId: id, offset: q.offset, rejected: r.counts.rejected, rejections: r.rejections, more: r.rejectionsTruncated };
  }
}
