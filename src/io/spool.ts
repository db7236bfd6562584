import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../liveness/process-alive';

const PREFIX = 'dip-import-';
/** `dip-import-<pid>-<uuid>`: the pid says whose it is, so that an orphan can be told from a live one. */
const SPOOL_NAME = /^dip-import-(\d+)-[0-9a-f-]{36}$/;

/** A new spool file's path: an upload received whole before it is imported in the background. */
export const spoolPath = (dir = tmpdir()): string => join(dir, `${PREFIX}${process.pid}-${randomUUID()}`);

/**
 * Deletes the spool files whose process is gone (killed before it could delete them). Files of
 * live processes, this one's included, are left alone. The number deleted.
 */
export async function sweepOrphanSpools(dir = tmpdir()): Promise<number> {
  let swept = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = SPOOL_NAME.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    await rm(join(dir, name), { force: true });
    swept++;
  }
  return swept;
}
