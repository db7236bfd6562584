import { combinationOf, groupingCode, ProcedureTypeOf, TreatmentType } from '../codes';
import { CatalogueGroup } from '../catalogue/catalogue';
import { CatalogueIndex, IndexedCore } from './catalogue-index';
import { cmp, Fixed, fixedOf, sub } from './exact';

/**
 * Why a case is in its group (spec §5.5):
 * - `core-exact`: the core group with the case's own combination key;
 * - `core-subset`: a core group whose key procedures are a proper subset of the case's;
 * - `core-conservative`: the conservative core group (`K80.1|`) of a conservative or diagnostic
 *   case that has key procedures of its own;
 * - `composite`: the composite group of the case's category and treatment type;
 * - `composite-block` / `composite-chapter` / `composite-region`: that key is not in the catalogue
 *   (merged upward in the build, or never seen), and the case went to the composite group of its
 *   block range, chapter range, or the region-wide group `*`, of its treatment type;
 * - `no-score`: no group at all (spec §5.4, §6.5).
 */
export type GroupRule =
  | 'core-exact'
  | 'core-subset'
  | 'core-conservative'
  | 'composite'
  | 'composite-block'
  | 'composite-chapter'
  | 'composite-region'
  | 'no-score';

/** Which step of the tie-break order (spec §5.2) decided among several core candidates. */
export type TieBreak = 'most-procedures' | 'principal-procedure' | 'closest-avg-cost' | 'smallest-key';

export interface Grouping {
  /** null: a no-score case. */
  group: CatalogueGroup | null;
  rule: GroupRule;
  /** The case's combination key (spec §3); null for a therapeutic case without key procedures. */
  key: string | null;
  treatmentType: TreatmentType;
  /**
   * Set when several core groups were candidates, naming the first criterion that separated
   * the chosen one from the rest. Never set for `core-exact` (an exact key always wins).
   */
  tieBreak?: TieBreak;
  /** The number of core candidates considered (set with tieBreak). */
  candidates?: number;
}

/** What grouping reads of a case (validated and normalised, spec §2–3). */
export interface GroupingInput {
  principalDiagnosis: string;
  principalProcedure: string | null;
  otherProcedures: readonly string[];
  /** Yuan; used only by the third tie-break (average cost closest to the case's cost). */
  totalCost: string;
}

const RULE_OF_LEVEL: Record<'category' | 'block' | 'chapter' | 'region', GroupRule> = {
  category: 'composite',
  block: 'composite-block',
  chapter: 'composite-chapter',
  region: 'composite-region',
};

/**
 * Spec §5: puts a case into exactly one group, or none (a no-score case). Depends only on the
 * case and the catalogue. `typeOf` resolves procedure types (spec §3).
 */
export function groupCase(index: CatalogueIndex, c: GroupingInput, typeOf: ProcedureTypeOf): Grouping {
  // Spec §3: treatment type, key procedures, combination key. The two commonest shapes (no
  // procedure; a principal procedure alone) are answered without building a set.
  const code = groupingCode(c.principalDiagnosis);
  const subcategory = code.slice(0, 5);
  let treatmentType: TreatmentType;
  let keyProcedures: readonly string[];
  let key: string | null;
  if (c.otherProcedures.length === 0) {
    if (c.principalProcedure === null) {
      treatmentType = 'conservative';
      keyProcedures = NO_PROCEDURES;
      key = `${subcategory}|`;
    } else {
      treatmentType = typeOf(c.principalProcedure);
      keyProcedures = [c.principalProcedure];
      key = `${subcategory}|${c.principalProcedure}`;
    }
  } else {
    const comb = combinationOf(c.principalDiagnosis, c.principalProcedure, c.otherProcedures, typeOf);
    treatmentType = comb.treatmentType;
    keyProcedures = comb.keyProcedures;
    key = comb.key;
  }

  // Spec §5.2, core. A null key (therapeutic, no key procedures) has no core candidate: the only
  // core group whose procedures it holds is the conservative one, which it may not join.
  if (key !== null) {
    const exact = index.core(key);
    if (exact !== undefined) return { group: exact.group, rule: 'core-exact', key, treatmentType };
    const chosen = chooseCore(
      index.coresOf(subcategory),
      keyProcedures,
      c.principalProcedure,
      treatmentType === 'conservative' || treatmentType === 'diagnostic',
      c.totalCost,
    );
    if (chosen !== null) {
      const g: Grouping = {
        group: chosen.core.group,
        rule: chosen.core.procedures.length === 0 ? 'core-conservative' : 'core-subset',
        key,
        treatmentType,
      };
      if (chosen.candidates > 1) {
        g.tieBreak = chosen.tieBreak;
        g.candidates = chosen.candidates;
      }
      return g;
    }
  }

  // Spec §5.3, composite; §5.4, none.
  const composite = index.composite(code.slice(0, 3), treatmentType);
  if (composite === null) return { group: null, rule: 'no-score', key, treatmentType };
  return { group: composite.group, rule: RULE_OF_LEVEL[composite.level], key, treatmentType };
}

const NO_PROCEDURES: readonly string[] = [];

interface Choice {
  core: IndexedCore;
  candidates: number;
  tieBreak: TieBreak;
}

const TIE_BREAKS: readonly TieBreak[] = ['most-procedures', 'principal-procedure', 'closest-avg-cost', 'smallest-key'];

/**
 * Among the subcategory's core groups whose key procedures all are the case's (the conservative
 * one only when `conservativeAllowed`), the best by: most key procedures; containing the case's
 * principal procedure; average cost closest to the case's total cost (exact); smallest key in
 * plain character order. The order is total (keys are unique), so the choice does not depend on
 * the order of the list. With several candidates the tie-break reported is the deepest criterion
 * needed to separate the winner from any other candidate.
 */
function chooseCore(
  cores: readonly IndexedCore[],
  keyProcedures: readonly string[],
  principal: string | null,
  conservativeAllowed: boolean,
  totalCost: string,
): Choice | null {
  const ctx: Ctx = { principal, totalCost, cost: null };
  let best: IndexedCore | null = null;
  let candidates = 0;
  const n = keyProcedures.length;
  for (const core of cores) {
    const procs = core.procedures;
    if (procs.length > n) continue;
    if (procs.length === 0 ? !conservativeAllowed : !isSubset(procs, keyProcedures)) continue;
    candidates++;
    if (best === null || compareCores(core, best, ctx) < 0) best = core;
  }
  if (best === null) return null;
  let deepest = 1;
  if (candidates > 1) {
    for (const core of cores) {
      if (core === best) continue;
      const procs = core.procedures;
      if (procs.length > n) continue;
      if (procs.length === 0 ? !conservativeAllowed : !isSubset(procs, keyProcedures)) continue;
      deepest = Math.max(deepest, Math.abs(compareCores(core, best, ctx)));
    }
  }
  return { core: best, candidates, tieBreak: TIE_BREAKS[deepest - 1] };
}

interface Ctx {
  principal: string | null;
  totalCost: string;
  /** The case's cost, parsed when the third criterion is first needed. */
  cost: Fixed | null;
}

/**
 * Negative when x comes before y in the tie-break order, positive after; the magnitude (1–4) is
 * the criterion that separated them. Never 0 for two different groups (keys are unique).
 */
function compareCores(x: IndexedCore, y: IndexedCore, ctx: Ctx): number {
  const nx = x.procedures.length;
  const ny = y.procedures.length;
  if (nx !== ny) return nx > ny ? -1 : 1;
  const p = ctx.principal;
  if (p !== null) {
    const px = x.procedures.includes(p);
    if (px !== y.procedures.includes(p)) return px ? -2 : 2;
  }
  const cost = (ctx.cost ??= fixedOf(ctx.totalCost, 'totalCost'));
  const d = cmp(distance(x.avgCost, cost), distance(y.avgCost, cost));
  if (d !== 0) return 3 * d;
  return x.group.key < y.group.key ? -4 : 4;
}

const distance = (a: Fixed, b: Fixed): Fixed => {
  const d = sub(a, b);
  return d.n < 0n ? { n: -d.n, e: d.e } : d;
};

/** Every element of `small` is in `big` (both short). */
function isSubset(small: readonly string[], big: readonly string[]): boolean {
  for (const p of small) if (!big.includes(p)) return false;
  return true;
}
