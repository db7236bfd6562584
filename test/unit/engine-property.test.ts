import fc from 'fast-check';
import { combinationOf, groupingCode, procedureTyper, TREATMENT_TYPES, TreatmentType } from '../../src/domain/codes';
import { Catalogue, CatalogueGroup, groupCode } from '../../src/domain/catalogue/catalogue';
import { IcdRanges, rangeName, rangeOf } from '../../src/domain/catalogue/ranges';
import { severityClass, SeverityLists } from '../../src/domain/catalogue/severity';
import { Dec } from '../../src/domain/decimal';
import { CatalogueIndex, compileScoring, groupCase, Grouping, GroupingInput, scoreCase, ScoringInput } from '../../src/domain/engine';
import { parsePolicy, Policy } from '../../src/domain/policy';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Properties of the engine against independent, deliberately naive implementations of the spec:
 * grouping by scanning every group of the catalogue (spec §5), points in decimal.js at 40 digits
 * with one final round4 (spec §6).
 */

const RANGES: IcdRanges = {
  chapters: [
    { lower: 'A00', upper: 'B99' },
    { lower: 'J00', upper: 'J99' },
    { lower: 'K00', upper: 'K93' },
  ],
  blocks: [
    { lower: 'K80', upper: 'K87' },
    { lower: 'J09', upper: 'J18' },
  ],
};
const PROCEDURES = ['51.2200', '51.2300', '51.8800', '87.5400', '99.2900', '47.0900'];
const typeOf = procedureTyper(new Map()); // fallback by chapter: 51, 47 surgery; 87 diagnostic; 99 therapeutic
const SUBCATEGORIES = ['K80.1', 'K80.2', 'K81.0', 'K85.1', 'J15.9', 'A01.0'];
const DIAGNOSES = [
  'K80.100',
  'K80.101',
  'K80.200',
  'K81.000x001',
  'K85.100',
  'K90.000',
  'J15.900',
  'J18.900',
  'A01.000x005+J17.0*',
  'Z99.900',
];
const COMPOSITE_RANGES = ['K80', 'K81', 'K85', 'J15', 'A01', 'K80-K87', 'J09-J18', 'K00-K93', 'J00-J99', 'A00-B99', '*'];

const fen = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

const coreArb = fc
  .record({
    sub: fc.constantFrom(...SUBCATEGORIES),
    procs: fc.subarray(PROCEDURES, { maxLength: 3 }),
    avg: fc.integer({ min: 0, max: 10_000_000 }),
    score: fc.integer({ min: 0, max: 100_000_000 }),
    aux: fc.record({ '2': fc.integer({ min: 10001, max: 30000 }), '3': fc.integer({ min: 10001, max: 30000 }) }, { requiredKeys: [] }),
  })
  .map(({ sub, procs, avg, score, aux }): CatalogueGroup => {
    const sorted = [...procs].sort();
    const g: CatalogueGroup = {
      code: '',
      key: `${sub}|${sorted.join('+')}`,
      kind: 'core',
      category: sub.slice(0, 3),
      treatmentType: 'surgery',
      procedures: sorted,
      cases: 100,
      avgCost: fen(avg),
      score: (score / 10_000).toFixed(4),
      auxiliary: Object.fromEntries(Object.entries(aux).map(([k, v]) => [k, (v / 10_000).toFixed(4)])),
      flags: [],
    };
    g.code = groupCode(g);
    return g;
  });

const compositeArb = fc
  .record({
    range: fc.constantFrom(...COMPOSITE_RANGES),
    type: fc.constantFrom(...TREATMENT_TYPES),
    avg: fc.integer({ min: 1, max: 10_000_000 }),
  })
  .map(({ range, type, avg }): CatalogueGroup => {
    const g: CatalogueGroup = {
      code: '',
      key: `${range}~${type}`,
      kind: 'composite',
      category: /^[A-Z]\d{2}$/.test(range) ? range : null,
      treatmentType: type,
      procedures: [],
      cases: 30,
      avgCost: fen(avg),
      score: (avg / 800).toFixed(4),
      auxiliary: {},
      flags: [],
    };
    g.code = groupCode(g);
    return g;
  });

const catalogueArb = fc
  .tuple(
    fc.uniqueArray(coreArb, { selector: (g) => g.key, maxLength: 14 }),
    fc.uniqueArray(compositeArb, { selector: (g) => g.key, maxLength: 12 }),
  )
  .map(([cores, composites]): Catalogue => ({
    region: '370300',
    year: 2024,
    window: [2022, 2023],
    reference: { type: 'allCases', cost: '8000.00' },
    costPerPoint: '8.000000',
    pvBudget: '8.000000',
    groups: [...cores, ...composites],
  }));

const caseArb = fc.record({
  principalDiagnosis: fc.constantFrom(...DIAGNOSES),
  principalProcedure: fc.option(fc.constantFrom(...PROCEDURES), { nil: null }),
  otherProcedures: fc.subarray(PROCEDURES, { maxLength: 3 }),
  totalCost: fc.integer({ min: 0, max: 20_000_000 }).map(fen),
  selfPayShare: fc.integer({ min: 0, max: 100 }),
  daySurgery: fc.boolean(),
  externalExpert: fc.boolean(),
  dischargeMode: fc.constantFrom('1', '1', '1', '5'),
  losDays: fc.integer({ min: 0, max: 30 }),
  secondaryDiagnoses: fc.subarray(['J96.000', 'E11.900', 'I10.x00']),
  coefficient: fc.constantFrom('1', '0.93', '0.89', '0.8', '0.67', '1.05'),
});

type ArbCase = GroupingInput & ScoringInput & { coefficient: string };
const asCase = (c: { selfPayShare: number } & Omit<ArbCase, 'outOfCatalogSelfPay'>): ArbCase => {
  const total = BigInt(c.totalCost.replace('.', ''));
  return { ...c, outOfCatalogSelfPay: fen(Number((total * BigInt(c.selfPayShare)) / 100n)) };
};

/** Spec §5 read literally: every group of the catalogue is looked at. */
function naiveGroup(cat: Catalogue, c: GroupingInput): { key: string | null; rule: string } {
  const comb = combinationOf(c.principalDiagnosis, c.principalProcedure, c.otherProcedures, typeOf);
  const code = groupingCode(c.principalDiagnosis);
  const sub = code.slice(0, 5);
  const cost = new Dec(c.totalCost);
  if (comb.key !== null) {
    const candidates = cat.groups.filter(
      (g) =>
        g.kind === 'core' &&
        g.key.startsWith(`${sub}|`) &&
        g.procedures.every((p) => comb.keyProcedures.includes(p)) &&
        (g.procedures.length > 0 || comb.treatmentType === 'conservative' || comb.treatmentType === 'diagnostic'),
    );
    const has = (g: CatalogueGroup) => (c.principalProcedure !== null && g.procedures.includes(c.principalProcedure) ? 1 : 0);
    candidates.sort(
      (x, y) =>
        y.procedures.length - x.procedures.length ||
        has(y) - has(x) ||
        new Dec(x.avgCost).minus(cost).abs().cmp(new Dec(y.avgCost).minus(cost).abs()) ||
        (x.key < y.key ? -1 : 1),
    );
    const best = candidates[0];
    if (best)
      return {
        key: best.key,
        rule: best.key === comb.key ? 'core-exact' : best.procedures.length === 0 ? 'core-conservative' : 'core-subset',
      };
  }
  const category = code.slice(0, 3);
  const type: TreatmentType = comb.treatmentType;
  const block = rangeOf(RANGES.blocks, category);
  const chapter = rangeOf(RANGES.chapters, category);
  const levels: [string | null, string][] = [
    [category, 'composite'],
    [block && rangeName(block), 'composite-block'],
    [chapter && rangeName(chapter), 'composite-chapter'],
    ['*', 'composite-region'],
  ];
  for (const [range, rule] of levels) {
    if (range === null) continue;
    const g = cat.groups.find((x) => x.kind === 'composite' && x.key === `${range}~${type}`);
    if (g) return { key: g.key, rule };
  }
  return { key: null, rule: 'no-score' };
}

const SEVERITY: SeverityLists = { severe: new Set(['J96.000']), moderate: new Set(['E11.900']) };
const SHIPPED = parsePolicy(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));

/**
 * Spec §6 read literally, in decimal.js at 40 digits (Dec), rounded once at the end: r and q are
 * formed first, as the spec writes them, and rounded to 40 digits on the way.
 */
function literalPoints(policy: Policy, cat: Catalogue, g: Grouping, c: ArbCase): string {
  const s6 = policy.scoring;
  const cost = new Dec(c.totalCost);
  let p: Dec;
  if (g.group === null) p = cost.div(cat.costPerPoint);
  else {
    const grp = g.group;
    const fixed = policy.groups.fixedScore.find((f) => f.key === grp.key);
    const day = policy.groups.daySurgery.find((d) => d.key === grp.key);
    const k = new Dec(policy.groups.primaryCare.includes(grp.key) ? s6.primaryCareCoefficient : c.coefficient);
    if (fixed) p = new Dec(fixed.score).times(fixed.applyCoefficient ? k : 1);
    else {
      const a = new Dec(grp.auxiliary[String(severityClass(c, SEVERITY)) as '2'] ?? 1);
      let s = new Dec(grp.score);
      let m = new Dec(grp.avgCost);
      if (c.daySurgery && day) {
        if (!s.isZero()) m = m.times(day.score).div(s);
        s = new Dec(day.score);
      }
      const base = s.times(a);
      const ref = m.times(a).times(k);
      if (ref.isZero()) p = base.times(k);
      else {
        const r = cost.div(ref);
        const [L, H, E] = [s6.lowRatio, s6.highRatio, s6.extremeRatio].map((x) => new Dec(x));
        if (r.lt(L)) p = base.times(k).times(r);
        else if (r.lte(H)) p = base.times(k);
        else {
          const rr = r.gt(E) ? E : r;
          p = s6.highFormula === 'national' ? base.times(k).times(rr.minus(H).plus(1)) : base.times(rr.minus(H).plus(k));
        }
      }
    }
  }
  if (c.externalExpert) p = p.times(new Dec(1).plus(s6.externalExpertBonus));
  if (cost.gt(0)) {
    const q = new Dec(c.outOfCatalogSelfPay).div(cost);
    if (q.gt(s6.selfPayLimit)) p = p.times(new Dec(1).minus(q.minus(s6.selfPayLimit)));
  }
  if (g.group === null) p = p.times(s6.noScoreFactor);
  return p.toFixed(4, Dec.ROUND_HALF_UP);
}

/** decimal.js at 200 digits: every product and sum below is exact. */
const Wide = Dec.clone({ precision: 200 });
type Wide = InstanceType<typeof Wide>;

/**
 * The exact value of the same formulas as one fraction num / den (every quotient of the spec
 * written over a common denominator, comparisons cross-multiplied), divided once at the end.
 * Returns the value rounded half-up to 4 dp and whether the exact value is a half-way tie.
 */
function exactPoints(policy: Policy, cat: Catalogue, g: Grouping, c: ArbCase): { points: string; tie: boolean } {
  const s6 = policy.scoring;
  const W = (x: string | number | Wide) => new Wide(x);
  const cost = W(c.totalCost);
  let num: Wide;
  let den = W(1);
  if (g.group === null) {
    num = cost;
    den = W(cat.costPerPoint);
  } else {
    const grp = g.group;
    const fixed = policy.groups.fixedScore.find((f) => f.key === grp.key);
    const day = policy.groups.daySurgery.find((d) => d.key === grp.key);
    const k = W(policy.groups.primaryCare.includes(grp.key) ? s6.primaryCareCoefficient : c.coefficient);
    if (fixed) num = W(fixed.score).times(fixed.applyCoefficient ? k : 1);
    else {
      const a = W(grp.auxiliary[String(severityClass(c, SEVERITY)) as '2'] ?? 1);
      let s = W(grp.score);
      // r = rN / rD
      let rN = cost;
      let rD = W(grp.avgCost).times(a).times(k);
      if (c.daySurgery && day) {
        if (!s.isZero()) {
          rN = rN.times(s);
          rD = rD.times(day.score);
        }
        s = W(day.score);
      }
      const base = s.times(a);
      const [L, H, E] = [s6.lowRatio, s6.highRatio, s6.extremeRatio].map((x) => W(x));
      if (rD.isZero() || (rN.gte(L.times(rD)) && rN.lte(H.times(rD)))) num = base.times(k);
      else if (rN.lt(L.times(rD))) {
        num = base.times(k).times(rN);
        den = rD;
      } else if (rN.gt(E.times(rD)))
        num = s6.highFormula === 'national' ? base.times(k).times(E.minus(H).plus(1)) : base.times(E.minus(H).plus(k));
      else if (s6.highFormula === 'national') {
        num = base.times(k).times(rN.minus(H.minus(1).times(rD)));
        den = rD;
      } else {
        num = base.times(rN.plus(k.minus(H).times(rD)));
        den = rD;
      }
    }
  }
  if (c.externalExpert) num = num.times(W(1).plus(s6.externalExpertBonus));
  const limit = W(s6.selfPayLimit);
  const selfPay = W(c.outOfCatalogSelfPay);
  if (cost.gt(0) && selfPay.gt(limit.times(cost))) {
    num = num.times(W(1).plus(limit).times(cost).minus(selfPay));
    den = den.times(cost);
  }
  if (g.group === null) num = num.times(s6.noScoreFactor);
  const v = num.div(den);
  const t = v.times(10_000);
  return { points: v.toFixed(4, Wide.ROUND_HALF_UP), tie: t.minus(t.floor()).eq(0.5) };
}

describe('grouping properties (spec §5)', () => {
  it('puts every case into exactly the group a literal reading of §5 gives, or makes it a no-score case', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(caseArb.map(asCase), { minLength: 1, maxLength: 20 }), (cat, cases) => {
        const index = new CatalogueIndex(cat, RANGES);
        for (const c of cases) {
          const g = groupCase(index, c, typeOf);
          // Total: a group of the catalogue, or none with the no-score rule.
          if (g.group === null) expect(g.rule).toBe('no-score');
          else expect(cat.groups).toContain(g.group);
          expect({ key: g.group?.key ?? null, rule: g.rule }).toEqual(naiveGroup(cat, c));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: same answer twice, from a fresh index, and from the groups in another order', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(caseArb.map(asCase), { minLength: 1, maxLength: 20 }), fc.nat(), (cat, cases, seed) => {
        const a = new CatalogueIndex(cat, RANGES);
        const shuffled = [...cat.groups].sort((x, y) => (hash(x.key, seed) - hash(y.key, seed)) | 0 || (x.key < y.key ? -1 : 1));
        const b = new CatalogueIndex({ ...cat, groups: shuffled }, RANGES);
        for (const c of cases) {
          const first = groupCase(a, c, typeOf);
          expect(groupCase(a, c, typeOf)).toEqual(first);
          expect(groupCase(b, c, typeOf)).toEqual(first);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('points properties (spec §6)', () => {
  const policyFor = (cat: Catalogue, formula: 'national' | 'shandong', pick: boolean): Policy => {
    // Put some of the catalogue's core groups on the policy's lists.
    const cores = cat.groups.filter((g) => g.kind === 'core');
    return {
      ...SHIPPED,
      scoring: { ...SHIPPED.scoring, highFormula: formula, primaryCareCoefficient: pick ? '0.97' : '1' },
      groups: {
        primaryCare: cores.filter((_, i) => i % 4 === 1).map((g) => g.key),
        fixedScore: cores
          .filter((_, i) => i % 4 === 2)
          .map((g, i) => ({ key: g.key, score: '820.5', applyCoefficient: (i % 2 === 0) === pick })),
        daySurgery: cores.filter((_, i) => i % 4 !== 2).map((g) => ({ key: g.key, score: '611.25' })),
      },
    };
  };
  const run = (check: (points: string, policy: Policy, cat: Catalogue, g: Grouping, c: ArbCase) => void) =>
    fc.assert(
      fc.property(
        catalogueArb,
        fc.array(caseArb.map(asCase), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<'national' | 'shandong'>('national', 'shandong'),
        fc.boolean(),
        (cat, cases, formula, pick) => {
          const policy = policyFor(cat, formula, pick);
          const scoring = compileScoring(policy, cat.costPerPoint);
          const index = new CatalogueIndex(cat, RANGES);
          for (const c of cases) {
            const g = groupCase(index, c, typeOf);
            const p = scoreCase(g, c, { scoring, coefficient: c.coefficient, severity: SEVERITY });
            expect(p.points).toMatch(/^\d+\.\d{4}$/);
            check(p.points, policy, cat, g, c);
          }
        },
      ),
      { numRuns: 300 },
    );

  it('is the exact value of the formulas rounded once (every rule, both high formulas, the policy lists)', () => {
    run((points, policy, cat, g, c) => expect(points).toBe(exactPoints(policy, cat, g, c).points));
  });

  it("equals decimal.js at 40 digits in the spec's order, except at an exact half-way tie", () => {
    // There decimal.js, having rounded q = selfPay / totalCost or r to 40 digits first, may land
    // on either side of the tie; the engine rounds the exact value (half-up).
    run((points, policy, cat, g, c) => {
      const literal = literalPoints(policy, cat, g, c);
      if (points === literal) return;
      const exact = exactPoints(policy, cat, g, c);
      expect(exact.tie).toBe(true);
      expect(Math.abs(Number(points) - Number(literal))).toBeCloseTo(0.0001, 8);
    });
  });

  it('rounds a no-score case with self-pay over the limit exactly at a half-way tie', () => {
    // c = 105946.38, selfPay = 55092.11: (1.1 × 105946.38 − 55092.11) / 8 × 0.7
    // = 61448.908 / 8 × 0.7 = 5376.77945 exactly → 5376.7795 (half-up). decimal.js in the spec's
    // order forms q = 0.5200…(40 digits) first and gives 5376.7794.
    const cat = { costPerPoint: '8.000000' } as Catalogue;
    const c = asCase({
      principalDiagnosis: 'Z99.900',
      principalProcedure: null,
      otherProcedures: [],
      totalCost: '105946.38',
      selfPayShare: 0,
      daySurgery: false,
      externalExpert: false,
      dischargeMode: '1',
      losDays: 1,
      secondaryDiagnoses: [],
      coefficient: '1',
    });
    c.outOfCatalogSelfPay = '55092.11';
    const g: Grouping = { group: null, rule: 'no-score', key: 'Z99.9|', treatmentType: 'conservative' };
    const p = scoreCase(g, c, { scoring: compileScoring(SHIPPED, '8.000000'), coefficient: '1', severity: SEVERITY });
    expect(p.points).toBe('5376.7795');
    expect(exactPoints(SHIPPED, cat, g, c)).toEqual({ points: '5376.7795', tie: true });
    expect(literalPoints(SHIPPED, cat, g, c)).toBe('5376.7794');
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
