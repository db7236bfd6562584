import { JobProgressState } from './jobs.store';

/** What a running job may report. */
export interface JobProgress {
  /** A new stage begins (its done back to 0), with its total when it is known already. */
  stage(name: string, total?: number): Promise<void>;
  /** The stage's work done so far; `total` when the stage's total became known (or turned out different) only now. */
  advance(done: number, total?: number): Promise<void>;
}

/**
 * A job's progress as the work reports it, written to its record at most once per `intervalMs`
 * (the write is also the job's heartbeat). A change that comes sooner is written when the interval
 * has passed (a timer), so that the record is never more than about one interval behind, however
 * rarely the work reports. `final` stops the writes and gives the state for the job's last one:
 * on success its last stage complete.
 */
export class ProgressRecorder implements JobProgress {
  private readonly state: JobProgressState = { stage: null, done: 0, total: null };
  private lastWrite = 0;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  /** The writes, one after another (a timer's write and a direct one never overlap or swap). */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (state: JobProgressState) => Promise<void>,
    private readonly intervalMs: number,
    /** Told every stage and step, at once (a terminal's progress bar). */
    private readonly observer?: JobProgress,
    /** A write that failed (the job goes on: its progress is not its outcome). */
    private readonly onWriteError: (err: unknown) => void = () => undefined,
  ) {}

  async stage(name: string, total?: number): Promise<void> {
    this.state.stage = name;
    this.state.done = 0;
    this.state.total = total ?? null;
    await this.observer?.stage(name, total);
    await this.changed();
  }

  async advance(done: number, total?: number): Promise<void> {
    // Never backwards within a stage: a poller sees progress only grow.
    this.state.done = Math.max(this.state.done, done);
    if (total !== undefined) this.state.total = total;
    await this.observer?.advance(this.state.done, total);
    await this.changed();
  }

  /** The progress as it stands (a copy). */
  current(): JobProgressState {
    return { ...this.state };
  }

  /**
   * No more writes (a pending one is cancelled, one under way is waited for): the state for the
   * job's final write. `complete`: its last stage done (done = total; a stage whose total was
   * never given takes what was done as its total).
   */
  async final(complete: boolean): Promise<JobProgressState> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    const s = this.current();
    if (!complete) return s;
    const total = s.total ?? s.done;
    return { stage: s.stage, done: total, total };
  }

  private async changed(): Promise<void> {
    if (this.closed) return;
    this.dirty = true;
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) await this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), wait);
      // A pending progress write keeps no process alive.
      this.timer.unref();
    }
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || this.closed) return this.writing;
    this.dirty = false;
    this.lastWrite = Date.now();
    const snapshot = this.current();
    this.writing = this.writing.then(() => this.write(snapshot)).catch(this.onWriteError);
    return this.writing;
  }
}
