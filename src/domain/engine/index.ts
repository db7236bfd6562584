/**
 * The grouping and points engine (spec §5, §6, §7): pure, no I/O, exact.
 *
 *   const index = new CatalogueIndex(catalogue, ranges);            // once per catalogue version
 *   const scoring = compileScoring(policy, catalogue.costPerPoint); // once per policy version
 *   const k = hospitalCoefficient(scoring, hospital);               // once per hospital
 *   const g = groupCase(index, c, typeOf);
 *   const p = scoreCase(g, c, { scoring, coefficient: k, severity });
 */
import { ProcedureTypeOf } from '../codes';
import { CatalogueIndex } from './catalogue-index';
import { groupCase, Grouping, GroupingInput } from './grouping';
import { Points, scoreCase, ScoringContext, ScoringInput } from './scoring';

export { CatalogueIndex, groupNumbers, severityFactor } from './catalogue-index';
export type { CompositeChoice, CompositeLevel, GroupNumbers, IndexedCore } from './catalogue-index';
export { groupCase } from './grouping';
export type { GroupRule, Grouping, GroupingInput, TieBreak } from './grouping';
export { compileScoring, FACTOR, hospitalCoefficient, scoreCase } from './scoring';
export type { Factor, GroupTreatment, Points, PointsRule, ScoringContext, ScoringInput, ScoringPolicy } from './scoring';

/** A case's group and points together: the whole explanation of its points. */
export interface CaseValuation {
  grouping: Grouping;
  points: Points;
}

/** groupCase then scoreCase; `explain` false leaves out the factor list (see scoreCase). */
export function valueCase(
  index: CatalogueIndex,
  c: GroupingInput & ScoringInput,
  typeOf: ProcedureTypeOf,
  ctx: ScoringContext,
  explain = true,
): CaseValuation {
  const grouping = groupCase(index, c, typeOf);
  return { grouping, points: scoreCase(grouping, c, ctx, explain) };
}
