import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CaseImportService } from '../../src/cases/case-import.service';
import { CatalogueService } from '../../src/catalogue/catalogue.service';
import { CatalogueStore } from '../../src/catalogue/catalogue.store';
import { CodeTablesService } from '../../src/codes/code-tables.service';
import { CASE_FIELDS, validateCase } from '../../src/domain/case-record';
import Decimal from 'decimal.js';
import { CatalogueBuilder } from '../../src/domain/catalogue/build';
import { compileEngine, valueOneCase } from '../../src/domain/engine/batch';
import { CodeTableKind } from '../../src/domain/code-table';
import { groupingCode } from '../../src/domain/codes';
import { codeUniverseFromTables, generateCases, generateHospitals } from '../../src/synth';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { parsePolicy } from '../../src/domain/policy';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { CODES } from '../support/paths';

const text = (f: string) => readFileSync(`${CODES}/${f}`, 'utf8');
const lines = (f: string) =>
  text(f)
    .split('\n')
    .filter((l) => l.trim() !== '');
const entries = (f: string) => lines(f).map((l) => ({ code: l.slice(0, l.indexOf(' ')), name: l.slice(l.indexOf(' ') + 1) }));
const universe = codeUniverseFromTables({
  diagnoses: entries('icd10-yb2.dat'),
  procedures: entries('icd9cm3-yb2.dat'),
  severeSecondary: lines('severe-secondary-dx.txt'),
  moderateSecondary: lines('moderate-secondary-dx.txt'),
});
const hospitals = generateHospitals({ seed: 3, region: '370300', count: 40 });
const YEARS = [2021, 2022, 2023];
const rowsOf = (year: number) => [...generateCases({ seed: 3, year, cases: 4000 }, universe, hospitals)];
const PROCEDURES = new Set(entries('icd9cm3-yb2.dat').map((e) => e.code));
const policyDoc = () => ({ ...JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')) });

describeEngines('catalogue build from stored cases on %s', (engine) => {
  let t: TestApp;
  let outcome: Awaited<ReturnType<CatalogueService['build']>>;

  beforeAll(async () => {
    t = await startTestApp(engine, 'catalogue_build');
    await t.app.get(HospitalsService).upsert(
      hospitals.map((h) => ({ ...h })),
      'tester',
    );
    const tables = t.app.get(CodeTablesService);
    const load = (kind: CodeTableKind, body: string) => tables.load('370300', kind, Readable.from([body]), kind, 'tester');
    await load('severeSecondary', text('severe-secondary-dx.txt'));
    await load('moderateSecondary', text('moderate-secondary-dx.txt'));
    await load('icdBlocks', text('icd10-blocks.tsv'));
    await load('procedure', text('icd9cm3-yb2.dat'));
    for (const y of YEARS) {
      const csv = [CASE_FIELDS.join(','), ...rowsOf(y).map((r) => r.join(','))].join('\n');
      const report = await (
        await t.app
          .get(CaseImportService)
          .start(Readable.from([csv]), { format: 'csv', atomic: true, replace: false, source: `${y}`, actor: 'tester' })
      ).done;
      expect(report.status).toBe('committed');
    }
    outcome = await build(2024, policyDoc());
  });
  afterAll(async () => t?.close());

  /** A build as the HTTP and CLI faces start it: the job's outcome. */
  const build = async (year: number, policy: unknown) =>
    (await t.app.get(CatalogueService).startBuild('370300', year, policy, 'tester')).done;

  it('builds from all 12,000 stored cases and stores the version', async () => {
    expect(outcome).toMatchObject({ created: true, cases: 12_000 });
    expect(outcome.coreGroups).toBeGreaterThan(0);
    expect(outcome.compositeGroups).toBeGreaterThan(0);
    const meta = await t.app.get(CatalogueStore).meta(outcome.catalogueId);
    expect(meta).toMatchObject({ region: '370300', year: 2024, hash: outcome.hash, source: 'build', coreGroups: outcome.coreGroups });
  });

  it('gives exactly what the builder gives when fed the same cases in memory', async () => {
    const codes = t.app.get(CodeTablesService);
    const policy = parsePolicy(policyDoc());
    const setup = await codes.codeSetup('370300');
    const builder = new CatalogueBuilder({
      region: '370300',
      year: 2024,
      policy,
      ranges: setup.ranges,
      severity: { severe: new Set(setup.severe), moderate: new Set(setup.moderate) },
      typeOf: await codes.procedureTyper('370300'),
    });
    const records = YEARS.flatMap((y) =>
      rowsOf(y).map((row) => {
        const v = validateCase(Object.fromEntries(CASE_FIELDS.map((f, i) => [f, row[i]])), { hasHospital: () => true });
        if (!('record' in v)) throw new Error('generated case invalid');
        return v.record;
      }),
    );
    const levelOf = new Map(hospitals.map((h) => [h.code, h.level]));
    for (const r of records) builder.add({ ...r, year: Number(r.dischargeDate.slice(0, 4)), level: levelOf.get(r.hospitalCode)! });
    const expected = builder.finish();
    const stored = await t.app.get(CatalogueStore).load(outcome.catalogueId);
    expect(stored.groups).toEqual(expected.groups);
    // Averages by hospital level (spec §6.2) are built and stored for the busiest groups.
    expect(stored.groups.filter((g) => g.levelAvgCost !== undefined).length).toBeGreaterThan(0);
    expect(stored.reference).toEqual(expected.reference);
    expect(stored.costPerPoint).toBe(expected.costPerPoint);

    // The budget point value, computed here on one thread, case by case, with the §4.9 formula
    // written out again: the build got it from the worker pool.
    const engine = compileEngine({ catalogue: { ...expected, pvBudget: '0' }, policy, ...setup });
    const weight: Record<number, number> = { 2021: 1, 2022: 2, 2023: 7 };
    let num = new Decimal(0);
    let den = new Decimal(0);
    for (const r of records) {
      const w = weight[Number(r.dischargeDate.slice(0, 4))];
      num = num.plus(new Decimal(r.totalCost).times(w));
      den = den.plus(new Decimal(valueOneCase(engine, { ...r, coefficient: '1', level: levelOf.get(r.hospitalCode)! }).points).times(w));
    }
    expect(stored.pvBudget).toBe(num.div(den).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(6));
  });

  it('forms every key from real codes: subcategories of the table, procedures of the table, composite ranges', async () => {
    const c = await t.app.get(CatalogueStore).load(outcome.catalogueId);
    const diagnosisSubcategories = new Set(entries('icd10-yb2.dat').map((e) => groupingCode(e.code).slice(0, 5)));
    for (const g of c.groups) {
      if (g.kind === 'core') {
        const [sub, procs] = g.key.split('|');
        expect(diagnosisSubcategories.has(sub)).toBe(true);
        expect(g.category).toBe(sub.slice(0, 3));
        for (const p of procs === '' ? [] : procs.split('+')) expect(PROCEDURES.has(p)).toBe(true);
        expect(g.procedures).toEqual(procs === '' ? [] : procs.split('+'));
      } else {
        expect(g.key).toMatch(/^([A-Z]\d{2}|[A-Z]\d{2}-[A-Z]\d{2}|\*)~(conservative|diagnostic|therapeutic|surgery)$/);
      }
      expect(g.score).toMatch(/^\d+\.\d{4}$/);
      expect(g.avgCost).toMatch(/^\d+\.\d{2}$/);
    }
    // The generated history has dagger/asterisk and x-extension principal diagnoses; they group by
    // the part before '+' and by their first five characters.
    const stored = await t.db.execute(
      `SELECT principal_diagnosis FROM dip_case WHERE principal_diagnosis LIKE '%+%' OR principal_diagnosis LIKE '%x%'`,
    );
    expect(stored.rows.length).toBeGreaterThan(0);
  });

  it('gives the same hash, and the same version, when built again from the same data and policy', async () => {
    const again = await build(2024, policyDoc());
    expect(again).toMatchObject({ created: false, catalogueId: outcome.catalogueId, hash: outcome.hash });
  });

  it('refuses a window without cases with a clear error and stores nothing', async () => {
    await expect(build(2030, { ...policyDoc(), year: 2030 })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'empty-window',
      message: 'region 370300 has no cases discharged 2027-01 … 2029-12: nothing to build a 2030 catalogue from',
    });
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM catalogue WHERE year = 2030')).rows[0].n)).toBe(0);
  });

  it('passes on a refusal of the builder (on its own thread) as a clear error, and stores nothing', async () => {
    // The 2022 catalogue looks back on 2019–2021: only 2021 has cases.
    const n = Number(
      (await t.db.execute("SELECT COUNT(*) AS n FROM dip_case WHERE settlement_month BETWEEN '2021-01' AND '2021-12'")).rows[0].n,
    );
    expect(n).toBeGreaterThan(3000);
    await expect(build(2022, { ...policyDoc(), year: 2022 })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'invalid-build',
      message: `region 370300 has cases in only one year of the look-back window 2019–2021 (2021, ${n} cases): a 2022 catalogue needs at least two years of history`,
    });
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM catalogue WHERE year = 2022')).rows[0].n)).toBe(0);
  });
});
