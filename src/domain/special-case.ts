import { Dec, fixed, round4 } from './decimal';
import { conflict, invalid, Problem } from './errors';
import { pointsText, pointUnitsOf } from './money';

/**
 * Special cases and expert adjudication (特病单议, spec §9, issue 13). A hospital applies for a
 * case of its own; objective reasons are checked against the case's stored result; a panel of
 * experts votes; the majority decides and the approved points are the median of the approving
 * votes; a rejected application may be appealed once, to experts who have not voted on it. An
 * approved decision replaces the case's points in the year's annual settlement. Pure: the store
 * reads and locks, this decides. docs/decisions.md, "Special cases (issue 13)", says where the
 * spec was silent.
 */

export const SPECIAL_REASONS = ['extremeCost', 'longStay', 'newTechnology', 'complexCritical', 'other'] as const;
export type SpecialReason = (typeof SPECIAL_REASONS)[number];

/**
 * `pending`: waiting for a panel or its votes; `approved` / `rejected`: the panel decided;
 * `withdrawn`: by the hospital while pending. An appeal turns a rejected application of round 1
 * into a pending one of round 2.
 */
export const SPECIAL_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type SpecialStatus = (typeof SPECIAL_STATUSES)[number];

/** Days a panel has to decide when the policy names none (specialCases.decisionDays). */
export const DEFAULT_DECISION_DAYS = 30;
/** Rounds of review: the first, and one appeal. */
export const MAX_ROUND = 2;

/** What the case's stored result says, for checking an objective reason. */
export interface CaseFacts {
  /** r of spec §6.2 to 4 dp, null when the case had none (no-score, fixed-score). */
  ratio: string | null;
  /** The engine's flag: r > extremeRatio, compared exactly (r itself is stored to 4 dp). */
  eligibleForSpecialReview: boolean;
  losDays: number;
  newTechnology: boolean;
}

/**
 * Whether the facts support the reason (spec §9): `extremeCost` needs r > extremeRatio,
 * `longStay` LOS > longStayDays, `newTechnology` the case's flag; the others are for the panel
 * to judge. A refusal names the figures.
 */
export function checkReason(reason: SpecialReason, facts: CaseFacts, limits: { extremeRatio: string; longStayDays: number }): void {
  const refuse = (why: string) => {
    throw invalid('reason-not-met', `the case does not meet the reason ${reason}: ${why}`, [{ field: 'reason', reason: why }]);
  };
  if (reason === 'extremeCost' && !facts.eligibleForSpecialReview)
    refuse(`its cost ratio r is ${facts.ratio ?? 'not defined (no group average)'}, not above extremeRatio ${limits.extremeRatio}`);
  if (reason === 'longStay' && !(facts.losDays > limits.longStayDays))
    refuse(`its length of stay is ${facts.losDays} days, not above longStayDays ${limits.longStayDays}`);
  if (reason === 'newTechnology' && !facts.newTechnology) refuse('the case is not flagged newTechnology');
}

/** Spec §9: a hospital may have at most max(1, floor(discharges × cap)) applications pending or approved in a year. */
export function applicationCap(discharges: number, cap: string): number {
  return Math.max(1, new Dec(discharges).times(cap).floor().toNumber());
}

/** Refuses the application over the cap, with the numbers. */
export function checkCap(hospital: string, year: number, discharges: number, cap: string, taken: number): void {
  const allowed = applicationCap(discharges, cap);
  if (taken >= allowed)
    throw conflict(
      'special-case-cap',
      `hospital ${hospital} has ${taken} special-case application(s) of ${year} pending or approved; at most ${allowed} = max(1, floor(${discharges} discharges × ${cap}))`,
    );
}

/** One expert's vote as cast. */
export interface Vote {
  decision: 'approve' | 'reject';
  /** Approving: the points (4 dp). */
  points: string | null;
}

/** An approved cost converted to points with the catalogue's cost per point (spec §9), to 4 dp. */
export function pointsOfCost(cost: string, costPerPoint: string): string {
  return fixed(round4(new Dec(cost).div(costPerPoint)), 4);
}

/** The median of approved points (an even count: the mean of the middle two, to 4 dp half-up). */
export function medianPoints(points: readonly string[]): string {
  const units = points.map(pointUnitsOf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(units.length / 2);
  if (units.length % 2 === 1) return pointsText(units[mid]);
  return fixed(round4(new Dec(String(units[mid - 1] + units[mid])).div(2).div(10_000)), 4);
}

export type Outcome = { status: 'pending' } | { status: 'rejected' } | { status: 'approved'; points: string };

/**
 * The panel's decision once all of its `panelSize` experts have voted (spec §9): the majority
 * decides, approved points are the median of the approving votes. A tie (an even panel split in
 * half) is not a majority to approve: the application is rejected, and may be appealed.
 */
export function panelOutcome(votes: readonly Vote[], panelSize: number): Outcome {
  if (votes.length < panelSize) return { status: 'pending' };
  const approving = votes.filter((v) => v.decision === 'approve');
  if (approving.length * 2 <= votes.length) return { status: 'rejected' };
  return { status: 'approved', points: medianPoints(approving.map((v) => v.points!)) };
}

/** An expert who may sit on a panel, with the number of undecided panels they sit on now. */
export interface ExpertLoad {
  userId: string;
  username: string;
  hospital: string;
  open: number;
}

/**
 * A panel of `size` experts for a case of `hospital`: never one affiliated with it, never one in
 * `excluded` (an appeal's earlier voters), the least loaded first (then by username, so that the
 * suggestion is reproducible). Refused when too few experts are eligible.
 */
export function suggestPanel(experts: readonly ExpertLoad[], hospital: string, excluded: ReadonlySet<string>, size: number): ExpertLoad[] {
  const eligible = experts
    .filter((e) => e.hospital !== hospital && !excluded.has(e.userId))
    .sort((a, b) => a.open - b.open || (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  if (eligible.length < size)
    throw conflict(
      'too-few-experts',
      `a panel needs ${size} experts not affiliated with hospital ${hospital}${excluded.size > 0 ? ' and not voting on this case before' : ''}; the region has ${eligible.length}`,
    );
  return eligible.slice(0, size);
}

/** Checks a panel the agency chose: its size, no duplicates, no conflicts; every problem by field. */
export function checkPanel(
  chosen: readonly string[],
  experts: ReadonlyMap<string, ExpertLoad>,
  hospital: string,
  excluded: ReadonlySet<string>,
  size: number,
): void {
  const problems: Problem[] = [];
  if (chosen.length !== size)
    problems.push({ field: 'experts', reason: `a panel has ${size} experts (the policy's panelSize); got ${chosen.length}` });
  if (new Set(chosen).size !== chosen.length) problems.push({ field: 'experts', reason: 'an expert is named twice' });
  chosen.forEach((id, i) => {
    const e = experts.get(id);
    const field = `experts[${i}]`;
    if (!e) problems.push({ field, reason: 'not an active expert of this region' });
    else if (e.hospital === hospital)
      problems.push({ field, reason: `${e.username} is affiliated with hospital ${hospital}, whose case this is` });
    else if (excluded.has(id))
      problems.push({ field, reason: `${e.username} voted on this case before (an appeal goes to other experts)` });
  });
  if (problems.length > 0) throw invalid('bad-panel', 'the panel cannot judge this case', problems);
}

/** One approved decision as the annual settlement applies it (spec §6.7, §8.4). */
export interface ApprovedDecision {
  caseId: string;
  hospitalCode: string;
  pool: string;
  /** The case's points by the rules in this run (4 dp). */
  rulePoints: string;
  approvedPoints: string;
}

/** A hospital's special-case line of the annual report. */
export interface SpecialCaseLine {
  cases: number;
  /** Σ the rules' points of those cases in the run. */
  rulePoints: string;
  /** Σ approved points that replaced them. */
  approvedPoints: string;
}

/**
 * The approved decisions of a year, per pool and hospital: the line of the report and the
 * change of the hospital's points (approved − rules), exact in 1/10,000 point.
 */
export function specialCaseLines(decisions: readonly ApprovedDecision[]): Map<string, SpecialCaseLine & { delta: bigint }> {
  const acc = new Map<string, { cases: number; rule: bigint; approved: bigint }>();
  for (const d of decisions) {
    const key = `${d.pool}/${d.hospitalCode}`;
    const a = acc.get(key) ?? { cases: 0, rule: 0n, approved: 0n };
    a.cases++;
    a.rule += pointUnitsOf(d.rulePoints);
    a.approved += pointUnitsOf(d.approvedPoints);
    acc.set(key, a);
  }
  return new Map(
    [...acc].map(([k, a]) => [
      k,
      { cases: a.cases, rulePoints: pointsText(a.rule), approvedPoints: pointsText(a.approved), delta: a.approved - a.rule },
    ]),
  );
}
