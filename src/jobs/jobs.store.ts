import { Injectable } from '@nestjs/common';
import { ErrorBody } from '../domain/errors';
import { DatabaseService, fromSqlDatetime } from '../persistence/database.service';

export type JobStatus = 'running' | 'succeeded' | 'failed';

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

  async create(id: string, kind: string, region: string | null, params: unknown, actor: string): Promise<void> {
    const now = new Date();
    await this.db.execute(
      `INSERT INTO job (id, kind, region_code, params, status, actor, created_at, heartbeat_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      [id, kind, region, JSON.stringify(params), actor, now, now],
    );
  }

  async stage(id: string, name: string, total: number | null): Promise<void> {
    await this.db.execute('UPDATE job SET stage = ?, progress_done = 0, progress_total = ?, heartbeat_at = ? WHERE id = ?', [
      name,
      total,
      new Date(),
      id,
    ]);
  }

  async advance(id: string, done: number): Promise<void> {
    await this.db.execute('UPDATE job SET progress_done = ?, heartbeat_at = ? WHERE id = ?', [done, new Date(), id]);
  }

  async succeeded(id: string, result: unknown): Promise<void> {
    await this.db.execute(`UPDATE job SET status = 'succeeded', result = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?`, [
      JSON.stringify(result),
      new Date(),
      new Date(),
      id,
    ]);
  }

  async failed(id: string, error: ErrorBody): Promise<void> {
    await this.db.execute(`UPDATE job SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`, [
      JSON.stringify(error),
      new Date(),
      id,
    ]);
  }

  /** A job as recorded; one still `running` whose heartbeat is older than `staleMs` is reported failed (its process died). */
  async get(id: string, staleMs: number, interrupted: ErrorBody): Promise<JobView | null> {
    const r = (await this.db.execute('SELECT * FROM job WHERE id = ?', [id])).rows[0];
    if (!r) return null;
    const stale = r.status === 'running' && Date.now() - Date.parse(fromSqlDatetime(r.heartbeat_at)) > staleMs;
    return {
      id,
      kind: String(r.kind),
      region: r.region_code === null ? null : String(r.region_code),
      params: JSON.parse(String(r.params)),
      status: stale ? 'failed' : (r.status as JobStatus),
      stage: r.stage === null ? null : String(r.stage),
      progress: { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total) },
      result: r.result === null ? null : JSON.parse(String(r.result)),
      error: stale ? interrupted : r.error === null ? null : (JSON.parse(String(r.error)) as ErrorBody),
      actor: String(r.actor),
      createdAt: fromSqlDatetime(r.created_at),
      finishedAt: r.finished_at === null ? null : fromSqlDatetime(r.finished_at),
    };
  }
}
