import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DipError, ErrorBody, INTERNAL } from '../domain/errors';
import { JobsStore, JobView } from './jobs.store';

export type { JobStatus, JobView } from './jobs.store';

/** What a running job may report. */
export interface JobProgress {
  stage(name: string, total?: number): Promise<void>;
  advance(done: number): Promise<void>;
}

/** A started job: its id at once, its outcome later (`done` rejects with the job's own error). */
export interface Started<T> {
  id: string;
  done: Promise<T>;
}

export interface StartOptions<T> {
  /** The job's id, when the caller made it already (a settlement run's id is its job's). */
  id?: string;
  /** Also told every stage and step (a terminal's progress bar). */
  observer?: JobProgress;
  /** What the job's record keeps of the result, when not all of it (a year's report is megabytes: a pointer). */
  record?: (result: T) => unknown;
}

const HEARTBEAT_MS = 1000;
const STALE_MS = 120_000;
const INTERRUPTED: ErrorBody = { code: 'interrupted', message: 'the process running this job stopped; start it again' };

/**
 * The job runner: long-running work (catalogue builds, grouping and settlement runs) recorded in
 * the `job` table, so that its progress and outcome can be read from any process, and a job whose
 * process died is seen as failed (its heartbeat stops), not as running for ever. The one place
 * where a job's error becomes its record: a DipError as it is, anything else `internal`.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(private readonly store: JobsStore) {}

  /** Records the job and runs `work` in the background; resolves as soon as the job exists. */
  async start<T>(
    kind: string,
    region: string | null,
    params: unknown,
    actor: string,
    work: (p: JobProgress) => Promise<T>,
    opts: StartOptions<T> = {},
  ): Promise<Started<T>> {
    const id = opts.id ?? randomUUID();
    await this.store.create(id, kind, region, params, actor);
    let lastBeat = 0;
    const progress: JobProgress = {
      stage: async (name, total) => {
        lastBeat = Date.now();
        await opts.observer?.stage(name, total);
        await this.store.stage(id, name, total ?? null);
      },
      advance: async (done) => {
        await opts.observer?.advance(done);
        if (Date.now() - lastBeat < HEARTBEAT_MS) return;
        lastBeat = Date.now();
        await this.store.advance(id, done);
      },
    };
    const done = (async () => {
      try {
        const result = await work(progress);
        await this.store.succeeded(id, opts.record ? opts.record(result) : result);
        return result;
      } catch (err) {
        if (!(err instanceof DipError)) this.logger.error({ err, job: id }, 'job failed');
        await this.store.failed(id, err instanceof DipError ? err.toBody() : INTERNAL);
        throw err;
      }
    })();
    // Observed here: an HTTP caller answers 202 and never awaits the outcome.
    done.catch(() => undefined);
    return { id, done };
  }

  get(id: string): Promise<JobView | null> {
    return this.store.get(id, STALE_MS, INTERRUPTED);
  }
}
