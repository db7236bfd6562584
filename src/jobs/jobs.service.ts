import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LivenessService } from '../liveness/liveness.service';
import { randomUUID } from 'node:crypto';
import { DipError, ErrorBody, INTERNAL } from '../domain/errors';
import { JobsStore, JobView } from './jobs.store';
import { JobProgress, ProgressRecorder } from './progress-recorder';

export type { JobStatus, JobView } from './jobs.store';
export type { JobProgress } from './progress-recorder';

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

/** A job's record is written at most this often (its progress and heartbeat); every change reaches the observer. */
const PROGRESS_WRITE_MS = 1000;
const INTERRUPTED: ErrorBody = { code: 'interrupted', message: 'the process running this job stopped; start it again' };

/**
 * The job runner: long-running work (catalogue builds, grouping and settlement runs) recorded in
 * the `job` table, so that its progress and outcome can be read from any process, and a job whose
 * process died is failed by the next sweep of any live process (liveness/), not running for ever. The one place
 * where a job's error becomes its record: a DipError as it is, anything else `internal`.
 */
@Injectable()
export class JobsService implements OnModuleInit {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly store: JobsStore,
    private readonly liveness: LivenessService,
  ) {}

  onModuleInit(): void {
    this.liveness.addReaper(() => this.store.failOrphaned(INTERRUPTED));
  }

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
    await this.store.create(id, kind, region, params, actor, this.liveness.processId);
    const progress = new ProgressRecorder(
      (state) => this.store.progress(id, state),
      PROGRESS_WRITE_MS,
      opts.observer,
      (err) => this.logger.warn({ err, job: id }, 'job progress not recorded'),
    );
    const done = (async () => {
      try {
        const result = await work(progress);
        // The record says the last stage is complete (done = total), with the outcome.
        await this.store.succeeded(id, opts.record ? opts.record(result) : result, await progress.final(true));
        return result;
      } catch (err) {
        if (!(err instanceof DipError)) this.logger.error({ err, job: id }, 'job failed');
        await this.store.failed(id, err instanceof DipError ? err.toBody() : INTERNAL, await progress.final(false));
        throw err;
      }
    })();
    // Observed here: an HTTP caller answers 202 and never awaits the outcome.
    done.catch(() => undefined);
    return { id, done };
  }

  get(id: string): Promise<JobView | null> {
    return this.store.get(id);
  }
}
