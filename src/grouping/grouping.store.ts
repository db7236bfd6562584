import { Injectable } from '@nestjs/common';
import { QueryRunner } from 'typeorm';
import { CaseResult, RESULT_FIELDS, unpackResults } from '../domain/engine/batch';
import { notFound } from '../domain/errors';
import { DatabaseService, fromSqlDatetime, loadData, runSqlite, toSqlDatetime } from '../persistence/database.service';

/** A grouping run: which versions valued which cases, and their totals. */
export interface GroupingRun {
  id: string;
  region: string;
  from: string;
  to: string;
  catalogueId: string;
  policyHash: string;
  engineHash: string;
  cases: number;
  noScoreCases: number;
  specialReviewCases: number;
  points: string;
  createdBy: string;
  createdAt: string;
}

/** The grouping_run row that makes a run's results visible: the run, and who stored it when. */
export type RunRow = Omit<GroupingRun, 'createdBy' | 'createdAt'> & { actor: string; at: Date };

/**
 * Where a grouping run writes its per-case results (packed result lines, batch.ts). Nothing is
 * visible before `commit`, which stores the run row in the same transaction; a failure or a
 * crash leaves nothing. MySQL: one transaction, each batch bulk-loaded as it comes. SQLite: the
 * batches wait in memory and go in with the run row in one synchronous transaction (its one
 * connection cannot keep a transaction open across awaits).
 */
export interface ResultWriter {
  add(results: string): Promise<void>;
  commit(run: RunRow): Promise<void>;
  rollback(): Promise<void>;
}

/** The column of each field of a packed result line, in the same order. */
const COLUMN_OF: Record<(typeof RESULT_FIELDS)[number], string> = {
  caseId: 'case_id',
  hospitalCode: 'hospital_code',
  group: 'group_code',
  key: 'group_key',
  kind: 'kind',
  rule: 'rule',
  caseKey: 'case_key',
  treatmentType: 'treatment_type',
  tieBreak: 'tie_break',
  score: 'score',
  auxFactor: 'aux_factor',
  severityClass: 'severity_class',
  coefficient: 'coefficient',
  ratio: 'ratio',
  outlier: 'outlier',
  points: 'points',
  specialReview: 'special_review',
};
const RESULT_COLUMNS = RESULT_FIELDS.map((f) => COLUMN_OF[f]);
/** Columns a packed '' means NULL for (the others are never empty). */
const NULLABLE = new Set(['group_code', 'group_key', 'kind', 'case_key', 'tie_break', 'score', 'aux_factor', 'ratio']);

const insertRunSql =
  'INSERT INTO grouping_run (id, region_code, period_from, period_to, catalogue_id, policy_hash, engine_hash, cases, no_score_cases, special_review_cases, points, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const runParams = (r: RunRow) => [
  r.id,
  r.region,
  r.from,
  r.to,
  r.catalogueId,
  r.policyHash,
  r.engineHash,
  r.cases,
  r.noScoreCases,
  r.specialReviewCases,
  r.points,
  r.actor,
  toSqlDatetime(r.at),
];

/** Grouping runs (`grouping_run`) and their per-case results (`case_result`). */
/** Case results deleted per statement when a run is pruned. */
const DELETE_SLICE = 20_000;

@Injectable()
export class GroupingStore {
  constructor(private readonly db: DatabaseService) {}

  openWriter(runId: string): Promise<ResultWriter> {
    return this.db.engine === 'mysql' ? MysqlResultWriter.open(this.db, runId) : Promise.resolve(new SqliteResultWriter(this.db, runId));
  }

  async get(id: string): Promise<GroupingRun> {
    const r = (await this.db.execute('SELECT * FROM grouping_run WHERE id = ?', [id])).rows[0];
    if (!r) throw notFound('unknown-grouping', `no grouping run ${id}`);
    return {
      id,
      region: String(r.region_code),
      from: String(r.period_from),
      to: String(r.period_to),
      catalogueId: String(r.catalogue_id),
      policyHash: String(r.policy_hash),
      engineHash: String(r.engine_hash),
      cases: Number(r.cases),
      noScoreCases: Number(r.no_score_cases),
      specialReviewCases: Number(r.special_review_cases),
      points: String(r.points),
      createdBy: String(r.created_by),
      createdAt: fromSqlDatetime(r.created_at),
    };
  }

  /**
   * Deletes a run and its case results, a slice at a time (case ids in order, by the primary
   * key): a year's million results never sit in one transaction nor hold SQLite for seconds.
   */
  async deleteRun(id: string): Promise<void> {
    for (let after = ''; ;) {
      const { rows } = await this.db.execute(
        `SELECT case_id FROM case_result WHERE run_id = ? AND case_id > ? ORDER BY case_id LIMIT ${DELETE_SLICE}`,
        [id, after],
      );
      if (rows.length === 0) break;
      const last = String(rows[rows.length - 1].case_id);
      await this.db.execute('DELETE FROM case_result WHERE run_id = ? AND case_id > ? AND case_id <= ?', [id, after, last]);
      after = last;
    }
    await this.db.execute('DELETE FROM grouping_run WHERE id = ?', [id]);
  }

  /** A page of a run's case results, in caseId order, optionally of one hospital. */
  async results(
    id: string,
    filter: { hospital?: string; outlier?: string },
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: CaseResult[] }> {
    const conds = ['run_id = ?'];
    const params = [id];
    for (const [column, value] of [
      ['hospital_code', filter.hospital],
      ['outlier', filter.outlier],
    ] as const)
      if (value !== undefined) {
        conds.push(`${column} = ?`);
        params.push(value);
      }
    const where = conds.join(' AND ');
    const total = Number((await this.db.execute(`SELECT COUNT(*) AS n FROM case_result WHERE ${where}`, params)).rows[0].n);
    const rows = (
      await this.db.execute(
        `SELECT ${RESULT_COLUMNS.join(', ')} FROM case_result WHERE ${where} ORDER BY case_id LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
        params,
      )
    ).rows;
    return { total, items: rows.map(storedResult) };
  }

  /**
   * A case's newest stored result in any run of its region (the months' settlement runs, the
   * year's, or a grouping run of their own), with the run's id and catalogue; null when no
   * stored run valued it. Driven by the region's runs (a few a month), each probed by primary key.
   */
  async latestResult(region: string, caseId: string): Promise<{ runId: string; catalogueId: string; result: CaseResult } | null> {
    const row = (
      await this.db.execute(
        `SELECT g.id AS g_run, g.catalogue_id AS g_catalogue, ${RESULT_COLUMNS.map((c) => `r.${c}`).join(', ')}
         FROM grouping_run g JOIN case_result r ON r.run_id = g.id AND r.case_id = ?
         WHERE g.region_code = ? ORDER BY g.created_at DESC, g.id LIMIT 1`,
        [caseId, region],
      )
    ).rows[0];
    return row ? { runId: String(row.g_run), catalogueId: String(row.g_catalogue), result: storedResult(row) } : null;
  }

  /** Some cases' stored results in a run, by caseId (absent: the run did not value it); a thousand ids a statement. */
  async resultsOf(id: string, caseIds: readonly string[]): Promise<Map<string, CaseResult>> {
    const out = new Map<string, CaseResult>();
    for (let i = 0; i < caseIds.length; i += 1000) {
      const slice = caseIds.slice(i, i + 1000);
      const { rows } = await this.db.execute(
        `SELECT ${RESULT_COLUMNS.join(', ')} FROM case_result WHERE run_id = ? AND case_id IN (${slice.map(() => '?').join(',')})`,
        [id, ...slice],
      );
      for (const r of rows.map(storedResult)) out.set(r.caseId, r);
    }
    return out;
  }

  /** One case's stored result in a run, or null. */
  async result(id: string, caseId: string): Promise<CaseResult | null> {
    const row = (
      await this.db.execute(`SELECT ${RESULT_COLUMNS.join(', ')} FROM case_result WHERE run_id = ? AND case_id = ?`, [id, caseId])
    ).rows[0];
    return row ? storedResult(row) : null;
  }
}

/** A stored result row back through the packed form: the one mapping between the two. */
function storedResult(row: Record<string, unknown>): CaseResult {
  return unpackResults(RESULT_COLUMNS.map((c) => (row[c] === null ? '' : String(row[c]))).join('\t'))[0];
}

class MysqlResultWriter implements ResultWriter {
  private readonly sql: string;

  private constructor(
    private readonly qr: QueryRunner,
    private readonly runId: string,
  ) {
    // Packed lines carry no escapes (batch.ts refuses tabs and line breaks in every field).
    const vars = RESULT_COLUMNS.map((c) => (NULLABLE.has(c) ? `@${c}` : c));
    const sets = [`run_id = ?`, ...RESULT_COLUMNS.filter((c) => NULLABLE.has(c)).map((c) => `${c} = NULLIF(@${c}, '')`)];
    this.sql = `LOAD DATA LOCAL INFILE 'results.tsv' INTO TABLE case_result CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '' LINES TERMINATED BY '\\n' (${vars.join(',')}) SET ${sets.join(', ')}`;
  }

  static async open(db: DatabaseService, runId: string): Promise<MysqlResultWriter> {
    const qr = db.dataSource.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    return new MysqlResultWriter(qr, runId);
  }

  async add(results: string): Promise<void> {
    if (results.length > 0) await loadData(this.qr, this.sql, Buffer.from(results, 'utf8'), [this.runId]);
  }

  async commit(run: RunRow): Promise<void> {
    try {
      await this.qr.query(insertRunSql, runParams(run));
      await this.qr.commitTransaction();
    } finally {
      await this.rollback();
    }
  }

  async rollback(): Promise<void> {
    if (this.qr.isReleased) return;
    try {
      if (this.qr.isTransactionActive) await this.qr.rollbackTransaction();
    } finally {
      await this.qr.release();
    }
  }
}

class SqliteResultWriter implements ResultWriter {
  private readonly batches: string[] = [];

  constructor(
    private readonly db: DatabaseService,
    private readonly runId: string,
  ) {}

  async add(results: string): Promise<void> {
    this.batches.push(results);
  }

  async commit(run: RunRow): Promise<void> {
    const sqlite = this.db.sqlite;
    const insert = sqlite.prepare(
      `INSERT INTO case_result (run_id, ${RESULT_COLUMNS.join(', ')}) VALUES (${['?', ...RESULT_COLUMNS.map(() => '?')].join(', ')})`,
    );
    const nullable = RESULT_COLUMNS.map((c) => NULLABLE.has(c));
    sqlite
      .transaction(() => {
        // A packed line's fields are the columns in order: '' is NULL where a column may be null.
        for (const text of this.batches)
          for (const line of text.split('\n')) {
            if (line === '') continue;
            insert.run(this.runId, ...line.split('\t').map((v, i) => (v === '' && nullable[i] ? null : v)));
          }
        runSqlite(sqlite, insertRunSql, runParams(run));
      })
      .immediate();
    this.batches.length = 0;
  }

  async rollback(): Promise<void> {
    this.batches.length = 0;
  }
}
