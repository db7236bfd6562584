import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../persistence/database.service';

/** A registered process: where it runs and when it last said it was alive. */
export interface ProcessRow {
  id: string;
  host: string;
  pid: number;
}

/**
 * The rows of a table (job, import_batch, settlement_lock) whose owner is not a registered,
 * live process: work whose process died. A row without an owner predates owners: orphaned too.
 */
export const ORPHANED = '(owner IS NULL OR owner NOT IN (SELECT id FROM dip_process))';

/** `dip_process`: the processes that do work, each beating while it lives. */
@Injectable()
export class LivenessStore {
  constructor(private readonly db: DatabaseService) {}

  async register(p: ProcessRow): Promise<void> {
    const now = new Date();
    await this.db.execute('INSERT INTO dip_process (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)', [
      p.id,
      p.host.slice(0, 255),
      p.pid,
      now,
      now,
    ]);
  }

  /** False when the row is gone (another process found this one dead): the caller registers again. */
  async beat(id: string): Promise<boolean> {
    return (await this.db.execute('UPDATE dip_process SET heartbeat_at = ? WHERE id = ?', [new Date(), id])).affected === 1;
  }

  async forget(id: string): Promise<void> {
    await this.db.execute('DELETE FROM dip_process WHERE id = ?', [id]);
  }

  /** The processes registered on a host (to test their pids). */
  async onHost(host: string): Promise<ProcessRow[]> {
    const { rows } = await this.db.execute('SELECT id, host, pid FROM dip_process WHERE host = ?', [host]);
    return rows.map((r) => ({ id: String(r.id), host: String(r.host), pid: Number(r.pid) }));
  }

  /** Forgets processes that stopped beating before `before`, and those named (their pid is gone). */
  async forgetGone(before: Date, gone: string[]): Promise<void> {
    await this.db.execute('DELETE FROM dip_process WHERE heartbeat_at < ?', [before]);
    for (const id of gone) await this.forget(id);
  }
}
