import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ErrorBody } from '../domain/errors';
import { ORPHANED } from '../liveness/liveness.store';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';
import { ImportReport, Rejection } from './import-report';

/** What an import batch records when it starts. */
export interface BatchStart {
  source: string;
  format: string;
  atomic: boolean;
  replace: boolean;
  expectedBytes: number | null;
  actor: string;
  /** The region an agency user imported for (null: the CLI, any region). */
  region: string | null;
  /** The process doing the import (liveness/). */
  owner: string;
}

/** Where a running batch has got to. */
export interface BatchProgress {
  rowsRead: number;
  bytesRead: number;
  rowsRejected: number;
}

export interface ImportSummary {
  batchId: string;
  status: string;
  source: string;
  rows: number;
  bytes: { read: number; expected: number | null };
  startedAt: string;
  finishedAt: string | null;
}

/** Import batches (`import_batch`) and their rejected rows (`import_rejection`). */
@Injectable()
export class ImportBatchStore {
  constructor(private readonly db: DatabaseService) {}

  async create(b: BatchStart): Promise<string> {
    const id = randomUUID();
    const now = new Date();
    await this.db.execute(
      `INSERT INTO import_batch (id, kind, source, format, mode, replace_existing, status, bytes_expected, actor, region_code, owner, started_at, heartbeat_at) VALUES (?, 'cases', ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      [
        id,
        b.source.slice(0, 500),
        b.format,
        b.atomic ? 'atomic' : 'default',
        b.replace,
        b.expectedBytes,
        b.actor.slice(0, 100),
        b.region,
        b.owner,
        now,
        now,
      ],
    );
    return id;
  }

  /** Progress and heartbeat of a running batch; with the content hash once the whole file is read. */
  async progress(id: string, p: BatchProgress, contentHash?: string): Promise<void> {
    if (contentHash === undefined)
      await this.db.execute('UPDATE import_batch SET rows_read = ?, bytes_read = ?, rows_rejected = ?, heartbeat_at = ? WHERE id = ?', [
        p.rowsRead,
        p.bytesRead,
        p.rowsRejected,
        new Date(),
        id,
      ]);
    else
      await this.db.execute(
        'UPDATE import_batch SET rows_read = ?, bytes_read = ?, rows_rejected = ?, content_hash = ?, heartbeat_at = ? WHERE id = ?',
        [p.rowsRead, p.bytesRead, p.rowsRejected, contentHash, new Date(), id],
      );
  }

  async setRegion(id: string, region: string): Promise<void> {
    await this.db.execute('UPDATE import_batch SET region_code = ? WHERE id = ?', [region, id]);
  }

  /** An atomic import with rejected rows: nothing stored. */
  async rejected(id: string): Promise<void> {
    await this.db.execute(`UPDATE import_batch SET status = 'rejected', finished_at = ? WHERE id = ?`, [new Date(), id]);
  }

  async failed(id: string, error: ErrorBody, p: BatchProgress): Promise<void> {
    await this.db.execute(
      `UPDATE import_batch SET status = 'failed', error = ?, rows_read = ?, bytes_read = ?, rows_rejected = ?, finished_at = ? WHERE id = ?`,
      [JSON.stringify(error), p.rowsRead, p.bytesRead, p.rowsRejected, new Date(), id],
    );
  }

  /** Rejected rows, in one transaction per call. */
  async addRejections(id: string, rejections: readonly Rejection[]): Promise<void> {
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      for (let i = 0; i < rejections.length; i += 200) {
        const chunk = rejections.slice(i, i + 200);
        yield {
          sql: `INSERT INTO import_rejection (batch_id, line, case_id, field, reason) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          params: chunk.flatMap((r) => [id, r.line, r.caseId, r.field, r.reason]),
        };
      }
    });
  }

  /**
   * Marks running batches whose process is gone failed (liveness/) and drops their staged rows
   * (SQLite; on MySQL the open transaction died with its connection). The number marked.
   */
  async failOrphaned(error: ErrorBody): Promise<number> {
    const { rows } = await this.db.execute(`SELECT id FROM import_batch WHERE status = 'running' AND ${ORPHANED}`);
    for (const r of rows) {
      const id = String(r.id);
      await this.db.execute('DELETE FROM case_staging WHERE batch_id = ?', [id]);
      await this.db.execute(`UPDATE import_batch SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`, [
        JSON.stringify(error),
        new Date(),
        id,
      ]);
    }
    return rows.length;
  }

  /** A batch with a page of its rejections (by line), or null. */
  async report(id: string, rejectionsFrom: number, rejectionsLimit: number): Promise<ImportReport | null> {
    const b = (await this.db.execute('SELECT * FROM import_batch WHERE id = ?', [id])).rows[0];
    if (!b) return null;
    const rej = (
      await this.db.execute(
        `SELECT line, case_id, field, reason FROM import_rejection WHERE batch_id = ? ORDER BY line, id LIMIT ${Number(rejectionsLimit) + 1} OFFSET ${Number(rejectionsFrom)}`,
        [id],
      )
    ).rows;
    return {
      batchId: id,
      status: b.status as ImportReport['status'],
      region: b.region_code === null ? null : String(b.region_code),
      source: String(b.source),
      format: String(b.format),
      mode: String(b.mode),
      replace: Number(b.replace_existing) === 1,
      contentHash: b.content_hash === null ? null : String(b.content_hash),
      bytes: { read: Number(b.bytes_read), expected: b.bytes_expected === null ? null : Number(b.bytes_expected) },
      counts: {
        read: Number(b.rows_read),
        inserted: Number(b.rows_inserted),
        replaced: Number(b.rows_replaced),
        skipped: Number(b.rows_skipped),
        rejected: Number(b.rows_rejected),
      },
      error: b.error === null ? null : (JSON.parse(String(b.error)) as ErrorBody),
      rejections: rej.slice(0, rejectionsLimit).map((r) => ({
        line: Number(r.line),
        caseId: r.case_id === null ? null : String(r.case_id),
        field: String(r.field),
        reason: String(r.reason),
      })),
      rejectionsTruncated: rej.length > rejectionsLimit,
      startedAt: fromSqlDatetime(b.started_at),
      finishedAt: b.finished_at === null ? null : fromSqlDatetime(b.finished_at),
    };
  }

  /** The latest batches of a region, newest first. */
  async recent(region: string, limit: number): Promise<ImportSummary[]> {
    const { rows } = await this.db.execute(
      `SELECT id, status, source, rows_read, bytes_read, bytes_expected, started_at, finished_at FROM import_batch WHERE region_code = ? ORDER BY started_at DESC LIMIT ${Number(limit)}`,
      [region],
    );
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
}
