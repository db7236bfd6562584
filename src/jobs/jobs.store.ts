import { Injectable } from '@nestjs/common';
import { ErrorBody } from '../domain/errors';
import { ORPHANED } from '../liveness/liveness.store';
import { DatabaseService, fromSqlDatetime } from '../persistence/database.service';

export type JobStatus = 'running' | 'succeeded' | 'failed';

/** Where a job is: its current stage, and how much of that stage's work is done of how much (null: not known yet). */
export interface JobProgressState {
  stage: string | null;
  done: number;
  total: number | null;
}

export interface JobView {
  id: string;
  kind: string;
  region: string | null;
  params: unknown;
  status: JobStatus;
  stage: string | null;
  progress: { done: number; total: number | null };
  result: unknown;
  error: ErrorBody | null;
  actor: string;
  createdAt: string;
  finishedAt: string | null;
}

/** The `job` table: long-running work, readable from any process. */
@Injectable()
export class JobsStore {
  constructor(private readonly db: DatabaseService) {}

  /** A running job of process `owner` (liveness/). */
  async create(id: string, kind: string, region: string | null, params: unknown, actor: string, owner: string): Promise<void> {
    const now = new Date();
    await this.db.execute(
      `INSERT INTO job (id, kind, region_code, params, status, actor, owner, created_at, heartbeat_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      [id, kind, region, JSON.stringify(params), actor, owner, now, now],
    );
  }

  /** Marks running jobs whose process is gone failed (a reaper of liveness/). */
  async failOrphaned(error: ErrorBody): Promise<void> {
    await this.db.execute(`UPDATE job SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running' AND ${ORPHANED}`, [
      JSON.stringify(error),
      new Date(),
    ]);
  }

  /** The job's progress as it stands (its stage, done and total), which is also its heartbeat. */
  async progress(id: string, p: JobProgressState): Promise<void> {
    await this.db.execute('UPDATE job SET stage = ?, progress_done = ?, progress_total = ?, heartbeat_at = ? WHERE id = ?', [
      p.stage,
      p.done,
      p.total,
      new Date(),
      id,
    ]);
  }

  /** The job's outcome with its final progress, in one statement. */
  async succeeded(id: string, result: unknown, p: JobProgressState): Promise<void> {
    const now = new Date();
    await this.db.execute(
      `UPDATE job SET status = 'succeeded', result = ?, stage = ?, progress_done = ?, progress_total = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?`,
      [JSON.stringify(result), p.stage, p.done, p.total, now, now, id],
    );
  }

  /** The job's error with the progress it had reached, in one statement. */
  async failed(id: string, error: ErrorBody, p: JobProgressState): Promise<void> {
    const now = new Date();
    await this.db.execute(
      `UPDATE job SET status = 'failed', error = ?, stage = ?, progress_done = ?, progress_total = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?`,
      [JSON.stringify(error), p.stage, p.done, p.total, now, now, id],
    );
  }

  /** A job as recorded (one whose process died is failed by the sweep of liveness/). */
  async get(id: string): Promise<JobView | null> {
    const r = (await this.db.execute('SELECT * FROM job WHERE id = ?', [id])).rows[0];
    if (!r) return null;
    return {
      id,
      kind: String(r.kind),
      region: r.region_code === null ? null : String(r.region_code),
      params: JSON.parse(String(r.params)),
      status: r.status as JobStatus,
      stage: r.stage === null ? null : String(r.stage),
      progress: { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total) },
      result: r.result === null ? null : JSON.parse(String(r.result)),
      error: r.error === null ? null : (JSON.parse(String(r.error)) as ErrorBody),
      actor: String(r.actor),
      createdAt: fromSqlDatetime(r.created_at),
      finishedAt: r.finished_at === null ? null : fromSqlDatetime(r.finished_at),
    };
  }
}
