import { Dec, money, round2 } from '../decimal';
import { DipError, Problem } from '../errors';

/**
 * The mechanisms every scheme shares (`../shared/spec/SCHEMES.md`): the year-end reconciliation
 * (risk corridor) of spending S against the allowance A, splits by weights, monthly instalments
 * and the balance. Exact decimals (decimal.js, 40 digits, half-up); money is rounded to the fen
 * only where SCHEMES.md forms it, every split gives its remainder to the last part, and every
 * intermediate figure is returned, named. Pure.
 */

/** A money figure or a ratio as the caller holds it. */
export type Amount = Dec | string;

/** The party whose part goes into the fund's payment P; every tier set names it. */
export const FUND = 'fund';

/**
 * One marginal tier of the overspend: the part of O between the previous tier's `upTo × A` and
 * this one's (`null`: unbounded, the last tier), shared between the parties by `shares` (a party
 * not named carries 0; the shares sum to 1).
 */
export interface OverspendTier {
  upTo: string | null;
  shares: Readonly<Record<string, string>>;
}

export interface ReconcileInput {
  /** A, money (at most 2 dp). */
  allowance: Amount;
  /** S, money (at most 2 dp). */
  spending: Amount;
  /** The provider's share of a surplus, in [0, 1]. */
  retentionRatio: Amount;
  tiers: readonly OverspendTier[];
  /** Listed order: each part rounded to the fen, the last taking the remainder. Must include `fund`. */
  parties: readonly string[];
}

/** One band of the overspend, exact (limits are `upTo × max(0, A)`, not rounded). */
export interface Band {
  /** 1-based tier number. */
  tier: number;
  from: string;
  /** Null for the unbounded last tier. */
  to: string | null;
  /** The part of O in this band. */
  amount: string;
  shares: Record<string, string>;
  /** amount × share per party, exact. */
  parts: Record<string, string>;
}

/** Every figure of a reconciliation; money to the fen, exact figures as plain decimals. */
export interface Reconciliation {
  allowance: string;
  spending: string;
  /** U = max(0, A − S). */
  surplus: string;
  /** O = max(0, S − A). */
  overspend: string;
  retentionRatio: string;
  /** round2(U × retentionRatio): the provider keeps it. */
  retained: string;
  /** U − retained: stays with the fund. */
  fundKeeps: string;
  bands: Band[];
  /** Each party's part of O, rounded, in listed order; they add up to O. */
  parts: Record<string, string>;
  /** Σ_k band_k × share_k per party, not rounded. */
  partsUnrounded: Record<string, string>;
  /** P = min(S, A) + retained + the fund's part. */
  paymentByFund: string;
  /** The parts of the parties other than the fund (what each of them carries or pays). */
  otherParties: Record<string, string>;
}

/** The same figures as decimals, for a caller that computes on (DIP's K_h is the fund's unrounded part). */
export interface ExactReconciliation {
  allowance: Dec;
  spending: Dec;
  surplus: Dec;
  overspend: Dec;
  retentionRatio: Dec;
  retained: Dec;
  fundKeeps: Dec;
  bands: { tier: number; from: Dec; to: Dec | null; amount: Dec; shares: Map<string, Dec>; parts: Map<string, Dec> }[];
  parts: Map<string, Dec>;
  partsUnrounded: Map<string, Dec>;
  paymentByFund: Dec;
}

const ZERO = new Dec(0);
const ONE = new Dec(1);
const max0 = (d: Dec): Dec => (d.isNegative() ? ZERO : d);
const dec = (a: Amount): Dec => (typeof a === 'string' ? new Dec(a) : a);

/**
 * What is wrong with a tier set and its parties (empty when fine), each with a path under
 * `path`: at least one tier; `upTo` positive and increasing, only the last null; shares in
 * [0, 1] of listed parties, summing to exactly 1; parties unique and including `fund`.
 * Policies call it at parse time, reconcile() before it computes.
 */
export function tierProblems(
  tiers: readonly OverspendTier[],
  parties: readonly string[],
  path = 'tiers',
): { path: string; reason: string }[] {
  const problems: { path: string; reason: string }[] = [];
  if (parties.length === 0) problems.push({ path: 'parties', reason: 'needs at least one party' });
  if (new Set(parties).size !== parties.length) problems.push({ path: 'parties', reason: 'names a party twice' });
  if (!parties.includes(FUND)) problems.push({ path: 'parties', reason: `must include "${FUND}"` });
  if (tiers.length === 0) problems.push({ path, reason: 'needs at least one tier' });
  let previous: Dec | null = null;
  tiers.forEach((t, i) => {
    const at = `${path}[${i}]`;
    const last = i === tiers.length - 1;
    if (t.upTo === null) {
      if (!last) problems.push({ path: `${at}.upTo`, reason: 'only the last tier may be open (null)' });
    } else {
      const upTo = new Dec(t.upTo);
      if (last) problems.push({ path: `${at}.upTo`, reason: 'the last tier must be open (null)' });
      if (upTo.lte(0)) problems.push({ path: `${at}.upTo`, reason: 'must be greater than 0' });
      if (previous !== null && upTo.lte(previous)) problems.push({ path: `${at}.upTo`, reason: 'tiers must be increasing' });
      previous = upTo;
    }
    let sum = ZERO;
    for (const [party, share] of Object.entries(t.shares)) {
      if (!parties.includes(party))
        problems.push({ path: `${at}.shares.${party}`, reason: `is not one of the parties ${parties.join(', ')}` });
      const s = new Dec(share);
      if (s.isNegative() || s.gt(1)) problems.push({ path: `${at}.shares.${party}`, reason: 'must be between 0 and 1' });
      sum = sum.plus(s);
    }
    if (!sum.eq(1)) problems.push({ path: `${at}.shares`, reason: `must add up to 1; they add up to ${sum.toString()}` });
  });
  return problems;
}

function assertMoney(name: string, d: Dec): void {
  if (!d.isFinite() || d.decimalPlaces() > 2)
    throw new DipError('invalid', 'not-money', `${name} must be money to the fen; got ${d.toString()}`);
}

/**
 * SCHEMES.md's reconciliation, exact. The band limits are `upTo × max(0, A)` (an allowance of 0
 * or below puts the whole overspend in the last tier; DIP's E_h can be negative on the
 * total-cost basis).
 */
export function reconcileExact(input: ReconcileInput): ExactReconciliation {
  const problems: Problem[] = tierProblems(input.tiers, input.parties);
  const retentionRatio = dec(input.retentionRatio);
  if (retentionRatio.isNegative() || retentionRatio.gt(1)) problems.push({ path: 'retentionRatio', reason: 'must be between 0 and 1' });
  if (problems.length)
    throw new DipError(
      'invalid',
      'invalid-tiers',
      `invalid reconciliation: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`,
      problems,
    );
  const A = dec(input.allowance);
  const S = dec(input.spending);
  assertMoney('the allowance', A);
  assertMoney('the spending', S);

  const surplus = max0(A.minus(S));
  const overspend = max0(S.minus(A));
  const retained = round2(surplus.times(retentionRatio));

  const unrounded = new Map<string, Dec>(input.parties.map((p) => [p, ZERO]));
  const bands: ExactReconciliation['bands'] = [];
  let from = ZERO;
  input.tiers.forEach((t, i) => {
    const to = t.upTo === null ? null : max0(A).times(t.upTo);
    // Marginal: only the part of O between this tier's limits; a larger O never changes an earlier band.
    const amount = max0((to === null ? overspend : Dec.min(overspend, to)).minus(from));
    const shares = new Map<string, Dec>(input.parties.map((p) => [p, new Dec(t.shares[p] ?? 0)]));
    const parts = new Map<string, Dec>();
    for (const [p, s] of shares) {
      const part = amount.times(s);
      parts.set(p, part);
      unrounded.set(p, unrounded.get(p)!.plus(part));
    }
    bands.push({ tier: i + 1, from, to, amount, shares, parts });
    if (to !== null) from = Dec.max(from, to);
  });

  const parts = new Map<string, Dec>();
  let assigned = ZERO;
  input.parties.forEach((p, i) => {
    const part = i === input.parties.length - 1 ? overspend.minus(assigned) : round2(unrounded.get(p)!);
    parts.set(p, part);
    assigned = assigned.plus(part);
  });

  return {
    allowance: A,
    spending: S,
    surplus,
    overspend,
    retentionRatio,
    retained,
    fundKeeps: surplus.minus(retained),
    bands,
    parts,
    partsUnrounded: unrounded,
    paymentByFund: Dec.min(S, A).plus(retained).plus(parts.get(FUND)!),
  };
}

const record = (m: ReadonlyMap<string, Dec>, f: (d: Dec) => string): Record<string, string> =>
  Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
const plain = (d: Dec): string => d.toString();

/** SCHEMES.md's reconciliation with every figure as text: money to the fen, exact figures plain. */
export function reconcile(input: ReconcileInput): Reconciliation {
  const r = reconcileExact(input);
  return {
    allowance: money(r.allowance),
    spending: money(r.spending),
    surplus: money(r.surplus),
    overspend: money(r.overspend),
    retentionRatio: plain(r.retentionRatio),
    retained: money(r.retained),
    fundKeeps: money(r.fundKeeps),
    bands: r.bands.map((b) => ({
      tier: b.tier,
      from: plain(b.from),
      to: b.to === null ? null : plain(b.to),
      amount: plain(b.amount),
      shares: record(b.shares, plain),
      parts: record(b.parts, plain),
    })),
    parts: record(r.parts, money),
    partsUnrounded: record(r.partsUnrounded, plain),
    paymentByFund: money(r.paymentByFund),
    otherParties: record(new Map([...r.parts].filter(([p]) => p !== FUND)), money),
  };
}

/**
 * Splits an amount (a surplus, an overspend, a budget) by weights, in listed order: each part
 * round2(amount × w / Σw), the last taking the remainder so that the parts add up to the amount.
 * All weights 0: equal parts. Weights are ≥ 0; the amount may be negative (an overspend to recover).
 */
export function splitByWeights(amount: Amount, weights: readonly Amount[]): string[] {
  if (weights.length === 0) throw new DipError('invalid', 'no-weights', 'a split needs at least one part');
  const total = dec(amount);
  const ws = weights.map(dec);
  if (ws.some((w) => w.isNegative() || !w.isFinite())) throw new DipError('invalid', 'negative-weight', 'split weights must be 0 or more');
  let sum = ws.reduce((t, w) => t.plus(w), ZERO);
  const effective = sum.isZero() ? ws.map(() => ONE) : ws;
  if (sum.isZero()) sum = new Dec(ws.length);
  const parts: string[] = [];
  let assigned = ZERO;
  effective.forEach((w, i) => {
    const part = i === effective.length - 1 ? total.minus(assigned) : round2(total.times(w).div(sum));
    assigned = assigned.plus(part);
    parts.push(money(part));
  });
  return parts;
}

export interface Instalment {
  month: number;
  /** The month's share of the allowance: round2(A / 12), December the remainder. */
  allowance: string;
  /** round2(ratio × the month's allowance). */
  instalment: string;
}

/**
 * Twelve monthly instalments of an allowance: each month round2(A / 12), December taking the
 * remainder so that the twelve add up to A; each paid at `ratio` (round2(ratio × month's allowance)).
 */
export function monthlyInstalments(allowance: Amount, ratio: Amount = ONE): Instalment[] {
  const A = dec(allowance);
  const r = dec(ratio);
  const monthly = round2(A.div(12));
  // January to November are the same: computed once.
  const share = money(monthly);
  const instalment = money(monthly.times(r));
  const december = A.minus(monthly.times(11));
  const out: Instalment[] = [];
  for (let month = 1; month <= 11; month++) out.push({ month, allowance: share, instalment });
  out.push({ month: 12, allowance: money(december), instalment: money(december.times(r)) });
  return out;
}

/** The year-end balance P − Σ paid during the year (negative: the provider repays). */
export function balance(payment: Amount, paid: Amount | readonly Amount[]): string {
  const paidTotal = Array.isArray(paid) ? (paid as readonly Amount[]).reduce<Dec>((t, a) => t.plus(dec(a)), ZERO) : dec(paid as Amount);
  return money(dec(payment).minus(paidTotal));
}
