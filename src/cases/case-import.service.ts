import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Environment } from '../config/environment';
import { caseContentHash, CaseValidationContext, FieldError, validateCase } from '../domain/case-record';
import { CodeTablesService } from '../codes/code-tables.service';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';
import { CaseWriter, ImportCounts, openCaseWriter, ValidCase } from './case-writer';
import { ImportFileError } from './import-errors';
import { ImportReport, Rejection, REPORTED_REJECTIONS } from './import-report';
import { ByteGate, csvRows, jsonLinesRows, SourceRow } from './import-sources';

export type ImportFormat = 'csv' | 'jsonl' | 'json';

export interface ImportOptions {
  format: ImportFormat;
  /** `atomic`: any bad row stores nothing. */
  atomic: boolean;
  /** Overwrite stored cases whose content differs (audited). */
  replace: boolean;
  source: string;
  actor: string;
  expectedBytes?: number;
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

const HEARTBEAT_MS = 1000;
/** Rows validated before they are checked against the stored cases and written, together. */
const CHUNK_ROWS = 20_000;
/** Rejections are written to the batch's report in groups of about this many. */
const REJECTION_FLUSH = 500;
/** A running batch whose heartbeat is older than this was interrupted (process killed). */
const STALE_MS = 120_000;

/**
 * Case ingestion (spec §2): stream → bytes gate (size, hash, UTF-8) → rows → validation →
 * duplicates decided chunk by chunk → written invisibly → committed at once. Holds about one
 * chunk of rows in memory, whatever the size of the file.
 */
@Injectable()
export class CaseImportService {
  private readonly logger = new Logger(CaseImportService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly codeTables: CodeTablesService,
    private readonly env: Environment,
  ) {}

  /** Imports a CSV or JSON-lines stream. The batch exists (status `running`) when this resolves. */
  async start(input: Readable, opts: ImportOptions, onProgress?: (p: ImportProgress) => void): Promise<ImportHandle> {
    const gate = new ByteGate(this.env.MAX_UPLOAD_BYTES);
    const rows = opts.format === 'csv' ? csvRows(input, gate) : jsonLinesRows(input, gate);
    const batchId = await this.createBatch(opts);
    return { batchId, done: this.run(batchId, rows, opts, gate, onProgress) };
  }

  /** Imports cases given as a JSON array (index = position in the array). */
  async importArray(items: unknown[], opts: Omit<ImportOptions, 'format'>): Promise<ImportReport> {
    async function* rows(): AsyncGenerator<SourceRow[]> {
      yield items.map((v, i): SourceRow => (typeof v !== 'object' || v === null || Array.isArray(v) ? { line: i, unreadable: 'must be an object with the case fields' } : { line: i, raw: v as Record<string, unknown> }));
    }
    const batchId = await this.createBatch({ ...opts, format: 'json' });
    return this.run(batchId, rows(), { ...opts, format: 'json' }, null);
  }

  private async createBatch(opts: ImportOptions): Promise<string> {
    const id = randomUUID();
    const now = new Date();
    await this.db.execute(
      `INSERT INTO import_batch (id, kind, source, format, mode, replace_existing, status, bytes_expected, actor, started_at, heartbeat_at) VALUES (?, 'cases', ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      [id, opts.source.slice(0, 500), opts.format, opts.atomic ? 'atomic' : 'default', opts.replace, opts.expectedBytes ?? null, opts.actor.slice(0, 100), now, now],
    );
    return id;
  }

  private async run(batchId: string, batches: AsyncIterable<SourceRow[]>, opts: ImportOptions, gate: ByteGate | null, onProgress?: (p: ImportProgress) => void): Promise<ImportReport> {
    const hospitals = await this.hospitalRegions();
    const diagnosisTables = new Map<string, Set<string> | null>();
    for (const region of new Set(hospitals.values())) {
      const table = await this.codeTables.entries(region, 'diagnosis');
      diagnosisTables.set(region, table ? new Set(table.keys()) : null);
    }
    // One validation context per region: its diagnosis table, when it has one.
    const hasHospital = (code: string) => hospitals.has(code);
    const unplaced: CaseValidationContext = { hasHospital };
    const contexts = new Map<string, CaseValidationContext>(
      [...diagnosisTables].map(([region, table]) => [region, { hasHospital, hasDiagnosis: table ? (code: string) => table.has(code) : undefined }]),
    );
    const sink = new RejectionSink(this.db, batchId);
    const counts: ImportCounts = { inserted: 0, replaced: 0, skipped: 0, rejected: 0 };
    let writer: CaseWriter | null = null;
    let read = 0;
    let chunk: ValidCase[] = [];
    let lastBeat = Date.now();
    const beat = async () => {
      const progress = { rows: read, bytes: gate?.bytes ?? 0, expectedBytes: opts.expectedBytes ?? null };
      onProgress?.(progress);
      await this.db.execute('UPDATE import_batch SET rows_read = ?, bytes_read = ?, rows_rejected = ?, heartbeat_at = ? WHERE id = ?', [read, progress.bytes, sink.rows, new Date(), batchId]);
    };
    try {
      writer = await openCaseWriter(this.db, batchId, opts.actor);
      for await (const batch of batches) {
        for (const row of batch) {
          read++;
          if ('unreadable' in row) {
            sink.add(row.line, null, [{ field: '*', reason: row.unreadable }]);
            continue;
          }
          const region = hospitals.get(String(row.raw.hospitalCode ?? '').trim());
          const v = validateCase(row.raw, (region !== undefined && contexts.get(region)) || unplaced);
          if ('errors' in v) sink.add(row.line, typeof row.raw.caseId === 'string' ? row.raw.caseId.slice(0, 64) : null, v.errors);
          else chunk.push({ line: row.line, region: region!, record: v.record, hash: caseContentHash(v.record) });
          if (chunk.length >= CHUNK_ROWS) {
            await this.writeChunk(writer, batchId, chunk, opts.replace, counts, sink);
            chunk = [];
          }
        }
        if (sink.pending >= REJECTION_FLUSH) await sink.flush();
        if (Date.now() - lastBeat >= HEARTBEAT_MS) {
          lastBeat = Date.now();
          await beat();
        }
      }
      if (read === 0) throw new ImportFileError('no-rows', 'the file has no case rows');
      await this.writeChunk(writer, batchId, chunk, opts.replace, counts, sink);
      await sink.flush();
      counts.rejected = sink.rows;
      await this.db.execute('UPDATE import_batch SET rows_read = ?, bytes_read = ?, content_hash = ?, rows_rejected = ?, heartbeat_at = ? WHERE id = ?', [read, gate?.bytes ?? 0, gate?.contentHash ?? null, sink.rows, new Date(), batchId]);
      onProgress?.({ rows: read, bytes: gate?.bytes ?? 0, expectedBytes: opts.expectedBytes ?? null });
      if (opts.atomic && counts.rejected > 0) {
        await writer.rollback();
        await this.db.execute(`UPDATE import_batch SET status = 'rejected', finished_at = ? WHERE id = ?`, [new Date(), batchId]);
      } else {
        await writer.commit(counts);
      }
    } catch (err) {
      await writer?.rollback().catch(() => undefined);
      await sink.flush().catch(() => undefined);
      const error = err instanceof ImportFileError ? { code: err.code, message: err.message, line: err.line } : { code: 'internal' as const, message: 'the import failed; nothing was stored' };
      if (!(err instanceof ImportFileError)) this.logger.error({ err, batchId }, 'import failed');
      await this.db.execute(`UPDATE import_batch SET status = 'failed', error = ?, rows_read = ?, bytes_read = ?, rows_rejected = ?, finished_at = ? WHERE id = ?`, [JSON.stringify(error), read, gate?.bytes ?? 0, sink.rows, new Date(), batchId]);
    }
    return (await this.report(batchId))!;
  }

  /**
   * Decides each case of a chunk against the file so far and the stored cases (spec §2): a
   * caseId repeated in the file (identical → skipped, different → rejected), stored with the
   * same content (skipped), stored with other content (rejected, or replaced when asked), new.
   */
  private async writeChunk(writer: CaseWriter, batchId: string, chunk: ValidCase[], replace: boolean, counts: ImportCounts, sink: RejectionSink): Promise<void> {
    if (chunk.length === 0) return;
    const first = new Map<string, ValidCase>();
    const byRegion = new Map<string, ValidCase[]>();
    for (const c of chunk) {
      const key = `${c.region}\u0000${c.record.caseId}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, c);
        const list = byRegion.get(c.region);
        if (list) list.push(c);
        else byRegion.set(c.region, [c]);
      } else if (earlier.hash === c.hash) counts.skipped++;
      else sink.add(c.line, c.record.caseId, [{ field: 'caseId', reason: `repeats line ${earlier.line} of this file with different content` }]);
    }
    const inserts: ValidCase[] = [];
    const replacements: ValidCase[] = [];
    for (const [region, cases] of byRegion) {
      const stored = await writer.existing(region, cases.map((c) => c.record.caseId));
      for (const c of cases) {
        const old = stored.get(c.record.caseId);
        if (!old) inserts.push(c);
        else if (old.hash === c.hash) counts.skipped++;
        else if (old.batchId === batchId) sink.add(c.line, c.record.caseId, [{ field: 'caseId', reason: 'repeats an earlier line of this file with different content' }]);
        else if (replace) replacements.push(c);
        else sink.add(c.line, c.record.caseId, [{ field: 'caseId', reason: 'already stored with different content; import with replace to overwrite it' }]);
      }
    }
    counts.inserted += inserts.length;
    counts.replaced += replacements.length;
    await writer.write(inserts, replacements);
  }

  /** hospital code → region code, for validation and for placing each case in its region. */
  private async hospitalRegions(): Promise<Map<string, string>> {
    const { rows } = await this.db.execute('SELECT code, region_code FROM hospital');
    return new Map(rows.map((r) => [String(r.code), String(r.region_code)]));
  }

  /** Marks imports whose process died as failed and drops their staged rows. */
  async failInterrupted(): Promise<number> {
    const cutoff = new Date(Date.now() - STALE_MS);
    const { rows } = await this.db.execute(`SELECT id FROM import_batch WHERE status = 'running' AND heartbeat_at < ?`, [cutoff]);
    for (const r of rows) {
      const id = String(r.id);
      await this.db.execute('DELETE FROM case_staging WHERE batch_id = ?', [id]);
      const error = { code: 'interrupted', message: 'the import stopped before it finished (process ended); nothing was stored; run it again' };
      await this.db.execute(`UPDATE import_batch SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`, [JSON.stringify(error), new Date(), id]);
    }
    return rows.length;
  }

  async report(batchId: string, rejectionsFrom = 0, rejectionsLimit = REPORTED_REJECTIONS): Promise<ImportReport | null> {
    const b = (await this.db.execute('SELECT * FROM import_batch WHERE id = ?', [batchId])).rows[0];
    if (!b) return null;
    const rej = (
      await this.db.execute(`SELECT line, case_id, field, reason FROM import_rejection WHERE batch_id = ? ORDER BY line, id LIMIT ${Number(rejectionsLimit) + 1} OFFSET ${Number(rejectionsFrom)}`, [batchId])
    ).rows;
    return {
      batchId,
      status: b.status as ImportReport['status'],
      source: String(b.source),
      format: String(b.format),
      mode: String(b.mode),
      replace: Number(b.replace_existing) === 1,
      contentHash: b.content_hash === null ? null : String(b.content_hash),
      bytes: { read: Number(b.bytes_read), expected: b.bytes_expected === null ? null : Number(b.bytes_expected) },
      counts: { read: Number(b.rows_read), inserted: Number(b.rows_inserted), replaced: Number(b.rows_replaced), skipped: Number(b.rows_skipped), rejected: Number(b.rows_rejected) },
      error: b.error === null ? null : JSON.parse(String(b.error)),
      rejections: rej.slice(0, rejectionsLimit).map((r) => ({ line: Number(r.line), caseId: r.case_id === null ? null : String(r.case_id), field: String(r.field), reason: String(r.reason) })),
      rejectionsTruncated: rej.length > rejectionsLimit,
      startedAt: fromSqlDatetime(b.started_at),
      finishedAt: b.finished_at === null ? null : fromSqlDatetime(b.finished_at),
    };
  }
}

/** Writes rejections as they come, in chunks, so that a million bad rows never sit in memory. */
class RejectionSink {
  rows = 0;
  private queue: Rejection[] = [];

  constructor(
    private readonly db: DatabaseService,
    private readonly batchId: string,
  ) {}

  add(line: number, caseId: string | null, errors: FieldError[]): void {
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
    const batchId = this.batchId;
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      for (let i = 0; i < part.length; i += 200) {
        const chunk = part.slice(i, i + 200);
        yield {
          sql: `INSERT INTO import_rejection (batch_id, line, case_id, field, reason) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          params: chunk.flatMap((r) => [batchId, r.line, r.caseId, r.field, r.reason]),
        };
      }
    });
  }
}

