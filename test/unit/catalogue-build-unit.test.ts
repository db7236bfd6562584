import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CASE_FIELDS, CaseField } from '../../src/domain/case-record';
import { combinationOf, procedureTyper } from '../../src/domain/codes';
import { CatalogueBuilder, CatalogueError, HistoryCase } from '../../src/domain/catalogue/build';
import { caseKeyOf } from '../../src/domain/catalogue/case-key';
import { Catalogue, CatalogueGroup } from '../../src/domain/catalogue/catalogue';
import { nearestRank } from '../../src/domain/catalogue/packed-costs';
import { scaledOrNull } from '../../src/domain/money';

const yuanTextToFen = (text: string) => scaledOrNull(text, 2);
import { catalogueHash, catalogueToJson, parseCatalogueJson } from '../../src/domain/catalogue/exchange';
import { IcdRanges, parseRangeTable } from '../../src/domain/catalogue/ranges';
import { SeverityLists } from '../../src/domain/catalogue/severity';
import { parsePolicy, Policy } from '../../src/domain/policy';
import { generateCases, generateHospitals, syntheticCodeUniverse } from '../../src/synth';

/*
 * Spec §4, steps 1–8 and 10. Every expected figure is worked out by hand in the comment next
 * to it (exact fractions, then the stored rounding), never copied from the builder's output.
 * The settlement year is 2024, so the window is 2021, 2022, 2023 with weights 1 : 2 : 7.
 */

const POLICY_FILE = path.resolve(__dirname, '../../catalogs/policies/370300-2024.json');
const BASE_POLICY = JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as Record<string, unknown>;

type CatalogOverrides = Partial<Record<keyof Policy['catalog'], unknown>>;
function policyWith(catalog: CatalogOverrides = {}, groups?: unknown): Policy {
  const doc = JSON.parse(JSON.stringify(BASE_POLICY)) as { catalog: Record<string, unknown>; groups?: unknown };
  Object.assign(doc.catalog, catalog);
  if (groups !== undefined) doc.groups = groups;
  return parsePolicy(doc);
}

/** Small hand-made ranges: three chapters (none for A), two blocks of chapter K. */
const RANGES: IcdRanges = {
  chapters: [
    { lower: 'H00', upper: 'H59' },
    { lower: 'J00', upper: 'J99' },
    { lower: 'K00', upper: 'K93' },
  ],
  blocks: [
    { lower: 'K20', upper: 'K31' },
    { lower: 'K80', upper: 'K87' },
  ],
};
const SEVERITY: SeverityLists = { severe: new Set(['E11.900']), moderate: new Set(['I10.x00']) };
/** The fallback rule: 00–86 surgery, 87–92 diagnostic, 93–99 therapeutic. */
const typeOf = procedureTyper(new Map());

const SEVERE = { losDays: 5, secondaryDiagnoses: ['E11.900'] }; // class 3
const MODERATE = { losDays: 5, secondaryDiagnoses: ['I10.x00'] }; // class 2
const DIED = { dischargeMode: '5' }; // class 4

/** One case of `year` with combination key `key` (`K80.1|51.2300`, `J18.9|`). */
function hc(year: number, key: string, cost: string, extra: Partial<HistoryCase> = {}): HistoryCase {
  const [sub, procs] = key.split('|');
  return {
    year,
    principalDiagnosis: `${sub}00`,
    principalProcedure: procs === '' ? null : procs,
    otherProcedures: [],
    secondaryDiagnoses: [],
    losDays: 2,
    dischargeMode: '1',
    totalCost: cost,
    ...extra,
  };
}
const many = (n: number, year: number, key: string, cost: string, extra: Partial<HistoryCase> = {}): HistoryCase[] =>
  Array.from({ length: n }, () => hc(year, key, cost, extra));
/** 15 a year in 2021, 2022, 2023 (45 cases: exactly core at the default threshold). */
const core45 = (key: string, cost: string): HistoryCase[] => [2021, 2022, 2023].flatMap((y) => many(15, y, key, cost));
/** `n` cases of `year` with costs from, from + step, …, as yuan with two decimals. */
const ladder = (n: number, year: number, key: string, from: number, step: number, extra: Partial<HistoryCase> = {}): HistoryCase[] =>
  Array.from({ length: n }, (_, i) => hc(year, key, `${from + i * step}.00`, extra));

function builder(catalog: CatalogOverrides = {}, opts: { groups?: unknown; ranges?: IcdRanges; year?: number } = {}): CatalogueBuilder {
  return new CatalogueBuilder({
    region: '370300',
    year: opts.year ?? 2024,
    policy: policyWith(catalog, opts.groups),
    ranges: opts.ranges ?? RANGES,
    severity: SEVERITY,
    typeOf,
  });
}
function build(
  cases: readonly HistoryCase[],
  catalog: CatalogOverrides = {},
  opts: { groups?: unknown; ranges?: IcdRanges } = {},
): Omit<Catalogue, 'pvBudget'> {
  const b = builder(catalog, opts);
  for (const c of cases) b.add(c);
  return b.finish();
}
function group(c: Omit<Catalogue, 'pvBudget'>, key: string): CatalogueGroup {
  const g = c.groups.find((x) => x.key === key);
  if (!g) throw new Error(`no group ${key}; groups: ${c.groups.map((x) => x.key).join(', ')}`);
  return g;
}
const keys = (c: Omit<Catalogue, 'pvBudget'>) => c.groups.map((g) => g.key);

describe('core groups (spec §4.2)', () => {
  it('45 cases over three years (15 a year) are core, 44 (14.67) and 42 (14) are not', () => {
    const c = build(
      [
        ...core45('K80.1|51.2300', '1000.00'),
        ...[2021, 2022].flatMap((y) => many(15, y, 'K80.0|51.2300', '1000.00')),
        ...many(14, 2023, 'K80.0|51.2300', '1000.00'), // 15 + 15 + 14 = 44
        ...[2021, 2022, 2023].flatMap((y) => many(14, y, 'K81.0|51.2200', '1000.00')), // 42
      ],
      { compositeMinCases: 0 }, // no merging: the non-core cases stay in their category's composite group
    );
    expect(group(c, 'K80.1|51.2300')).toMatchObject({
      kind: 'core',
      cases: 45,
      code: 'K80.1-51.2300',
      category: 'K80',
      treatmentType: 'surgery',
      procedures: ['51.2300'],
    });
    expect(keys(c)).not.toContain('K80.0|51.2300');
    expect(keys(c)).not.toContain('K81.0|51.2200');
    expect(group(c, 'K80~surgery')).toMatchObject({ kind: 'composite', cases: 44, category: 'K80', procedures: [], code: 'Z-K80-S' });
    expect(group(c, 'K81~surgery')).toMatchObject({ kind: 'composite', cases: 42, category: 'K81' });
  });

  it('divides by the years with data: with 2022 empty, 30 cases are 15 a year (core) and 29 are 14.5 (not)', () => {
    const c = build(
      [
        ...many(15, 2021, 'K80.1|51.2300', '1000.00'),
        ...many(15, 2023, 'K80.1|51.2300', '1000.00'),
        ...many(15, 2021, 'K80.0|51.2300', '1000.00'),
        ...many(14, 2023, 'K80.0|51.2300', '1000.00'),
      ],
      { compositeMinCases: 0 },
    );
    expect(c.window).toEqual([2021, 2023]);
    expect(group(c, 'K80.1|51.2300').kind).toBe('core');
    expect(keys(c)).not.toContain('K80.0|51.2300');
    expect(group(c, 'K80~surgery').cases).toBe(29);
  });

  it('compares a decimal threshold exactly: 14.5 a year over three years needs 43.5, so 44 is core and 43 is not', () => {
    const c = build(
      [...ladder(44, 2021, 'K80.1|51.2300', 1000, 0), ...ladder(43, 2022, 'K80.0|51.2300', 1000, 0), ...many(1, 2023, 'J18.9|', '500.00')],
      { coreThreshold: '14.5', compositeMinCases: 0 },
    );
    expect(group(c, 'K80.1|51.2300').kind).toBe('core');
    expect(keys(c)).not.toContain('K80.0|51.2300');
  });

  it('counts a diagnostic case without key procedures toward the conservative key, never a therapeutic one without key procedures', () => {
    const therapeuticOnly = { otherProcedures: ['93.0100'] }; // 93.xx is therapeutic: no key procedure, no combination key
    const diagnosticOnly = { otherProcedures: ['87.4400'] }; // 87.xx is diagnostic: key K80.1|
    const c = build([
      ...[2021, 2022, 2023].flatMap((y) => many(14, y, 'K80.1|', '800.00')), // 42 conservative
      ...many(3, 2023, 'K80.1|', '800.00', diagnosticOnly), // + 3 diagnostic = 45: core
      ...[2021, 2022, 2023].flatMap((y) => many(20, y, 'K80.1|', '900.00', therapeuticOnly)), // 60 therapeutic, no key
    ]);
    expect(group(c, 'K80.1|')).toMatchObject({
      kind: 'core',
      cases: 45,
      code: 'K80.1-CONS',
      treatmentType: 'conservative',
      procedures: [],
    });
    // 60 cases ≥ 15 × 3: the category group stands on its own.
    expect(group(c, 'K80~therapeutic')).toMatchObject({ kind: 'composite', cases: 60, category: 'K80', avgCost: '900.00' });
    // And the no-key cases never make a core group even when they are many.
    expect(c.groups.filter((g) => g.kind === 'core').map((g) => g.key)).toEqual(['K80.1|']);
  });
});

describe('year weights (spec §4.1, §4.5) and the allCases reference (§4.6, §4.7)', () => {
  it('drops a year without data and divides by the weights present (2022 missing: 1 and 7, over 8)', () => {
    const c = build([
      ...many(15, 2021, 'K80.1|51.2300', '1000.00'),
      ...many(15, 2023, 'K80.1|51.2300', '2000.00'),
      ...many(15, 2021, 'J18.9|', '500.00'),
      ...many(15, 2023, 'J18.9|', '700.00'),
    ]);
    expect(c.window).toEqual([2021, 2023]);
    // m_K80 = (1 × 1000 + 7 × 2000) / 8 = 1875; m_J18 = (1 × 500 + 7 × 700) / 8 = 675.
    expect(group(c, 'K80.1|51.2300').avgCost).toBe('1875.00');
    expect(group(c, 'J18.9|').avgCost).toBe('675.00');
    // M: 2021 mean of all cases (15 × 1000 + 15 × 500) / 30 = 750; 2023 (15 × 2000 + 15 × 700) / 30 = 1350;
    // M = (750 + 7 × 1350) / 8 = 10200 / 8 = 1275.
    expect(c.reference).toEqual({ type: 'allCases', cost: '1275.00' });
    // score = m / M × 1000: 1875 / 1275 × 1000 = 1470.588235… → 1470.5882; 675 / 1275 × 1000 = 529.411764… → 529.4118.
    expect(group(c, 'K80.1|51.2300').score).toBe('1470.5882');
    expect(group(c, 'J18.9|').score).toBe('529.4118');
    // costPerPoint = M / 1000 = 1.275 → 1.275000.
    expect(c.costPerPoint).toBe('1.275000');
  });

  it('weights a group over its own years: a group without 2022 cases while the region has them uses 1 and 7', () => {
    const c = build([
      ...many(15, 2021, 'K80.1|51.2300', '1000.00'),
      ...many(30, 2023, 'K80.1|51.2300', '3000.00'),
      ...core45('J18.9|', '600.00'),
    ]);
    expect(c.window).toEqual([2021, 2022, 2023]);
    // (1 × 1000 + 7 × 3000) / 8 = 22000 / 8 = 2750 (not / 10).
    expect(group(c, 'K80.1|51.2300').avgCost).toBe('2750.00');
  });

  it('takes M from the kept cases of every group, year by year', () => {
    const c = build([
      ...ladder(40, 2023, 'K80.1|51.2300', 100, 100), // 100 … 4000: trimming drops 4000 (below)
      ...many(20, 2022, 'J18.9|', '300.00'),
      ...many(20, 2023, 'J18.9|', '300.00'),
    ]);
    // K80.1: 40 cases in the 2 years with data = 20 a year, core; kept 100 … 3900 (39 cases, sum 78000), mean 2000.
    expect(group(c, 'K80.1|51.2300').avgCost).toBe('2000.00');
    // 2022 mean 300; 2023 mean (78000 + 20 × 300) / (39 + 20) = 84000 / 59.
    // M = (2 × 300 + 7 × 84000/59) / 9 = (35400/59 + 588000/59) / 9 = 623400 / 531 = 1174.011299… → 1174.01.
    expect(c.reference.cost).toBe('1174.01');
    // K80.1: 2000 / (623400/531) × 1000 = 1062000000 / 623400 = 1703.561116… → 1703.5611.
    expect(group(c, 'K80.1|51.2300').score).toBe('1703.5611');
    // J18.9: 300 / (623400/531) × 1000 = 159300000 / 623400 = 255.534167… → 255.5342.
    expect(group(c, 'J18.9|').score).toBe('255.5342');
    // costPerPoint = 1174.011299… / 1000 → 1.174011.
    expect(c.costPerPoint).toBe('1.174011');
  });
});

describe('trimming at nearest-rank percentiles (spec §4.5)', () => {
  it('computes the rank ceil(p / 100 × n) exactly', () => {
    expect(nearestRank('2.5', 40)).toBe(1); // 0.025 × 40 = 1
    expect(nearestRank('97.5', 40)).toBe(39); // 0.975 × 40 = 39
    expect(nearestRank('2.5', 41)).toBe(2); // 1.025 → 2
    expect(nearestRank('97.5', 41)).toBe(40); // 39.975 → 40
    expect(nearestRank('7', 100)).toBe(7); // in binary floating point 7 / 100 × 100 = 7.000000000000001 → 8
    expect(nearestRank('0', 10)).toBe(1);
    expect(nearestRank('100', 10)).toBe(10);
  });

  it('40 cases costing 100 … 4000 keep ranks 1 … 39: mean 2000, not 2050', () => {
    const c = build([...ladder(40, 2023, 'K80.1|51.2300', 100, 100), ...many(1, 2022, 'J18.9|', '1.00')]);
    // lower = rank ceil(0.025 × 40) = 1 → 100; upper = rank ceil(0.975 × 40) = 39 → 3900.
    // kept 100 … 3900: 100 × (1 + … + 39) / 39 = 100 × 780 / 39 = 2000.
    expect(group(c, 'K80.1|51.2300')).toMatchObject({ cases: 40, avgCost: '2000.00' });
  });

  it('keeps every case tied with a percentile value', () => {
    // 41 costs: 500 × 3, 1000 … 4500 (36 values), 9000 × 2. Ranks 2 and 40 (see above) → lower 500, upper 9000.
    // Kept: all 41 (ties at both ends are inside the band): (1500 + 36 × 2750 + 18000) / 41 = 118500 / 41 = 2890.2439… → 2890.24.
    const cases = [
      ...many(3, 2023, 'K80.1|51.2300', '500.00'),
      ...ladder(36, 2023, 'K80.1|51.2300', 1000, 100),
      ...many(2, 2023, 'K80.1|51.2300', '9000.00'),
      ...many(1, 2022, 'J18.9|', '1.00'),
    ];
    expect(group(build(cases), 'K80.1|51.2300').avgCost).toBe('2890.24');
  });

  it('trims only a year with at least trim.minCases cases (10th–90th percentile: 25 cases trimmed, 24 not)', () => {
    const trim = { method: 'percentile', lower: '10', upper: '90', minCases: 25 };
    // 25 cases 100 … 2500: ranks ceil(2.5) = 3 and ceil(22.5) = 23 → keep 300 … 2300, mean 1300.
    // (Two years with data: 25 and 24 cases are 12.5 and 12 a year, core at a threshold of 12.)
    const c25 = build([...ladder(25, 2023, 'K80.1|51.2300', 100, 100), ...many(1, 2022, 'J18.9|', '1.00')], { trim, coreThreshold: 12 });
    expect(group(c25, 'K80.1|51.2300').avgCost).toBe('1300.00');
    // 24 cases 100 … 2400: untrimmed, mean 1250.
    const c24 = build([...ladder(24, 2023, 'K80.1|51.2300', 100, 100), ...many(1, 2022, 'J18.9|', '1.00')], { trim, coreThreshold: 12 });
    expect(group(c24, 'K80.1|51.2300').avgCost).toBe('1250.00');
    // A year of 24 with an outlier under the default band is not trimmed either: (23 × 1000 + 25000) / 24 = 2000.
    const outlier = build(
      [...many(23, 2023, 'K80.1|51.2300', '1000.00'), hc(2023, 'K80.1|51.2300', '25000.00'), ...many(1, 2022, 'J18.9|', '1.00')],
      { coreThreshold: 12 },
    );
    expect(group(outlier, 'K80.1|51.2300').avgCost).toBe('2000.00');
  });

  it("trim.method 'none' keeps every case", () => {
    const c = build([...ladder(40, 2023, 'K80.1|51.2300', 100, 100), ...many(1, 2022, 'J18.9|', '1.00')], {
      trim: { method: 'none', lower: '2.5', upper: '97.5', minCases: 25 },
    });
    // 100 × (1 + … + 40) / 40 = 100 × 820 / 40 = 2050.
    expect(group(c, 'K80.1|51.2300').avgCost).toBe('2050.00');
  });
});

describe('composite groups merged upward (spec §4.3)', () => {
  // 3 years with data, compositeMinCases 15: a composite group is small below 45 cases.
  const spread = (n: number, key: string, cost: string, extra: Partial<HistoryCase> = {}) =>
    Array.from({ length: n }, (_, i) => hc(2021 + (i % 3), key, cost, extra));
  const cases = [
    ...core45('K80.1|51.2300', '5000.00'), // a core group, untouched by merging
    ...spread(10, 'K80.0|51.2200', '1000.00'), // K80 surgery: 10, small → block K80-K87
    ...spread(10, 'K81.0|51.2200', '2000.00'), // K81 surgery: 10, small → block K80-K87 (20, still small → chapter)
    ...spread(30, 'K25.0|43.5000', '3000.00'), // K25 surgery: 30, small → block K20-K31 (30, still small → chapter)
    ...spread(5, 'J18.0|32.2000', '4000.00'), // J18 surgery: 5, no block → chapter J00-J99 (5, small → *)
    ...spread(3, 'A01.0|45.0000', '6000.00'), // A01 surgery: no block, no chapter → *
    ...spread(40, 'K35.8|', '700.00'), // K35 conservative: two keys of 40 (not core) …
    ...spread(40, 'K35.9|', '900.00'), // … make one category group of 80: stays
    ...spread(25, 'K82.0|87.5400', '1500.00'), // K82 diagnostic 25 and K83 diagnostic 25: small categories,
    ...spread(25, 'K83.0|87.5400', '2500.00'), // one block group of 50: stays at the block
  ];

  it('merges category → block → chapter, and the rest into the region-wide group', () => {
    const c = build(cases);
    expect(keys(c)).toEqual(['*~surgery', 'K00-K93~surgery', 'K35~conservative', 'K80-K87~diagnostic', 'K80.1|51.2300']);
    // K80 + K81 = 20 < 45 at block K80-K87, K25 = 30 < 45 at block K20-K31; at chapter K00-K93: 10 + 10 + 30 = 50 ≥ 45.
    expect(group(c, 'K00-K93~surgery')).toMatchObject({
      kind: 'composite',
      category: null,
      treatmentType: 'surgery',
      procedures: [],
      cases: 50,
      code: 'Z-K00-K93-S',
    });
    expect(group(c, '*~surgery')).toMatchObject({ kind: 'composite', category: null, cases: 8, code: 'Z-ALL-S' });
    expect(group(c, 'K35~conservative')).toMatchObject({ category: 'K35', cases: 80, code: 'Z-K35-C' });
    expect(group(c, 'K80-K87~diagnostic')).toMatchObject({ category: null, cases: 50, treatmentType: 'diagnostic', code: 'Z-K80-K87-D' });
    // The region-wide group exists only for a type something landed in.
    expect(keys(c)).not.toContain('*~conservative');
    expect(keys(c)).not.toContain('*~diagnostic');
  });

  it('averages a merged group over all its members: * holds 5 × 4000 and 3 × 6000', () => {
    const c = build(cases);
    // Per year (i % 3 spreads them): J18 cases 2021: 2, 2022: 2, 2023: 1; A01: one a year.
    // 2021: (2 × 4000 + 6000) / 3 = 14000/3; 2022: same; 2023: (4000 + 6000) / 2 = 5000.
    // m = (1 × 14000/3 + 2 × 14000/3 + 7 × 5000) / 10 = (14000 + 35000) / 10 = 4900.
    expect(group(c, '*~surgery').avgCost).toBe('4900.00');
  });

  it('skips a level with no range: without blocks the small categories go straight to their chapter', () => {
    const c = build(cases, {}, { ranges: { chapters: RANGES.chapters, blocks: [] } });
    expect(keys(c)).toEqual(['*~surgery', 'K00-K93~diagnostic', 'K00-K93~surgery', 'K35~conservative', 'K80.1|51.2300']);
    expect(group(c, 'K00-K93~diagnostic').cases).toBe(50);
    expect(group(c, 'K00-K93~surgery').cases).toBe(50);
  });

  it('keeps the region-wide group whatever its size and counts every window case once', () => {
    const c = build(cases, { compositeMinCases: 1000 });
    // Every composite case ends in *~<type>.
    expect(keys(c)).toEqual(['*~conservative', '*~diagnostic', '*~surgery', 'K80.1|51.2300']);
    expect(group(c, '*~surgery').cases).toBe(58);
    expect(c.groups.reduce((s, g) => s + g.cases, 0)).toBe(cases.length);
  });
});

describe('benchmark reference (spec §4.6, §4.7)', () => {
  const reference = { type: 'benchmark', key: 'K80.1|51.2300', score: '700' };
  it('fixes the benchmark score and scores the others relative to its average cost', () => {
    const c = build([...core45('K80.1|51.2300', '3000.00'), ...core45('J18.9|', '1111.11'), ...core45('K35.8|47.0900', '1000.00')], {
      reference,
    });
    expect(c.reference).toEqual({ type: 'benchmark', cost: '3000.00' });
    expect(group(c, 'K80.1|51.2300').score).toBe('700.0000');
    // 1111.11 / 3000 × 700 = 259.259 → 259.2590; 1000 / 3000 × 700 = 233.3333… → 233.3333.
    expect(group(c, 'J18.9|').score).toBe('259.2590');
    expect(group(c, 'K35.8|47.0900').score).toBe('233.3333');
    // costPerPoint = 3000 / 700 = 4.2857142857… → 4.285714.
    expect(c.costPerPoint).toBe('4.285714');
  });

  it('refuses a benchmark key that has no group, and one that is not core', () => {
    const cases = [...core45('J18.9|', '1111.11'), ...many(10, 2023, 'K80.1|51.2300', '3000.00')];
    expect(() => build(cases, { reference: { ...reference, key: 'K99.9|' } })).toThrow(CatalogueError);
    expect(() => build(cases, { reference: { ...reference, key: 'K99.9|' } })).toThrow(
      /benchmark group K99\.9\| .*has no case in 2021–2023/,
    );
    expect(() => build(cases, { reference })).toThrow(/benchmark group K80\.1\|51\.2300 .*is not a core group: it has 10 cases/);
  });
});

describe('severity auxiliary factors (spec §4.8)', () => {
  // One core group, 15 cases a year, no year reaches 25 cases: nothing is trimmed.
  // 2021: 2 severe (class 3) at 3000, 2 died (class 4) at 500, 11 plain at 1000 → 18000 / 15 = 1200
  // 2022: 4 moderate (class 2) at 5000, 2 died at 500, 9 plain at 1000 → 30000 / 15 = 2000
  // 2023: 3 severe at 4000, 1 died at 500, 11 plain at 1000 → 23500 / 15
  const KEY = 'I21.0|36.0600';
  const base = (moderate2022: number) => [
    ...many(2, 2021, KEY, '3000.00', SEVERE),
    ...many(2, 2021, KEY, '500.00', DIED),
    ...many(11, 2021, KEY, '1000.00'),
    ...many(moderate2022, 2022, KEY, '5000.00', MODERATE),
    ...many(2, 2022, KEY, '500.00', DIED),
    ...many(13 - moderate2022, 2022, KEY, '1000.00'),
    ...many(3, 2023, KEY, '4000.00', SEVERE),
    ...many(1, 2023, KEY, '500.00', DIED),
    ...many(11, 2023, KEY, '1000.00'),
  ];

  it('records a factor for a class with 5 kept cases, none for 4, none when ≤ 1', () => {
    const c = build(base(4));
    const g = group(c, KEY);
    // m = (1200 + 2 × 2000 + 7 × 23500/15) / 10 = (5200 + 164500/15) / 10 = 4850/3 = 1616.666… → 1616.67.
    expect(g.avgCost).toBe('1616.67');
    // class 3: 5 cases; mean over 2021 and 2023 = (1 × 3000 + 7 × 4000) / 8 = 3875; 3875 / (4850/3) = 2.396907… → 2.3969.
    // class 2: 4 cases (fewer than 5): no factor. class 4: 5 cases, 500 / 1616.67 = 0.3093 ≤ 1: not recorded.
    expect(g.auxiliary).toEqual({ '3': '2.3969' });
  });

  it('with a fifth moderate case class 2 gets its factor', () => {
    const g = group(build(base(5)), KEY);
    // 2022: 5 × 5000 + 2 × 500 + 8 × 1000 = 34000 → 34000/15; m = (1200 + 2 × 34000/15 + 7 × 23500/15) / 10 = (18000 + 68000 + 164500) / 150 = 1670.
    expect(g.avgCost).toBe('1670.00');
    // class 2: only 2022 → 5000 / 1670 = 2.994011… → 2.9940; class 3: 3875 / 1670 = 2.320359… → 2.3204.
    expect(g.auxiliary).toEqual({ '2': '2.9940', '3': '2.3204' });
  });

  it('counts kept cases only: a severe case trimmed away leaves 4', () => {
    // 2023, 41 cases: plain 1000 … 4500 (36), severe 5000, 5100, 5200, 5300, 9000. Ranks 2 and 40 → keep 1100 … 5300.
    const cases = [
      ...ladder(36, 2023, KEY, 1000, 100),
      ...[5000, 5100, 5200, 5300, 9000].map((x) => hc(2023, KEY, `${x}.00`, SEVERE)),
      ...many(1, 2022, 'J18.9|', '1.00'),
    ];
    const trimmed = group(build(cases), KEY);
    // kept: 1100 … 4500 (35 values, 98000) + 5000 … 5300 (20600) = 118600 / 39 = 3041.025… → 3041.03.
    expect(trimmed.avgCost).toBe('3041.03');
    expect(trimmed.auxiliary).toEqual({});
    // Untrimmed: m = (99000 + 29600) / 41 = 128600 / 41; class 3 = 29600 / 5 = 5920; 5920 × 41 / 128600 = 1.887402… → 1.8874.
    const all = group(build(cases, { trim: { method: 'none', lower: '2.5', upper: '97.5', minCases: 25 } }), KEY);
    expect(all.auxiliary).toEqual({ '3': '1.8874' });
  });

  it('gives composite groups no factors', () => {
    const c = build([
      ...core45('J18.9|', '100.00'),
      ...many(5, 2023, 'K80.0|51.2200', '1000.00'),
      ...many(5, 2023, 'K80.0|51.2200', '9000.00', DIED),
    ]);
    expect(group(c, '*~surgery').auxiliary).toEqual({});
  });
});

describe('flags from the policy (spec §4.4)', () => {
  it('marks existing groups by key, flags sorted, and makes no group for a listed key without one', () => {
    const groups = {
      primaryCare: ['J18.9|', 'H25.9|13.4100'],
      fixedScore: [{ key: 'K35.8|47.0900', score: '820', applyCoefficient: false }],
      daySurgery: [{ key: 'H25.9|13.4100', score: '610' }],
    };
    const c = build(
      [...core45('J18.9|', '800.00'), ...core45('H25.9|13.4100', '3000.00'), ...many(10, 2023, 'K35.8|47.0900', '5000.00')],
      {},
      { groups },
    );
    expect(group(c, 'J18.9|').flags).toEqual(['primaryCare']);
    expect(group(c, 'H25.9|13.4100').flags).toEqual(['daySurgery', 'primaryCare']);
    expect(keys(c)).not.toContain('K35.8|47.0900'); // 10 cases: composite, no flag
    expect(group(c, '*~surgery').flags).toEqual([]);
  });

  it('uses the shipped lists as they are', () => {
    const c = build([...core45('J18.9|', '800.00'), ...core45('K35.8|47.0900', '5000.00')]);
    expect(group(c, 'J18.9|').flags).toEqual(['primaryCare']);
    expect(group(c, 'K35.8|47.0900').flags).toEqual(['fixedScore']);
  });
});

describe('the catalogue as a whole', () => {
  it('has every field, groups sorted by key, window and region', () => {
    const c = build([...core45('K80.1|51.2300', '2000.00'), ...core45('J18.9|', '1000.00'), ...many(3, 2022, 'K80.0|51.2200', '1500.00')]);
    // M: every year (15 × 2000 + 15 × 1000 + n × 1500) … 2021 and 2023: 45000 / 30 = 1500; 2022: (45000 + 4500) / 33 = 1500. M = 1500.
    expect(c).toEqual({
      region: '370300',
      year: 2024,
      window: [2021, 2022, 2023],
      reference: { type: 'allCases', cost: '1500.00' },
      costPerPoint: '1.500000',
      groups: [
        // 1500 / 1500 × 1000
        {
          code: 'Z-ALL-S',
          key: '*~surgery',
          kind: 'composite',
          category: null,
          treatmentType: 'surgery',
          procedures: [],
          cases: 3,
          avgCost: '1500.00',
          score: '1000.0000',
          auxiliary: {},
          flags: [],
        },
        // 1000 / 1500 × 1000 = 666.666… → 666.6667
        {
          code: 'J18.9-CONS',
          key: 'J18.9|',
          kind: 'core',
          category: 'J18',
          treatmentType: 'conservative',
          procedures: [],
          cases: 45,
          avgCost: '1000.00',
          score: '666.6667',
          auxiliary: {},
          flags: ['primaryCare'],
        },
        // 2000 / 1500 × 1000 = 1333.333… → 1333.3333
        {
          code: 'K80.1-51.2300',
          key: 'K80.1|51.2300',
          kind: 'core',
          category: 'K80',
          treatmentType: 'surgery',
          procedures: ['51.2300'],
          cases: 45,
          avgCost: '2000.00',
          score: '1333.3333',
          auxiliary: {},
          flags: [],
        },
      ],
    });
  });

  it('takes the core group type from its key procedures (highest type), whatever else its cases had', () => {
    // Principal procedure 87.4400 (diagnostic) plus a therapeutic 93.0100 on some cases: key K80.1|87.4400 either way.
    const c = build([
      ...core45('K80.1|87.4400', '1000.00'),
      ...many(5, 2023, 'K80.1|87.4400', '1000.00', { otherProcedures: ['93.0100'] }),
      ...core45('K80.0|87.4400+51.2200', '2000.00').map((x) => ({ ...x, principalProcedure: '87.4400', otherProcedures: ['51.2200'] })),
    ]);
    expect(group(c, 'K80.1|87.4400')).toMatchObject({ treatmentType: 'diagnostic', cases: 50, procedures: ['87.4400'] });
    expect(group(c, 'K80.0|51.2200+87.4400')).toMatchObject({
      treatmentType: 'surgery',
      procedures: ['51.2200', '87.4400'],
      code: 'K80.0-51.2200+87.4400',
    });
  });

  it('ignores cases outside the window and counts them', () => {
    const b = builder();
    [...core45('J18.9|', '1000.00'), hc(2020, 'J18.9|', '1.00'), hc(2024, 'J18.9|', '1.00')].forEach((c) => b.add(c));
    const c = b.finish();
    expect(b.ignored).toBe(2);
    expect(group(c, 'J18.9|')).toMatchObject({ cases: 45, avgCost: '1000.00' });
    expect(b.finish()).toBe(c);
    expect(() => b.add(hc(2023, 'J18.9|', '1.00'))).toThrow(/after finish/);
  });
});

describe('refusals', () => {
  it('an empty window', () => {
    const b = builder();
    b.add(hc(2019, 'J18.9|', '1.00'));
    expect(() => b.finish()).toThrow(CatalogueError);
    expect(() => builder().finish()).toThrow(/no cases discharged in 2021–2023/);
    expect(() => b.finish()).toThrow(/1 cases outside these years were ignored/);
  });

  it('a window with one year of data', () => {
    expect(() => build(many(60, 2022, 'J18.9|', '1.00'))).toThrow(CatalogueError);
    expect(() => build(many(60, 2022, 'J18.9|', '1.00'))).toThrow(
      /cases in only one year of the look-back window 2021–2023 \(2022, 60 cases\)/,
    );
  });

  it('a total cost that is not money', () => {
    expect(() => builder().add(hc(2023, 'J18.9|', '12.3e4'))).toThrow(CatalogueError);
    expect(() => builder().add(hc(2023, 'J18.9|', '-5.00'))).toThrow(/not an amount in yuan/);
  });
});

describe('money and combination keys at volume', () => {
  it('reads yuan text to fen without a float', () => {
    expect(yuanTextToFen('12345.60')).toBe(1234560n);
    expect(yuanTextToFen('0.05')).toBe(5n);
    expect(yuanTextToFen('9999999999999.99')).toBe(999999999999999n);
    expect(yuanTextToFen('12.5')).toBe(1250n);
    expect(yuanTextToFen('12')).toBe(1200n);
    expect(yuanTextToFen('1.234')).toBeNull();
    expect(yuanTextToFen('.50')).toBeNull();
    expect(yuanTextToFen('')).toBeNull();
  });

  const universe = syntheticCodeUniverse(7);
  const hospitals = generateHospitals({ seed: 7, region: '370300', count: 60 });
  const col = Object.fromEntries(CASE_FIELDS.map((f, i) => [f, i])) as Record<CaseField, number>;
  const list = (s: string) => (s === '' ? [] : s.split('|'));
  const synthTypeOf = procedureTyper(new Map(), universe.procedureNames);
  const history = (year: number, n: number): HistoryCase[] =>
    [...generateCases({ seed: 7, year, cases: n }, universe, hospitals)].map((r) => ({
      year: Number(r[col.dischargeDate].slice(0, 4)),
      principalDiagnosis: r[col.principalDiagnosis],
      principalProcedure: r[col.principalProcedure] === '' ? null : r[col.principalProcedure],
      otherProcedures: list(r[col.otherProcedures]),
      secondaryDiagnoses: list(r[col.secondaryDiagnoses]),
      losDays: Number(r[col.losDays]),
      dischargeMode: r[col.dischargeMode],
      totalCost: r[col.totalCost],
    }));
  const synthetic = [...history(2021, 6000), ...history(2022, 6000), ...history(2023, 6000)];

  it('the fast combination key agrees with combinationOf on generated cases', () => {
    for (const c of synthetic) {
      const full = combinationOf(c.principalDiagnosis, c.principalProcedure, c.otherProcedures, synthTypeOf);
      expect(caseKeyOf(c.principalDiagnosis, c.principalProcedure, c.otherProcedures, synthTypeOf)).toEqual({
        key: full.key,
        treatmentType: full.treatmentType,
      });
    }
  });

  it('gives the same catalogue in any order of arrival, and every case lands in exactly one group', () => {
    const chapters = parseRangeTable(readFileSync(path.resolve(__dirname, '../../catalogs/icd10-chapters.tsv'), 'utf8'));
    const make = (cases: readonly HistoryCase[]) => {
      const b = new CatalogueBuilder({
        region: '370300',
        year: 2024,
        policy: policyWith(),
        ranges: { chapters, blocks: [] },
        severity: { severe: new Set(universe.severeSecondary), moderate: new Set(universe.moderateSecondary) },
        typeOf: synthTypeOf,
      });
      cases.forEach((c) => b.add(c));
      return b.finish();
    };
    const forward = make(synthetic);
    const backward = make([...synthetic].reverse());
    expect(backward).toEqual(forward);
    expect(forward.groups.reduce((s, g) => s + g.cases, 0)).toBe(synthetic.length);
    const sorted = forward.groups.map((g) => g.key);
    expect(sorted).toEqual([...sorted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const g of forward.groups.filter((x) => x.kind === 'core')) expect(g.cases).toBeGreaterThanOrEqual(45);
    expect(forward.groups.some((g) => Object.keys(g.auxiliary).length > 0)).toBe(true);
    // What the build stores passes the exchange format's checks and reads back the same (same hash).
    const catalogue: Catalogue = { ...forward, pvBudget: '1.000000' };
    const hash = catalogueHash(catalogue);
    const { hash: readHash, ...read } = parseCatalogueJson(JSON.parse(JSON.stringify(catalogueToJson(catalogue, 'v1', hash))));
    expect(read).toEqual(catalogue);
    expect(readHash).toBe(hash);
    expect(catalogueHash(read)).toBe(hash);
  });
});

describe('average cost by hospital level (spec §6.2, levelAverage)', () => {
  // One core group, 15 cases a year, nothing trimmed. Level L3A_GENERAL: 5 cases a year at 3000
  // in 2021 and 2023 and 5 at 6000 in 2022 (15 in all); L2A_GENERAL: 14 cases at 1000 (2021:
  // 5, 2022: 5, 2023: 4); the rest from hospitals of unknown level at 2000.
  const KEY = 'K35.8|47.0900';
  const cases = [
    ...many(5, 2021, KEY, '3000.00', { level: 'L3A_GENERAL' }),
    ...many(5, 2022, KEY, '6000.00', { level: 'L3A_GENERAL' }),
    ...many(5, 2023, KEY, '3000.00', { level: 'L3A_GENERAL' }),
    ...many(5, 2021, KEY, '1000.00', { level: 'L2A_GENERAL' }),
    ...many(5, 2022, KEY, '1000.00', { level: 'L2A_GENERAL' }),
    ...many(4, 2023, KEY, '1000.00', { level: 'L2A_GENERAL' }),
    ...many(5, 2021, KEY, '2000.00'),
    ...many(5, 2022, KEY, '2000.00'),
    ...many(6, 2023, KEY, '2000.00', { level: null }),
  ];

  it('records the level with 15 cases, not the one with 14, weighted over the years like m', () => {
    const g = group(build(cases), KEY);
    // L3A: (1 × 3000 + 2 × 6000 + 7 × 3000) / 10 = 3600.
    expect(g.levelAvgCost).toEqual({ L3A_GENERAL: '3600.00' });
  });

  it('leaves the field out when no level has 15 cases, and carries it through the exchange format', () => {
    // The 2021 L3A cases from a hospital of unknown level: L3A keeps 10.
    expect(
      group(build(cases.map((c) => (c.level === 'L3A_GENERAL' && c.year === 2021 ? { ...c, level: null } : c))), KEY).levelAvgCost,
    ).toBeUndefined();
    const c = { ...build(cases), pvBudget: '1.000000' };
    const back = parseCatalogueJson(JSON.parse(JSON.stringify(catalogueToJson(c, 'x', catalogueHash(c)))));
    expect(group(back, KEY).levelAvgCost).toEqual({ L3A_GENERAL: '3600.00' });
    expect(() =>
      parseCatalogueJson({
        ...catalogueToJson(c, 'x', catalogueHash(c)),
        hash: undefined,
        groups: [{ ...group(c, KEY), levelAvgCost: { L9: '1.00' } }],
      }),
    ).toThrow(/levelAvgCost.L9: hospital levels are/);
  });
});
