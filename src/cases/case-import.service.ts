import { Injectable, Logger } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Environment } from '../config/environment';
import { caseContentHash, CaseValidationContext, chinaToday, FieldError, validateCase } from '../domain/case-record';
import { decideAgainstStored, firstOfEachCase } from '../domain/case-duplicates';
import { badRequest, DipError, ErrorBody, INTERNAL } from '../domain/errors';
import { CodeTablesService } from '../codes/code-tables.service';
import { HospitalsService } from '../hospitals/hospitals.service';
import { LivenessService } from '../liveness/liveness.service';
import { spoolPath, sweepOrphanSpools } from '../io/spool';
import { byteLimit, tooLarge } from '../io/text-input';
import { CaseStore, CaseWriter, ImportCounts, ValidCase } from './case.store';
import { ImportBatchStore } from './import-batch.store';
import { ImportReport, Rejection, REPORTED_REJECTIONS } from './import-report';
import { CaseFileFormat, caseFileFormat, caseFileRows, fileError, SourceRow } from './import-sources';

export type ImportFormat = CaseFileFormat | 'json';

export interface ImportOptions {
  format: ImportFormat;
  /** `atomic`: any bad row stores nothing. */
  atomic: boolean;
  /** Overwrite stored cases whose content differs (audited). */
  replace: boolean;
  source: string;
  actor: string;
  /** The one region whose hospitals the actor may import for (an agency user's); absent: any (the CLI). */
  region?: string | null;
  expectedBytes?: number;
}

/** Options of a file import: its format is a file format. */
export interface FileImportOptions extends ImportOptions {
  format: CaseFileFormat;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  expectedBytes: number | null;
}

/** A running import: its batch id at once, its report when done. */
export interface ImportHandle {
  batchId: string;
  done: Promise<ImportReport>;
}

/** An upload as HTTP receives it: the body, its declared type and length, and what the query asked. */
export interface CaseUpload {
  body: Readable;
  contentType: string;
  contentLength?: number;
  format?: CaseFileFormat;
  atomic: boolean;
  replace: boolean;
  /** Receive the whole upload first (spooled to disk), then import in the background. */
  background: boolean;
  source: string;
  actor: string;
  region?: string | null;
}

export const MAX_CASES_PER_REQUEST = 10_000;

const HEARTBEAT_MS = 1000;
/** Rows validated before they are checked against the stored cases and written, together. */
const CHUNK_ROWS = 20_000;
/** Rejections are written to the batch's report in groups of about this many. */
const REJECTION_FLUSH = 500;
const INTERRUPTED: ErrorBody = {
  code: 'interrupted',
  message: 'the import stopped before it finished (process ended); nothing was stored; run it again',
};

/**
 * Case ingestion (spec §2): stream → bytes gate (size, hash, UTF-8) → rows → validation →
 * duplicates decided chunk by chunk (domain/case-duplicates.ts) → written invisibly → committed
 * at once. Holds about one chunk of rows in memory, whatever the size of the file. The HTTP
 * controller and the CLI both call `start` (a stream) or `upload` (an HTTP body).
 */
@Injectable()
export class CaseImportService {
  private readonly logger = new Logger(CaseImportService.name);

  constructor(
    private readonly batches: ImportBatchStore,
    private readonly cases: CaseStore,
    private readonly codeTables: CodeTablesService,
    private readonly hospitals: HospitalsService,
    private readonly env: Environment,
    private readonly liveness: LivenessService,
  ) {}

  /** Imports a CSV or JSON-lines stream. The batch exists (status `running`) when this resolves. */
  async start(input: Readable, opts: FileImportOptions, onProgress?: (p: ImportProgress) => void): Promise<ImportHandle> {
    const { rows, gate } = caseFileRows(input, opts.format, this.env.MAX_UPLOAD_BYTES);
    const batchId = await this.createBatch(opts);
    return { batchId, done: this.run(batchId, rows, opts, gate, onProgress) };
  }

  /**
   * An uploaded case file: its format from the query or the Content-Type; refused at once when
   * its declared length is over the limit. In the background, the body is first received whole
   * (to a spool file on disk, within the limit) and the import's handle returned at once.
   */
  async upload(u: CaseUpload): Promise<ImportHandle> {
    if (u.contentLength !== undefined && u.contentLength > this.env.MAX_UPLOAD_BYTES)
      throw tooLarge(this.env.MAX_UPLOAD_BYTES, u.contentLength);
    const format = caseFileFormat(u.format, u.contentType);
    if (!format)
      throw badRequest('unknown-format', 'say format=csv or format=jsonl, or send Content-Type text/csv or application/x-ndjson');
    const opts = {
      format,
      atomic: u.atomic,
      replace: u.replace,
      source: u.source,
      actor: u.actor,
      region: u.region,
      expectedBytes: u.contentLength,
    };
    if (!u.background) return this.start(u.body, opts);
    const spool = spoolPath();
    try {
      await pipeline(u.body, byteLimit(this.env.MAX_UPLOAD_BYTES), createWriteStream(spool));
      const handle = await this.start(createReadStream(spool), opts);
      void handle.done.finally(() => rm(spool, { force: true }));
      return handle;
    } catch (err) {
      await rm(spool, { force: true });
      throw err;
    }
  }

  /** Imports cases given as a JSON array (index = position in the array). */
  async importArray(items: unknown[], opts: Omit<ImportOptions, 'format'>): Promise<ImportReport> {
    if (items.length === 0) throw badRequest('empty', 'the array is empty');
    if (items.length > MAX_CASES_PER_REQUEST)
      throw new DipError(
        'too-large',
        'too-many-cases',
        `${items.length} cases; at most ${MAX_CASES_PER_REQUEST} per request (use /api/v1/cases/import for files)`,
      );
    async function* rows(): AsyncGenerator<SourceRow[]> {
      yield items.map((v, i): SourceRow =>
        typeof v !== 'object' || v === null || Array.isArray(v)
          ? { line: i, unreadable: 'must be an object with the case fields' }
          : { line: i, raw: v as Record<string, unknown> },
      );
    }
    const batchId = await this.createBatch({ ...opts, format: 'json' });
    return this.run(batchId, rows(), { ...opts, format: 'json' }, null);
  }

  private createBatch(opts: ImportOptions): Promise<string> {
    return this.batches.create({
      source: opts.source,
      format: opts.format,
      atomic: opts.atomic,
      replace: opts.replace,
      expectedBytes: opts.expectedBytes ?? null,
      actor: opts.actor,
      region: opts.region ?? null,
      owner: this.liveness.processId,
    });
  }

  /**
   * Validation contexts per region: the registered hospitals and the region's diagnosis table,
   * when it has one. With a `scope`, only that region's hospitals count as registered.
   */
  private async validation(
    scope: string | null,
  ): Promise<{ regionOf: Map<string, string>; contextOf(region: string | undefined): CaseValidationContext }> {
    const regionOf = new Map((await this.hospitals.list(scope ?? undefined)).map((h) => [h.code, h.region]));
    const hasHospital = (code: string) => regionOf.has(code);
    const today = chinaToday();
    const unplaced: CaseValidationContext = { hasHospital, today };
    const contexts = new Map<string, CaseValidationContext>();
    for (const region of new Set(regionOf.values())) {
      const table = await this.codeTables.entries(region, 'diagnosis');
      contexts.set(region, { hasHospital, today, hasDiagnosis: table ? (code: string) => table.has(code) : undefined });
    }
    return { regionOf, contextOf: (region) => (region !== undefined && contexts.get(region)) || unplaced };
  }

  private async run(
    batchId: string,
    source: AsyncIterable<SourceRow[]>,
    opts: ImportOptions,
    gate: { bytes: number; contentHash: string } | null,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const { regionOf, contextOf } = await this.validation(opts.region ?? null);
    const sink = new RejectionSink(this.batches, batchId);
    const counts: ImportCounts = { inserted: 0, replaced: 0, skipped: 0, rejected: 0 };
    let writer: CaseWriter | null = null;
    let read = 0;
    let chunk: ValidCase[] = [];
    const regions = new Set<string>();
    let lastBeat = Date.now();
    const progress = () => ({ rowsRead: read, bytesRead: gate?.bytes ?? 0, rowsRejected: sink.rows });
    const report = () => onProgress?.({ rows: read, bytes: gate?.bytes ?? 0, expectedBytes: opts.expectedBytes ?? null });
    try {
      writer = await this.cases.openWriter(batchId, opts.actor);
      for await (const batch of source) {
        for (const row of batch) {
          read++;
          if ('unreadable' in row) {
            sink.add(row.line, null, [{ field: '*', reason: row.unreadable }]);
            continue;
          }
          const region = regionOf.get(String(row.raw.hospitalCode ?? '').trim());
          const v = validateCase(row.raw, contextOf(region));
          if ('errors' in v) sink.add(row.line, typeof row.raw.caseId === 'string' ? row.raw.caseId.slice(0, 64) : null, v.errors);
          else {
            regions.add(region!);
            chunk.push({ line: row.line, region: region!, caseId: v.record.caseId, record: v.record, hash: caseContentHash(v.record) });
          }
          if (chunk.length >= CHUNK_ROWS) {
            await this.writeChunk(writer, batchId, chunk, opts.replace, counts, sink);
            chunk = [];
          }
        }
        if (sink.pending >= REJECTION_FLUSH) await sink.flush();
        if (Date.now() - lastBeat >= HEARTBEAT_MS) {
          lastBeat = Date.now();
          report();
          await this.batches.progress(batchId, progress());
        }
      }
      if (read === 0) throw fileError('no-rows', 'the file has no case rows');
      await this.writeChunk(writer, batchId, chunk, opts.replace, counts, sink);
      await sink.flush();
      counts.rejected = sink.rows;
      await this.batches.progress(batchId, progress(), gate?.contentHash);
      // An import of the CLI (any region) whose cases are all of one region is that region's: its agency users see it.
      if (!opts.region && regions.size === 1) await this.batches.setRegion(batchId, [...regions][0]);
      report();
      if (opts.atomic && counts.rejected > 0) {
        await writer.rollback();
        await this.batches.rejected(batchId);
      } else {
        await writer.commit(counts);
      }
    } catch (err) {
      await writer?.rollback().catch(() => undefined);
      await sink.flush().catch(() => undefined);
      if (!(err instanceof DipError)) this.logger.error({ err, batchId }, 'import failed');
      await this.batches.failed(batchId, err instanceof DipError ? err.toBody() : INTERNAL, progress());
    }
    return (await this.report(batchId))!;
  }

  /** Decides each case of a chunk against the file so far and the stored cases, and writes what goes in. */
  private async writeChunk(
    writer: CaseWriter,
    batchId: string,
    chunk: ValidCase[],
    replace: boolean,
    counts: ImportCounts,
    sink: RejectionSink,
  ): Promise<void> {
    if (chunk.length === 0) return;
    const inFile = firstOfEachCase(chunk);
    counts.skipped += inFile.skipped;
    for (const r of inFile.rejected) sink.add(r.line, r.caseId, [{ field: 'caseId', reason: r.reason }]);
    const inserts: ValidCase[] = [];
    const replacements: ValidCase[] = [];
    for (const [region, cases] of inFile.byRegion) {
      const d = decideAgainstStored(
        cases,
        await writer.existing(
          region,
          cases.map((c) => c.caseId),
        ),
        batchId,
        replace,
      );
      inserts.push(...d.inserts);
      replacements.push(...d.replacements);
      counts.skipped += d.skipped;
      for (const r of d.rejected) sink.add(r.line, r.caseId, [{ field: 'caseId', reason: r.reason }]);
    }
    counts.inserted += inserts.length;
    counts.replaced += replacements.length;
    await writer.write(inserts, replacements);
  }

  /** Marks imports whose process died as failed and drops their staged rows. */
  failInterrupted(): Promise<number> {
    return this.batches.failOrphaned(INTERRUPTED);
  }

  /** Deletes the spool files of uploads whose process was killed (at start-up). */
  async sweepSpools(): Promise<void> {
    const n = await sweepOrphanSpools();
    if (n > 0) this.logger.log(`deleted ${n} spool file(s) of interrupted uploads`);
  }

  report(batchId: string, rejectionsFrom = 0, rejectionsLimit = REPORTED_REJECTIONS): Promise<ImportReport | null> {
    return this.batches.report(batchId, rejectionsFrom, rejectionsLimit);
  }
}

/** Writes rejections as they come, in chunks, so that a million bad rows never sit in memory. */
class RejectionSink {
  rows = 0;
  private queue: Rejection[] = [];

  constructor(
    private readonly store: ImportBatchStore,
    private readonly batchId: string,
  ) {}

  add(line: number, caseId: string | null, errors: readonly FieldError[] | readonly { field: string; reason: string }[]): void {
    this.rows++;
    for (const e of errors) this.queue.push({ line, caseId, field: e.field, reason: e.reason.slice(0, 1000) });
  }

  get pending(): number {
    return this.queue.length;
  }

  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const part = this.queue;
    this.queue = [];
    await this.store.addRejections(this.batchId, part);
  }
}
