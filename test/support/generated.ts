import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CASE_FIELDS, CaseRecord, validateCase } from '../../src/domain/case-record';
import { CatalogueBuilder } from '../../src/domain/catalogue/build';
import { Catalogue } from '../../src/domain/catalogue/catalogue';
import { IcdRange, parseRangeTable } from '../../src/domain/catalogue/ranges';
import { parseCodeTableLine } from '../../src/domain/code-table';
import { procedureTyper } from '../../src/domain/codes';
import { hospitalCoefficient } from '../../src/domain/engine';
import { compileEngine, Engine, EngineCase, EngineSetup } from '../../src/domain/engine/batch';
import { parsePolicy } from '../../src/domain/policy';
import { codeUniverseFromTables, generateCases, generateHospitals } from '../../src/synth';
import { CODES } from './paths';

/** The shipped real code tables (catalogs/codes), read as the tests need them. */
export const codeText = (f: string) => readFileSync(`${CODES}/${f}`, 'utf8');
export const codeLines = (f: string) =>
  codeText(f)
    .split('\n')
    .filter((l) => l.trim() !== '');
export const codeEntries = (f: string) =>
  codeLines(f).map((l) => ({ code: l.slice(0, l.indexOf(' ')), name: l.slice(l.indexOf(' ') + 1) }));

export const universe = codeUniverseFromTables({
  diagnoses: codeEntries('icd10-yb2.dat'),
  procedures: codeEntries('icd9cm3-yb2.dat'),
  severeSecondary: codeLines('severe-secondary-dx.txt'),
  moderateSecondary: codeLines('moderate-secondary-dx.txt'),
});
export const shippedPolicy = () =>
  parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));

function blocks(): IcdRange[] {
  const out: IcdRange[] = [];
  for (const line of codeLines('icd10-blocks.tsv')) {
    const e = parseCodeTableLine('icdBlocks', line);
    if (e && 'code' in e) out.push({ lower: e.code.slice(0, 3), upper: e.code.slice(4) });
  }
  return out;
}

/**
 * A generated region in memory: hospitals, a catalogue built from three generated years of
 * real-code cases, the engine for it with the shipped policy, and a generated settlement year.
 */
export function generatedRegion(casesPerYear: number, seed = 5) {
  const hospitals = generateHospitals({ seed, region: '370300', count: 30 });
  const known = new Set(hospitals.map((h) => h.code));
  const record = (row: readonly string[]): CaseRecord => {
    const v = validateCase(Object.fromEntries(CASE_FIELDS.map((f, i) => [f, row[i]])), { hasHospital: (c) => known.has(c) });
    if (!('record' in v)) throw new Error(`generated case invalid: ${JSON.stringify(v.errors)}`);
    return v.record;
  };
  const policy = shippedPolicy();
  const ranges = {
    chapters: parseRangeTable(readFileSync(resolve(__dirname, '../../catalogs/icd10-chapters.tsv'), 'utf8')),
    blocks: blocks(),
  };
  const severe = [...universe.severeSecondary].sort();
  const moderate = [...universe.moderateSecondary].sort();
  const builder = new CatalogueBuilder({
    region: '370300',
    year: 2024,
    policy,
    ranges,
    severity: { severe: new Set(severe), moderate: new Set(moderate) },
    typeOf: procedureTyper(new Map(), universe.procedureNames),
  });
  const levelOf = new Map(hospitals.map((h) => [h.code, h.level]));
  for (const year of [2021, 2022, 2023])
    for (const row of generateCases({ seed, year, cases: casesPerYear }, universe, hospitals)) {
      const r = record(row);
      builder.add({ ...r, year, level: levelOf.get(r.hospitalCode)! });
    }
  const catalogue: Catalogue = { ...builder.finish(), pvBudget: '0.000000' };
  const setup: EngineSetup = {
    catalogue,
    policy,
    ranges,
    severe,
    moderate,
    procedureTypes: [],
    procedureNames: [...universe.procedureNames],
  };
  const engine: Engine = compileEngine(setup);
  // Each hospital's k under the policy, and its level.
  const byCode = new Map(hospitals.map((h) => [h.code, { coefficient: hospitalCoefficient(engine.scoring, h), level: h.level }]));
  const rows = [...generateCases({ seed, year: 2024, cases: casesPerYear }, universe, hospitals)];
  const cases: EngineCase[] = rows.map((row) => {
    const r = record(row);
    return { ...r, ...byCode.get(r.hospitalCode)! };
  });
  return { hospitals, catalogue, setup, engine, cases, rows, byCode };
}
