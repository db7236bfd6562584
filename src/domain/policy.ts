import { createHash } from 'node:crypto';
import { Dec, parsePlainDecimal } from './decimal';
import { HOSPITAL_BONUSES, HOSPITAL_LEVELS, HospitalBonus, HospitalLevel } from './hospital';
import { POOLS } from './case-record';
import { DipError } from './errors';

/**
 * The region's policy for one settlement year (spec §10): every number a region may set.
 * Decimals stay strings (validated, plain notation) so that the policy is plain JSON: it is
 * hashed into a version, stored, and sent to worker threads as it is.
 */
export interface Policy {
  region: string;
  year: number;
  name: string;
  catalog: {
    lookbackYears: number;
    /** Oldest → newest, one per window year. */
    yearWeights: string[];
    coreThreshold: string;
    compositeMinCases: string;
    trim: { method: 'percentile' | 'none'; lower: string; upper: string; minCases: number };
    reference: { type: 'allCases' } | { type: 'benchmark'; key: string; score: string };
    scoreScale: string;
    auxiliary: { minCases: number };
  };
  scoring: {
    lowRatio: string;
    highRatio: string;
    extremeRatio: string;
    highFormula: 'national' | 'shandong';
    outlierReference: 'coefficientAdjusted' | 'levelAverage';
    primaryCareCoefficient: string;
    externalExpertBonus: string;
    noScoreFactor: string;
    selfPayLimit: string;
  };
  groups: {
    primaryCare: string[];
    fixedScore: { key: string; score: string; applyCoefficient: boolean }[];
    daySurgery: { key: string; score: string }[];
  };
  hospitalLevels: Record<HospitalLevel, string>;
  bonuses: Record<HospitalBonus, string>;
  budget: Partial<Record<'employee' | 'resident', PoolBudgetPolicy>>;
  settlement: {
    basis: 'totalCost' | 'fund';
    monthlyPrepayRatio: string;
    capAtHospitalBookkeeping: boolean;
    qualityWithholdRatio: string;
    reserveSplit: { dip: string; adjustment: string };
    overspendTiers: { upTo: string | null; fundShare: string }[];
    revolvingFundMonths: number;
  };
  /** Spec §9; decisionDays (optional, issue 13): days a panel has to decide, else reported as overdue (default 30). */
  specialCases: { cap: string; panelSize: number; longStayDays: number; decisionDays?: number };
}

export const BUDGET_LINES = ['generalOutpatient', 'outpatientChronic', 'outOfRegion', 'otherMethods', 'criticalIllness'] as const;
export type BudgetLine = (typeof BUDGET_LINES)[number];

/** Spec §8.1: either the revenue and its deductions, or the DIP budget given directly. */
export type PoolBudgetPolicy =
  { dipBudget: string } | { revenue: string; reserveRatio: string; lines: Partial<Record<BudgetLine, string>> };

/** A policy document that cannot be taken: every problem, by path. */
export class PolicyError extends DipError {
  constructor(override readonly problems: { path: string; reason: string }[]) {
    super('invalid', 'invalid-policy', `invalid policy: ${problems.map((p) => `${p.path || '(top)'}: ${p.reason}`).join('; ')}`, problems);
  }
}

export type Problems = { path: string; reason: string }[];
export const MISSING: unique symbol = Symbol('missing');

/** Walks the JSON document, collecting every problem with its path instead of stopping at the first. */
export class Reader {
  constructor(readonly problems: Problems) {}

  fail(path: string, reason: string): typeof MISSING {
    this.problems.push({ path, reason });
    return MISSING;
  }

  object(v: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(path, 'must be an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!keys.includes(k)) this.fail(join(path, k), 'unknown key');
    for (const k of keys) if (!(k in o) && !optional.includes(k)) this.fail(join(path, k), 'is required');
    return o;
  }

  string(v: unknown, path: string, pattern?: RegExp, what?: string): string | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    if (typeof v !== 'string') return this.fail(path, 'must be a string');
    if (pattern && !pattern.test(v)) return this.fail(path, `must be ${what ?? pattern.source}; got "${v}"`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    return typeof v === 'string' && (allowed as readonly string[]).includes(v)
      ? (v as T)
      : this.fail(path, `must be one of ${allowed.join(', ')}`);
  }

  integer(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.fail(path, 'must be a whole number');
    if (v < min || v > max) return this.fail(path, `must be between ${min} and ${max}`);
    return v;
  }

  boolean(v: unknown, path: string): boolean | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    return typeof v === 'boolean' ? v : this.fail(path, 'must be true or false');
  }

  /**
   * A decimal parameter. Strings are the rule. With `allowNumber` (counts, weights and
   * percentiles, as spec §10 writes them: `15`, `[1, 2, 7]`, `2.5`) a JSON number is taken as
   * written, provided its shortest decimal form reads back as the same number.
   */
  decimal(
    v: unknown,
    path: string,
    opts: { min?: string; max?: string; positive?: boolean; allowNumber?: boolean } = {},
  ): string | typeof MISSING {
    if (v === undefined) return MISSING;
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number' && opts.allowNumber && Number.isFinite(v) && String(v) === new Dec(v).toString()) text = String(v);
    else return this.fail(path, 'must be a decimal string such as "0.5"');
    const d = parsePlainDecimal(text, {
      min: opts.min !== undefined ? new Dec(opts.min) : undefined,
      max: opts.max !== undefined ? new Dec(opts.max) : undefined,
    });
    if (typeof d === 'string') return this.fail(path, d);
    if (opts.positive && d.lte(0)) return this.fail(path, `must be greater than 0; got "${text}"`);
    return d.toString();
  }

  array<T>(v: unknown, path: string, item: (x: unknown, p: string) => T | typeof MISSING): T[] | typeof MISSING {
    if (v === undefined) return MISSING; // the enclosing object already said it is required
    if (!Array.isArray(v)) return this.fail(path, 'must be an array');
    const out = v.map((x, i) => item(x, `${path}[${i}]`));
    return out.includes(MISSING as never) ? MISSING : (out as T[]);
  }
}

const isText = (x: unknown): x is string => typeof x === 'string';
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const GROUP_KEY = /^[A-Z]\d{2}\.[0-9x]\|(\d{2}\.[0-9A-Za-z]+(\+\d{2}\.[0-9A-Za-z]+)*)?$/;

/**
 * Validates a policy document (spec §10). Unknown keys and wrong types are errors naming the
 * path; every problem is reported at once. Throws PolicyError.
 */
export function parsePolicy(doc: unknown): Policy {
  const problems: Problems = [];
  const r = new Reader(problems);
  if (doc === undefined) throw new PolicyError([{ path: '', reason: 'must be an object' }]);
  const top = r.object(
    doc,
    '',
    ['region', 'year', 'name', 'catalog', 'scoring', 'groups', 'hospitalLevels', 'bonuses', 'budget', 'settlement', 'specialCases'],
    ['groups', 'budget'],
  );
  if (top === MISSING) throw new PolicyError(problems);

  const catalog = readCatalog(r, top.catalog);
  const scoring = readScoring(r, top.scoring);
  const policy = {
    region: r.string(top.region, 'region', /^\d{6}$/, 'a 6-digit region code'),
    year: r.integer(top.year, 'year', 1900, 2999),
    name: r.string(top.name, 'name'),
    catalog,
    scoring,
    groups: readGroups(r, top.groups === undefined ? {} : top.groups),
    hospitalLevels: readRecord(r, top.hospitalLevels, 'hospitalLevels', HOSPITAL_LEVELS, (v, p) => r.decimal(v, p, { positive: true })),
    bonuses: readRecord(r, top.bonuses, 'bonuses', HOSPITAL_BONUSES, (v, p) => r.decimal(v, p, { min: '0' })),
    budget: readBudget(r, top.budget === undefined ? {} : top.budget),
    settlement: readSettlement(r, top.settlement),
    specialCases: readSpecialCases(r, top.specialCases),
  };
  if (problems.length > 0) throw new PolicyError(problems);
  return policy as Policy;
}

function readCatalog(r: Reader, v: unknown): Policy['catalog'] | typeof MISSING {
  const p = 'catalog';
  const o = r.object(v, p, [
    'lookbackYears',
    'yearWeights',
    'coreThreshold',
    'compositeMinCases',
    'trim',
    'reference',
    'scoreScale',
    'auxiliary',
  ]);
  if (o === MISSING) return MISSING;
  const lookbackYears = r.integer(o.lookbackYears, `${p}.lookbackYears`, 1, 20);
  const yearWeights = r.array(o.yearWeights, `${p}.yearWeights`, (x, q) => r.decimal(x, q, { positive: true, allowNumber: true }));
  if (yearWeights !== MISSING && lookbackYears !== MISSING && yearWeights.length !== lookbackYears) {
    r.fail(`${p}.yearWeights`, `has ${yearWeights.length} weights for ${lookbackYears} look-back years`);
  }
  const t = r.object(o.trim, `${p}.trim`, ['method', 'lower', 'upper', 'minCases']);
  let trim: Policy['catalog']['trim'] | typeof MISSING = MISSING;
  if (t !== MISSING) {
    const lower = r.decimal(t.lower, `${p}.trim.lower`, { min: '0', max: '100', allowNumber: true });
    const upper = r.decimal(t.upper, `${p}.trim.upper`, { min: '0', max: '100', allowNumber: true });
    if (lower !== MISSING && upper !== MISSING && new Dec(lower).gte(upper)) r.fail(`${p}.trim`, 'lower must be below upper');
    trim = {
      method: r.oneOf(t.method, `${p}.trim.method`, ['percentile', 'none'] as const),
      lower,
      upper,
      minCases: r.integer(t.minCases, `${p}.trim.minCases`, 1),
    } as Policy['catalog']['trim'];
  }
  let reference: Policy['catalog']['reference'] | typeof MISSING = MISSING;
  const ref = o.reference as Record<string, unknown> | undefined;
  if (ref && ref.type === 'benchmark') {
    const b = r.object(ref, `${p}.reference`, ['type', 'key', 'score']);
    if (b !== MISSING) {
      reference = {
        type: 'benchmark',
        key: r.string(b.key, `${p}.reference.key`, GROUP_KEY, 'a combination key like K80.1|51.2300'),
        score: r.decimal(b.score, `${p}.reference.score`, { positive: true }),
      } as Policy['catalog']['reference'];
    }
  } else if (r.object(ref, `${p}.reference`, ['type']) !== MISSING) {
    reference = r.oneOf(ref?.type, `${p}.reference.type`, ['allCases', 'benchmark'] as const) === MISSING ? MISSING : { type: 'allCases' };
  }
  const aux = r.object(o.auxiliary, `${p}.auxiliary`, ['minCases']);
  return {
    lookbackYears,
    yearWeights,
    coreThreshold: r.decimal(o.coreThreshold, `${p}.coreThreshold`, { positive: true, allowNumber: true }),
    compositeMinCases: r.decimal(o.compositeMinCases, `${p}.compositeMinCases`, { min: '0', allowNumber: true }),
    trim,
    reference,
    scoreScale: r.decimal(o.scoreScale, `${p}.scoreScale`, { positive: true, allowNumber: true }),
    auxiliary: aux === MISSING ? MISSING : { minCases: r.integer(aux.minCases, `${p}.auxiliary.minCases`, 1) },
  } as Policy['catalog'];
}

function readScoring(r: Reader, v: unknown): Policy['scoring'] | typeof MISSING {
  const p = 'scoring';
  const o = r.object(v, p, [
    'lowRatio',
    'highRatio',
    'extremeRatio',
    'highFormula',
    'outlierReference',
    'primaryCareCoefficient',
    'externalExpertBonus',
    'noScoreFactor',
    'selfPayLimit',
  ]);
  if (o === MISSING) return MISSING;
  const dec = (k: string, opts = {}) => r.decimal(o[k], `${p}.${k}`, { min: '0', ...opts });
  const s = {
    lowRatio: dec('lowRatio'),
    highRatio: dec('highRatio', { positive: true }),
    extremeRatio: dec('extremeRatio', { positive: true }),
    highFormula: r.oneOf(o.highFormula, `${p}.highFormula`, ['national', 'shandong'] as const),
    outlierReference: r.oneOf(o.outlierReference, `${p}.outlierReference`, ['coefficientAdjusted', 'levelAverage'] as const),
    primaryCareCoefficient: dec('primaryCareCoefficient', { positive: true }),
    externalExpertBonus: dec('externalExpertBonus'),
    noScoreFactor: dec('noScoreFactor'),
    selfPayLimit: dec('selfPayLimit', { max: '1' }),
  };
  const [low, high, extreme] = [s.lowRatio, s.highRatio, s.extremeRatio];
  if (isText(low) && isText(high) && isText(extreme) && !(new Dec(low).lt(high) && new Dec(high).lt(extreme))) {
    r.fail(p, 'ratios must satisfy lowRatio < highRatio < extremeRatio');
  }
  return s as Policy['scoring'];
}

function readGroups(r: Reader, v: unknown): Policy['groups'] | typeof MISSING {
  const p = 'groups';
  const o = r.object(v, p, ['primaryCare', 'fixedScore', 'daySurgery'], ['primaryCare', 'fixedScore', 'daySurgery']);
  if (o === MISSING) return MISSING;
  const key = (x: unknown, q: string) => r.string(x, q, GROUP_KEY, 'a combination key like K80.1|51.2300');
  const g = {
    primaryCare: r.array(o.primaryCare ?? [], `${p}.primaryCare`, key),
    fixedScore: r.array(o.fixedScore ?? [], `${p}.fixedScore`, (x, q) => {
      const f = r.object(x, q, ['key', 'score', 'applyCoefficient'], ['applyCoefficient']);
      if (f === MISSING) return MISSING;
      return {
        key: key(f.key, `${q}.key`),
        score: r.decimal(f.score, `${q}.score`, { positive: true }),
        applyCoefficient: f.applyCoefficient === undefined ? false : r.boolean(f.applyCoefficient, `${q}.applyCoefficient`),
      };
    }),
    daySurgery: r.array(o.daySurgery ?? [], `${p}.daySurgery`, (x, q) => {
      const f = r.object(x, q, ['key', 'score']);
      if (f === MISSING) return MISSING;
      return { key: key(f.key, `${q}.key`), score: r.decimal(f.score, `${q}.score`, { positive: true }) };
    }),
  };
  for (const list of ['fixedScore', 'daySurgery'] as const) {
    const entries: unknown = g[list];
    if (!Array.isArray(entries)) continue;
    const seen = new Set<string>();
    entries.forEach((e: { key: unknown }, i) => {
      if (!isText(e.key)) return;
      if (seen.has(e.key)) r.fail(`${p}.${list}[${i}].key`, `duplicates key "${e.key}"`);
      seen.add(e.key);
    });
  }
  return g as Policy['groups'];
}

function readRecord<K extends string>(
  r: Reader,
  v: unknown,
  path: string,
  keys: readonly K[],
  item: (x: unknown, p: string) => string | typeof MISSING,
): Record<K, string> | typeof MISSING {
  const o = r.object(v, path, keys);
  if (o === MISSING) return MISSING;
  return Object.fromEntries(keys.map((k) => [k, item(o[k], `${path}.${k}`)])) as Record<K, string>;
}

function readBudget(r: Reader, v: unknown): Policy['budget'] | typeof MISSING {
  const o = r.object(v, 'budget', POOLS, POOLS);
  if (o === MISSING) return MISSING;
  const out: Policy['budget'] = {};
  for (const pool of POOLS) {
    if (o[pool] === undefined) continue;
    const p = `budget.${pool}`;
    const b = o[pool] as Record<string, unknown>;
    if (b && typeof b === 'object' && 'dipBudget' in b) {
      const d = r.object(b, p, ['dipBudget']);
      if (d !== MISSING) out[pool] = { dipBudget: r.decimal(d.dipBudget, `${p}.dipBudget`, { min: '0' }) } as PoolBudgetPolicy;
      continue;
    }
    const d = r.object(b, p, ['revenue', 'reserveRatio', 'lines']);
    if (d === MISSING) continue;
    const lines = r.object(d.lines, `${p}.lines`, BUDGET_LINES, BUDGET_LINES);
    out[pool] = {
      revenue: r.decimal(d.revenue, `${p}.revenue`, { min: '0' }),
      reserveRatio: r.decimal(d.reserveRatio, `${p}.reserveRatio`, { min: '0', max: '1' }),
      lines:
        lines === MISSING
          ? MISSING
          : Object.fromEntries(Object.entries(lines).map(([k, x]) => [k, r.decimal(x, `${p}.lines.${k}`, { min: '0' })])),
    } as PoolBudgetPolicy;
  }
  return out;
}

function readSettlement(r: Reader, v: unknown): Policy['settlement'] | typeof MISSING {
  const p = 'settlement';
  const o = r.object(v, p, [
    'basis',
    'monthlyPrepayRatio',
    'capAtHospitalBookkeeping',
    'qualityWithholdRatio',
    'reserveSplit',
    'overspendTiers',
    'revolvingFundMonths',
  ]);
  if (o === MISSING) return MISSING;
  const ratio = (x: unknown, q: string) => r.decimal(x, q, { min: '0', max: '1' });
  const split = r.object(o.reserveSplit, `${p}.reserveSplit`, ['dip', 'adjustment']);
  let reserveSplit: Policy['settlement']['reserveSplit'] | typeof MISSING = MISSING;
  if (split !== MISSING) {
    const dip = ratio(split.dip, `${p}.reserveSplit.dip`);
    const adjustment = ratio(split.adjustment, `${p}.reserveSplit.adjustment`);
    if (dip !== MISSING && adjustment !== MISSING && !new Dec(dip).plus(adjustment).eq(1))
      r.fail(`${p}.reserveSplit`, 'dip + adjustment must be 1');
    reserveSplit = { dip, adjustment } as Policy['settlement']['reserveSplit'];
  }
  const tiers = r.array(o.overspendTiers, `${p}.overspendTiers`, (x, q) => {
    const t = r.object(x, q, ['upTo', 'fundShare']);
    if (t === MISSING) return MISSING;
    return {
      upTo: t.upTo === null ? null : r.decimal(t.upTo, `${q}.upTo`, { positive: true }),
      fundShare: ratio(t.fundShare, `${q}.fundShare`),
    };
  });
  if (tiers !== MISSING) {
    tiers.forEach((t, i) => {
      const last = i === tiers.length - 1;
      if (t.upTo === null && !last) r.fail(`${p}.overspendTiers[${i}].upTo`, 'only the last tier may be open (null)');
      if (last && isText(t.upTo)) r.fail(`${p}.overspendTiers[${i}].upTo`, 'the last tier must be open (null)');
      const prev = tiers[i - 1];
      if (prev && isText(prev.upTo) && isText(t.upTo) && new Dec(t.upTo).lte(prev.upTo))
        r.fail(`${p}.overspendTiers[${i}].upTo`, 'tiers must be increasing');
    });
    if (tiers.length === 0) r.fail(`${p}.overspendTiers`, 'needs at least one tier');
  }
  return {
    basis: r.oneOf(o.basis, `${p}.basis`, ['totalCost', 'fund'] as const),
    monthlyPrepayRatio: ratio(o.monthlyPrepayRatio, `${p}.monthlyPrepayRatio`),
    capAtHospitalBookkeeping: r.boolean(o.capAtHospitalBookkeeping, `${p}.capAtHospitalBookkeeping`),
    qualityWithholdRatio: ratio(o.qualityWithholdRatio, `${p}.qualityWithholdRatio`),
    reserveSplit,
    overspendTiers: tiers,
    revolvingFundMonths: r.integer(o.revolvingFundMonths, `${p}.revolvingFundMonths`, 0, 12),
  } as Policy['settlement'];
}

function readSpecialCases(r: Reader, v: unknown): Policy['specialCases'] | typeof MISSING {
  const p = 'specialCases';
  const o = r.object(v, p, ['cap', 'panelSize', 'longStayDays', 'decisionDays'], ['decisionDays']);
  if (o === MISSING) return MISSING;
  return {
    cap: r.decimal(o.cap, `${p}.cap`, { min: '0', max: '1' }),
    panelSize: r.integer(o.panelSize, `${p}.panelSize`, 1, 99),
    longStayDays: r.integer(o.longStayDays, `${p}.longStayDays`, 1),
    // Only when given: a policy without it keeps its hash.
    ...(o.decisionDays === undefined ? {} : { decisionDays: r.integer(o.decisionDays, `${p}.decisionDays`, 1, 366) }),
  } as Policy['specialCases'];
}

/** Canonical JSON (sorted keys) and its digest: the policy's version identity. */
export function policyHash(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
