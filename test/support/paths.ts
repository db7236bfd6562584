import { resolve } from 'node:path';

/** The top of the project. */
export const ROOT = resolve(__dirname, '..', '..');
/** The real code tables the project ships (catalogs/codes; see catalogs/codes/PROVENANCE.md). */
export const CODES = resolve(ROOT, 'catalogs', 'codes');
/** Test fixtures (test/fixtures; see test/fixtures/README.md). */
export const FIXTURES = resolve(ROOT, 'test', 'fixtures');
