import { rmSync } from 'node:fs';
import { seeded, SEEDED_FILE } from './seeded';

/** Stops the seeded server and removes its database. */
export default function globalTeardown(): void {
  const s = seeded();
  try {
    process.kill(s.serverPid, 'SIGTERM');
  } catch {
    // already gone
  }
  rmSync(s.dir, { recursive: true, force: true });
  rmSync(SEEDED_FILE, { force: true });
}
