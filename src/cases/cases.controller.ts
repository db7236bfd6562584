import { Body, Controller, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal } from '../domain/access';
import type { Request, Response } from 'express';
import { badRequest } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { CaseBody } from './case-body.dto';
import { ApiImportReportOrError, ImportAcceptedResponse, ImportReportResponse } from './cases.responses';
import { CaseImportService, MAX_CASES_PER_REQUEST } from './case-import.service';
import { ImportReport } from './import-report';
import { CaseArrayQuery, CaseImportQuery } from './import.dto';

/** HTTP status of a finished import: what the client should make of it. */
export function importStatus(r: ImportReport): number {
  if (r.status === 'committed') return HttpStatus.CREATED;
  if (r.status === 'rejected') return HttpStatus.UNPROCESSABLE_ENTITY;
  switch (r.error?.code) {
    case 'too-large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'encoding':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'internal':
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return HttpStatus.UNPROCESSABLE_ENTITY;
  }
}

@ApiTags('cases')
@Controller('api/v1/cases')
export class CasesController {
  constructor(private readonly imports: CaseImportService) {}

  @Post()
  @Allow('agency')
  @ApiOperation({
    summary: `Store up to ${MAX_CASES_PER_REQUEST} cases given as a JSON array; every rejected element is reported with its index, field and reason`,
  })
  @ApiExtraModels(CaseBody)
  @ApiBody({ schema: { type: 'array', minItems: 1, maxItems: MAX_CASES_PER_REQUEST, items: { $ref: getSchemaPath(CaseBody) } } })
  @ApiCreatedResponse({ type: ImportReportResponse, description: 'committed: the good cases stored, each bad one in `rejections`' })
  @ApiUnprocessableEntityResponse({ type: ImportReportResponse, description: 'rejected (mode=atomic): a case was bad, nothing stored' })
  @ApiImportReportOrError(500, 'failed (`internal`), or a bug before the import began; nothing stored')
  @ApiErrors({
    400: '`not-an-array`, `empty`, malformed JSON, a bad mode or replace',
    413: `\`too-many-cases\` (more than ${MAX_CASES_PER_REQUEST}), or the body is over the limit`,
    415: 'the body is not UTF-8',
    500: false,
  })
  async create(@Body() body: unknown, @Query() q: CaseArrayQuery, @Res() res: Response, @CurrentUser() p: Principal): Promise<void> {
    if (!Array.isArray(body)) throw badRequest('not-an-array', 'expected a JSON array of cases');
    const report = await this.imports.importArray(body, {
      atomic: q.mode === 'atomic',
      replace: q.replace === 'true',
      source: 'POST /api/v1/cases',
      actor: actorOf(p),
      region: p.region,
    });
    res.status(importStatus(report)).json(report);
  }

  @Post('import')
  @Allow('agency')
  @ApiOperation({ summary: 'Import a CSV or JSON-lines file sent as the request body (streamed, never held whole)' })
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: ImportReportResponse, description: 'committed: the good rows stored, each bad one in `rejections`' })
  @ApiAcceptedResponse({ type: ImportAcceptedResponse, description: '`async=true`: received; follow it at `statusUrl`' })
  @ApiUnprocessableEntityResponse({
    type: ImportReportResponse,
    description: 'rejected (mode=atomic), or failed: `error.code` empty, header, syntax, no-rows; nothing stored',
  })
  @ApiUnsupportedMediaTypeResponse({ type: ImportReportResponse, description: 'failed: `error.code` encoding (not UTF-8); nothing stored' })
  @ApiImportReportOrError(413, 'failed while reading (`error.code` too-large), or refused at once for its declared length')
  @ApiImportReportOrError(500, 'failed (`internal`), or a bug before the import began; nothing stored')
  @ApiErrors({ 400: '`unknown-format`, a bad format, mode, replace or async', 413: false, 500: false })
  async import(@Req() req: Request, @Query() q: CaseImportQuery, @Res() res: Response, @CurrentUser() p: Principal): Promise<void> {
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const background = q.async === 'true';
    const handle = await this.imports.upload({
      body: req,
      contentType: String(req.headers['content-type'] ?? ''),
      contentLength: length,
      format: q.format,
      atomic: q.mode === 'atomic',
      replace: q.replace === 'true',
      background,
      source: 'POST /api/v1/cases/import',
      actor: actorOf(p),
      region: p.region,
    });
    if (!background) {
      const report = await handle.done;
      res.status(importStatus(report)).json(report);
      return;
    }
    res
      .status(HttpStatus.ACCEPTED)
      .location(`/api/v1/imports/${handle.batchId}`)
      .json({ batchId: handle.batchId, status: 'running', statusUrl: `/api/v1/imports/${handle.batchId}` });
  }
}
