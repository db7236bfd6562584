import { Dec, fixed, money, round2, round6 } from '../decimal';
import { BUDGET_LINES, BudgetLine, Policy, PoolBudgetPolicy } from '../policy';
import { Pool } from '../case-record';
import { DipError } from '../errors';
import type { SpecialCaseLine } from '../special-case';
import { FUND, OverspendTier, reconcileExact } from '../schemes/reconciliation';

/**
 * Spec §8: the DIP budget, the point value and the hospitals' monthly and annual amounts, per
 * pool. Pure: the caller sums the cases (points, non-fund payments, bookkeeping) per hospital.
 * Decimals are decimal.js at 40 digits; only what is reported or paid is rounded (money 2 dp,
 * points 4 dp, point values 6 dp), half-up.
 */

const zero = new Dec(0);
const max0 = (d: Dec): Dec => (d.isNegative() ? zero : d);

// ---------------------------------------------------------------- §8.1 budget

export interface PoolBudget {
  pool: Pool;
  /** Null when the policy gives dipBudget directly. */
  revenue: string | null;
  reserve: string | null;
  lines: Partial<Record<BudgetLine, string>>;
  dipBudget: string;
}

/** Spec §8.1: dipBudget = R − R × reserveRatio − Σ lines, or the figure given. */
export function poolBudget(pool: Pool, b: PoolBudgetPolicy): PoolBudget {
  if ('dipBudget' in b) return { pool, revenue: null, reserve: null, lines: {}, dipBudget: money(new Dec(b.dipBudget)) };
  const revenue = new Dec(b.revenue);
  const reserve = round2(revenue.times(b.reserveRatio));
  let lines = zero;
  for (const l of BUDGET_LINES) if (b.lines[l] !== undefined) lines = lines.plus(b.lines[l]!);
  const dip = revenue.minus(reserve).minus(lines);
  if (dip.isNegative())
    throw new SettlementError(
      `the ${pool} DIP budget would be negative: revenue ${b.revenue} − reserve ${fixed(reserve, 2)} − lines ${fixed(lines, 2)}`,
    );
  return { pool, revenue: money(revenue), reserve: money(reserve), lines: { ...b.lines }, dipBudget: money(dip) };
}

/** Lines whose overspend the reserve covers (spec §8.1: lines 1–4, not critical illness). */
const COVERED_LINES: readonly BudgetLine[] = ['generalOutpatient', 'outpatientChronic', 'outOfRegion', 'otherMethods'];

export interface YearEndReserve {
  /** Σ over lines 1–4 of max(0, actual − budgeted). */
  shortfall: string;
  /** L: what remains of the reserve after covering the shortfall. */
  remainder: string;
  /** L × reserveSplit.dip: joins the annual DIP fund. */
  toDipFund: string;
  /** J = L × reserveSplit.adjustment: the adjustment fund. */
  adjustmentFund: string;
  /** The shortfall the reserve could not cover (reported, not paid from DIP). */
  uncovered: string;
}

/**
 * Spec §8.1, year end. With a budget given directly there is no reserve: L = 0, J = 0. The
 * two shares are rounded to the fen and J takes the last fen (toDipFund + J = L exactly).
 */
export function yearEndReserve(
  budget: PoolBudget,
  actuals: Partial<Record<BudgetLine, string>>,
  split: Policy['settlement']['reserveSplit'],
): YearEndReserve {
  let shortfall = zero;
  for (const l of COVERED_LINES) {
    const planned = budget.lines[l];
    const actual = actuals[l];
    if (planned !== undefined && actual !== undefined) shortfall = shortfall.plus(max0(new Dec(actual).minus(planned)));
  }
  const reserve = new Dec(budget.reserve ?? 0);
  const remainder = max0(reserve.minus(shortfall));
  const toDip = round2(remainder.times(split.dip));
  return {
    shortfall: money(shortfall),
    remainder: money(remainder),
    toDipFund: money(toDip),
    adjustmentFund: money(remainder.minus(toDip)),
    uncovered: money(max0(shortfall.minus(reserve))),
  };
}

// ---------------------------------------------------------------- §8.2 point value

/** What the cases of one hospital in one pool add up to for the period. */
export interface HospitalTotals {
  hospitalCode: string;
  cases: number;
  /** Σ case points (4 dp each, so exact). */
  points: string;
  /** Σ (totalCost − fundPayment). */
  nonFund: string;
  /** Σ fundPayment: the hospital's own bookkeeping C_h. */
  bookkeeping: string;
  /** Annual: the approved special cases whose points replaced the rules' (already in `points`). */
  specialCases?: SpecialCaseLine;
}

export interface PointValue {
  /** PV to 6 dp (reported); entitlements use the unrounded value. */
  pointValue: string;
  points: string;
  nonFund: string;
  /** E_h rounded to 2 dp, by hospital code. */
  entitlements: Map<string, Dec>;
  /** F − Σ E_h: rounding only. */
  residual: string;
}

/**
 * Spec §8.2. Total-cost basis: PV = (F + Σ nonFund) / Σ points, E_h = points_h × PV − nonFund_h;
 * fund basis: PV = F / Σ points, E_h = points_h × PV. With no points at all PV is 0 and every E_h
 * is 0 (nothing to share; the residual shows the fund left).
 */
export function pointValue(fund: Dec, hospitals: readonly HospitalTotals[], basis: 'totalCost' | 'fund'): PointValue {
  let points = zero;
  let nonFund = zero;
  for (const h of hospitals) {
    points = points.plus(h.points);
    nonFund = nonFund.plus(h.nonFund);
  }
  const pv = points.isZero() ? zero : (basis === 'totalCost' ? fund.plus(nonFund) : fund).div(points);
  const entitlements = new Map<string, Dec>();
  let paid = zero;
  for (const h of hospitals) {
    const raw = new Dec(h.points).times(pv);
    const e = points.isZero() ? zero : round2(basis === 'totalCost' ? raw.minus(h.nonFund) : raw);
    entitlements.set(h.hospitalCode, e);
    paid = paid.plus(e);
  }
  return {
    pointValue: fixed(round6(pv), 6),
    points: fixed(points, 4),
    nonFund: money(nonFund),
    entitlements,
    residual: money(fund.minus(paid)),
  };
}

// ---------------------------------------------------------------- §8.3 monthly

export interface MonthlyHospital {
  hospitalCode: string;
  cases: number;
  points: string;
  nonFund: string;
  bookkeeping: string;
  entitlement: string;
  prepay: string;
}

export interface MonthlyPool {
  pool: Pool;
  /** B_m = dipBudget / 12, to the fen. */
  monthlyBudget: string;
  /** C_m = Σ fundPayment of the month's cases. */
  cityBookkeeping: string;
  /** F_m = min(B_m, C_m). */
  fund: string;
  points: string;
  nonFund: string;
  pointValue: string;
  residual: string;
  hospitals: MonthlyHospital[];
}

/**
 * Spec §8.3 for one pool and month. B_m is rounded to the fen before it is compared (a fund is
 * paid in fen); P_h = max(0, round2(min(E_h, C_h) × ratio)), or E_h × ratio when the cap at the
 * hospital's own bookkeeping is switched off.
 */
export function monthlyPool(pool: Pool, dipBudget: string, hospitals: readonly HospitalTotals[], s: Policy['settlement']): MonthlyPool {
  const monthly = round2(new Dec(dipBudget).div(12));
  let city = zero;
  for (const h of hospitals) city = city.plus(h.bookkeeping);
  const fund = Dec.min(monthly, city);
  const pv = pointValue(fund, hospitals, s.basis);
  return {
    pool,
    monthlyBudget: money(monthly),
    cityBookkeeping: money(city),
    fund: money(fund),
    points: pv.points,
    nonFund: pv.nonFund,
    pointValue: pv.pointValue,
    residual: pv.residual,
    hospitals: hospitals.map((h) => {
      const e = pv.entitlements.get(h.hospitalCode)!;
      const base = s.capAtHospitalBookkeeping ? Dec.min(e, h.bookkeeping) : e;
      return { ...h, entitlement: money(e), prepay: money(max0(round2(base.times(s.monthlyPrepayRatio)))) };
    }),
  };
}

// ---------------------------------------------------------------- §8.4 annual

/** What the agency recorded for a hospital and year (spec §8.4). */
export interface HospitalYearRecords {
  /** Assessment score in [0, 1]; 1 when none is recorded. */
  assessmentScore: string;
  /** Σ violation deductions. */
  violations: string;
  /** Σ monthly pre-settlement amounts paid (finalised months). */
  prepaid: string;
  /** The revolving fund advanced at the start of the year. */
  revolvingFund: string;
}

export interface AnnualHospital extends MonthlyHospitalBase {
  /** The approved special cases of the year (spec §9), when the hospital has any. */
  specialCases?: SpecialCaseLine;
  entitlement: string;
  assessmentDeduction: string;
  violations: string;
  overspend: string;
  compensation: string;
  final: string;
  prepaid: string;
  revolvingFund: string;
  balance: string;
}

type MonthlyHospitalBase = Omit<MonthlyHospital, 'entitlement' | 'prepay'>;

export interface AnnualPool {
  pool: Pool;
  dipBudget: string;
  reserve: YearEndReserve;
  /** F_y = dipBudget + L × reserveSplit.dip. */
  fund: string;
  cityBookkeeping: string;
  points: string;
  nonFund: string;
  pointValue: string;
  residual: string;
  adjustmentFund: string;
  /** Σ K_h before scaling, and the factor applied when it exceeded J (1 otherwise). */
  compensationClaimed: string;
  compensationScale: string;
  hospitals: AnnualHospital[];
}

/**
 * Spec §8.4's reasonable overspend on the shared reconciliation (SCHEMES.md): A = E_h, S = C_h,
 * retention 1, the policy's tiers with the fund's share and the hospital the rest. The claim K_h
 * is the fund's unrounded part: it is scaled by J / Σ K before it is rounded.
 */
function claimedCompensation(entitlement: Dec, bookkeeping: Dec, tiers: OverspendTier[]): { overspend: Dec; claimed: Dec } {
  const r = reconcileExact({ allowance: entitlement, spending: bookkeeping, retentionRatio: '1', tiers, parties: [FUND, 'hospital'] });
  return { overspend: r.overspend, claimed: r.partsUnrounded.get(FUND)! };
}

/** The policy's §8.4 tiers as the reconciliation's: the fund's share, the hospital the rest. */
const reconciliationTiers = (tiers: Policy['settlement']['overspendTiers']): OverspendTier[] =>
  tiers.map((t) => ({ upTo: t.upTo, shares: { [FUND]: t.fundShare, hospital: new Dec(1).minus(t.fundShare).toString() } }));

/**
 * Spec §8.4 for one pool and year. Compensation: K_h = round2(claimed_h) and, when Σ K_h > J,
 * round2(claimed_h × J / Σ claimed) (so Σ K_h ≤ J up to a fen per hospital, reported).
 */
export function annualPool(
  pool: Pool,
  budget: PoolBudget,
  reserve: YearEndReserve,
  hospitals: readonly HospitalTotals[],
  records: (hospitalCode: string) => HospitalYearRecords,
  s: Policy['settlement'],
): AnnualPool {
  const fund = new Dec(budget.dipBudget).plus(reserve.toDipFund);
  let city = zero;
  for (const h of hospitals) city = city.plus(h.bookkeeping);
  const pv = pointValue(fund, hospitals, s.basis);
  const J = new Dec(reserve.adjustmentFund);
  const tiers = reconciliationTiers(s.overspendTiers);
  const claims = hospitals.map((h) => claimedCompensation(pv.entitlements.get(h.hospitalCode)!, new Dec(h.bookkeeping), tiers));
  const claimedTotal = claims.reduce((t, c) => t.plus(c.claimed), zero);
  const scale = claimedTotal.gt(J) ? J.div(claimedTotal) : new Dec(1);
  return {
    pool,
    dipBudget: budget.dipBudget,
    reserve,
    fund: money(fund),
    cityBookkeeping: money(city),
    points: pv.points,
    nonFund: pv.nonFund,
    pointValue: pv.pointValue,
    residual: pv.residual,
    adjustmentFund: reserve.adjustmentFund,
    compensationClaimed: money(claimedTotal),
    compensationScale: fixed(round6(scale), 6),
    hospitals: hospitals.map((h, i) => {
      const e = pv.entitlements.get(h.hospitalCode)!;
      const r = records(h.hospitalCode);
      const assessment = max0(round2(e.times(s.qualityWithholdRatio).times(new Dec(1).minus(r.assessmentScore))));
      const compensation = round2(claims[i].claimed.times(scale));
      const final = e.minus(assessment).minus(r.violations).plus(compensation);
      return {
        hospitalCode: h.hospitalCode,
        cases: h.cases,
        points: h.points,
        nonFund: h.nonFund,
        bookkeeping: h.bookkeeping,
        ...(h.specialCases ? { specialCases: h.specialCases } : {}),
        entitlement: money(e),
        assessmentDeduction: money(assessment),
        violations: money(new Dec(r.violations)),
        overspend: money(claims[i].overspend),
        compensation: money(compensation),
        final: money(final),
        prepaid: money(new Dec(r.prepaid)),
        revolvingFund: money(new Dec(r.revolvingFund)),
        balance: money(final.minus(r.prepaid).minus(r.revolvingFund)),
      };
    }),
  };
}

/** A settlement input that cannot be settled (a negative budget, a missing pool budget). */
export class SettlementError extends DipError {
  constructor(message: string) {
    super('invalid', 'bad-budget', message);
  }
}
