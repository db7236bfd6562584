import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeUniverse } from '../cli/commands/generate';
import { CATALOGS_DIR, CODES_DIR } from '../config/catalogs';
import { CASE_FIELDS, validateCase } from '../domain/case-record';
import { CatalogueBuilder } from '../domain/catalogue/build';
import { Catalogue } from '../domain/catalogue/catalogue';
import { catalogueHash, catalogueToJson } from '../domain/catalogue/exchange';
import { parseRangeTable } from '../domain/catalogue/ranges';
import { procedureTyper } from '../domain/codes';
import { parsePolicy } from '../domain/policy';
import { generateCases, generateHospitals } from '../synth';
import { benchRequest, fmt } from './bench-support';

/**
 * The full-size region of the API and web benches: 130 generated hospitals (seed 42) and the
 * 2024 catalogue of about 10,000 groups built from two generated years of BENCH_CASES cases
 * each (default 1,000,000), kept in the temporary folder for the next run.
 */
export const REGION = '370300';
export const YEAR = 2024;
const HISTORY = [2022, 2023];
const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);

type Hospital = ReturnType<typeof generateHospitals>[number];

export const benchHospitals = (): Hospital[] => generateHospitals({ seed: 42, region: REGION, count: 130 });

/** A generated row as the case record's fields. */
export const rowObject = (row: readonly string[]): Record<string, string> => Object.fromEntries(CASE_FIELDS.map((f, i) => [f, row[i]]));

/**
 * The catalogue of YEAR from the generated history, as the server would build it with the
 * shipped policy and without code tables (DEFAULT_CODE_TABLES=none: procedure types by the
 * fallback rule, the 22 shipped chapters, no severity lists). Its pvBudget is taken as its cost
 * per point (the budget pass over the window is not what this bench measures).
 */
export async function fullCatalogue(hospitals: readonly Hospital[]): Promise<Catalogue> {
  const file = join(tmpdir(), `dip-bench-api-catalogue-${CASES}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Catalogue;
  const t0 = Date.now();
  process.stderr.write(`building the ${YEAR} catalogue from ${fmt(CASES)} generated cases a year of ${HISTORY.join(', ')} …\n`);
  const universe = await loadCodeUniverse(CODES_DIR);
  const policy = parsePolicy(JSON.parse(readFileSync(join(CATALOGS_DIR, 'policies', `${REGION}-${YEAR}.json`), 'utf8')));
  const known = new Set(hospitals.map((h) => h.code));
  const builder = new CatalogueBuilder({
    region: REGION,
    year: YEAR,
    policy,
    ranges: { chapters: parseRangeTable(readFileSync(join(CATALOGS_DIR, 'icd10-chapters.tsv'), 'utf8')), blocks: [] },
    severity: { severe: new Set(), moderate: new Set() },
    typeOf: procedureTyper(new Map()),
  });
  for (const year of HISTORY)
    for (const row of generateCases({ seed: 42, year, cases: CASES }, universe, hospitals)) {
      const v = validateCase(rowObject(row), { hasHospital: (c) => known.has(c) });
      if (!('record' in v)) throw new Error(`generated case invalid: ${JSON.stringify(v.errors)}`);
      builder.add({ ...v.record, year });
    }
  const built = builder.finish();
  const c: Catalogue = { ...built, pvBudget: built.costPerPoint };
  writeFileSync(file, JSON.stringify(c));
  process.stderr.write(`… ${fmt(c.groups.length)} groups in ${fmt((Date.now() - t0) / 1000, 1)} s (kept in ${file})\n`);
  return c;
}

/** Registers the hospitals, imports the catalogue with its hash and activates it, over HTTP as an agency user. */
export async function seedRegion(port: number, token: string, hospitals: readonly Hospital[], cat: Catalogue): Promise<string> {
  const call = (path: string, body: unknown) =>
    benchRequest(port, token, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body));
  await call(
    '/api/v1/hospitals',
    hospitals.map((h) => ({ code: h.code, name: h.name, region: h.region, level: h.level, bonuses: h.bonuses })),
  );
  const imported = await call('/api/v1/catalogs/import', JSON.stringify(catalogueToJson(cat, 'bench', catalogueHash(cat))));
  const catalogueId = String(imported.catalogueId);
  await call(`/api/v1/catalogs/${catalogueId}/activate`, {});
  return catalogueId;
}
