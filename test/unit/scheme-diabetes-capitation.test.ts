import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { DipError } from '../../src/domain/errors';
import { PolicyError } from '../../src/domain/policy';
import {
  DiabetesCapitationPolicy,
  diabetesCapitationScheme,
  DiabetesPersonFigures,
  DiabetesRegionFigures,
  InstitutionFigures,
} from '../../src/domain/schemes/diabetes-capitation';
import { InputRow, SchemeInputs, SchemeOutcome } from '../../src/domain/schemes/scheme';
import { personRows } from '../../src/domain/schemes/person-table';
import { readTable, tableSpec } from '../../src/domain/schemes/scheme-input';
import { schemeOf } from '../../src/domain/schemes';
import { DIABETES_CAPITATION_POLICY_PARAMETERS, generateDiabetesCapitationDemo } from '../../src/synth/diabetes-capitation';

const DIR = resolve(__dirname, '../../catalogs/schemes/diabetes-capitation');
const policyDoc = JSON.parse(readFileSync(resolve(DIR, '120000-2022.json'), 'utf8')) as Record<string, unknown>;
const policy: DiabetesCapitationPolicy = diabetesCapitationScheme.parsePolicy(policyDoc);
const withPolicy = (over: Record<string, unknown>): DiabetesCapitationPolicy =>
  diabetesCapitationScheme.parsePolicy({ ...policyDoc, ...over });

/** Rows as readTable gives them, from plain objects of strings (the way a CSV reads). */
function table(name: string, rows: Record<string, string>[]): InputRow[] {
  return readTable(tableSpec(diabetesCapitationScheme.tables, name), rows, (i) => ({ row: i }));
}
function csvTable(name: string, csv: string): InputRow[] {
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: 'greedy' });
  expect(parsed.errors).toEqual([]);
  return readTable(tableSpec(diabetesCapitationScheme.tables, name), parsed.data, (i) => ({ line: i + 2 }));
}
const exampleInputs = (): SchemeInputs =>
  Object.fromEntries(
    readdirSync(resolve(DIR, 'example')).map((f) => {
      const name = f.replace(/\.csv$/, '');
      return [name, csvTable(name, readFileSync(resolve(DIR, 'example', f), 'utf8'))];
    }),
  );

const run = (i: SchemeInputs, p: DiabetesCapitationPolicy = policy, year = 2022): SchemeOutcome => diabetesCapitationScheme.run(p, i, year);
const inst = (o: SchemeOutcome, code: string): InstitutionFigures =>
  o.providers.find((p) => p.provider === code)!.figures as unknown as InstitutionFigures;
const region = (o: SchemeOutcome): DiabetesRegionFigures => o.region as unknown as DiabetesRegionFigures;
const person = (o: SchemeOutcome, id: string): DiabetesPersonFigures =>
  personRows(o.persons!).find((p) => p.person === id)!.figures as unknown as DiabetesPersonFigures;

/** A patient row: base given (or '' for none), 12 months unless said. */
const pt = (person: string, institutionCode: string, baseCost: string, o: { months?: number; isNew?: boolean; actual?: string } = {}) => ({
  person,
  institutionCode,
  months: String(o.months ?? 12),
  newPatient: o.isNew ? 'true' : 'false',
  baseCost,
  actualCost: o.actual ?? '',
});
const institutionsOf = (...codes: string[]) =>
  table(
    'institutions',
    codes.map((c) => ({ institutionCode: c, name: `institution ${c}` })),
  );
const costs = (code: string, amounts: string[]) => amounts.map((cost, m) => ({ institutionCode: code, month: String(m + 1), cost }));

describe('diabetes-capitation scheme (SCHEMES.md C, seed 003, Tianjin)', () => {
  it('parses the shipped policy with the seed’s parameters', () => {
    expect(policy).toMatchObject({
      scheme: 'diabetes-capitation',
      region: '120000',
      year: 2022,
      baseYear: 2019,
      newPatientAverage: '3650.25',
      dropHighestPercent: '5',
      floorPercentile: '20',
      capPercentile: '80',
      bound: { lower: '0.8', upper: '1.2' },
      specialCompensation: { enabled: true, maxPatientShare: '0.05' },
      monthlySurplusShare: '0.5',
    });
    expect(schemeOf('diabetes-capitation')).toBe(diabetesCapitationScheme);
    // The generator's parameters are the shipped ones.
    const { scheme: _s, region: _r, year: _y, name: _n, ...rest } = policyDoc;
    expect(rest).toEqual(DIABETES_CAPITATION_POLICY_PARAMETERS);
  });

  it('refuses a bad policy with every problem by path', () => {
    try {
      diabetesCapitationScheme.parsePolicy({
        ...policyDoc,
        baseYear: 2022,
        newPatientAverage: '3650.255',
        floorPercentile: '90',
        capPercentile: '80',
        bound: { lower: '1.1', upper: '0.9' },
        specialCompensation: { enabled: 'yes', maxPatientShare: '0.05' },
        monthlySurplusShare: 0.5,
        extra: 1,
      });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).problems.map((p) => p.path).sort()).toEqual(
        [
          'baseYear',
          'bound.lower',
          'bound.upper',
          'capPercentile',
          'extra',
          'monthlySurplusShare',
          'newPatientAverage',
          'specialCompensation.enabled',
        ].sort(),
      );
    }
  });

  /**
   * The example (catalogs/schemes/diabetes-capitation/example), worked by hand.
   *
   * City-wide: 20 patients with a base (the 2 new ones have none). P09 is a 2019 pilot patient:
   * b = round2(100/(1−0.3) + 100/(1−0.3) + 10 × 241/(1−0)) = round2(142.857142… × 2 + 2410)
   *   = round2(2695.714285…) = 2695.71 (rounding each month first would give 2695.72).
   * Sorted: 1000, 1200, 1500, 1800, 2000, 2100, 2200, 2400, 2600, 2695.71, 2800, 3000, 3100.07,
   * 3300, 3500, 3600, 4000, 4500, 6000, 30000. d = floor(20 × 5 / 100) = 1 (30000 dropped);
   * m = 19; floor rank ceil(0.2 × 19 = 3.8) = 4 → 1800.00; cap rank ceil(0.8 × 19 = 15.2) = 16 → 3600.00.
   */
  describe('the example, to the fen', () => {
    const o = run(exampleInputs());

    it('finds the floor and the cap: drop the top 5 %, P20 and P80 by nearest rank', () => {
      expect(region(o).percentiles).toMatchObject({
        withBase: 20,
        dropped: 1,
        kept: 19,
        floorRank: 4,
        floor: '1800.00',
        capRank: 16,
        cap: '3600.00',
      });
      expect(region(o)).toMatchObject({ institutions: 4, patients: 22, newPatients: 2, baseYear: 2019, newPatientAverage: '3650.25' });
    });

    it('forms the pilot patient’s base from the monthly costs and surplus ratios, rounded once', () => {
      expect(person(o, 'TJ2019P09')).toMatchObject({
        base: '2695.71',
        baseSource: 'pilot',
        clampedBase: '2695.71',
        contribution: '2695.71',
      });
    });

    it('bounds an institution of low bases at +20 %: H120101001', () => {
      // R = 1000 + 1200 + 1500 = 3700.00; every base below the floor: Q_base = 3 × 1800 = 5400;
      // bounds round2(0.8 × 3700) = 2960.00 and round2(1.2 × 3700) = 4440.00 → 4440.00. Q = 4440.00.
      const h = inst(o, 'H120101001');
      expect(h).toMatchObject({
        baseTotal: '3700',
        clampedTotal: '5400',
        lowerBound: '2960.00',
        upperBound: '4440.00',
        boundApplied: 'upper',
        boundedTotal: '4440',
        quotaBeforeVbp: '4440.00',
        vbpAdjustment: '0.00',
        quota: '4440.00',
      });
      expect(h.patients).toEqual({ total: 3, withBase: 3, new: 0, pilot: 0, belowFloor: 3, aboveCap: 0, dropped: 0 });
      // 400.00 a month against a quota of 370.00: each month pays 370.00, nothing of a surplus;
      // S = 4800.00 > Q. P03's actual 5000.00 is 1400.00 over the cap, but floor(5 % × 3) = 0
      // patients may be compensated: K = 0, A = 4440.00, O = 360.00 (the institution's).
      expect(h.monthly[0]).toEqual({
        month: 1,
        quota: '370.00',
        cost: '400.00',
        paidCost: '370.00',
        surplus: '0.00',
        surplusPaid: '0.00',
        excess: '30.00',
        payment: '370.00',
      });
      expect(h.compensation).toEqual({
        applies: true,
        overspendAgainstQuota: '360.00',
        candidates: 1,
        limit: 0,
        compensated: 0,
        excessTotal: '0.00',
        amount: '0.00',
      });
      expect(h).toMatchObject({ spending: '4800.00', patientActualTotal: '6200.00', allowance: '4440.00', paidDuringYear: '4440.00' });
      expect(h.yearEnd).toMatchObject({ surplus: '0.00', overspend: '360.00', retained: '0.00', coveredSpending: '4440.00' });
      expect(h).toMatchObject({ payment: '4440.00', balance: '0.00' });
      expect(person(o, 'TJ2019P03')).toMatchObject({
        base: '1500.00',
        clampedBase: '1800.00',
        excessOverCap: '1400.00',
        compensated: false,
      });
    });

    it('bounds an institution of high bases at −20 %, the dropped base clamped too: H120103001', () => {
      // R = 4000 + 4500 + 6000 + 30000 = 44500.00; all above the cap: Q_base = 4 × 3600 = 14400;
      // bounds 35600.00 and 53400.00 → 35600.00. No costs at all (no monthlyCosts rows): each
      // month's quota round2(35600 / 12 = 2966.666…) = 2966.67, December 35600 − 11 × 2966.67 =
      // 2966.63; half of each is paid at once: round2(1483.335) = 1483.34 × 11 + round2(1483.315) =
      // 1483.32 → M = 17800.06. Year end: U = 35600.00, retained M + round2((35600 − 17800.06) × 1)
      // = 17800.06 + 17799.94 = 35600.00 (no assessment: score 1); P = 0 + 35600.00; balance 17799.94.
      const h = inst(o, 'H120103001');
      expect(h).toMatchObject({
        baseTotal: '44500',
        clampedTotal: '14400',
        lowerBound: '35600.00',
        upperBound: '53400.00',
        boundApplied: 'lower',
        quota: '35600.00',
        spending: '0.00',
        paidDuringYear: '17800.06',
        surplusPaidDuringYear: '17800.06',
        allowance: '35600.00',
      });
      expect(h.patients).toMatchObject({ aboveCap: 4, dropped: 1 });
      expect(h.monthly[11]).toMatchObject({
        quota: '2966.63',
        cost: '0.00',
        surplus: '2966.63',
        surplusPaid: '1483.32',
        payment: '1483.32',
      });
      expect(h.yearEnd).toEqual({
        surplus: '35600.00',
        overspend: '0.00',
        score: '1',
        scoreRecorded: false,
        retainedHalves: '17800.06',
        retainedByScore: '17799.94',
        retained: '35600.00',
        fundKeeps: '0.00',
        coveredSpending: '0.00',
      });
      expect(h).toMatchObject({ payment: '35600.00', balance: '17799.94' });
      expect(person(o, 'TJ2019P20')).toMatchObject({ base: '30000.00', dropped: true, clampedBase: '3600.00', contribution: '3600.00' });
      expect(person(o, 'TJ2019P19')).toMatchObject({ dropped: false, clampedBase: '3600.00' });
    });

    it('sums part-year patients and new patients exactly, rounds the quota once: H120104001', () => {
      // Σ b × months (all within [1800, 3600], so clamped = base):
      //   1800×12 + 2000×6 + 2100×12 + 2200×12 + 2400×12 + 2695.71×12 + 2600×5 + 2800×12
      //   + 3000×12 + 3100.07×7 + 3300×12 + 3500×12 = 332249.01 → R = Q_base = 332249.01 / 12 = 27687.4175.
      // Bounds round2(22149.934) = 22149.93, round2(33224.901) = 33224.90: not reached.
      // New: 3650.25 × (12 + 7) / 12 = 69354.75 / 12 = 5779.5625.
      // round2(27687.4175 + 5779.5625 = 33466.98) = 33466.98; − vbp 66.98 → Q = 33400.00.
      const h = inst(o, 'H120104001');
      expect(h).toMatchObject({
        baseTotal: '27687.4175',
        clampedTotal: '27687.4175',
        lowerBound: '22149.93',
        upperBound: '33224.90',
        boundApplied: null,
        boundedTotal: '27687.4175',
        newPatientYears: '1.583333333333333333333333333333333333333',
        newPatientTotal: '5779.5625',
        quotaBeforeVbp: '33466.98',
        vbpAdjustment: '66.98',
        quota: '33400.00',
      });
      expect(h.members).toEqual([
        { memberCode: 'H120104002', name: '南开区长虹街社区卫生服务中心' },
        { memberCode: 'H120104003', name: '南开区向阳路街社区卫生服务中心' },
      ]);
      expect(h.patients).toEqual({ total: 14, withBase: 12, new: 2, pilot: 1, belowFloor: 0, aboveCap: 0, dropped: 0 });
      // Monthly quota round2(33400 / 12) = 2783.33, December 33400 − 30616.63 = 2783.37.
      // January: cost 2500.00 → 2500.00 + round2(0.5 × 283.33 = 141.665) = 141.67 → 2641.67.
      // March: cost 3000.00 above its quota → 2783.33, the 216.67 waits for the year end.
      // July: 2783.34, a fen above → 2783.33, excess 0.01. August: 2000.00 + round2(391.665) = 2391.67.
      expect(h.monthly.map((m) => [m.quota, m.cost, m.paidCost, m.surplusPaid, m.excess, m.payment])).toEqual([
        ['2783.33', '2500.00', '2500.00', '141.67', '0.00', '2641.67'],
        ['2783.33', '2783.33', '2783.33', '0.00', '0.00', '2783.33'],
        ['2783.33', '3000.00', '2783.33', '0.00', '216.67', '2783.33'],
        ['2783.33', '2600.00', '2600.00', '91.67', '0.00', '2691.67'],
        ['2783.33', '2700.00', '2700.00', '41.67', '0.00', '2741.67'],
        ['2783.33', '2800.00', '2783.33', '0.00', '16.67', '2783.33'],
        ['2783.33', '2783.34', '2783.33', '0.00', '0.01', '2783.33'],
        ['2783.33', '2000.00', '2000.00', '391.67', '0.00', '2391.67'],
        ['2783.33', '2500.00', '2500.00', '141.67', '0.00', '2641.67'],
        ['2783.33', '2600.00', '2600.00', '91.67', '0.00', '2691.67'],
        ['2783.33', '2700.00', '2700.00', '41.67', '0.00', '2741.67'],
        ['2783.37', '2783.37', '2783.37', '0.00', '0.00', '2783.37'],
      ]);
      // S = Σ C = 31750.04 < Q: no compensation (P15's 400.00 over the cap is not taken).
      // Paid: Σ paidCost 31516.69 + M 941.69 = 32458.38. U = 33400.00 − 31750.04 = 1649.96;
      // retained = 941.69 + round2((1649.96 − 941.69) × 0.9 = 637.443) = 941.69 + 637.44 = 1579.13;
      // the fund keeps 70.83. P = 31750.04 + 1579.13 = 33329.17; balance 33329.17 − 32458.38 = 870.79.
      expect(h.compensation).toMatchObject({ applies: false, candidates: 1, limit: 0, compensated: 0, amount: '0.00' });
      expect(h).toMatchObject({ spending: '31750.04', allowance: '33400.00', paidDuringYear: '32458.38', surplusPaidDuringYear: '941.69' });
      expect(h.yearEnd).toEqual({
        surplus: '1649.96',
        overspend: '0.00',
        score: '0.9',
        scoreRecorded: true,
        retainedHalves: '941.69',
        retainedByScore: '637.44',
        retained: '1579.13',
        fundKeeps: '70.83',
        coveredSpending: '31750.04',
      });
      expect(h).toMatchObject({ payment: '33329.17', balance: '870.79' });
      // Per person: 2600 × 5 / 12 = 1083.333… → 1083.33; 3100.07 × 7 / 12 = 1808.374166… → 1808.37 (display).
      expect(person(o, 'TJ2019P10')).toMatchObject({ months: 5, clampedBase: '2600.00', contribution: '1083.33' });
      expect(person(o, 'TJ2019P13')).toMatchObject({ months: 7, base: '3100.07', contribution: '1808.37' });
      expect(person(o, 'TJ2019P15')).toMatchObject({ actualCost: '4000.00', excessOverCap: '400.00', compensated: false });
      // A new patient without history: no base, not clamped; 3650.25 × 7 / 12 = 2129.3125 → 2129.31.
      expect(person(o, 'TJ2022N02')).toEqual({
        base: null,
        baseSource: null,
        newPatient: true,
        dropped: false,
        clampedBase: null,
        months: 7,
        contribution: '2129.31',
        actualCost: '2150.00',
        excessOverCap: '0.00',
        compensated: false,
      });
      expect(person(o, 'TJ2022N01')).toMatchObject({ contribution: '3650.25' });
    });

    it('settles an institution with one patient: H120105001', () => {
      // R = Q_base = 3600.00 (bounds 2880.00, 4320.00); 300.00 a month against 300.00: no surplus.
      const h = inst(o, 'H120105001');
      expect(h).toMatchObject({ baseTotal: '3600', lowerBound: '2880.00', upperBound: '4320.00', quota: '3600.00', spending: '3600.00' });
      expect(h.patients.total).toBe(1);
      expect(h.yearEnd).toMatchObject({ surplus: '0.00', overspend: '0.00', score: '0.5', retained: '0.00' });
      expect(h).toMatchObject({ payment: '3600.00', paidDuringYear: '3600.00', balance: '0.00' });
    });

    it('adds up the region, and shows each row to its institution and members', () => {
      expect(region(o).totals).toEqual({
        quotaBeforeVbp: '77106.98',
        vbpAdjustment: '66.98',
        quota: '77040.00',
        compensation: '0.00',
        allowance: '77040.00',
        spending: '40150.04',
        paidDuringYear: '58298.44',
        surplusPaidDuringYear: '18741.75',
        surplus: '37249.96',
        overspend: '360.00',
        retained: '37179.13',
        fundKeeps: '70.83',
        payment: '76969.17',
        balance: '18670.73',
      });
      expect(o.providers.map((p) => [p.provider, p.visibleTo])).toEqual([
        ['H120101001', ['H120101001']],
        ['H120103001', ['H120103001']],
        ['H120104001', ['H120104001', 'H120104002', 'H120104003']],
        ['H120105001', ['H120105001']],
      ]);
      // Persons grouped by provider in provider order; within one, the patients table's order.
      expect(personRows(o.persons!).map((p) => `${p.provider}:${p.person}`)).toEqual([
        'H120101001:TJ2019P01',
        'H120101001:TJ2019P02',
        'H120101001:TJ2019P03',
        'H120103001:TJ2019P17',
        'H120103001:TJ2019P18',
        'H120103001:TJ2019P19',
        'H120103001:TJ2019P20',
        ...['04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15'].map((k) => `H120104001:TJ2019P${k}`),
        'H120104001:TJ2022N01',
        'H120104001:TJ2022N02',
        'H120105001:TJ2019P16',
      ]);
    });

    it('gives the same figures on a re-run', () => {
      expect(run(exampleInputs())).toEqual(o);
    });
  });

  describe('percentiles', () => {
    const cityOf = (bases: string[]) => {
      const ids = bases.map((_, k) => `P${String(k + 1).padStart(2, '0')}`);
      return run({
        institutions: institutionsOf('H1'),
        patients: table(
          'patients',
          bases.map((b, k) => pt(ids[k], 'H1', b)),
        ),
        monthlyCosts: table('monthlyCosts', costs('H1', ['0.00'])),
      });
    };

    it('one patient: floor = cap = their base', () => {
      // n = 1, d = floor(0.05) = 0, ranks ceil(0.2) = 1 and ceil(0.8) = 1.
      const o = cityOf(['2345.67']);
      expect(region(o).percentiles).toMatchObject({
        withBase: 1,
        dropped: 0,
        kept: 1,
        floorRank: 1,
        floor: '2345.67',
        capRank: 1,
        cap: '2345.67',
      });
      expect(inst(o, 'H1')).toMatchObject({ baseTotal: '2345.67', quota: '2345.67' });
    });

    it('two patients: the lower and the higher', () => {
      // d = 0; ranks ceil(0.4) = 1 and ceil(1.6) = 2.
      const o = cityOf(['3000.00', '1000.00']);
      expect(region(o).percentiles).toMatchObject({ dropped: 0, kept: 2, floorRank: 1, floor: '1000.00', capRank: 2, cap: '3000.00' });
    });

    it('nineteen patients: nothing dropped (floor(0.95) = 0)', () => {
      // 100, 200, …, 1900; ranks ceil(3.8) = 4 → 400.00, ceil(15.2) = 16 → 1600.00.
      const o = cityOf(Array.from({ length: 19 }, (_, k) => `${(k + 1) * 100}.00`));
      expect(region(o).percentiles).toMatchObject({ dropped: 0, kept: 19, floorRank: 4, floor: '400.00', capRank: 16, cap: '1600.00' });
    });

    it('twenty patients: the highest dropped, ranks 4 and 16 of the 19 left', () => {
      // 100, 200, …, 2000 (given in reverse): 2000 dropped; ranks 4 → 400.00 and 16 → 1600.00.
      const o = cityOf(Array.from({ length: 20 }, (_, k) => `${(20 - k) * 100}.00`));
      expect(region(o).percentiles).toMatchObject({ dropped: 1, kept: 19, floorRank: 4, floor: '400.00', capRank: 16, cap: '1600.00' });
      expect(person(o, 'P01')).toMatchObject({ base: '2000.00', dropped: true, clampedBase: '1600.00' });
      expect(personRows(o.persons!).filter((p) => (p.figures as unknown as DiabetesPersonFigures).dropped)).toHaveLength(1);
    });

    it('ties: a percentile falling among equal bases is that value; the dropped one is the smallest id', () => {
      // 100 × 3, 200 × 14, 300 × 3 (n = 20): d = 1, one of the 300s; m = 19: ranks 1–3 are 100,
      // 4–17 are 200, 18–19 are 300. Floor (rank 4) = 200, cap (rank 16) = 200: every base clamps
      // to 200. Of the three 300s (P18, P19, P20) the dropped flag goes to P18.
      const bases = [...Array(3).fill('100.00'), ...Array(14).fill('200.00'), ...Array(3).fill('300.00')] as string[];
      const o = cityOf(bases);
      expect(region(o).percentiles).toMatchObject({ dropped: 1, floorRank: 4, floor: '200.00', capRank: 16, cap: '200.00' });
      expect(['P18', 'P19', 'P20'].map((id) => person(o, id).dropped)).toEqual([true, false, false]);
      expect(person(o, 'P01').clampedBase).toBe('200.00');
      // R = 3 × 100 + 14 × 200 + 3 × 300 = 4000; Q_base = 20 × 200 = 4000: Q = 4000.00.
      expect(inst(o, 'H1')).toMatchObject({ baseTotal: '4000', clampedTotal: '4000', quota: '4000.00' });
    });

    it('every patient new: no floor and no cap; the quota is the new-patient amounts', () => {
      // 3650.25 × (12 + 6) / 12 = 5475.375 → 5475.38.
      const o = run({
        institutions: institutionsOf('H1'),
        patients: table('patients', [
          pt('N1', 'H1', '', { isNew: true }),
          pt('N2', 'H1', '', { isNew: true, months: 6, actual: '99999.00' }),
        ]),
        monthlyCosts: table('monthlyCosts', costs('H1', ['6000.00'])),
      });
      expect(region(o).percentiles).toMatchObject({ withBase: 0, dropped: 0, kept: 0, floorRank: null, floor: null, cap: null });
      // S = 6000.00 > Q, but without a cap there is no candidate.
      expect(inst(o, 'H1')).toMatchObject({
        baseTotal: '0',
        lowerBound: '0.00',
        upperBound: '0.00',
        quota: '5475.38',
        allowance: '5475.38',
      });
      expect(inst(o, 'H1').compensation).toMatchObject({ applies: true, candidates: 0, amount: '0.00' });
    });
  });

  it('rounds a pilot base half-up on an exact half fen, and reads long ratios exactly', () => {
    // A: 0.02 / (1 − 0.2) = 0.025 → 0.03 (half-up). B: 100.00 / (1 − 0.3333333) =
    // 1,000,000,000 / 6,666,667 yuan = 149.9999925… → 150.00. C: 0.01 / 0.7 × 2 = 0.028571… → 0.03
    // (each month rounded first would give 0.02).
    const o = run({
      institutions: institutionsOf('H1'),
      patients: table('patients', [pt('A', 'H1', ''), pt('B', 'H1', ''), pt('C', 'H1', '')]),
      pilotMonths: table('pilotMonths', [
        { person: 'A', month: '1', cost: '0.02', surplusRatio: '0.2' },
        { person: 'B', month: '1', cost: '100.00', surplusRatio: '0.3333333' },
        { person: 'C', month: '1', cost: '0.01', surplusRatio: '0.3' },
        { person: 'C', month: '2', cost: '0.01', surplusRatio: '0.30' },
      ]),
      monthlyCosts: table('monthlyCosts', costs('H1', ['0.00'])),
    });
    expect(['A', 'B', 'C'].map((id) => person(o, id).base)).toEqual(['0.03', '150.00', '0.03']);
    expect(person(o, 'B').baseSource).toBe('pilot');
  });

  it('adds months of different ratios as one fraction, a blank ratio counting 0', () => {
    // D: 10.00 / (1 − 0.9) + 20.00 / (1 − 0.5) + 30.00 (blank) + 1.00 / (1 − 0.75) = 100 + 40 + 30 + 4 = 174.00.
    // E: 0.01 / (1 − 0.9) + 0.01 / (1 − 0.6) = 0.1 + 0.025 = 0.125 → 0.13 (half-up, once).
    const o = run({
      institutions: institutionsOf('H1'),
      patients: table('patients', [pt('D', 'H1', ''), pt('E', 'H1', '')]),
      pilotMonths: table('pilotMonths', [
        { person: 'D', month: '1', cost: '10.00', surplusRatio: '0.9' },
        { person: 'D', month: '2', cost: '20.00', surplusRatio: '0.5' },
        { person: 'D', month: '3', cost: '30.00', surplusRatio: '' },
        { person: 'D', month: '4', cost: '1.00', surplusRatio: '0.75' },
        { person: 'E', month: '1', cost: '0.01', surplusRatio: '0.9' },
        { person: 'E', month: '2', cost: '0.01', surplusRatio: '0.6' },
      ]),
      monthlyCosts: table('monthlyCosts', costs('H1', ['0.00'])),
    });
    expect(['D', 'E'].map((id) => person(o, id).base)).toEqual(['174.00', '0.13']);
  });

  describe('the special compensation', () => {
    /**
     * Every base 1000.00 (12 months): floor = cap = 1000.00. Institution X has 20 patients:
     * Q = 20000.00, at most floor(5 % × 20) = 1 compensated; Y has 40: Q = 40000.00, at most 2.
     */
    function inputs(sx: string, sy: string, yActuals: [string, string][] = []) {
      const rows = [
        ...Array.from({ length: 20 }, (_, k) => pt(`X${String(k + 1).padStart(2, '0')}`, 'X', '1000.00', { actual: '900.00' })),
        ...Array.from({ length: 40 }, (_, k) => pt(`Y${String(k + 1).padStart(2, '0')}`, 'Y', '1000.00')),
      ];
      rows[0].actualCost = '1500.00'; // X01: 500.00 over the cap
      rows[1].actualCost = '1300.00'; // X02: 300.00
      for (const [id, a] of yActuals) rows.find((r) => r.person === id)!.actualCost = a;
      return {
        institutions: institutionsOf('X', 'Y'),
        patients: table('patients', rows),
        // Everything in December.
        monthlyCosts: table('monthlyCosts', [
          { institutionCode: 'X', month: '12', cost: sx },
          { institutionCode: 'Y', month: '12', cost: sy },
        ]),
      };
    }

    it('takes at most 5 % of the patients, largest excesses first (20 → 1, 40 → 2), ties by patient id, K capped by S − Q', () => {
      // X: S = 20800.00, S − Q = 800.00; candidates X01 (500.00), X02 (300.00); limit 1: X01.
      //    K = min(500.00, 800.00) = 500.00; A = 20500.00; O = 300.00, the institution's.
      // Y: three patients 400.00 over the cap, Y30, Y07, Y12 (an exact tie) and Y40 150.00 over;
      //    limit 2: Y07 and Y12 (ids in code order). Σ = 800.00; S = 40500.00, S − Q = 500.00:
      //    K = min(800.00, 500.00) = 500.00; A = 40500.00 = S.
      const o = run(
        inputs('20800.00', '40500.00', [
          ['Y30', '1400.00'],
          ['Y12', '1400.00'],
          ['Y40', '1150.00'],
          ['Y07', '1400.00'],
        ]),
      );
      expect(region(o).percentiles).toMatchObject({ withBase: 60, dropped: 3, floor: '1000.00', cap: '1000.00' });
      const x = inst(o, 'X');
      expect(x.compensation).toEqual({
        applies: true,
        overspendAgainstQuota: '800.00',
        candidates: 2,
        limit: 1,
        compensated: 1,
        excessTotal: '500.00',
        amount: '500.00',
      });
      expect(x).toMatchObject({ quota: '20000.00', allowance: '20500.00' });
      expect(person(o, 'X01')).toMatchObject({ excessOverCap: '500.00', compensated: true });
      expect(person(o, 'X02')).toMatchObject({ excessOverCap: '300.00', compensated: false });
      // X's months: quota round2(20000 / 12) = 1666.67, December 1666.63; January–November cost
      // nothing: round2(833.335) = 833.34 each, 9166.74 in all; December 20800.00 above its quota
      // pays 1666.63. Paid 10833.37. Year end: U = 0, O = 300.00; P = min(20800, 20500) = 20500.00;
      // balance 20500.00 − 10833.37 = 9666.63.
      expect(x).toMatchObject({ paidDuringYear: '10833.37', surplusPaidDuringYear: '9166.74', payment: '20500.00', balance: '9666.63' });
      expect(x.yearEnd).toMatchObject({ surplus: '0.00', overspend: '300.00', retainedHalves: '0.00', retained: '0.00' });

      const y = inst(o, 'Y');
      expect(y.compensation).toEqual({
        applies: true,
        overspendAgainstQuota: '500.00',
        candidates: 4,
        limit: 2,
        compensated: 2,
        excessTotal: '800.00',
        amount: '500.00',
      });
      expect(['Y07', 'Y12', 'Y30', 'Y40'].map((id) => person(o, id).compensated)).toEqual([true, true, false, false]);
      expect(y).toMatchObject({ quota: '40000.00', allowance: '40500.00' });
      expect(y.yearEnd).toMatchObject({ surplus: '0.00', overspend: '0.00' });
      // 40000 / 12 = 3333.33, December 3333.37; eleven halves round2(1666.665) = 1666.67 → 18333.37
      // and December pays its quota 3333.37: paid 21666.74; P = 40500.00; balance 18833.26.
      expect(y).toMatchObject({ paidDuringYear: '21666.74', payment: '40500.00', balance: '18833.26' });
    });

    it('applies only when S_h > Q_h, and not at all when the policy says so', () => {
      // X: S = Q = 20000.00: no compensation though X01 is over the cap.
      const o = run(inputs('20000.00', '40000.00'));
      expect(inst(o, 'X').compensation).toMatchObject({ applies: false, candidates: 2, limit: 1, compensated: 0, amount: '0.00' });
      expect(person(o, 'X01').compensated).toBe(false);
      const off = run(inputs('20800.00', '40000.00'), withPolicy({ specialCompensation: { enabled: false, maxPatientShare: '0.05' } }));
      expect(inst(off, 'X')).toMatchObject({ allowance: '20000.00' });
      expect(inst(off, 'X').compensation).toMatchObject({ applies: false, amount: '0.00' });
      expect(inst(off, 'X').yearEnd.overspend).toBe('800.00');
    });
  });

  describe('input problems', () => {
    it('refuses inputs that do not fit together, never quoting a person', () => {
      const inputs: SchemeInputs = {
        institutions: table('institutions', [{ institutionCode: 'H1', name: 'one', vbpAdjustment: '5000.00' }]),
        patients: table('patients', [
          pt('SECRET01', 'H1', '1000.00'),
          pt('SECRET02', 'H9', '1000.00'),
          pt('SECRET03', 'H1', ''),
          pt('SECRET04', 'H1', '1000.00', { months: 13 }),
          pt('SECRET05', 'H1', '1000.00'),
        ]),
        pilotMonths: table('pilotMonths', [
          { person: 'SECRET99', month: '1', cost: '1.00', surplusRatio: '0' },
          { person: 'SECRET05', month: '1', cost: '1.00', surplusRatio: '0' },
          { person: 'SECRET03', month: '1', cost: '1.00', surplusRatio: '1' },
        ]),
        monthlyCosts: table('monthlyCosts', costs('H8', ['1.00'])),
      };
      try {
        run(inputs);
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(DipError);
        const problems = (e as DipError).problems as { row?: number; field: string; reason: string }[];
        expect(problems.map((p) => [p.field, p.row ?? null])).toEqual([
          ['monthlyCosts.institutionCode', 1],
          ['pilotMonths.surplusRatio', 3],
          ['patients.institutionCode', 2],
          ['patients.months', 4],
          ['pilotMonths.person', 2], // SECRET05 has a baseCost too
          ['pilotMonths.person', 1], // SECRET99 is not a patient
          ['patients.baseCost', 3], // SECRET03's only pilot month was refused: no base
        ]);
        expect(JSON.stringify(e)).not.toContain('SECRET');
        expect((e as DipError).message).not.toContain('SECRET');
      }
    });

    it('refuses a procurement adjustment above the quota, and a run without a required table', () => {
      const o = {
        institutions: table('institutions', [{ institutionCode: 'H1', name: 'one', vbpAdjustment: '1000.01' }]),
        patients: table('patients', [pt('P1', 'H1', '1000.00')]),
        monthlyCosts: table('monthlyCosts', costs('H1', ['1.00'])),
      };
      expect(() => run(o)).toThrow(DipError);
      try {
        run(o);
      } catch (e) {
        expect((e as DipError).problems).toEqual([
          { field: 'institutions.vbpAdjustment', reason: 'institution "H1": the adjustment 1000.01 exceeds the quota 1000.00' },
        ]);
      }
      expect(() => run({ institutions: o.institutions, patients: o.patients })).toThrow(/needs the monthlyCosts table/);
    });
  });

  describe('the demo generator', () => {
    it('gives inputs that pass readTable and the run, the same on every call', () => {
      const a = generateDiabetesCapitationDemo({ seed: 7, region: '120000', year: 2023, persons: 600 });
      const b = generateDiabetesCapitationDemo({ seed: 7, region: '120000', year: 2023, persons: 600 });
      expect(a).toEqual(b);
      expect(generateDiabetesCapitationDemo({ seed: 8, region: '120000', year: 2023, persons: 600 }).tables.patients).not.toBe(
        a.tables.patients,
      );
      for (const [name, csv] of Object.entries(a.tables)) {
        const header = csv.slice(0, csv.indexOf('\n')).split(',');
        expect(header).toEqual(tableSpec(diabetesCapitationScheme.tables, name).columns.map((c) => c.name));
      }
      const inputs = Object.fromEntries(Object.entries(a.tables).map(([name, csv]) => [name, csvTable(name, csv)]));
      const p = diabetesCapitationScheme.parsePolicy(a.policy);
      const o = diabetesCapitationScheme.run(p, inputs, 2023);
      expect(o.persons!.person).toHaveLength(600);
      expect(o.providers.length).toBeGreaterThanOrEqual(3);
      const r = region(o);
      expect(r.percentiles.dropped).toBe(Math.floor((r.percentiles.withBase * 5) / 100));
      expect(r.newPatients).toBeGreaterThan(0);
      const fs = o.providers.map((x) => x.figures as unknown as InstitutionFigures);
      expect(fs.some((f) => f.yearEnd.overspend !== '0.00')).toBe(true);
      expect(fs.some((f) => f.yearEnd.surplus !== '0.00')).toBe(true);
      expect(fs.some((f) => f.patients.pilot > 0)).toBe(true);
      // S = Σ the patients' actual costs, as generated.
      for (const f of fs) expect(f.spending).toBe(f.patientActualTotal);
      expect(JSON.stringify(diabetesCapitationScheme.run(p, inputs, 2023))).toBe(JSON.stringify(o));
    });

    it('gives a runnable year for the smallest sizes too', () => {
      for (const persons of [1, 2, 5, 21]) {
        const g = generateDiabetesCapitationDemo({ seed: persons, region: '120000', year: 2019, persons });
        const inputs = Object.fromEntries(Object.entries(g.tables).map(([name, csv]) => [name, csvTable(name, csv)]));
        const o = diabetesCapitationScheme.run(diabetesCapitationScheme.parsePolicy(g.policy), inputs, 2019);
        expect(o.persons!.person).toHaveLength(persons);
        expect(g.policy.baseYear).toBe(2018);
      }
    });
  });
});
