import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the global setup seeded, for the specs: the service's address and a login of each role. */
export interface Seeded {
  baseURL: string;
  password: string;
  agency: string;
  hospital: string;
  hospitalCode: string;
  experts: string[];
  /** The case the hospital applied for, whose panel the experts sit on. */
  specialCase: { id: string; caseId: string };
  serverPid: number;
  dir: string;
}

export const SEEDED_FILE = join(tmpdir(), 'dip-browser-seeded.json');

export const seeded = (): Seeded => JSON.parse(readFileSync(SEEDED_FILE, 'utf8')) as Seeded;

/** Where the screenshots of the main pages go (kept by CI). */
export const SHOTS = join(__dirname, '..', '..', 'reports', 'browser');
