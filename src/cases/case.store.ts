import { Injectable } from '@nestjs/common';
import { QueryRunner } from 'typeorm';
import { auditStatement } from '../audit/audit.store';
import { CaseRecord } from '../domain/case-record';
import { IncomingCase, StoredVersion } from '../domain/case-duplicates';
import { monthsBetween } from '../domain/periods';
import { DatabaseService, loadData, runSqlite, toSqlDatetime } from '../persistence/database.service';
import { CASE_COLUMNS, caseColumnValues, caseRecordOfRow, CaseColumnValue } from './case-columns';
import { ENGINE_COLUMNS } from './stored-cases';

/** A validated case on its way in, with the region of its hospital and its content hash. */
export interface ValidCase extends IncomingCase {
  record: CaseRecord;
}

/** Rows of one page of a read of stored cases. */
const PAGE = 10_000;

/** The stored cases (`dip_case`): read a period a page at a time, one case, and the import's writer. */
@Injectable()
export class CaseStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * A region's stored cases of a range of settlement months, a page at a time; memory holds one
   * page. The order is not part of the contract. SQLite reads by keyset pagination (each page one
   * short query: its single connection must stay free for other statements between pages).
   */
  async *pages(region: string, fromMonth: string, toMonth: string, columns: readonly string[]): AsyncGenerator<Record<string, unknown>[]> {
    const cols = ['settlement_month', 'case_id', ...columns.filter((c) => c !== 'settlement_month' && c !== 'case_id')].join(', ');
    if (this.db.engine === 'mysql') {
      yield* this.streamMysql(cols, region, fromMonth, toMonth);
      return;
    }
    // SQLite: month by month, then by caseId within the month: every page is a plain range of the
    // primary key (region, month, caseId), read in index order, never sorted.
    for (const month of monthsBetween(fromMonth, toMonth)) {
      let after = '';
      for (;;) {
        const { rows } = await this.db.execute(
          `SELECT ${cols} FROM dip_case WHERE region_code = ? AND settlement_month = ? AND case_id > ? ORDER BY case_id LIMIT ${PAGE}`,
          [region, month, after],
        );
        if (rows.length > 0) yield rows;
        if (rows.length < PAGE) break;
        after = String(rows[rows.length - 1].case_id);
      }
    }
  }

  /**
   * MySQL: one query streamed row by row on its own connection, with backpressure, handed on a
   * page at a time, in the server's order (no ORDER BY: the server reads the primary-key range in
   * order anyway, and sorting three years of cases first, as MariaDB would, only delays the first
   * row). Paging with LIMIT would make the server find its place again for every page.
   */
  private async *streamMysql(cols: string, region: string, fromMonth: string, toMonth: string): AsyncGenerator<Record<string, unknown>[]> {
    const qr = this.db.dataSource.createQueryRunner();
    try {
      const rows = await qr.stream(
        `SELECT ${cols} FROM dip_case WHERE region_code = ? AND settlement_month >= ? AND settlement_month <= ?`,
        [region, fromMonth, toMonth],
      );
      let page: Record<string, unknown>[] = [];
      for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
        page.push(row);
        if (page.length === PAGE) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } finally {
      await qr.release();
    }
  }

  /**
   * How many cases a region has stored for the settlement months from … to (the total a grouping
   * run announces for its progress): one count over a range of the primary key, no row read.
   */
  async count(region: string, fromMonth: string, toMonth: string): Promise<number> {
    const { rows } = await this.db.execute(
      'SELECT COUNT(*) AS n FROM dip_case WHERE region_code = ? AND settlement_month >= ? AND settlement_month <= ?',
      [region, fromMonth, toMonth],
    );
    return Number(rows[0].n);
  }

  /** One stored case as the engine reads it (ENGINE_COLUMNS), or null. */
  async engineRow(region: string, caseId: string): Promise<Record<string, unknown> | null> {
    return (
      (
        await this.db.execute(`SELECT case_id, ${ENGINE_COLUMNS.join(', ')} FROM dip_case WHERE region_code = ? AND case_id = ?`, [
          region,
          caseId,
        ])
      ).rows[0] ?? null
    );
  }

  /** The writer of one import (see CaseWriter). */
  openWriter(batchId: string, actor: string): Promise<CaseWriter> {
    return this.db.engine === 'mysql' ? MysqlCaseWriter.open(this.db, batchId, actor) : SqliteCaseWriter.open(this.db, batchId, actor);
  }
}

export interface ImportCounts {
  inserted: number;
  replaced: number;
  skipped: number;
  rejected: number;
}

/**
 * Where one import writes. Nothing it writes is visible to anyone else until `commit`, which
 * makes all of it visible at once with the batch's final counts; `rollback` (or a crash) leaves
 * nothing. Imports are serialised, so that two imports of the same file never both insert a case.
 *
 * - MySQL: one connection, one transaction, rows bulk-loaded straight into `dip_case` with
 *   `LOAD DATA LOCAL INFILE` fed from memory; the next chunk is validated while one loads.
 *   A named lock (GET_LOCK) serialises imports across processes and dies with the connection.
 * - SQLite: rows wait in `case_staging` and move into `dip_case` in one synchronous transaction
 *   (better-sqlite3 has one connection, so no transaction may stay open across an `await`).
 */
export interface CaseWriter {
  existing(region: string, caseIds: string[]): Promise<Map<string, StoredVersion>>;
  /** New cases, and new versions of stored ones (the old rows go, with an audit entry). */
  write(inserts: ValidCase[], replacements: ValidCase[]): Promise<void>;
  commit(counts: ImportCounts): Promise<void>;
  rollback(): Promise<void>;
}

const IN_LIST = 1000;
/** Rows handled between two turns of the event loop while a chunk is written (a /health stays fast). */
const YIELD_ROWS = 2000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
const LOCK_WAIT_SECONDS = 3600;
const INSERT_COLUMNS = [...CASE_COLUMNS, 'batch_id'];

const committedSql = `UPDATE import_batch SET status = 'committed', rows_inserted = ?, rows_replaced = ?, rows_skipped = ?, rows_rejected = ?, finished_at = ? WHERE id = ?`;
const committedParams = (c: ImportCounts, batchId: string) => [
  c.inserted,
  c.replaced,
  c.skipped,
  c.rejected,
  toSqlDatetime(new Date()),
  batchId,
];

/** The audit entries of replaced cases (after: by caseId): what each said before and after, never the patient. */
function replacementAudits(before: Record<string, unknown>[], after: Map<string, CaseRecord>, actor: string) {
  const at = new Date();
  return before.map((row) => {
    const { patientId: _b, ...was } = caseRecordOfRow(row);
    const { patientId: _a, ...now } = after.get(String(row.case_id))!;
    return auditStatement({
      at,
      actor,
      action: 'case.replace',
      entity: 'case',
      entityId: `${row.region_code}/${row.case_id}`,
      before: was,
      after: now,
    });
  });
}

class MysqlCaseWriter implements CaseWriter {
  private inflight: Promise<void> = Promise.resolve();

  private constructor(
    private readonly qr: QueryRunner,
    private readonly batchId: string,
    private readonly actor: string,
  ) {}

  static async open(db: DatabaseService, batchId: string, actor: string): Promise<MysqlCaseWriter> {
    const qr = db.dataSource.createQueryRunner();
    await qr.connect();
    try {
      const [got] = (await qr.query(`SELECT GET_LOCK(CONCAT('dip.case-import.', DATABASE()), ?) AS got`, [LOCK_WAIT_SECONDS])) as {
        got: number | string;
      }[];
      if (Number(got.got) !== 1) throw new Error('another import held the case-import lock for an hour');
      await qr.startTransaction('REPEATABLE READ');
    } catch (err) {
      await qr.release();
      throw err;
    }
    return new MysqlCaseWriter(qr, batchId, actor);
  }

  async existing(region: string, caseIds: string[]): Promise<Map<string, StoredVersion>> {
    await this.inflight; // rows of the previous chunk count as stored
    const out = new Map<string, StoredVersion>();
    for (let i = 0; i < caseIds.length; i += IN_LIST) {
      const ids = caseIds.slice(i, i + IN_LIST);
      const rows = (await this.qr.query(
        `SELECT case_id, content_hash, batch_id FROM dip_case WHERE region_code = ? AND case_id IN (${ids.map(() => '?').join(',')})`,
        [region, ...ids],
      )) as Record<string, unknown>[];
      for (const r of rows) out.set(String(r.case_id), { hash: String(r.content_hash), batchId: String(r.batch_id) });
    }
    return out;
  }

  async write(inserts: ValidCase[], replacements: ValidCase[]): Promise<void> {
    await this.inflight;
    this.inflight = this.load(inserts, replacements);
  }

  private async load(inserts: ValidCase[], replacements: ValidCase[]): Promise<void> {
    // Replacements are one region each (the caseId is unique within its region).
    for (const [region, group] of groupBy(replacements, (r) => r.region)) {
      const ids = group.map((r) => r.caseId);
      const where = `region_code = ? AND case_id IN (${ids.map(() => '?').join(',')})`;
      const before = (await this.qr.query(`SELECT * FROM dip_case WHERE ${where}`, [region, ...ids])) as Record<string, unknown>[];
      for (const a of replacementAudits(before, new Map(group.map((r) => [r.record.caseId, r.record])), this.actor)) {
        await this.qr.query(a.sql, a.params);
      }
      await this.qr.query(`DELETE FROM dip_case WHERE ${where}`, [region, ...ids]);
    }
    const rows = [...inserts, ...replacements];
    if (rows.length === 0) return;
    let body = '';
    for (let i = 0; i < rows.length; i++) {
      const c = rows[i];
      const values = caseColumnValues(c.region, c.record, c.hash);
      values.push(this.batchId);
      body += values.map(tsv).join('\t') + '\n';
      if (i % YIELD_ROWS === YIELD_ROWS - 1) await nextTurn();
    }
    const data = Buffer.from(body, 'utf8');
    await loadData(
      this.qr,
      `LOAD DATA LOCAL INFILE 'cases.tsv' INTO TABLE dip_case CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${INSERT_COLUMNS.join(',')})`,
      data,
    );
  }

  async commit(counts: ImportCounts): Promise<void> {
    try {
      await this.inflight;
      await this.qr.query(committedSql, committedParams(counts, this.batchId));
      await this.qr.commitTransaction();
    } finally {
      await this.close();
    }
  }

  async rollback(): Promise<void> {
    await this.inflight.catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    try {
      if (this.qr.isTransactionActive) await this.qr.rollbackTransaction();
      await this.qr.query("SELECT RELEASE_LOCK(CONCAT('dip.case-import.', DATABASE()))");
    } finally {
      await this.qr.release();
    }
  }
}

/** One field of a LOAD DATA line: `\N` for NULL, backslash escapes for the separators. */
function tsv(v: CaseColumnValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\t\n\r\\]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/** SQLite imports of one process run one after another (cross-process, the file lock decides). */
const sqliteImportQueue = new WeakMap<object, Promise<void>>();

class SqliteCaseWriter implements CaseWriter {
  private readonly insert;

  private constructor(
    private readonly db: DatabaseService,
    private readonly batchId: string,
    private readonly actor: string,
    private readonly release: () => void,
  ) {
    const cols = ['batch_id', 'line', 'replaces', ...CASE_COLUMNS];
    this.insert = db.sqlite.prepare(`INSERT INTO case_staging (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`);
  }

  static async open(db: DatabaseService, batchId: string, actor: string): Promise<SqliteCaseWriter> {
    const key = db.sqlite;
    const previous = sqliteImportQueue.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    sqliteImportQueue.set(
      key,
      previous.then(() => mine),
    );
    await previous;
    return new SqliteCaseWriter(db, batchId, actor, release);
  }

  async existing(region: string, caseIds: string[]): Promise<Map<string, StoredVersion>> {
    const out = new Map<string, StoredVersion>();
    for (let i = 0; i < caseIds.length; i += IN_LIST) {
      const ids = caseIds.slice(i, i + IN_LIST);
      const marks = ids.map(() => '?').join(',');
      const stored = this.db.sqlite
        .prepare(`SELECT case_id, content_hash, batch_id FROM dip_case WHERE region_code = ? AND case_id IN (${marks})`)
        .all(region, ...ids) as Record<string, unknown>[];
      const staged = this.db.sqlite
        .prepare(`SELECT case_id, content_hash FROM case_staging WHERE batch_id = ? AND region_code = ? AND case_id IN (${marks})`)
        .all(this.batchId, region, ...ids) as Record<string, unknown>[];
      for (const r of stored) out.set(String(r.case_id), { hash: String(r.content_hash), batchId: String(r.batch_id) });
      // A row staged by this import stands for the case from now on (it will replace the stored one).
      for (const r of staged) out.set(String(r.case_id), { hash: String(r.content_hash), batchId: this.batchId });
    }
    return out;
  }

  /**
   * Staged rows are invisible until the commit, so they are written in short transactions of
   * YIELD_ROWS with a turn of the event loop between them: other requests are served meanwhile.
   */
  async write(inserts: ValidCase[], replacements: ValidCase[]): Promise<void> {
    const rows = [...inserts.map((c) => [c, 0] as const), ...replacements.map((c) => [c, 1] as const)];
    for (let i = 0; i < rows.length; i += YIELD_ROWS) {
      this.db.sqlite.transaction(() => {
        for (const [c, replaces] of rows.slice(i, i + YIELD_ROWS))
          this.insert.run(this.batchId, c.line, replaces, ...caseColumnValues(c.region, c.record, c.hash));
      })();
      await nextTurn();
    }
  }

  async commit(counts: ImportCounts): Promise<void> {
    const { batchId, actor } = this;
    const sql = this.db.sqlite;
    try {
      sql
        .transaction(() => {
          const replacing = `SELECT region_code, case_id FROM case_staging WHERE batch_id = ? AND replaces = 1`;
          const before = sql.prepare(`SELECT * FROM dip_case WHERE (region_code, case_id) IN (${replacing})`).all(batchId) as Record<
            string,
            unknown
          >[];
          if (before.length > 0) {
            const after = sql
              .prepare(`SELECT ${CASE_COLUMNS.join(',')} FROM case_staging WHERE batch_id = ? AND replaces = 1`)
              .all(batchId) as Record<string, unknown>[];
            for (const a of replacementAudits(before, new Map(after.map((r) => [String(r.case_id), caseRecordOfRow(r)])), actor)) {
              runSqlite(sql, a.sql, a.params ?? []);
            }
            sql.prepare(`DELETE FROM dip_case WHERE (region_code, case_id) IN (${replacing})`).run(batchId);
          }
          sql
            .prepare(
              `INSERT INTO dip_case (${INSERT_COLUMNS.join(',')}) SELECT ${CASE_COLUMNS.join(',')}, batch_id FROM case_staging WHERE batch_id = ? ORDER BY line`,
            )
            .run(batchId);
          sql.prepare('DELETE FROM case_staging WHERE batch_id = ?').run(batchId);
          sql.prepare(committedSql).run(...committedParams(counts, batchId));
        })
        .immediate();
    } finally {
      this.release();
    }
  }

  async rollback(): Promise<void> {
    try {
      this.db.sqlite.prepare('DELETE FROM case_staging WHERE batch_id = ?').run(this.batchId);
    } finally {
      this.release();
    }
  }
}
