import { join } from 'node:path';
import type { CodeTableKind } from '../domain/code-table';

/** Where the product's own data lives: catalogs/ at the top of the project (from src/ or dist/). */
export const CATALOGS_DIR = join(__dirname, '..', '..', 'catalogs');

/** The real code tables the product ships (catalogs/codes, with their provenance). */
export const CODES_DIR = join(CATALOGS_DIR, 'codes');

/** The shipped file of each table kind a new region starts with (procedure types have none). */
export const SHIPPED_CODE_TABLES: Partial<Record<CodeTableKind, string>> = {
  diagnosis: 'icd10-yb2.dat',
  procedure: 'icd9cm3-yb2.dat',
  severeSecondary: 'severe-secondary-dx.txt',
  moderateSecondary: 'moderate-secondary-dx.txt',
  icdBlocks: 'icd10-blocks.tsv',
};
