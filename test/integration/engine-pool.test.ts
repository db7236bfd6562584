import fc from 'fast-check';
import Decimal from 'decimal.js';
import { compileEngine, packCase, packResult, valueOneCase, unpackCases, unpackResults } from '../../src/domain/engine/batch';
import { engineCaseOfRow, packStoredCase } from '../../src/cases/stored-cases';
import { BatchesByYear, EnginePool, packedBatches } from '../../src/engine-pool/engine-pool';
import { generatedRegion } from '../support/generated';

// The worker threads load the compiled worker (npm test builds first).
const region = generatedRegion(2500);
const single = new Map(region.cases.map((c) => [c.caseId, packResult(valueOneCase(region.engine, c))]));

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('the worker pool (issue 4)', () => {
  it('values a generated year with a real-code catalogue', () => {
    expect(region.cases.length).toBe(2500);
    expect(region.catalogue.groups.length).toBeGreaterThan(50);
    // Most cases find a core or composite group; the rest are no-score cases, never errors.
    const results = region.cases.map((c) => valueOneCase(region.engine, c));
    expect(results.filter((r) => r.group !== null).length).toBeGreaterThan(2400);
  });

  it('gives exactly the single-threaded results, case for case, whatever the batch size, thread count and order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 1, max: 3 }), fc.integer(), async (size, threads, seed) => {
        const pool = new EnginePool(region.setup, threads);
        try {
          const order = shuffled(region.cases, seed);
          const got: string[] = [];
          await pool.runAll(packedBatches([order], packCase, size), (batch) => {
            got.push(batch.results);
          });
          const results = unpackResults(got.join(''));
          // In input order, and each equal to the single thread's line for that case.
          expect(results.map((r) => r.caseId)).toEqual(order.map((c) => c.caseId));
          for (const r of results) expect(packResult(r)).toBe(single.get(r.caseId));
        } finally {
          await pool.close();
        }
      }),
      { numRuns: 6 },
    );
  });

  it('sums points and costs on the workers to the single thread’s sums, in all and per pool and hospital', async () => {
    const pool = new EnginePool(region.setup, 2);
    try {
      // Sums taken here with decimal.js from the single thread's result lines and the cases' own money.
      let points = new Decimal(0);
      let cost = new Decimal(0);
      const perHospital = new Map<string, { cases: number; points: Decimal; cost: Decimal; fund: Decimal }>();
      for (const c of region.cases) {
        const p = new Decimal(single.get(c.caseId)!.split('\t')[15]);
        points = points.plus(p);
        cost = cost.plus(c.totalCost);
        const key = `${c.pool}/${c.hospitalCode}`;
        const h = perHospital.get(key) ?? { cases: 0, points: new Decimal(0), cost: new Decimal(0), fund: new Decimal(0) };
        perHospital.set(key, {
          cases: h.cases + 1,
          points: h.points.plus(p),
          cost: h.cost.plus(c.totalCost),
          fund: h.fund.plus(c.fundPayment),
        });
      }
      const units = (d: Decimal, dp: number) => BigInt(d.times(10 ** dp).toFixed(0));
      const expected = { points: units(points, 4), costFen: units(cost, 2) };
      expect(await pool.totalsOf(packedBatches([region.cases], packCase, 333))).toMatchObject({
        ...expected,
        cases: region.cases.length,
        hospitals: [],
      });
      const all = await pool.runAll(packedBatches([region.cases], packCase, 333), () => undefined);
      expect(all).toMatchObject({ ...expected, cases: region.cases.length });
      const got = new Map(
        all.hospitals.map((h) => [
          `${h.pool}/${h.hospitalCode}`,
          { cases: h.cases, points: h.points, costFen: h.costFen, fundFen: h.fundFen },
        ]),
      );
      expect(got).toEqual(
        new Map(
          [...perHospital].map(([k, h]) => [
            k,
            { cases: h.cases, points: units(h.points, 4), costFen: units(h.cost, 2), fundFen: units(h.fund, 2) },
          ]),
        ),
      );
      const points_ = expected.points;
      const costFen = expected.costFen;
      // The same batches as UTF-8 bytes (as the catalogue build keeps them).
      const bytes = new BatchesByYear(333);
      for (const c of region.cases) bytes.add(2024, packCase(c));
      bytes.closeAll();
      expect(await pool.totalsOf(bytes.take(2024).map((b) => b.bytes))).toMatchObject({ points: points_, costFen });
    } finally {
      await pool.close();
    }
  });

  it('gives the single thread’s results with outlierReference levelAverage too, which changes some ratios', async () => {
    const setup = {
      ...region.setup,
      policy: { ...region.setup.policy, scoring: { ...region.setup.policy.scoring, outlierReference: 'levelAverage' as const } },
    };
    const engine = compileEngine(setup);
    const expected = region.cases.map((c) => packResult(valueOneCase(engine, c)));
    expect(expected.filter((line, i) => line !== single.get(region.cases[i].caseId)).length).toBeGreaterThan(0);
    const pool = new EnginePool(setup, 2);
    try {
      const got: string[] = [];
      await pool.runAll(packedBatches([region.cases], packCase, 500), (batch) => {
        got.push(batch.results);
      });
      expect(unpackResults(got.join('')).map(packResult)).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  it('rejects a malformed batch with the reason and stays usable', async () => {
    const pool = new EnginePool(region.setup, 1);
    try {
      await expect(pool.runAll(['only\tthree\tfields\n'], () => undefined)).rejects.toThrow(/packed case line has 3 fields, expected 16/);
      const line = packCase(region.cases[0]) + '\n';
      const got: string[] = [];
      await pool.runAll([line], (batch) => void got.push(batch.results));
      expect(got).toEqual([`${single.get(region.cases[0].caseId)}\n`]);
    } finally {
      await pool.close();
    }
  });

  it('keeps packed lines by year in batches of UTF-8 bytes, in order, the last one short', () => {
    const byYear = new BatchesByYear(7);
    const years = [2022, 2023];
    // A non-ASCII case id, so that bytes and characters differ.
    const cases = region.cases.slice(0, 40).map((c, i) => ({ ...c, caseId: i === 5 ? '住院-甲' : c.caseId }));
    const completed: number[] = [];
    cases.forEach((c, i) => {
      const full = byYear.add(years[i % 2], packCase(c));
      if (full !== undefined) completed.push(full.cases);
    });
    // 20 cases a year: two full batches of 7 each, completed as they fill; 6 left in each year.
    expect(completed).toEqual([7, 7, 7, 7]);
    expect(byYear.closeAll().map(([y, b]) => [y, b.cases])).toEqual([
      [2022, 6],
      [2023, 6],
    ]);
    for (const [k, y] of years.entries()) {
      const batches = byYear.take(y);
      expect(batches.map((b) => b.cases)).toEqual([7, 7, 6]);
      const back = batches.flatMap((b) => unpackCases(new TextDecoder().decode(b.bytes)));
      expect(back).toEqual(cases.filter((_, i) => i % 2 === k).map((c) => unpackCases(packCase(c))[0]));
      expect(byYear.take(y)).toEqual([]);
    }
  });

  it('packs a stored row exactly as the case it holds', () => {
    for (const c of region.cases.slice(0, 300)) {
      // A stored row: list columns '|'-separated, booleans 0/1, no procedure as NULL.
      const row = {
        case_id: c.caseId,
        hospital_code: c.hospitalCode,
        principal_diagnosis: c.principalDiagnosis,
        principal_procedure: c.principalProcedure,
        other_procedures: c.otherProcedures.join('|'),
        secondary_diagnoses: c.secondaryDiagnoses.join('|'),
        los_days: c.losDays,
        discharge_mode: c.dischargeMode,
        total_cost: c.totalCost,
        out_of_catalog_self_pay: c.outOfCatalogSelfPay,
        day_surgery: c.daySurgery ? 1 : 0,
        external_expert: c.externalExpert ? 1 : 0,
        pool: c.pool,
        fund_payment: c.fundPayment,
      };
      expect(packStoredCase(row, c.coefficient, c.level)).toBe(packCase(c));
      expect(engineCaseOfRow(row, c.coefficient, c.level)).toEqual(unpackCases(packCase(c))[0]);
    }
  });

  it('refuses to pack a field with a separator in it', () => {
    expect(() => packCase({ ...region.cases[0], caseId: 'a\tb' })).toThrow(/caseId "a\\tb" contains a tab/);
    expect(() => packCase({ ...region.cases[0], otherProcedures: ['51.2300|1'] })).toThrow(/contains a separator/);
  });
});
