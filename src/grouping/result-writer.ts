import { QueryRunner } from 'typeorm';
import { CaseResult, unpackResults } from '../domain/engine/batch';
import { DatabaseService, loadData, runSqlite, toSqlDatetime } from '../persistence/database.service';
import type { GroupingRun } from './grouping.service';

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

export function openResultWriter(db: DatabaseService, runId: string): Promise<ResultWriter> {
  return db.engine === 'mysql' ? MysqlResultWriter.open(db, runId) : Promise.resolve(new SqliteResultWriter(db, runId));
}

const RESULT_COLUMNS = ['case_id', 'hospital_code', 'group_code', 'group_key', 'kind', 'rule', 'case_key', 'treatment_type', 'tie_break', 'score', 'aux_factor', 'severity_class', 'coefficient', 'ratio', 'outlier', 'points', 'special_review'];
/** Columns a packed '' means NULL for (the others are never empty). */
const NULLABLE = new Set(['group_code', 'group_key', 'kind', 'case_key', 'tie_break', 'score', 'aux_factor', 'ratio']);

const insertRunSql = 'INSERT INTO grouping_run (id, region_code, period_from, period_to, catalogue_id, policy_hash, engine_hash, cases, no_score_cases, special_review_cases, points, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const runParams = (r: RunRow) => [r.id, r.region, r.from, r.to, r.catalogueId, r.policyHash, r.engineHash, r.cases, r.noScoreCases, r.specialReviewCases, r.points, r.actor, toSqlDatetime(r.at)];

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
    const insert = sqlite.prepare(`INSERT INTO case_result (run_id, ${RESULT_COLUMNS.join(', ')}) VALUES (${['?', ...RESULT_COLUMNS.map(() => '?')].join(', ')})`);
    sqlite
      .transaction(() => {
        for (const text of this.batches) for (const r of unpackResults(text)) insert.run(this.runId, ...sqliteValues(r));
        runSqlite(sqlite, insertRunSql, runParams(run));
      })
      .immediate();
    this.batches.length = 0;
  }

  async rollback(): Promise<void> {
    this.batches.length = 0;
  }
}

const sqliteValues = (r: CaseResult) => [r.caseId, r.hospitalCode, r.group, r.key, r.kind, r.rule, r.caseKey, r.treatmentType, r.tieBreak, r.score, r.auxFactor, r.severityClass, r.coefficient, r.ratio, r.outlier, r.points, r.specialReview ? 1 : 0];
