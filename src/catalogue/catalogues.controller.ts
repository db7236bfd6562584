import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { badRequest } from '../domain/errors';
import { BuildCatalogueRequest, FormatQuery, GroupsQuery } from './catalogue.dto';
import { CatalogueService } from './catalogue.service';
import { CatalogueStore } from './catalogue.store';

@ApiTags('catalogues')
@Controller('api/v1/catalogs')
export class CataloguesController {
  constructor(
    private readonly catalogues: CatalogueService,
    private readonly store: CatalogueStore,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start building the catalogue of a region and settlement year (a job; follow it at /api/v1/jobs/:id)' })
  async build(@Body() body: BuildCatalogueRequest, @Res({ passthrough: true }) res: Response) {
    const job = await this.catalogues.startBuild(body.region, body.year, body.policy, 'api');
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A catalogue version: its figures and a page of its groups (filter by key prefix)' })
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() q: GroupsQuery) {
    const [meta, figures, page] = await Promise.all([
      this.store.meta(id),
      this.store.figures(id),
      this.store.groups(id, q.keyPrefix, q.offset, q.limit),
    ]);
    return { ...meta, ...figures, groups: { total: page.total, offset: q.offset, items: page.groups } };
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'The catalogue in the exchange format (docs/catalogue-format.md)' })
  async export(@Param('id', ParseUUIDPipe) id: string, @Query() q: FormatQuery, @Res() res: Response): Promise<void> {
    const file = await this.catalogues.exportFile(id, q.format);
    if (q.format === 'csv') res.attachment(file.name);
    res.type(q.format === 'csv' ? 'text/csv' : 'application/json').send(file.text);
  }

  @Post('import')
  @ApiOperation({ summary: 'Store an official catalogue given in the exchange format (JSON body, or CSV with Content-Type text/csv)' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ schema: { type: 'object' } })
  async import(@Req() req: Request, @Body() body: unknown) {
    if (String(req.headers['content-type'] ?? '').includes('csv')) return this.catalogues.importFile(req, 'csv', 'api');
    if (body === undefined || body === null || typeof body !== 'object')
      throw badRequest('bad-body', 'send the catalogue as JSON, or as CSV with Content-Type text/csv');
    return this.catalogues.importDocument(body, 'api');
  }

  @Post(':id/activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make this version the active catalogue of its region and year (audited)' })
  activate(@Param('id', ParseUUIDPipe) id: string) {
    return this.store.activate(id, 'api');
  }
}
