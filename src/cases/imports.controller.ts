import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser } from '../http/access.decorators';
import { Principal } from '../domain/access';
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
  @Allow('agency')
  @ApiOperation({ summary: "Recent imports of the agency user's region, newest first, with their progress" })
  @ApiOkResponse({ type: [ImportSummaryResponse] })
  @ApiErrors({ 400: 'limit is not a whole number from 1 to 500' })
  list(@Query() q: ListQuery, @CurrentUser() p: Principal): Promise<ImportSummary[]> {
    return this.batches.recent(p.region, q.limit);
  }

  @Get(':id')
  @Allow('agency')
  @ApiOperation({ summary: 'One import: status, progress, counts and the first rejections' })
  @ApiOkResponse({ type: ImportReportResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-import`' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal): Promise<ImportReport> {
    return this.visible(p, await this.imports.report(id), id);
  }

  @Get(':id/rejections')
  @Allow('agency')
  @ApiOperation({ summary: 'Every rejected row of an import, by line, paged' })
  @ApiOkResponse({ type: RejectionsPageResponse })
  @ApiErrors({ 400: 'the id is not a UUID; offset or limit out of range', 404: '`unknown-import`' })
  async rejections(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQuery, @CurrentUser() p: Principal) {
    const r = this.visible(p, await this.imports.report(id, q.offset, q.limit), id);
    return { batchId: id, offset: q.offset, rejected: r.counts.rejected, rejections: r.rejections, more: r.rejectionsTruncated };
  }

  /** An import of the user's region (the CLI's imports, of any region, are seen from the CLI); else as if it did not exist. */
  private visible(p: Principal, r: ImportReport | null, id: string): ImportReport {
    if (!r || r.region !== p.region) throw notFound('unknown-import', `no import ${id}`);
    return r;
  }
}
