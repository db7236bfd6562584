import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
  error: { code: string; message: string } | null;
  actor: string;
  createdAt: string;
  finishedAt: string | null;
}

/** What a running job may report. */
export interface JobProgress {
  stage(name: string, total?: number): Promise<void>;
  advance(done: number): Promise<void>;
}

/** A failure the job's user should read as it is (bad input), as opposed to a crash. */
export class JobInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HEARTBEAT_MS = 1000;
const STALE_MS = 120_000;

/**
 * Long-running work (catalogue builds now; grouping and settlement runs next) recorded in the
 * `job` table, so that its progress and result can be read from any process, and a job whose
 * process died is seen as failed (its heartbeat stops), not as running for ever.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(private readonly db: DatabaseService) {}

  /** Records the job and runs `work` in the background; returns the job id (given, or new) at once. */
  async start<T>(kind: string, region: string | null, params: unknown, actor: string, work: (p: JobProgress) => Promise<T>, id: string = randomUUID()): Promise<{ id: string; done: Promise<JobView> }> {
    const now = new Date();
    await this.db.execute(`INSERT INTO job (id, kind, region_code, params, status, actor, created_at, heartbeat_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`, [id, kind, region, JSON.stringify(params), actor, now, now]);
    let lastBeat = 0;
    const progress: JobProgress = {
      stage: async (name, total) => {
        lastBeat = Date.now();
        await this.db.execute('UPDATE job SET stage = ?, progress_done = 0, progress_total = ?, heartbeat_at = ? WHERE id = ?', [name, total ?? null, new Date(), id]);
      },
      advance: async (done) => {
        if (Date.now() - lastBeat < HEARTBEAT_MS) return;
        lastBeat = Date.now();
        await this.db.execute('UPDATE job SET progress_done = ?, heartbeat_at = ? WHERE id = ?', [done, new Date(), id]);
      },
    };
    const done = (async () => {
      try {
        const result = await work(progress);
        await this.db.execute(`UPDATE job SET status = 'succeeded', result = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?`, [JSON.stringify(result), new Date(), new Date(), id]);
      } catch (err) {
        const error = err instanceof JobInputError ? { code: err.code, message: err.message } : { code: 'internal', message: 'the job failed; nothing was stored' };
        if (!(err instanceof JobInputError)) this.logger.error({ err, job: id }, 'job failed');
        await this.db.execute(`UPDATE job SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`, [JSON.stringify(error), new Date(), id]);
      }
      return (await this.get(id))!;
    })();
    return { id, done };
  }

  async get(id: string): Promise<JobView | null> {
    const r = (await this.db.execute('SELECT * FROM job WHERE id = ?', [id])).rows[0];
    if (!r) return null;
    const stale = r.status === 'running' && Date.now() - Date.parse(fromSqlDatetime(r.heartbeat_at)) > STALE_MS;
    return {
      id,
      kind: String(r.kind),
      region: r.region_code === null ? null : String(r.region_code),
      params: JSON.parse(String(r.params)),
      status: stale ? 'failed' : (r.status as JobStatus),
      stage: r.stage === null ? null : String(r.stage),
      progress: { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total) },
      result: r.result === null ? null : JSON.parse(String(r.result)),
      error: stale ? { code: 'interrupted', message: 'the process running this job stopped; start it again' } : r.error === null ? null : JSON.parse(String(r.error)),
      actor: String(r.actor),
      createdAt: fromSqlDatetime(r.created_at),
      finishedAt: r.finished_at === null ? null : fromSqlDatetime(r.finished_at),
    };
  }
}
