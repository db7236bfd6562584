import { BadRequestException, Body, Controller, HttpStatus, Post, Query, Req, Res, PayloadTooLargeException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Environment } from '../config/environment';
import { CaseImportService } from './case-import.service';
import { ImportReport } from './import-report';
import { CaseArrayQuery, CaseImportQuery } from './import.dto';

export const MAX_CASES_PER_REQUEST = 10_000;

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
  constructor(
    private readonly imports: CaseImportService,
    private readonly env: Environment,
  ) {}

  @Post()
  @ApiOperation({ summary: `Store up to ${MAX_CASES_PER_REQUEST} cases given as a JSON array; every rejected element is reported with its index, field and reason` })
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async create(@Body() body: unknown, @Query() q: CaseArrayQuery, @Res() res: Response): Promise<void> {
    if (!Array.isArray(body)) throw new BadRequestException({ error: 'not-an-array', message: 'expected a JSON array of cases' });
    if (body.length === 0) throw new BadRequestException({ error: 'empty', message: 'the array is empty' });
    if (body.length > MAX_CASES_PER_REQUEST) {
      throw new PayloadTooLargeException({ error: 'too-many-cases', message: `${body.length} cases; at most ${MAX_CASES_PER_REQUEST} per request (use /api/v1/cases/import for files)` });
    }
    const report = await this.imports.importArray(body, { atomic: q.mode === 'atomic', replace: q.replace === 'true', source: 'POST /api/v1/cases', actor: 'api' });
    res.status(importStatus(report)).json(report);
  }

  @Post('import')
  @ApiOperation({ summary: 'Import a CSV or JSON-lines file sent as the request body (streamed, never held whole)' })
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async import(@Req() req: Request, @Query() q: CaseImportQuery, @Res() res: Response): Promise<void> {
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (length !== undefined && length > this.env.MAX_UPLOAD_BYTES) {
      throw new PayloadTooLargeException({ error: 'too-large', message: `the upload is ${length} bytes; the limit is ${this.env.MAX_UPLOAD_BYTES}` });
    }
    const type = String(req.headers['content-type'] ?? '');
    const format = q.format ?? (/ndjson|jsonl|json-lines/.test(type) ? 'jsonl' : /csv/.test(type) ? 'csv' : undefined);
    if (!format) throw new BadRequestException({ error: 'unknown-format', message: 'say format=csv or format=jsonl, or send Content-Type text/csv or application/x-ndjson' });
    const opts = { format, atomic: q.mode === 'atomic', replace: q.replace === 'true', source: 'POST /api/v1/cases/import', actor: 'api', expectedBytes: length };

    if (q.async !== 'true') {
      const handle = await this.imports.start(req, opts);
      const report = await handle.done;
      res.status(importStatus(report)).json(report);
      return;
    }
    // Asynchronous: receive the whole upload first (to disk, not memory), then answer 202.
    const spool = join(tmpdir(), `dip-import-${randomUUID()}`);
    await pipeline(req, createWriteStream(spool));
    const handle = await this.imports.start(createReadStream(spool), opts);
    void handle.done.finally(() => rm(spool, { force: true }));
    res.status(HttpStatus.ACCEPTED).location(`/api/v1/imports/${handle.batchId}`).json({ batchId: handle.batchId, status: 'running', statusUrl: `/api/v1/imports/${handle.batchId}` });
  }
}
