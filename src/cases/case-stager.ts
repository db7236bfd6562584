import { Readable } from 'node:stream';
import type { Statement as SqliteStatement } from 'better-sqlite3';
import { QueryRunner } from 'typeorm';
import { DatabaseService } from '../persistence/database.service';
import { CASE_COLUMNS, CaseColumnValue } from './case-columns';

const STAGING_COLUMNS = ['batch_id', 'line', ...CASE_COLUMNS];

/**
 * Bulk-loads the validated rows of one batch into `case_staging`, where nobody else looks.
 * Engine-specific because speed is: MySQL gets `LOAD DATA LOCAL INFILE` fed from memory,
 * chunk by chunk, with the next chunk validated while the previous one loads; SQLite gets a
 * prepared INSERT in one synchronous transaction per chunk.
 */
export interface CaseStager {
  add(line: number, values: CaseColumnValue[]): Promise<void> | void;
  finish(): Promise<void>;
  /** Releases resources without loading what is pending (on failure). */
  abort(): Promise<void>;
}

export async function openStager(db: DatabaseService, batchId: string, chunkRows = 20_000): Promise<CaseStager> {
  return db.engine === 'mysql' ? MysqlStager.open(db, batchId, chunkRows) : new SqliteStager(db, batchId, chunkRows);
}

class SqliteStager implements CaseStager {
  private pending: CaseColumnValue[][] = [];
  private readonly insert: SqliteStatement;

  constructor(
    private readonly db: DatabaseService,
    private readonly batchId: string,
    private readonly chunkRows: number,
  ) {
    this.insert = db.sqlite.prepare(`INSERT INTO case_staging (${STAGING_COLUMNS.join(',')}) VALUES (${STAGING_COLUMNS.map(() => '?').join(',')})`);
  }

  add(line: number, values: CaseColumnValue[]): void {
    this.pending.push([this.batchId, line, ...values]);
    if (this.pending.length >= this.chunkRows) this.flush();
  }

  private flush(): void {
    const rows = this.pending;
    this.pending = [];
    this.db.sqlite.transaction(() => {
      for (const r of rows) this.insert.run(r);
    })();
  }

  async finish(): Promise<void> {
    if (this.pending.length > 0) this.flush();
  }

  async abort(): Promise<void> {
    this.pending = [];
  }
}

class MysqlStager implements CaseStager {
  private lines: string[] = [];
  private inflight: Promise<void> = Promise.resolve();

  private constructor(
    private readonly qr: QueryRunner,
    private readonly batchId: string,
    private readonly chunkRows: number,
  ) {}

  static async open(db: DatabaseService, batchId: string, chunkRows: number): Promise<MysqlStager> {
    const qr = db.dataSource.createQueryRunner();
    await qr.connect();
    return new MysqlStager(qr, batchId, chunkRows);
  }

  async add(line: number, values: CaseColumnValue[]): Promise<void> {
    let s = `${this.batchId}\t${line}`;
    for (const v of values) s += `\t${tsv(v)}`;
    this.lines.push(s);
    if (this.lines.length >= this.chunkRows) {
      const chunk = this.lines;
      this.lines = [];
      await this.inflight; // at most one chunk loading while the next is being validated
      this.inflight = this.load(chunk);
    }
  }

  private load(chunk: string[]): Promise<void> {
    const body = Buffer.from(chunk.join('\n') + '\n', 'utf8');
    const conn = (this.qr as unknown as { databaseConnection: MysqlCallbackConnection }).databaseConnection;
    const sql =
      `LOAD DATA LOCAL INFILE 'case-staging.tsv' INTO TABLE case_staging CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${STAGING_COLUMNS.join(',')})`;
    return new Promise((resolve, reject) => {
      conn.query({ sql, infileStreamFactory: () => Readable.from([body]) }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async finish(): Promise<void> {
    try {
      if (this.lines.length > 0) {
        const chunk = this.lines;
        this.lines = [];
        await this.inflight;
        this.inflight = this.load(chunk);
      }
      await this.inflight;
    } finally {
      await this.qr.release();
    }
  }

  async abort(): Promise<void> {
    this.lines = [];
    await this.inflight.catch(() => undefined);
    await this.qr.release();
  }
}

interface MysqlCallbackConnection {
  query(opts: { sql: string; infileStreamFactory: () => Readable }, cb: (err: Error | null) => void): void;
}

/** One field of a LOAD DATA line: `\N` for NULL, backslash escapes for the separators. */
function tsv(v: CaseColumnValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\t\n\r\\]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}
