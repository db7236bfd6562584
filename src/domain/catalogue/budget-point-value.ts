import { Dec, fixed, round6 } from '../decimal';
import { Policy } from '../policy';

/** One window year's totals: the cost of all its cases (fen) and their points (1/10,000 point, k = 1). */
export interface YearTotals {
  costFen: bigint;
  points: bigint;
}

/**
 * Spec §4.9: pvBudget = Σ_y w_y · totalCost_y / Σ_y w_y · points_y over the window's years, the
 * points being every case grouped (§5) and scored (§6) with the new catalogue and k = 1 (the
 * caller sums them, through the engine and its worker pool). Reported to 6 dp; 0 with no points.
 */
export function budgetPointValue(years: ReadonlyMap<number, YearTotals>, catalogueYear: number, policy: Policy): string {
  const first = catalogueYear - policy.catalog.lookbackYears;
  let num = new Dec(0);
  let den = new Dec(0);
  for (const [year, t] of years) {
    const w = policy.catalog.yearWeights[year - first];
    if (w === undefined) throw new Error(`year ${year} is outside the look-back window of ${catalogueYear}`);
    num = num.plus(new Dec(w).times(t.costFen.toString()).div(100));
    den = den.plus(new Dec(w).times(t.points.toString()).div(10_000));
  }
  return den.isZero() ? fixed(new Dec(0), 6) : fixed(round6(num.div(den)), 6);
}
