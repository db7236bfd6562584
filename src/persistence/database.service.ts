import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import { Readable } from 'node:stream';
import { DataSource, QueryRunner } from 'typeorm';
import { DbEngine } from './data-source-options';

export type SqlParam = string | number | boolean | null | Date | Buffer;

/** One statement of a unit of work. */
export interface Statement {
  sql: string;
  params?: SqlParam[];
}
export interface StatementResult {
  rows: Record<string, unknown>[];
  affected: number;
}

/**
 * A unit of work: a generator that yields statements and receives their results. Written once,
 * it runs as one transaction on either engine: asynchronously on MySQL, and synchronously,
 * within a single tick, on SQLite, whose one shared connection would otherwise let another
 * request's statements slip into the open transaction.
 */
export type UnitOfWork<T> = () => Generator<Statement, T, StatementResult>;

@Injectable()
export class DatabaseService {
  readonly engine: DbEngine;

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    this.engine = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  }

  /** The raw better-sqlite3 handle (SQLite only): for prepared bulk statements. */
  get sqlite(): BetterSqlite3.Database {
    if (this.engine !== 'sqlite') throw new Error('not an SQLite database');
    return (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  }

  /** Runs a unit of work in one transaction: all of it commits, or (on any error) none of it. */
  async transaction<T>(work: UnitOfWork<T>): Promise<T> {
    return this.engine === 'sqlite' ? this.transactionSqlite(work) : this.transactionMysql(work);
  }

  /** Whether the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.execute('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** A single statement outside any explicit transaction (still its own atomic unit). */
  async execute(sql: string, params: SqlParam[] = []): Promise<StatementResult> {
    if (this.engine === 'sqlite') return runSqlite(this.sqlite, sql, params);
    // One statement is atomic by itself: no BEGIN / COMMIT round trips around it.
    const qr = this.dataSource.createQueryRunner();
    try {
      return await mysqlQuery(qr, sql, params);
    } finally {
      await qr.release();
    }
  }

  private transactionSqlite<T>(work: UnitOfWork<T>): T {
    const db = this.sqlite;
    const run = db.transaction(() => drive(work(), (s) => runSqlite(db, s.sql, s.params ?? [])));
    return run.immediate();
  }

  private async transactionMysql<T>(work: UnitOfWork<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const gen = work();
      let step = gen.next();
      while (!step.done) {
        const s = step.value;
        let result: StatementResult;
        try {
          result = await mysqlQuery(qr, s.sql, s.params ?? []);
        } catch (err) {
          step = gen.throw(err);
          continue;
        }
        step = gen.next(result);
      }
      await qr.commitTransaction();
      return step.value;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      throw err;
    } finally {
      await qr.release();
    }
  }
}

function drive<T>(gen: Generator<Statement, T, StatementResult>, exec: (s: Statement) => StatementResult): T {
  let step = gen.next();
  while (!step.done) {
    let result: StatementResult;
    try {
      result = exec(step.value);
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

const statementCache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

export function runSqlite(db: BetterSqlite3.Database, sql: string, params: SqlParam[]): StatementResult {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  const bound = params.map(toSqliteParam);
  if (stmt.reader) return { rows: stmt.all(...bound) as Record<string, unknown>[], affected: 0 };
  return { rows: [], affected: stmt.run(...bound).changes };
}

async function mysqlQuery(
  qr: { query(sql: string, params: unknown[], structured: true): Promise<{ records: unknown[]; affected?: number }> },
  sql: string,
  params: SqlParam[],
): Promise<StatementResult> {
  const r = await qr.query(
    sql,
    params.map((p) => (p instanceof Date ? toSqlDatetime(p) : p)),
    true,
  );
  return { rows: Array.isArray(r.records) ? (r.records as Record<string, unknown>[]) : [], affected: r.affected ?? 0 };
}

/** better-sqlite3 binds neither booleans nor dates; store them as TypeORM does. */
function toSqliteParam(p: SqlParam): string | number | null | Buffer {
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (p instanceof Date) return toSqlDatetime(p);
  return p;
}

/** `YYYY-MM-DD HH:MM:SS.sss` in UTC: what TypeORM writes for datetime columns on both engines. */
export function toSqlDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A datetime read back by raw SQL (a Date from mysql2, UTC text from SQLite) as ISO 8601. */
export function fromSqlDatetime(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  return new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`).toISOString();
}

interface MysqlCallbackConnection {
  query(
    opts: { sql: string; values?: unknown[]; infileStreamFactory: () => Readable },
    cb: (err: Error | null, result?: { warningStatus?: number }) => void,
  ): void;
}

/**
 * MySQL bulk load: `LOAD DATA LOCAL INFILE` (named in `sql`) fed from memory on the query
 * runner's own connection, so that it joins that connection's open transaction.
 *
 * With LOCAL the server cannot stop the client mid-file, so it turns every error (a value too
 * long, not a number) into a warning and stores a changed value. Any warning therefore fails
 * the load: the caller's transaction rolls back and nothing changed is kept. The values were
 * validated against the same limits before; a warning here is a bug, named by the server's
 * first warnings (which cite columns and row numbers, never values).
 */
export function loadData(qr: QueryRunner, sql: string, data: Buffer, values: SqlParam[] = []): Promise<void> {
  const conn = (qr as unknown as { databaseConnection: MysqlCallbackConnection }).databaseConnection;
  return new Promise<number>((resolve, reject) =>
    conn.query({ sql, values, infileStreamFactory: () => Readable.from([data]) }, (err, result) =>
      err ? reject(err) : resolve(result?.warningStatus ?? 0),
    ),
  ).then(async (warnings) => {
    if (warnings === 0) return;
    const shown = (await qr.query('SHOW WARNINGS LIMIT 3')) as { Message: string }[];
    throw new Error(`bulk load refused: ${warnings} warning(s) would change stored values: ${shown.map((w) => w.Message).join('; ')}`);
  });
}
