import { BadRequestException, Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { catalogueToCsv, catalogueToJson } from '../domain/catalog/exchange';
import { JobsService } from '../jobs/jobs.service';
import { BuildCatalogueRequest, FormatQuery, GroupsQuery } from './catalog.dto';
import { CatalogueService } from './catalogue.service';
import { CatalogueStore } from './catalogue.store';
import { PoliciesService } from './policies.service';

@ApiTags('catalogues')
@Controller('api/v1/catalogs')
export class CatalogsController {
  constructor(
    private readonly catalogues: CatalogueService,
    private readonly store: CatalogueStore,
    private readonly policies: PoliciesService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start building the catalogue of a region and settlement year (a job; follow it at /api/v1/jobs/:id)' })
  async build(@Body() body: BuildCatalogueRequest, @Res({ passthrough: true }) res: Response) {
    const { policy, hash } = await this.policies.resolve(body.region, body.year, 'api', body.policy);
    const job = await this.jobs.start('catalogue.build', body.region, { region: body.region, year: body.year, policyHash: hash }, 'api', (p) => this.catalogues.build(body.region, body.year, policy, hash, 'api', p));
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A catalogue version: its figures and a page of its groups (filter by key prefix)' })
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() q: GroupsQuery) {
    const [meta, figures, page] = await Promise.all([this.store.meta(id), this.store.figures(id), this.store.groups(id, q.keyPrefix, q.offset, q.limit)]);
    return { ...meta, ...figures, groups: { total: page.total, offset: q.offset, items: page.groups } };
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'The catalogue in the exchange format (docs/catalogue-format.md)' })
  async export(@Param('id', ParseUUIDPipe) id: string, @Query() q: FormatQuery, @Res() res: Response): Promise<void> {
    const meta = await this.store.meta(id);
    const c = await this.store.load(id);
    if (q.format === 'csv') {
      res.type('text/csv').attachment(`catalogue-${meta.region}-${meta.year}-${meta.hash.slice(0, 12)}.csv`).send(catalogueToCsv(c, id, meta.hash));
    } else res.json(catalogueToJson(c, id, meta.hash));
  }

  @Post('import')
  @ApiOperation({ summary: 'Store an official catalogue given in the exchange format (JSON body, or CSV with Content-Type text/csv)' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ schema: { type: 'object' } })
  async import(@Req() req: Request, @Body() body: unknown) {
    if (String(req.headers['content-type'] ?? '').includes('csv')) {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      return this.catalogues.import(text, 'csv', 'api');
    }
    if (body === undefined || body === null || typeof body !== 'object') throw new BadRequestException({ error: 'bad-body', message: 'send the catalogue as JSON, or as CSV with Content-Type text/csv' });
    return this.catalogues.import(JSON.stringify(body), 'json', 'api');
  }

  @Post(':id/activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make this version the active catalogue of its region and year (audited)' })
  activate(@Param('id', ParseUUIDPipe) id: string) {
    return this.store.activate(id, 'api');
  }
}
