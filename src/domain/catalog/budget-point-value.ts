import { ProcedureTypeOf } from '../codes';
import { Dec, fixed, round6 } from '../decimal';
import { CatalogueIndex, compileScoring, valueCase } from '../engine';
import { Policy } from '../policy';
import { HistoryCase } from './build';
import { Catalogue } from './catalogue';
import { IcdRanges } from './ranges';
import { SeverityLists } from './severity';

/** A window case with what §6 needs beyond the build's fields. */
export interface ScorableHistoryCase extends HistoryCase {
  outOfCatalogSelfPay: string;
  daySurgery: boolean;
  externalExpert: boolean;
}

const fenOf = (yuan: string): bigint => BigInt(yuan.replace('.', ''));
/** Points have exactly 4 decimals: as integers of 1/10,000 point they add exactly. */
const tenThousandthsOf = (points: string): bigint => BigInt(points.replace('.', ''));

/**
 * Spec §4.9: pvBudget = Σ_y w_y · totalCost_y / Σ_y w_y · points_y over the window, every case
 * grouped (§5) and scored (§6) with the new catalogue and k = 1. Fed a second pass over the
 * window's cases; reported to 6 dp.
 */
export function budgetPointValue(catalogue: Omit<Catalogue, 'pvBudget'>, policy: Policy, ranges: IcdRanges, severity: SeverityLists, typeOf: ProcedureTypeOf) {
  const index = new CatalogueIndex({ ...catalogue, pvBudget: '0' }, ranges);
  const scoring = compileScoring(policy, catalogue.costPerPoint);
  const first = catalogue.year - policy.catalog.lookbackYears;
  const cost = new Map<number, bigint>();
  const points = new Map<number, bigint>();
  return {
    add(c: ScorableHistoryCase): void {
      if (!catalogue.window.includes(c.year)) return;
      const { points: p } = valueCase(index, c, typeOf, { scoring, coefficient: '1', severity });
      cost.set(c.year, (cost.get(c.year) ?? 0n) + fenOf(c.totalCost));
      points.set(c.year, (points.get(c.year) ?? 0n) + tenThousandthsOf(p.points));
    },
    value(): string {
      let num = new Dec(0);
      let den = new Dec(0);
      for (const [year, fen] of cost) {
        const w = new Dec(policy.catalog.yearWeights[year - first]);
        num = num.plus(w.times(fen.toString()).div(100));
        den = den.plus(w.times((points.get(year) ?? 0n).toString()).div(10_000));
      }
      return den.isZero() ? fixed(new Dec(0), 6) : fixed(round6(num.div(den)), 6);
    },
  };
}
