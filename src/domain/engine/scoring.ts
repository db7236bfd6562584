import { Dec } from '../decimal';
import { invalid } from '../errors';
import { Hospital, HOSPITAL_BONUSES, HOSPITAL_LEVELS, HospitalBonus, coefficientSum, HospitalLevel } from '../hospital';
import { Policy } from '../policy';
import { SeverityClass } from '../catalogue/catalogue';
import { severityClass, SeverityLists } from '../catalogue/severity';
import { groupNumbers } from './catalogue-index';
import { add, cmp, Fixed, fixedOf, fixedText, mul, ONE_F, quotientText, roundQuotient, sub } from './exact';
import { scaledText } from '../money';
import { Grouping } from './grouping';

/** How a group's points are computed beyond the general rule (spec §4.4, §6.1), from the policy's lists. */
export interface GroupTreatment {
  primaryCare: boolean;
  fixedScore: { score: Fixed; text: string; applyCoefficient: boolean } | null;
  dayScore: { score: Fixed; text: string } | null;
}

interface Param {
  readonly value: Fixed;
  /** As the policy writes it, for the explanation. */
  readonly text: string;
}

/**
 * The scoring part of a policy, compiled once (spec §6, §7, §10): every decimal parsed to an exact
 * scaled integer, the group lists indexed by combination key, the levels and bonuses as decimals.
 * Not for sending between threads (it holds BigInts and decimal.js objects): a worker compiles
 * its own from the plain-JSON Policy.
 */
export interface ScoringPolicy {
  readonly lowRatio: Param;
  readonly highRatio: Param;
  readonly extremeRatio: Param;
  readonly highFormula: 'national' | 'shandong';
  /** outlierReference levelAverage: r against the group's average at the hospital's level, where the catalogue has one. */
  readonly byLevel: boolean;
  readonly primaryCareCoefficient: Param;
  /** 1 + externalExpertBonus. */
  readonly externalExpertFactor: Param;
  readonly noScoreFactor: Param;
  readonly selfPayLimit: Param;
  /** 1 + selfPayLimit: the self-pay factor is ((1 + limit) × c − selfPay) / c. */
  readonly onePlusSelfPayLimit: Fixed;
  /** The catalogue's cost per point (spec §4.7), for no-score cases. */
  readonly costPerPoint: Param;
  /** Combination key → its treatment; a key in none of the lists is absent. */
  readonly groups: ReadonlyMap<string, GroupTreatment>;
  readonly hospitalLevels: Readonly<Record<HospitalLevel, Dec>>;
  readonly bonuses: Readonly<Record<HospitalBonus, Dec>>;
  /** Coefficient text → parsed (a region has a handful of distinct coefficients). */
  readonly coefficients: Map<string, Fixed>;
}

const param = (text: string, what: string): Param => ({ value: fixedOf(text, what), text });

/** Compiles the scoring part of a validated policy (parsePolicy) with the catalogue's cost per point. */
export function compileScoring(policy: Policy, costPerPoint: string): ScoringPolicy {
  const s = policy.scoring;
  const cpp = param(costPerPoint, 'costPerPoint');
  // A catalogue may come from anywhere (an import): a zero here would fail every case.
  if (cpp.value.n <= 0n)
    throw invalid(
      'invalid-catalogue',
      `the catalogue's costPerPoint must be greater than 0; got "${costPerPoint}": no case can be scored with it`,
    );
  const groups = new Map<string, GroupTreatment>();
  const entry = (key: string): GroupTreatment => {
    let t = groups.get(key);
    if (t === undefined) groups.set(key, (t = { primaryCare: false, fixedScore: null, dayScore: null }));
    return t;
  };
  for (const key of policy.groups.primaryCare) entry(key).primaryCare = true;
  for (const f of policy.groups.fixedScore)
    entry(f.key).fixedScore = { score: fixedOf(f.score, `fixed score of ${f.key}`), text: f.score, applyCoefficient: f.applyCoefficient };
  for (const d of policy.groups.daySurgery)
    entry(d.key).dayScore = { score: fixedOf(d.score, `day-surgery score of ${d.key}`), text: d.score };
  const limit = param(s.selfPayLimit, 'scoring.selfPayLimit');
  const bonus = fixedOf(s.externalExpertBonus, 'scoring.externalExpertBonus');
  const expert = add(ONE_F, bonus);
  return {
    lowRatio: param(s.lowRatio, 'scoring.lowRatio'),
    highRatio: param(s.highRatio, 'scoring.highRatio'),
    extremeRatio: param(s.extremeRatio, 'scoring.extremeRatio'),
    highFormula: s.highFormula,
    byLevel: s.outlierReference === 'levelAverage',
    primaryCareCoefficient: param(s.primaryCareCoefficient, 'scoring.primaryCareCoefficient'),
    externalExpertFactor: { value: expert, text: fixedText(expert) },
    noScoreFactor: param(s.noScoreFactor, 'scoring.noScoreFactor'),
    selfPayLimit: limit,
    onePlusSelfPayLimit: add(ONE_F, limit.value),
    costPerPoint: cpp,
    groups,
    hospitalLevels: Object.fromEntries(HOSPITAL_LEVELS.map((l) => [l, new Dec(policy.hospitalLevels[l])])) as Record<HospitalLevel, Dec>,
    bonuses: Object.fromEntries(HOSPITAL_BONUSES.map((b) => [b, new Dec(policy.bonuses[b])])) as Record<HospitalBonus, Dec>,
    coefficients: new Map(),
  };
}

/**
 * Spec §7: the hospital's coefficient k = base of its level + each bonus it holds, with the
 * policy's values (hospital.ts does the sum). Plain decimal text, exact: `0.86` + `0.02` → `0.88`.
 */
export function hospitalCoefficient(scoring: ScoringPolicy, hospital: Pick<Hospital, 'level' | 'bonuses'>): string {
  return coefficientSum(hospital, scoring.hospitalLevels, scoring.bonuses).toString();
}

const MAX_CACHED_COEFFICIENTS = 1024;

function coefficientOf(scoring: ScoringPolicy, text: string): Fixed {
  let k = scoring.coefficients.get(text);
  if (k === undefined) {
    k = fixedOf(text, 'the hospital coefficient');
    if (k.n <= 0n) throw new Error(`the hospital coefficient must be greater than 0; got "${text}"`);
    if (scoring.coefficients.size >= MAX_CACHED_COEFFICIENTS) scoring.coefficients.clear();
    scoring.coefficients.set(text, k);
  }
  return k;
}

export const POINTS_RULES = ['normal', 'low', 'high', 'extreme', 'fixed-score', 'no-score'] as const;
export type PointsRule = (typeof POINTS_RULES)[number];

export interface Factor {
  name: string;
  value: string;
}

export interface Points {
  /** round4, exactly 4 decimals. */
  points: string;
  rule: PointsRule;
  /** The score applied as written (group, day-surgery or fixed score); null for a no-score case. */
  score: string | null;
  /** The severity factor a applied as written; null where none applies (fixed-score, no-score). */
  auxFactor: string | null;
  /** r = c / (m × a × k) to 4 dp (display only; the rule compares the exact r); null where no outlier rule applies. */
  ratio: string | null;
  /**
   * What r was measured against: `coefficientAdjusted` (m × a × k), or `levelAverage:<level>`
   * (m at the hospital's level × a, spec §6.2); null where no outlier rule applies.
   */
  reference: string | null;
  severityClass: SeverityClass;
  /**
   * Every factor applied, in order: score (or day-surgery / fixed score), severity a, coefficient
   * k (primary-care coefficient, or 1 for a fixed-score group), outlier term, external expert,
   * self-pay; for a no-score case totalCost / costPerPoint, then the no-score factor last. Their
   * product is the unrounded points. Catalogue and policy figures appear as written; computed
   * ones (r, r − 2 + 1, the self-pay factor, c / costPerPoint) rounded half-up to 8 dp for display.
   * Empty when scored without explanation (the bulk path: see scoreCase).
   */
  factors: Factor[];
  /** r > extremeRatio: the case may be put to the expert panel (spec §9, extremeCost). */
  eligibleForSpecialReview: boolean;
}

/** What scoring reads of a case (validated, spec §2). */
export interface ScoringInput {
  totalCost: string;
  outOfCatalogSelfPay: string;
  daySurgery: boolean;
  externalExpert: boolean;
  dischargeMode: string;
  losDays: number;
  secondaryDiagnoses: readonly string[];
}

export interface ScoringContext {
  scoring: ScoringPolicy;
  /** The hospital's k (spec §7, see hospitalCoefficient); "1" for the budget point value (spec §4.9). */
  coefficient: string;
  /** The hospital's level, for `outlierReference: levelAverage` (null or absent: unknown). */
  level?: HospitalLevel | null;
  severity: SeverityLists;
}

export const FACTOR = {
  score: 'score',
  dayScore: 'day-surgery score',
  fixedScore: 'fixed score',
  severity: 'severity factor a',
  coefficient: 'hospital coefficient k',
  primaryCare: 'primary-care coefficient',
  fixedCoefficient: 'coefficient (fixed-score group: 1)',
  low: 'low outlier: r',
  highNational: 'high outlier: r − highRatio + 1',
  extremeNational: 'extreme outlier: extremeRatio − highRatio + 1',
  highShandong: 'high outlier: r − highRatio + k',
  extremeShandong: 'extreme outlier: extremeRatio − highRatio + k',
  externalExpert: 'external expert: 1 + bonus',
  selfPay: 'self-pay over the limit: 1 − (q − limit)',
  costPoints: 'totalCost / costPerPoint',
  noScore: 'no-score factor',
} as const;

const DISPLAY_DP = 8;

/**
 * Spec §6: the points of one grouped case, rounded once (round4, half-up) at the end. Computed
 * exactly in scaled integers (see exact.ts): every quotient of the spec (r, q, m × dayScore /
 * score, c / costPerPoint) is carried as numerator / denominator, comparisons with the ratios are
 * cross-multiplied, and the one division is the final rounding. The result is therefore the exact
 * value of the formula rounded half-up, independent of the order of operations. decimal.js at 40
 * digits gives the same figure except when the exact value is a half-way tie at the 5th decimal
 * and the spec's order first rounds a non-terminating quotient (q or r): there it lands on either
 * side of the tie, depending on that quotient's 40th digit. Such ties occur in practice (a
 * no-score case with self-pay over the limit: c cancels and the exact value has 7 decimals).
 *
 * Decisions where the spec is silent:
 * - totalCost 0: q = selfPay / totalCost is undefined, so no self-pay factor; r = 0, so a scored
 *   group's case is a low outlier with 0 points. A fixed-score case keeps its fixed score; a
 *   no-score case has 0 points.
 * - m × a × k = 0 (a group whose stored average cost is 0): r is undefined; no outlier rule
 *   applies (points = base × k, rule `normal`, ratio null).
 * - A group in both the fixed-score and the day-surgery list: the fixed score wins (it has no
 *   outlier rule, so the day-surgery m has no use). A primary-care group that is also fixed-score
 *   with applyCoefficient true uses the primary-care coefficient as its k.
 * - Day surgery in a group whose catalogue score is 0: m × dayScore / score is undefined; the day
 *   score is used as s and m is left as it is.
 * - The primary-care coefficient replaces whatever k the caller passes, the "1" of the budget
 *   point value included.
 * - The severity class is reported for every case; it is applied only where the spec applies it
 *   (not to fixed-score or no-score cases; composite groups have factor 1 for every class).
 */
export function scoreCase(g: Grouping, c: ScoringInput, ctx: ScoringContext, explain = true): Points {
  const sp = ctx.scoring;
  const cls = severityClass(c, ctx.severity);
  const cost = fixedOf(c.totalCost, 'totalCost');
  // Without explanation no factor text is formed: the bulk path values millions of cases and
  // keeps only the result's own fields; `explain` reproduces the factors of any one case.
  const factors: Factor[] | null = explain ? [] : null;
  let score: string | null = null;
  let auxFactor: string | null = null;
  let num: Fixed;
  let den: Fixed = ONE_F;
  let rule: PointsRule;
  let ratio: string | null = null;
  let reference: string | null = null;
  let eligible = false;
  let noScoreFactor = false;

  const group = g.group;
  if (group === null) {
    // Spec §6.5: c / costPerPoint × noScoreFactor, no coefficient.
    num = cost;
    den = sp.costPerPoint.value;
    factors?.push({ name: FACTOR.costPoints, value: quotientText(cost, den, DISPLAY_DP) });
    noScoreFactor = true;
    rule = 'no-score';
  } else {
    const nums = groupNumbers(group);
    const treat = sp.groups.get(group.key);
    let k: Fixed;
    let kFactor: Factor;
    if (treat?.primaryCare) {
      k = sp.primaryCareCoefficient.value;
      kFactor = { name: FACTOR.primaryCare, value: sp.primaryCareCoefficient.text };
    } else {
      k = coefficientOf(sp, ctx.coefficient);
      kFactor = { name: FACTOR.coefficient, value: ctx.coefficient };
    }
    const fixed = treat?.fixedScore;
    if (fixed) {
      // Spec §6.1: the fixed score, no severity, no outlier rule, k = 1 unless the list says otherwise.
      score = fixed.text;
      factors?.push({ name: FACTOR.fixedScore, value: fixed.text });
      if (fixed.applyCoefficient) {
        num = mul(fixed.score, k);
        factors?.push(kFactor);
      } else {
        num = fixed.score;
        factors?.push({ name: FACTOR.fixedCoefficient, value: '1' });
      }
      rule = 'fixed-score';
    } else {
      const a = nums.severity[cls];
      // r = rN / rD = c / (m × a × k); for day surgery m' = m × dayScore / score, so
      // r = c × score / (m × dayScore × a × k), kept as one exact quotient.
      let s = nums.score;
      let rN = cost;
      // Spec §6.2: levelAverage measures against the group's average at the hospital's level
      // (which already reflects that level, so no k) where the catalogue has one; else m × a × k.
      const mLevel = sp.byLevel && ctx.level ? nums.levelAvg[ctx.level] : undefined;
      let mak = mLevel ? mul(mLevel, a) : mul(mul(nums.avgCost, a), k);
      const day = c.daySurgery ? treat?.dayScore : null;
      score = day ? day.text : group.score;
      auxFactor = nums.severityText[cls];
      if (day) {
        s = day.score;
        factors?.push({ name: FACTOR.dayScore, value: day.text });
        if (nums.score.n !== 0n) {
          rN = mul(cost, nums.score);
          mak = mul(mak, day.score);
        }
      } else factors?.push({ name: FACTOR.score, value: group.score });
      factors?.push({ name: FACTOR.severity, value: nums.severityText[cls] });
      const base = mul(s, a);
      const rD = mak;
      if (rD.n === 0n) {
        num = mul(base, k);
        factors?.push(kFactor);
        rule = 'normal';
      } else {
        ratio = quotientText(rN, rD, 4);
        reference = mLevel ? `levelAverage:${ctx.level}` : 'coefficientAdjusted';
        if (cmp(rN, mul(sp.lowRatio.value, rD)) < 0) {
          // low: base × k × r
          num = mul(mul(base, k), rN);
          den = rD;
          factors?.push(kFactor, { name: FACTOR.low, value: quotientText(rN, rD, DISPLAY_DP) });
          rule = 'low';
        } else if (cmp(rN, mul(sp.highRatio.value, rD)) <= 0) {
          num = mul(base, k);
          factors?.push(kFactor);
          rule = 'normal';
        } else {
          eligible = cmp(rN, mul(sp.extremeRatio.value, rD)) > 0;
          rule = eligible ? 'extreme' : 'high';
          const H = sp.highRatio.value;
          // national: base × k × (r − H + 1); shandong: base × (r − H + k), k inside the term.
          // Extreme cases count as r = E.
          const national = sp.highFormula === 'national';
          const plus = national ? ONE_F : k;
          let termN: Fixed;
          let termD: Fixed = ONE_F;
          if (eligible) termN = add(sub(sp.extremeRatio.value, H), plus);
          else {
            termN = add(rN, mul(sub(plus, H), rD));
            termD = rD;
          }
          num = national ? mul(mul(base, k), termN) : mul(base, termN);
          den = termD;
          const name = national
            ? eligible
              ? FACTOR.extremeNational
              : FACTOR.highNational
            : eligible
              ? FACTOR.extremeShandong
              : FACTOR.highShandong;
          const term = { name, value: eligible ? fixedText(termN) : quotientText(termN, termD, DISPLAY_DP) };
          if (national) factors?.push(kFactor, term);
          else factors?.push(term);
        }
      }
    }
  }

  // Spec §6.4 and §6.6 apply to every case, whatever its group kind.
  if (c.externalExpert) {
    num = mul(num, sp.externalExpertFactor.value);
    factors?.push({ name: FACTOR.externalExpert, value: sp.externalExpertFactor.text });
  }
  if (cost.n > 0n && c.outOfCatalogSelfPay !== '0.00') {
    const selfPay = fixedOf(c.outOfCatalogSelfPay, 'outOfCatalogSelfPay');
    // q > limit ⇔ selfPay > limit × c (c > 0); factor 1 − (q − limit) = ((1 + limit) × c − selfPay) / c.
    if (cmp(selfPay, mul(sp.selfPayLimit.value, cost)) > 0) {
      const fN = sub(mul(sp.onePlusSelfPayLimit, cost), selfPay);
      num = mul(num, fN);
      den = mul(den, cost);
      factors?.push({ name: FACTOR.selfPay, value: quotientText(fN, cost, DISPLAY_DP) });
    }
  }
  if (noScoreFactor) {
    num = mul(num, sp.noScoreFactor.value);
    factors?.push({ name: FACTOR.noScore, value: sp.noScoreFactor.text });
  }

  return {
    points: scaledText(roundQuotient(num, den, 4), 4),
    rule,
    score,
    auxFactor,
    ratio,
    reference,
    severityClass: cls,
    factors: factors ?? [],
    eligibleForSpecialReview: eligible,
  };
}
