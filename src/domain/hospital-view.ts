import { Pool, POOLS } from './case-record';
import { Dec, fixed, round2, round4 } from './decimal';
import { conflict } from './errors';
import { fenOf, pointsText, pointUnitsOf, yuanText } from './money';

/**
 * A hospital's view of itself (issue 12): its figures of a settled month, or of a year's settled
 * months so far, with the region's beside them. Pure: the store reads the stored runs (the
 * months' current settlement runs, their hospital rows, their grouping runs' case results) and
 * this adds them up, exactly: counts as integers, points in 1/10,000 and money in fen
 * (money.ts), the point value and the case-mix index with decimal.js (decimal.ts), every figure
 * rounded once, half-up, when it is reported (money 2 dp, points, scores, CMI and rates 4 dp).
 * docs/decisions.md, "Hospital views (issue 12)", says why each figure is what it is.
 */

/** The outlier classes of spec §6.3 that the views count (case_result.outlier; `extreme` is r > extremeRatio, not in `high`). */
export const OUTLIER_CLASSES = ['low', 'high', 'extreme'] as const;
export type OutlierClass = (typeof OUTLIER_CLASSES)[number];

/** A figure of the hospital with the region's beside it. */
export interface Pair<T> {
  hospital: T;
  region: T;
}

/** A pool of a settled month as its report gives it (spec §8.2): what its point value is made of. */
export interface ViewPool {
  pool: Pool;
  /** F: the fund shared. */
  fund: string;
  /** Σ nonFund of the pool's cases. */
  nonFund: string;
  /** Σ points of the pool's cases. */
  points: string;
  /** PV to 6 dp as reported (the payments here use the exact value, like the entitlements). */
  pointValue: string;
}

/** One month's current settlement run (draft or final) as the views read it. */
export interface ViewMonth {
  period: string;
  settlementRun: string;
  groupingRun: string;
  status: 'draft' | 'final';
  /** The settlement basis of the run's policy (spec §8.2). */
  basis: 'totalCost' | 'fund';
  pools: ViewPool[];
}

/** A hospital row of a settled month (settlement_hospital): one hospital and pool. */
export interface SettledHospital {
  period: string;
  pool: Pool;
  hospitalCode: string;
  cases: number;
  points: string;
  entitlement: string;
  /** The month's pre-settlement P_h. */
  prepay: string;
}

/** How many case results of the runs have an outlier class and a score (score null: no-score). */
export interface ResultTally {
  outlier: string;
  score: string | null;
  cases: number;
}

/**
 * The point value of a settled pool, exactly as the run computed it (spec §8.2, settlement.ts
 * pointValue): total-cost basis (F + Σ nonFund) / Σ points, fund basis F / Σ points; 0 without
 * points. The report's figures are the exact sums the run divided, so the quotient is the same.
 */
export function exactPointValue(p: ViewPool, basis: ViewMonth['basis']): Dec {
  const points = new Dec(p.points);
  if (points.isZero()) return new Dec(0);
  return (basis === 'totalCost' ? new Dec(p.fund).plus(p.nonFund) : new Dec(p.fund)).div(points);
}

/** A share as reported: 4 dp, half-up; null when there is nothing to share (no cases). */
const rate = (count: number, of: number): string | null => (of === 0 ? null : fixed(round4(new Dec(count).div(of)), 4));

/** Σ score and the number of cases with a score: the mean score of a set of cases. */
export interface ScoreSum {
  cases: number;
  sum: Dec;
}

export const scoreSumOf = (tallies: readonly ResultTally[]): ScoreSum =>
  tallies.reduce<ScoreSum>(
    (s, t) => (t.score === null ? s : { cases: s.cases + t.cases, sum: s.sum.plus(new Dec(t.score).times(t.cases)) }),
    { cases: 0, sum: new Dec(0) },
  );

/** The mean score (4 dp), null without scored cases. */
export const meanScore = (s: ScoreSum): string | null => (s.cases === 0 ? null : fixed(round4(s.sum.div(s.cases)), 4));

/**
 * Case-mix index: the mean score of a set of cases ÷ the mean score of the region's cases in the
 * same runs, to 4 dp; null when either has no scored case (or the region's mean is 0). Only cases
 * with a score count, on both sides (core, composite, fixed-score and day-surgery cases with the
 * score applied to them; no-score cases have none).
 */
export function caseMixIndex(of: ScoreSum, region: ScoreSum): string | null {
  if (of.cases === 0 || region.cases === 0 || region.sum.isZero()) return null;
  // (Σ_h / n_h) / (Σ_R / n_R) = Σ_h × n_R / (n_h × Σ_R): one division.
  return fixed(round4(of.sum.times(region.cases).div(region.sum.times(of.cases))), 4);
}

// ---------------------------------------------------------------- summary

export interface SummaryPool {
  pool: Pool;
  cases: Pair<number>;
  points: Pair<string>;
  /** Σ E_h of the months. */
  entitlement: Pair<string>;
  /** Σ P_h of the months, draft or final. */
  prepay: Pair<string>;
  /** Σ P_h of the finalised months only: what the annual clearing counts as paid (spec §8.4). */
  prepayFinal: Pair<string>;
}

export interface OutlierFigures {
  cases: Pair<number>;
  /** cases ÷ all the cases (of the hospital, of the region), 4 dp; null without cases. */
  rate: Pair<string | null>;
}

export interface SummaryFigures {
  cases: Pair<number>;
  points: Pair<string>;
  scoredCases: Pair<number>;
  meanScore: Pair<string | null>;
  cmi: Pair<string | null>;
  outliers: Record<OutlierClass, OutlierFigures>;
  pools: SummaryPool[];
}

export interface SummaryInput {
  hospitalCode: string;
  months: readonly ViewMonth[];
  /** The hospital rows of every hospital of the region in the months' runs. */
  settled: readonly SettledHospital[];
  /** The case results of the months' grouping runs, counted by outlier class and score: the region's and the hospital's. */
  regionResults: readonly ResultTally[];
  hospitalResults: readonly ResultTally[];
}

const pair = <T>(hospital: T, region: T): Pair<T> => ({ hospital, region });

/**
 * The summary of a hospital for a month or the months of a year so far, the region's figures
 * beside each: cases, points, CMI, outlier counts and rates, and per pool the entitlements and
 * pre-settlements of the months.
 */
export function hospitalSummary(input: SummaryInput): SummaryFigures {
  const finalMonths = new Set(input.months.filter((m) => m.status === 'final').map((m) => m.period));
  const pools = POOLS.filter((p) => input.months.some((m) => m.pools.some((x) => x.pool === p)) || input.settled.some((s) => s.pool === p));
  const zero = () => ({ cases: 0, points: 0n, entitlement: 0n, prepay: 0n, prepayFinal: 0n });
  const sums = new Map(pools.map((p) => [p, { hospital: zero(), region: zero() }]));
  for (const s of input.settled) {
    const poolSums = sums.get(s.pool)!;
    for (const side of s.hospitalCode === input.hospitalCode ? [poolSums.hospital, poolSums.region] : [poolSums.region]) {
      side.cases += s.cases;
      side.points += pointUnitsOf(s.points);
      side.entitlement += fenOf(s.entitlement);
      side.prepay += fenOf(s.prepay);
      if (finalMonths.has(s.period)) side.prepayFinal += fenOf(s.prepay);
    }
  }
  const summaryPools: SummaryPool[] = pools.map((pool) => {
    const { hospital: h, region: r } = sums.get(pool)!;
    return {
      pool,
      cases: pair(h.cases, r.cases),
      points: pair(pointsText(h.points), pointsText(r.points)),
      entitlement: pair(yuanText(h.entitlement), yuanText(r.entitlement)),
      prepay: pair(yuanText(h.prepay), yuanText(r.prepay)),
      prepayFinal: pair(yuanText(h.prepayFinal), yuanText(r.prepayFinal)),
    };
  });
  const total = (side: 'hospital' | 'region') => {
    let cases = 0;
    let points = 0n;
    for (const v of sums.values()) {
      cases += v[side].cases;
      points += v[side].points;
    }
    return { cases, points };
  };
  const h = total('hospital');
  const r = total('region');
  const count = (tallies: readonly ResultTally[], cls: OutlierClass) => tallies.reduce((n, t) => (t.outlier === cls ? n + t.cases : n), 0);
  const outliers = Object.fromEntries(
    OUTLIER_CLASSES.map((cls) => {
      const hc = count(input.hospitalResults, cls);
      const rc = count(input.regionResults, cls);
      return [cls, { cases: pair(hc, rc), rate: pair(rate(hc, h.cases), rate(rc, r.cases)) }];
    }),
  ) as Record<OutlierClass, OutlierFigures>;
  const hs = scoreSumOf(input.hospitalResults);
  const rs = scoreSumOf(input.regionResults);
  return {
    cases: pair(h.cases, r.cases),
    points: pair(pointsText(h.points), pointsText(r.points)),
    scoredCases: pair(hs.cases, rs.cases),
    meanScore: pair(meanScore(hs), meanScore(rs)),
    cmi: pair(caseMixIndex(hs, rs), caseMixIndex(rs, rs)),
    outliers,
    pools: summaryPools,
  };
}

// ---------------------------------------------------------------- groups and departments

/** One case of the hospital in a month's run: its result (case_result) and what the stored case says (dip_case). */
export interface ViewCase {
  caseId: string;
  pool: Pool;
  group: string | null;
  key: string | null;
  kind: string | null;
  score: string | null;
  points: string;
  totalCost: string;
  fundPayment: string;
  department: string | null;
}

/** The figures of a row of the groups and departments views. */
export interface BreakdownFigures {
  cases: number;
  points: string;
  /**
   * What the hospital is paid for the cases, on a total-cost footing, to the fen: Σ points × PV of
   * the case's month and pool, plus, on the fund basis, Σ nonFund (there PV pays only the fund's part).
   */
  estimatedPayment: string;
  /** Σ totalCost. */
  actualCost: string;
  /** 病组盈亏: estimatedPayment − actualCost (negative: a loss). */
  difference: string;
}

export interface GroupRow extends BreakdownFigures {
  /** Group code; null: the no-score cases (无分值病例). */
  group: string | null;
  key: string | null;
  kind: string | null;
}

export interface DepartmentRow extends BreakdownFigures {
  /** null: the cases without a department. */
  department: string | null;
  scoredCases: number;
  meanScore: string | null;
  /** The department's mean score ÷ the region's (caseMixIndex). */
  cmi: string | null;
}

export const BREAKDOWN_FIGURES = ['cases', 'points', 'estimatedPayment', 'actualCost', 'difference'] as const;
export type BreakdownFigure = (typeof BREAKDOWN_FIGURES)[number];
export type SortOrder = 'asc' | 'desc';

/** What a row adds up while cases come in: per month and pool its points and non-fund payments, for the payment. */
interface Tally {
  name: string | null;
  first: ViewCase;
  cases: number;
  points: bigint;
  costFen: bigint;
  score: ScoreSum;
  /** `${period}|${pool}` → Σ points (1/10,000) and Σ nonFund (fen). */
  byMonthPool: Map<string, { points: bigint; nonFund: bigint }>;
}

/** A row with its figures as exact integers, for sorting before they become text. */
interface Totals {
  name: string | null;
  tally: Tally;
  cases: number;
  points: bigint;
  payment: bigint;
  cost: bigint;
  difference: bigint;
}

/**
 * Adds up a hospital's cases, a month at a time, by a key (the group, or the department), and
 * values them with each month's point values. Memory holds a row per key, not the cases.
 */
export class Breakdown {
  private readonly months = new Map<string, ViewMonth>();
  private readonly rowsByName = new Map<string | null, Tally>();

  constructor(
    months: readonly ViewMonth[],
    private readonly keyOf: (c: ViewCase) => string | null,
  ) {
    for (const m of months) this.months.set(m.period, m);
  }

  add(period: string, cases: Iterable<ViewCase>): void {
    const month = this.months.get(period);
    if (!month) throw new Error(`no settled month ${period} in this view`);
    for (const c of cases) {
      if (!month.pools.some((p) => p.pool === c.pool))
        throw conflict(
          'stale-settlement',
          `case ${c.caseId} is now stored in the ${c.pool} pool, which the settlement run of ${period} did not settle (the case was replaced after the run); run the settlement of ${period} again`,
        );
      const name = this.keyOf(c);
      let t = this.rowsByName.get(name);
      if (t === undefined)
        this.rowsByName.set(
          name,
          (t = { name, first: c, cases: 0, points: 0n, costFen: 0n, score: { cases: 0, sum: new Dec(0) }, byMonthPool: new Map() }),
        );
      const points = pointUnitsOf(c.points);
      const cost = fenOf(c.totalCost);
      t.cases++;
      t.points += points;
      t.costFen += cost;
      if (c.score !== null) t.score = { cases: t.score.cases + 1, sum: t.score.sum.plus(c.score) };
      const k = `${period}|${c.pool}`;
      let mp = t.byMonthPool.get(k);
      if (mp === undefined) t.byMonthPool.set(k, (mp = { points: 0n, nonFund: 0n }));
      mp.points += points;
      mp.nonFund += cost - fenOf(c.fundPayment);
    }
  }

  private totals(): Totals[] {
    const pv = new Map<string, { value: Dec; basis: ViewMonth['basis'] }>();
    for (const m of this.months.values())
      for (const p of m.pools) pv.set(`${m.period}|${p.pool}`, { value: exactPointValue(p, m.basis), basis: m.basis });
    return [...this.rowsByName.values()].map((t) => {
      let payment = new Dec(0);
      for (const [k, mp] of t.byMonthPool) {
        const { value, basis } = pv.get(k)!;
        payment = payment.plus(new Dec(pointsText(mp.points)).times(value));
        if (basis === 'fund') payment = payment.plus(new Dec(yuanText(mp.nonFund)));
      }
      const fen = BigInt(round2(payment).times(100).toFixed(0));
      return { name: t.name, tally: t, cases: t.cases, points: t.points, payment: fen, cost: t.costFen, difference: fen - t.costFen };
    });
  }

  /** The rows, sorted by a figure or by name (`name`), ties by name; a null name sorts last either way. */
  private sorted(sort: BreakdownFigure | 'name', order: SortOrder): Totals[] {
    const value = (r: Totals): bigint | number =>
      sort === 'cases'
        ? r.cases
        : sort === 'points'
          ? r.points
          : sort === 'estimatedPayment'
            ? r.payment
            : sort === 'actualCost'
              ? r.cost
              : sort === 'difference'
                ? r.difference
                : 0;
    const byName = (a: Totals, b: Totals): number =>
      a.name === b.name ? 0 : a.name === null ? 1 : b.name === null ? -1 : a.name < b.name ? -1 : 1;
    const sign = order === 'asc' ? 1 : -1;
    return this.totals().sort((a, b) => {
      if (sort === 'name') return a.name === null || b.name === null ? byName(a, b) : sign * byName(a, b);
      const va = value(a);
      const vb = value(b);
      return va === vb ? byName(a, b) : sign * (va < vb ? -1 : 1);
    });
  }

  /** The rows sorted, each with its figures as text, and their total (the sum of the rows as shown). */
  result<R>(
    sort: BreakdownFigure | 'name',
    order: SortOrder,
    row: (figures: BreakdownFigures, t: { name: string | null; first: ViewCase; score: ScoreSum }) => R,
  ): { items: R[]; total: BreakdownFigures } {
    const rows = this.sorted(sort, order);
    const sum = { cases: 0, points: 0n, payment: 0n, cost: 0n };
    for (const r of rows) {
      sum.cases += r.cases;
      sum.points += r.points;
      sum.payment += r.payment;
      sum.cost += r.cost;
    }
    return {
      items: rows.map((r) => row(figuresOf(r), r.tally)),
      total: figuresOf({ ...sum, difference: sum.payment - sum.cost }),
    };
  }
}

const figuresOf = (r: { cases: number; points: bigint; payment: bigint; cost: bigint; difference: bigint }): BreakdownFigures => ({
  cases: r.cases,
  points: pointsText(r.points),
  estimatedPayment: yuanText(r.payment),
  actualCost: yuanText(r.cost),
  difference: yuanText(r.difference),
});

/** The groups view: a row per group (no-score cases: group null), sorted. */
export function groupRows(
  months: readonly ViewMonth[],
  casesByMonth: Iterable<[string, Iterable<ViewCase>]>,
  sort: BreakdownFigure | 'group',
  order: SortOrder,
): { items: GroupRow[]; total: BreakdownFigures } {
  const b = new Breakdown(months, (c) => c.group);
  for (const [period, cases] of casesByMonth) b.add(period, cases);
  return groupResult(b, sort, order);
}

export const groupResult = (b: Breakdown, sort: BreakdownFigure | 'group', order: SortOrder) =>
  b.result<GroupRow>(sort === 'group' ? 'name' : sort, order, (f, t) => ({ group: t.name, key: t.first.key, kind: t.first.kind, ...f }));

/** The departments view: a row per department (cases without one: department null), sorted, with each department's CMI. */
export const departmentResult = (b: Breakdown, region: ScoreSum, sort: BreakdownFigure | 'department', order: SortOrder) =>
  b.result<DepartmentRow>(sort === 'department' ? 'name' : sort, order, (f, t) => ({
    department: t.name,
    ...f,
    scoredCases: t.score.cases,
    meanScore: meanScore(t.score),
    cmi: caseMixIndex(t.score, region),
  }));
