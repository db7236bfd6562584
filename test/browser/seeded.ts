import { createHash } from 'node:crypto';
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
  /**
   * The schemes besides DIP: the agency of Shanwei 城区 (441502) with the medical group's 2024
   * draft run of the shipped example tables, a user of its member H441502003, and the agency of
   * a generated disease-capitation year (thousands of enrolments) for the persons view.
   */
  schemes: { agency: string; member: string; capitationAgency: string; capitationYear: number };
  serverPid: number;
  dir: string;
}

/** Per checkout: two checkouts' suites running at once on one machine never read each other's service. */
export const SEEDED_FILE = join(
  tmpdir(),
  `dip-browser-seeded-${createHash('sha256')
    .update(join(__dirname, '..', '..'))
    .digest('hex')
    .slice(0, 12)}.json`,
);

export const seeded = (): Seeded => JSON.parse(readFileSync(SEEDED_FILE, 'utf8')) as Seeded;

/** Where the screenshots of the main pages go (kept by CI). */
export const SHOTS = join(__dirname, '..', '..', 'reports', 'browser');
