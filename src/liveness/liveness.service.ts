import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LivenessStore } from './liveness.store';
import { processAlive } from './process-alive';

/** How often a process says it is alive, and looks for dead ones. */
export const BEAT_MS = 5_000;
/** A process that has not beaten for this long is gone (six beats missed: not a slow tick). */
export const GONE_AFTER_MS = 30_000;

/** What becomes of a dead process's work: each feature fails its own orphaned rows (ORPHANED). */
export type Reaper = () => Promise<void>;

/**
 * Which processes are alive. Every process that does work (the server, each CLI command)
 * registers in `dip_process` and beats every BEAT_MS; running jobs, imports and settlement locks
 * name their process as `owner`. A process is gone when its pid no longer exists on this host
 * (known at once, e.g. after kill -9) or when it stopped beating GONE_AFTER_MS ago (another host,
 * or a host that died). Every live process sweeps on each beat: it forgets the gone ones and
 * lets each feature's reaper fail their work, so that nothing killed looks alive for long, and a
 * lock whose holder is gone is free. Hosts are told apart by name, so this holds for many
 * processes on many machines sharing one database.
 */
@Injectable()
export class LivenessService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LivenessService.name);
  readonly processId = randomUUID();
  private readonly host = hostname();
  private readonly reapers: Reaper[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly store: LivenessStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.register({ id: this.processId, host: this.host, pid: process.pid });
    this.timer = setInterval(() => void this.tick(), BEAT_MS);
    this.timer.unref(); // a CLI command ends when its work does
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => undefined);
    await this.store.forget(this.processId).catch(() => undefined);
  }

  /** Features register what to do with a dead process's rows (at their module's init). */
  addReaper(reaper: Reaper): void {
    this.reapers.push(reaper);
  }

  /**
   * Forgets dead processes and reaps their work; concurrent calls share one sweep. Called on
   * every beat, at start-up, and before taking a lock (so that a dead holder's lock is free now).
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const dead = (await this.store.onHost(this.host)).filter((p) => p.id !== this.processId && !processAlive(p.pid)).map((p) => p.id);
    await this.store.forgetGone(new Date(Date.now() - GONE_AFTER_MS), dead);
    for (const reap of this.reapers) await reap();
  }

  private async tick(): Promise<void> {
    try {
      if (!(await this.store.beat(this.processId))) {
        this.logger.warn('this process was taken for dead (its beats stopped); registering again');
        await this.store.register({ id: this.processId, host: this.host, pid: process.pid });
      }
      await this.sweep();
    } catch (err) {
      this.logger.error({ err }, 'liveness beat failed');
    }
  }
}
