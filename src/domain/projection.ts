import { CaseRecord, CaseValidationContext, FieldError, Pool, RawCase, validateCase } from './case-record';
import { CatalogueGroup } from './catalogue/catalogue';
import { categoryOf, groupingCode, subcategoryOf, TREATMENT_TYPES, TreatmentType } from './codes';
import { CatalogueIndex, CompositeLevel } from './engine/catalogue-index';
import { fixedOf, mul, ONE_F, quotientText } from './engine/exact';
import { Grouping, GroupRule } from './engine/grouping';
import { Points, scoreCase, ScoringContext, ScoringInput } from './engine/scoring';
import { pointsText, pointUnitsOf } from './money';

/**
 * Projections (issue 12): what a case will be worth before it is settled. Pure: the point value
 * a projection uses, the estimate, and the groups a case's principal diagnosis could fall into
 * with other coded procedures. The engine (spec §5–§7) values the case; nothing here groups.
 */

/**
 * The point value a projection used (spec §8.2): the case's pool's in the latest stored monthly
 * settlement run of its catalogue, else the catalogue's budget point value (spec §4.9).
 */
export type ProjectionPointValue =
  | { value: string; source: 'monthly-run'; runId: string; period: string; status: string }
  | { value: string; source: 'catalogue-budget'; catalogueId: string };

/** A stored monthly run as a projection reads it: its pools' point values (6 dp, as reported). */
export interface MonthlyRunPointValues {
  runId: string;
  /** `YYYY-MM`. */
  period: string;
  status: string;
  pools: readonly { pool: Pool; pointValue: string; points: string }[];
}

const positive = (text: string): boolean => fixedOf(text, 'a reported figure').n > 0n;

/**
 * The point value for a case of `pool`: the pool's in the first of `runs` (latest period first)
 * that settled that pool with points (a pool without points has PV 0, which says nothing of a
 * point's worth), else the catalogue's budget point value.
 */
export function choosePointValue(
  runs: readonly MonthlyRunPointValues[],
  pool: Pool,
  catalogue: { id: string; pvBudget: string },
): ProjectionPointValue {
  for (const run of runs) {
    const p = run.pools.find((x) => x.pool === pool);
    if (p !== undefined && positive(p.points) && positive(p.pointValue))
      return { value: p.pointValue, source: 'monthly-run', runId: run.runId, period: run.period, status: run.status };
  }
  return { value: catalogue.pvBudget, source: 'catalogue-budget', catalogueId: catalogue.id };
}

/**
 * The estimated payment of a case: points × point value, the exact product (4 dp × 6 dp, at
 * most 10 decimals) rounded half-up to the fen once (a fund pays in fen, spec §8).
 */
export function estimatedPayment(points: string, pointValue: string): string {
  // Scaled integers (engine/exact.ts): exact, and a tenth of decimal.js's cost on a hot path.
  return quotientText(mul(fixedOf(points, 'points'), fixedOf(pointValue, 'the point value')), ONE_F, 2);
}

/** Points a − b, exactly, 4 dp (negative when b is worth more). */
export const pointsDifference = (a: string, b: string): string => pointsText(pointUnitsOf(a) - pointUnitsOf(b));

const RULE_OF_LEVEL: Record<CompositeLevel, GroupRule> = {
  category: 'composite',
  block: 'composite-block',
  chapter: 'composite-chapter',
  region: 'composite-region',
};

/** A group the principal diagnosis can reach with some coding of the procedures, and how. */
export interface ReachableGroup {
  group: CatalogueGroup;
  /** The rule that would place a case so coded there: `core-exact`, or the composite level's rule. */
  rule: GroupRule;
  /**
   * The coding that reaches it. Core: exactly the group's key procedures as the case's key
   * procedures (principal procedure and every other surgery; none for the conservative group).
   * Composite: a case of this treatment type whose key procedures match no core group of the
   * subcategory.
   */
  keyProcedures: readonly string[];
  treatmentType: TreatmentType;
}

/**
 * Every group of the catalogue that a case with this principal diagnosis can fall into, by
 * spec §5 (combinationOf, CatalogueIndex): each core group of its subcategory (coded with
 * exactly its key: core-exact), and the composite group (category, type, or the group it was
 * merged into) of each treatment type that some coding reaches. A conservative or diagnostic case
 * always has the subcategory's conservative core group as a candidate when there is one (§5.2),
 * so the composite groups of those two types are reachable only without it; a therapeutic or
 * surgical case can always be coded past every core group (a procedure no core key holds). Core
 * groups in key order, then composites in treatment-type order; each group once.
 */
export function reachableGroups(index: CatalogueIndex, principalDiagnosis: string): ReachableGroup[] {
  const code = groupingCode(principalDiagnosis);
  const cores = index.coresOf(subcategoryOf(code));
  const out: ReachableGroup[] = cores.map((c) => ({
    group: c.group,
    rule: 'core-exact',
    keyProcedures: c.procedures,
    treatmentType: c.group.treatmentType,
  }));
  const hasConservativeCore = cores.some((c) => c.procedures.length === 0);
  const seen = new Set(out.map((r) => r.group.key));
  for (const type of TREATMENT_TYPES) {
    if (hasConservativeCore && (type === 'conservative' || type === 'diagnostic')) continue;
    const choice = index.composite(categoryOf(code), type);
    if (choice === null || seen.has(choice.group.key)) continue;
    seen.add(choice.group.key);
    out.push({ group: choice.group, rule: RULE_OF_LEVEL[choice.level], keyProcedures: [], treatmentType: type });
  }
  return out;
}

/** An alternative group of a case, valued for this case. */
export interface Alternative extends ReachableGroup {
  points: Points;
}

/**
 * The groups other than the case's own that its principal diagnosis can reach (reachableGroups),
 * each scored for this case by spec §6: the same costs, severity class, hospital coefficient
 * and flags (day surgery, external expert, self-pay), only the group differs. Highest points first
 * (ties in the order of reachableGroups).
 */
export function alternativesOf(
  index: CatalogueIndex,
  c: ScoringInput & { principalDiagnosis: string },
  own: Grouping,
  ctx: ScoringContext,
): Alternative[] {
  const alternatives = reachableGroups(index, c.principalDiagnosis)
    .filter((r) => r.group.key !== own.group?.key)
    .map((r) => ({ ...r, points: scoreCase({ group: r.group, rule: r.rule, key: own.key, treatmentType: r.treatmentType }, c, ctx) }));
  return alternatives
    .map((a, i) => ({ a, i, units: pointUnitsOf(a.points.points) }))
    .sort((x, y) => (x.units === y.units ? x.i - y.i : x.units > y.units ? -1 : 1))
    .map((x) => x.a);
}

/**
 * Spec §2 validation of a case to project (validateCase, every rule, every error with its field),
 * except that `fundPayment` may be absent: nothing of a projection depends on it (it only splits
 * a settled amount between the fund and the patient, spec §8.2). Absent, it is checked as 0.00
 * (so `outOfCatalogSelfPay` ≤ `totalCost`) and `fundPaymentGiven` is false. `totalCost` stays
 * required: the outlier ratio, the self-pay share and a no-score case's points are made of it.
 * `patientId` may be absent too: a projection stores nothing and values no patient; absent, it
 * is checked as a placeholder.
 */
/** The patientId a projection without one is checked with (never stored, never shown). */
const PROJECTION_PATIENT = 'projection';

export function validateProjectionCase(
  raw: RawCase,
  ctx: CaseValidationContext,
): { record: CaseRecord; fundPaymentGiven: boolean } | { errors: FieldError[] } {
  const f = raw.fundPayment;
  const given = !(f === undefined || f === null || (typeof f === 'string' && f.trim() === ''));
  const absent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
  const filled = { ...raw, ...(given ? {} : { fundPayment: '0.00' }), ...(absent(raw.patientId) ? { patientId: PROJECTION_PATIENT } : {}) };
  const v = validateCase(filled, ctx);
  return 'errors' in v ? v : { record: v.record, fundPaymentGiven: given };
}
