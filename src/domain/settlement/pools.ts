import { Pool, POOLS } from '../case-record';
import type { HospitalSums } from '../engine/batch';
import { invalid } from '../errors';
import { fenOf, pointsText, yuanText } from '../money';
import { BudgetLine, Policy } from '../policy';
import { ApprovedDecision, specialCaseLines } from '../special-case';
import {
  AnnualPool,
  annualPool,
  HospitalTotals,
  HospitalYearRecords,
  monthlyPool,
  MonthlyPool,
  poolBudget,
  yearEndReserve,
} from './settlement';

/**
 * The pools of a settlement run assembled from what the run added up (spec §8.3, §8.4): the
 * grouping run's sums per pool and hospital, the policy's budgets and, for a year, the agency's
 * records. Pure: the caller reads and stores.
 */

/**
 * A grouping run's sums (points, cost, fund payment per pool and hospital) as §8's hospital
 * totals, by pool, in code order. An annual run passes its approved special cases (spec §6.7,
 * §9): each replaces its case's points, and the hospital carries the line that says so.
 */
export function hospitalTotalsByPool(
  sums: readonly HospitalSums[],
  special: readonly ApprovedDecision[] = [],
): Map<Pool, HospitalTotals[]> {
  const lines = specialCaseLines(special);
  const totals = new Map<Pool, HospitalTotals[]>(POOLS.map((p) => [p, []]));
  const sorted = [...sums].sort((a, b) => (a.hospitalCode < b.hospitalCode ? -1 : a.hospitalCode > b.hospitalCode ? 1 : 0));
  for (const s of sorted) {
    if (s.pool === '') throw new Error(`the sums of hospital ${s.hospitalCode} carry no pool: the run did not read it`);
    const line = lines.get(`${s.pool}/${s.hospitalCode}`);
    totals.get(s.pool)!.push({
      hospitalCode: s.hospitalCode,
      cases: s.cases,
      points: pointsText(s.points + (line?.delta ?? 0n)),
      ...(line ? { specialCases: { cases: line.cases, rulePoints: line.rulePoints, approvedPoints: line.approvedPoints } } : {}),
      nonFund: yuanText(s.costFen - s.fundFen),
      bookkeeping: yuanText(s.fundFen),
    });
  }
  return totals;
}

/** Spec §8.3 for every pool that has cases or a budget; a pool with cases but no budget is refused. */
export function monthlyPools(policy: Policy, totals: ReadonlyMap<Pool, HospitalTotals[]>): MonthlyPool[] {
  const out: MonthlyPool[] = [];
  for (const pool of POOLS) {
    const hospitals = totals.get(pool) ?? [];
    const b = policy.budget[pool];
    if (!b) {
      if (hospitals.length > 0)
        throw invalid('no-budget', `the ${policy.region}/${policy.year} policy has no ${pool} budget, but the period has ${pool} cases`);
      continue;
    }
    out.push(monthlyPool(pool, poolBudget(pool, b).dipBudget, hospitals, policy.settlement));
  }
  return out;
}

/** An amount recorded for a hospital of a pool (a violation, a revolving-fund advance, a finalised month's pre-settlement). */
export interface PoolAmount {
  pool: Pool;
  hospitalCode: string;
  amount: string;
}

/** The agency's records of a region's year (spec §8.4), as stored. */
export interface YearRecords {
  assessments: { hospitalCode: string; score: string }[];
  violations: PoolAmount[];
  revolvingFunds: PoolAmount[];
  /** The pre-settlement of the year's finalised months, per hospital and month. */
  prepaid: PoolAmount[];
  actuals: { pool: Pool; line: BudgetLine; amount: string }[];
}

/** Amounts summed exactly per pool and hospital. */
function sums(rows: readonly PoolAmount[]): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const r of rows) m.set(`${r.pool}/${r.hospitalCode}`, (m.get(`${r.pool}/${r.hospitalCode}`) ?? 0n) + fenOf(r.amount));
  return m;
}

/**
 * Spec §8.4 for every pool that has cases, records or a budget: the reserve split from the
 * recorded budget actuals, the year fund, and per hospital its assessment, violations,
 * revolving fund and what its finalised months prepaid. Hospitals with records but no case this
 * year still clear what they were paid. A pool with cases or records but no budget is refused.
 */
export function annualPools(policy: Policy, totals: ReadonlyMap<Pool, HospitalTotals[]>, records: YearRecords): AnnualPool[] {
  const scores = new Map(records.assessments.map((a) => [a.hospitalCode, a.score]));
  const violations = sums(records.violations);
  const revolving = sums(records.revolvingFunds);
  const prepaid = sums(records.prepaid);
  const recorded = [...violations.keys(), ...revolving.keys(), ...prepaid.keys()];
  const pools: AnnualPool[] = [];
  for (const pool of POOLS) {
    const withCases = totals.get(pool) ?? [];
    const codes = new Set([
      ...withCases.map((h) => h.hospitalCode),
      ...recorded.filter((k) => k.startsWith(`${pool}/`)).map((k) => k.slice(pool.length + 1)),
    ]);
    const b = policy.budget[pool];
    if (!b) {
      if (codes.size > 0)
        throw invalid(
          'no-budget',
          `the ${policy.region}/${policy.year} policy has no ${pool} budget, but the year has ${pool} cases or records`,
        );
      continue;
    }
    const byCode = new Map(withCases.map((h) => [h.hospitalCode, h]));
    const hospitals = [...codes]
      .sort()
      .map((code) => byCode.get(code) ?? { hospitalCode: code, cases: 0, points: '0.0000', nonFund: '0.00', bookkeeping: '0.00' });
    const actuals: Partial<Record<BudgetLine, string>> = Object.fromEntries(
      records.actuals.filter((a) => a.pool === pool).map((a) => [a.line, a.amount]),
    );
    const of = (code: string): HospitalYearRecords => ({
      assessmentScore: scores.get(code) ?? '1',
      violations: yuanText(violations.get(`${pool}/${code}`) ?? 0n),
      prepaid: yuanText(prepaid.get(`${pool}/${code}`) ?? 0n),
      revolvingFund: yuanText(revolving.get(`${pool}/${code}`) ?? 0n),
    });
    const budget = poolBudget(pool, b);
    pools.push(annualPool(pool, budget, yearEndReserve(budget, actuals, policy.settlement.reserveSplit), hospitals, of, policy.settlement));
  }
  return pools;
}
