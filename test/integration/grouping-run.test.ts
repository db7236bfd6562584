import { Readable } from 'node:stream';
import { CaseImportService } from '../../src/cases/case-import.service';
import { CaseStore } from '../../src/cases/case.store';
import { CatalogueService } from '../../src/catalogue/catalogue.service';
import { CatalogueStore } from '../../src/catalogue/catalogue.store';
import { PoliciesService } from '../../src/policies/policies.service';
import { CodeTablesService } from '../../src/codes/code-tables.service';
import { CASE_FIELDS } from '../../src/domain/case-record';
import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { CodeTableKind } from '../../src/domain/code-table';
import { CaseResult, valueOneCase } from '../../src/domain/engine/batch';
import { GroupingService } from '../../src/grouping/grouping.service';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { DipError } from '../../src/domain/errors';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { codeText, generatedRegion, shippedPolicy } from '../support/generated';

const region = generatedRegion(1200, 7);
const expected = new Map<string, CaseResult>(region.cases.map((c) => [c.caseId, valueOneCase(region.engine, c)]));

describeEngines('grouping runs over stored cases on %s', (engine) => {
  let t: TestApp;
  let grouping: GroupingService;
  let catalogueId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, 'grouping_run');
    grouping = t.app.get(GroupingService);
    await t.app.get(HospitalsService).upsert(
      region.hospitals.map((h) => ({ ...h })),
      'tester',
    );
    const tables = t.app.get(CodeTablesService);
    const load = (kind: CodeTableKind, file: string) => tables.load('370300', kind, Readable.from([codeText(file)]), kind, 'tester');
    await load('severeSecondary', 'severe-secondary-dx.txt');
    await load('moderateSecondary', 'moderate-secondary-dx.txt');
    await load('icdBlocks', 'icd10-blocks.tsv');
    await load('procedure', 'icd9cm3-yb2.dat');
    await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', shippedPolicy());
    const csv = [CASE_FIELDS.join(','), ...region.rows.map((r) => r.join(','))].join('\n');
    const report = await (
      await t.app
        .get(CaseImportService)
        .start(Readable.from([csv]), { format: 'csv', atomic: true, replace: false, source: 'gen', actor: 'tester' })
    ).done;
    expect(report.status).toBe('committed');
    const doc = catalogueToJson(region.catalogue, 'generated', catalogueHash(region.catalogue));
    catalogueId = (await t.app.get(CatalogueService).importDocument(doc, 'tester')).catalogueId;
  });
  afterAll(async () => t?.close());

  /** A run as the HTTP and CLI faces start it: the job's outcome. */
  const run = async (from: string, to: string, catalogue?: string) =>
    (await grouping.startRun('370300', from, to, 'tester', catalogue)).done;

  it('refuses a run without an active catalogue, or over two years', async () => {
    await expect(run('2024-01', '2024-12')).rejects.toMatchObject({ kind: 'not-found', code: 'no-active-catalogue' });
    await expect(run('2023-12', '2024-01', catalogueId)).rejects.toMatchObject({ kind: 'bad-request', code: 'bad-period' });
    await expect(run('2024-13', '2024-12', catalogueId)).rejects.toBeInstanceOf(DipError);
  });

  it('stores every case’s result, equal to the single-threaded engine’s, with the versions it came from', async () => {
    await t.app.get(CatalogueStore).activate(catalogueId, 'tester');
    const result = await run('2024-01', '2024-12');
    expect(result).toMatchObject({ region: '370300', from: '2024-01', to: '2024-12', catalogueId, cases: region.cases.length });
    expect(result.policyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.engineHash).toMatch(/^[0-9a-f]{64}$/);
    // Totals computed here from the in-memory results.
    const all = [...expected.values()];
    expect(result.noScoreCases).toBe(all.filter((r) => r.group === null).length);
    expect(result.specialReviewCases).toBe(all.filter((r) => r.specialReview).length);
    const sum = all.reduce((s, r) => s + BigInt(r.points.replace('.', '')), 0n);
    expect(result.points).toBe(`${sum / 10_000n}.${String(sum % 10_000n).padStart(4, '0')}`);

    const stored = await grouping.results(result.id, {}, 0, 5000);
    expect(stored.total).toBe(region.cases.length);
    for (const r of stored.items) expect(r).toEqual(expected.get(r.caseId));
    expect(result.createdBy).toBe('tester');

    // One hospital's cases only.
    const h = region.cases[0].hospitalCode;
    const mine = await grouping.results(result.id, { hospital: h }, 0, 5000);
    expect(mine.total).toBe(region.cases.filter((c) => c.hospitalCode === h).length);
    expect(mine.items.every((r) => r.hospitalCode === h)).toBe(true);

    // The explanation of one case: every factor, and the same result as stored.
    const one = await grouping.explain(result.id, region.cases[0].caseId);
    expect(one.changedSinceRun).toBe(false);
    expect(one.result).toEqual(expected.get(region.cases[0].caseId));
    expect(one.explanation!.points.points).toBe(one.result.points);
    expect(one.explanation!.points.factors.length).toBeGreaterThan(0);
  });

  it('stores nothing of a run that fails half-way, and a second start succeeds', async () => {
    const before = Number((await t.db.execute('SELECT COUNT(*) AS n FROM case_result')).rows[0].n);
    const runs = Number((await t.db.execute('SELECT COUNT(*) AS n FROM grouping_run')).rows[0].n);
    const reader = t.app.get(CaseStore);
    const original = reader.pages.bind(reader);
    const spy = jest.spyOn(reader, 'pages').mockImplementation(async function* (...args) {
      let n = 0;
      for await (const page of original(...args)) {
        yield page;
        if (++n === 1) throw new Error('the connection dropped');
      }
    });
    await expect(run('2024-01', '2024-12')).rejects.toThrow('the connection dropped');
    spy.mockRestore();
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM case_result')).rows[0].n)).toBe(before);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM grouping_run')).rows[0].n)).toBe(runs);
    const again = await run('2024-03', '2024-03');
    expect(again.cases).toBe(
      region.cases.filter((c) => (c as unknown as { dischargeDate: string }).dischargeDate.startsWith('2024-03')).length,
    );
  });
});
