import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { badRequest, notFound } from '../domain/errors';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal, requireAgencyOf, seesRegion } from '../domain/access';
import { ApiErrors } from '../http/error.response';
import { JobStartedResponse } from '../jobs/jobs.responses';
import { OptionalYearQuery } from '../http/year.query';
import { AcceptUnverifiedQuery, acceptsUnverified } from './accept-unverified.dto';
import { BuildCatalogueRequest, FormatQuery, GroupsQuery } from './catalogue.dto';
import {
  CatalogueListItemResponse,
  CatalogueDocumentBody,
  CatalogueDocumentResponse,
  CatalogueImportResponse,
  CatalogueMetaResponse,
  CatalogueResponse,
} from './catalogue.responses';
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
  @Allow('agency')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start building the catalogue of a region and settlement year (a job; follow it at /api/v1/jobs/:id)' })
  @ApiAcceptedResponse({ type: JobStartedResponse, description: 'Started; the Location header names the job' })
  @ApiErrors({
    400: 'a bad region, year or policy field, malformed JSON',
    404: '`unknown-region`, `no-policy` (none stored or shipped for the region and year)',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
    422: '`invalid-policy` (every problem by path), `policy-mismatch`',
  })
  async build(@Body() body: BuildCatalogueRequest, @Res({ passthrough: true }) res: Response, @CurrentUser() p: Principal) {
    requireAgencyOf(p, body.region);
    const job = await this.catalogues.startBuild(body.region, body.year, body.policy, actorOf(p));
    res.location(`/api/v1/jobs/${job.id}`);
    return { jobId: job.id, status: 'running', statusUrl: `/api/v1/jobs/${job.id}` };
  }

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "The catalogue versions of a year of the user's region (without year: of every year, the newest year first), newest first, the active one of each year marked",
  })
  @ApiOkResponse({ type: [CatalogueListItemResponse] })
  @ApiErrors({ 400: 'year is not a year' })
  async list(@Query() q: OptionalYearQuery, @CurrentUser() p: Principal) {
    return (await this.store.list(p.region, q.year)).map((m) => ({ ...m, groups: m.coreGroups + m.compositeGroups }));
  }

  @Get(':id')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "A catalogue version of the user's region: its figures and a page of its groups (filter by key prefix)" })
  @ApiOkResponse({ type: CatalogueResponse })
  @ApiErrors({ 400: 'the id is not a UUID; offset or limit out of range', 404: '`unknown-catalogue`' })
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() q: GroupsQuery, @CurrentUser() p: Principal) {
    await this.visible(id, p);
    const [meta, figures, page] = await Promise.all([
      this.store.meta(id),
      this.store.figures(id),
      this.store.groups(id, q.keyPrefix, q.offset, q.limit),
    ]);
    return { ...meta, ...figures, groups: { total: page.total, offset: q.offset, items: page.groups } };
  }

  @Get(':id/export')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: 'The catalogue in the exchange format (docs/catalogue-format.md)' })
  @ApiExtraModels(CatalogueDocumentResponse)
  @ApiOkResponse({
    description: 'format=json: the exchange document; format=csv: its CSV form, as an attachment catalogue-<region>-<year>-<hash>.csv',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(CatalogueDocumentResponse) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiErrors({ 400: 'the id is not a UUID; format not json or csv', 404: '`unknown-catalogue`' })
  async export(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: FormatQuery,
    @Res() res: Response,
    @CurrentUser() p: Principal,
  ): Promise<void> {
    await this.visible(id, p);
    const file = await this.catalogues.exportFile(id, q.format);
    if (q.format === 'csv') res.attachment(file.name);
    res.type(q.format === 'csv' ? 'text/csv' : 'application/json').send(file.text);
  }

  @Post('import')
  @Allow('agency')
  @ApiOperation({ summary: 'Store an official catalogue given in the exchange format (JSON body, or CSV with Content-Type text/csv)' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    type: CatalogueDocumentBody,
    description: 'The JSON exchange document; with Content-Type text/csv, its CSV form instead (docs/catalogue-format.md)',
  })
  @ApiCreatedResponse({ type: CatalogueImportResponse })
  @ApiErrors({
    400: '`bad-body`, malformed JSON, a bad acceptUnverified',
    413: 'the body is over the limit',
    415: 'the body is not UTF-8',
    422: '`invalid-catalogue` (every problem by path or line; an unregistered region), `hash-mismatch`; nothing stored',
  })
  async import(@Req() req: Request, @Body() body: unknown, @Query() q: AcceptUnverifiedQuery, @CurrentUser() p: Principal) {
    const opts = { acceptUnverified: acceptsUnverified(q), region: p.region };
    if (String(req.headers['content-type'] ?? '').includes('csv')) return this.catalogues.importFile(req, 'csv', actorOf(p), opts);
    if (body === undefined || body === null || typeof body !== 'object')
      throw badRequest('bad-body', 'send the catalogue as JSON, or as CSV with Content-Type text/csv');
    return this.catalogues.importDocument(body, actorOf(p), opts);
  }

  @Post(':id/activate')
  @Allow('agency')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make this version the active catalogue of its region and year (audited)' })
  @ApiOkResponse({ type: CatalogueMetaResponse })
  @ApiErrors({
    400: 'the id is not a UUID; a bad acceptUnverified',
    404: '`unknown-catalogue`',
    409: '`unverified-catalogue`: imported without its hash; accept it with acceptUnverified=true',
  })
  async activate(@Param('id', ParseUUIDPipe) id: string, @Query() q: AcceptUnverifiedQuery, @CurrentUser() p: Principal) {
    requireAgencyOf(p, (await this.visible(id, p)).region);
    return this.store.activate(id, actorOf(p), { acceptUnverified: acceptsUnverified(q) });
  }

  /** A catalogue of the user's region (catalogues are published to its hospitals); else as if it did not exist. */
  private async visible(id: string, p: Principal) {
    const meta = await this.store.meta(id);
    if (!seesRegion(p, meta.region)) throw notFound('unknown-catalogue', `no catalogue ${id}`);
    return meta;
  }
}
