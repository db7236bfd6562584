import { Controller, DefaultValuePipe, Get, NotFoundException, Param, ParseIntPipe, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService, fromSqlDatetime } from '../persistence/database.service';
import { CaseImportService } from './case-import.service';
import { ImportReport } from './import-report';

@ApiTags('imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: CaseImportService,
    private readonly db: DatabaseService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Recent imports, newest first, with their progress' })
  async list(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    const { rows } = await this.db.execute(`SELECT id, status, source, rows_read, bytes_read, bytes_expected, started_at, finished_at FROM import_batch ORDER BY started_at DESC LIMIT ${Math.min(Math.max(limit, 1), 500)}`);
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
  async rejections(
    @Param('id', ParseUUIDPipe) id: string,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
    @Query('limit', new DefaultValuePipe(1000), ParseIntPipe) limit: number,
  ) {
    const r = await this.imports.report(id, Math.max(offset, 0), Math.min(Math.max(limit, 1), 10_000));
    if (!r) throw new NotFoundException({ error: 'unknown-import', message: `no import ${id}` });
    return { batchId: id, offset, rejected: r.counts.rejected, rejections: r.rejections, more: r.rejectionsTruncated };
  }
}
