import { Pool, POOLS } from '../case-record';
import { Dec, money, round2 } from '../decimal';
import { DipError } from '../errors';
import { BUDGET_LINES, BudgetLine, MISSING, PoolBudgetPolicy, Reader } from '../policy';
import { poolBudget, yearEndReserve } from '../settlement/settlement';
import { byCode, column, decimal, moneyParam, parseSchemePolicy, rowsOf, RunProblems, text, textOr, whole } from './run-support';
import { InputRow, InputTableSpec, ProviderFigures, SchemeDefinition, SchemeInputs, SchemeOutcome, SchemePolicyBase } from './scheme';

/**
 * SCHEMES.md E: Zibo's budget lines (seed 001, 淄政办发〔2021〕11号 二(一)). Per pool and year, from
 * premium revenue R: the 10 % reserve, lines 1–5 from their own bases, the DIP budget as what is
 * left, and at year end the reserve's cover of the lines' shortfall and the split of its
 * remainder (DIP.md §8.1: the same poolBudget / yearEndReserve the DIP settlement uses). The two
 * capitation lines are also settled per institution (quota × signed persons). Pure.
 */

/** The other payment methods of line 4, each budgeted from last year's spending and its growth. */
export const OTHER_METHODS = ['haemodialysis', 'peritonealDialysis', 'singleDisease', 'psychiatry', 'hospice'] as const;
export type OtherMethod = (typeof OTHER_METHODS)[number];
/** The capitation lines: settled per institution by quota × signed persons. */
export const CAPITATION_LINES = ['generalOutpatient', 'outpatientChronic'] as const;
export type CapitationLine = (typeof CAPITATION_LINES)[number];
/** The lastYear table's items: what lines 2–4 grow from. */
export const LAST_YEAR_ITEMS = ['outpatientChronic', 'outOfRegion', ...OTHER_METHODS] as const;
export type LastYearItem = (typeof LAST_YEAR_ITEMS)[number];

export interface ZiboPoolPolicy {
  /** Line 1: the per-capita quota from last year's outpatient costs (yuan per signed person). */
  generalOutpatient: { perCapitaQuota: string };
  /**
   * Line 2: round2(lastYear × (1 + averageCostGrowth) × (1 + incidenceChange)), or `budget` given
   * (then the two rates may be left out); `perCapitaQuota` settles it per institution.
   */
  outpatientChronic: { averageCostGrowth?: string; incidenceChange?: string; budget?: string; perCapitaQuota: string };
  /** Line 3: round2(lastYear × (1 + growth)). */
  outOfRegion: { growth: string };
  /** Line 4: each method round2(lastYear × (1 + its growth)), summed. */
  otherMethods: Record<OtherMethod, string>;
  /** Line 5: round2(provincial funding standard × insured persons). */
  criticalIllness: { fundingStandard: string };
}

export interface ZiboBudgetPolicy extends SchemePolicyBase {
  scheme: 'zibo-budget';
  /** The city's risk reserve (0.10). */
  reserveRatio: string;
  /** The reserve's remainder L: to the DIP fund (0.70) and the adjustment fund (0.30). */
  reserveSplit: { dip: string; adjustment: string };
  pools: Partial<Record<Pool, ZiboPoolPolicy>>;
}

const poolsTable: InputTableSpec = {
  name: 'pools',
  description: "each pool's premium revenue (no interest) and insured persons for the year",
  columns: [
    column('pool', 'code', true, 'employee or resident'),
    column('revenue', 'money', true, 'R: the budgeted premium revenue of the pool (基本医疗保险费收入, no interest)'),
    column('insuredPersons', 'count', true, 'insured persons of the pool (the base of the critical-illness line)'),
  ],
  key: ['pool'],
  required: true,
};

const lastYear: InputTableSpec = {
  name: 'lastYear',
  description: `last year's actual spending of the items lines 2–4 grow from: ${LAST_YEAR_ITEMS.join(', ')}`,
  columns: [
    column('pool', 'code', true, 'employee or resident'),
    column('item', 'code', true, LAST_YEAR_ITEMS.join(', ')),
    column('amount', 'money', true, "last year's actual spending"),
  ],
  key: ['pool', 'item'],
  required: true,
};

const signed: InputTableSpec = {
  name: 'signed',
  description: 'the persons signed with each institution for the capitation lines (general outpatient, outpatient chronic disease)',
  columns: [
    column('pool', 'code', true, 'employee or resident'),
    column('line', 'code', true, CAPITATION_LINES.join(' or ')),
    column('institutionCode', 'code', true, 'the institution (its hospital code)'),
    column('name', 'text', false, 'the institution name'),
    column('signedPersons', 'count', true, 'persons signed with it (参保签约人数)'),
  ],
  key: ['pool', 'line', 'institutionCode'],
  required: true,
};

const actualsTable: InputTableSpec = {
  name: 'actuals',
  description: "each line's actual spending of the year, for the year end (a line without a row has no shortfall)",
  columns: [
    column('pool', 'code', true, 'employee or resident'),
    column('line', 'code', true, BUDGET_LINES.join(', ')),
    column('amount', 'money', true, "the line's actual spending"),
  ],
  key: ['pool', 'line'],
  required: false,
};

export const ZIBO_BUDGET_TABLES: readonly InputTableSpec[] = [poolsTable, lastYear, signed, actualsTable];

function parseZiboBudgetPolicy(doc: unknown): ZiboBudgetPolicy {
  return parseSchemePolicy<ZiboBudgetPolicy>('zibo-budget', doc, ['reserveRatio', 'reserveSplit', 'pools'], [], (r, o) => {
    const ratio = (v: unknown, p: string) => r.decimal(v, p, { min: '0', max: '1' });
    const growth = (v: unknown, p: string) => r.decimal(v, p, { min: '-1' });
    const amount = (v: unknown, p: string) => moneyParam(r, v, p);
    const split = r.object(o.reserveSplit, 'reserveSplit', ['dip', 'adjustment']);
    let reserveSplit: ZiboBudgetPolicy['reserveSplit'] | typeof MISSING = MISSING;
    if (split !== MISSING) {
      const dip = ratio(split.dip, 'reserveSplit.dip');
      const adjustment = ratio(split.adjustment, 'reserveSplit.adjustment');
      if (dip !== MISSING && adjustment !== MISSING && !new Dec(dip).plus(adjustment).eq(1))
        r.fail('reserveSplit', 'dip + adjustment must be 1');
      reserveSplit = { dip, adjustment } as ZiboBudgetPolicy['reserveSplit'];
    }
    const pools = r.object(o.pools, 'pools', POOLS, POOLS);
    const out: Partial<Record<Pool, ZiboPoolPolicy>> = {};
    if (pools !== MISSING) {
      if (Object.keys(pools).length === 0) r.fail('pools', 'needs at least one pool');
      for (const pool of POOLS)
        if (pools[pool] !== undefined) out[pool] = readPool(r, pools[pool], `pools.${pool}`, { growth, amount }) as ZiboPoolPolicy;
    }
    return {
      reserveRatio: ratio(o.reserveRatio, 'reserveRatio'),
      reserveSplit,
      pools: pools === MISSING ? MISSING : out,
    } as unknown as Omit<ZiboBudgetPolicy, keyof SchemePolicyBase>;
  });
}

type Read = (v: unknown, p: string) => string | typeof MISSING;

function readPool(r: Reader, v: unknown, p: string, d: { growth: Read; amount: Read }): ZiboPoolPolicy | typeof MISSING {
  const o = r.object(v, p, ['generalOutpatient', 'outpatientChronic', 'outOfRegion', 'otherMethods', 'criticalIllness']);
  if (o === MISSING) return MISSING;
  const go = r.object(o.generalOutpatient, `${p}.generalOutpatient`, ['perCapitaQuota']);
  const ch = r.object(
    o.outpatientChronic,
    `${p}.outpatientChronic`,
    ['averageCostGrowth', 'incidenceChange', 'budget', 'perCapitaQuota'],
    ['averageCostGrowth', 'incidenceChange', 'budget'],
  );
  let chronic: ZiboPoolPolicy['outpatientChronic'] | typeof MISSING = MISSING;
  if (ch !== MISSING) {
    const given = ch.budget !== undefined;
    if (!given && (ch.averageCostGrowth === undefined || ch.incidenceChange === undefined))
      r.fail(`${p}.outpatientChronic`, 'needs averageCostGrowth and incidenceChange, or the budget given');
    chronic = {
      ...(ch.averageCostGrowth === undefined
        ? {}
        : { averageCostGrowth: d.growth(ch.averageCostGrowth, `${p}.outpatientChronic.averageCostGrowth`) }),
      ...(ch.incidenceChange === undefined
        ? {}
        : { incidenceChange: d.growth(ch.incidenceChange, `${p}.outpatientChronic.incidenceChange`) }),
      ...(given ? { budget: moneyParam(r, ch.budget, `${p}.outpatientChronic.budget`) } : {}),
      perCapitaQuota: d.amount(ch.perCapitaQuota, `${p}.outpatientChronic.perCapitaQuota`),
    } as ZiboPoolPolicy['outpatientChronic'];
  }
  const oor = r.object(o.outOfRegion, `${p}.outOfRegion`, ['growth']);
  const other = r.object(o.otherMethods, `${p}.otherMethods`, OTHER_METHODS);
  const ci = r.object(o.criticalIllness, `${p}.criticalIllness`, ['fundingStandard']);
  return {
    generalOutpatient: go === MISSING ? MISSING : { perCapitaQuota: d.amount(go.perCapitaQuota, `${p}.generalOutpatient.perCapitaQuota`) },
    outpatientChronic: chronic,
    outOfRegion: oor === MISSING ? MISSING : { growth: d.growth(oor.growth, `${p}.outOfRegion.growth`) },
    otherMethods:
      other === MISSING ? MISSING : Object.fromEntries(OTHER_METHODS.map((m) => [m, d.growth(other[m], `${p}.otherMethods.${m}`)])),
    criticalIllness: ci === MISSING ? MISSING : { fundingStandard: d.amount(ci.fundingStandard, `${p}.criticalIllness.fundingStandard`) },
  } as ZiboPoolPolicy;
}

/** One budget line of the tree; `actual` and `variance` (actual − budget) null when no actual is recorded. */
export interface LineFigures {
  budget: string;
  actual: string | null;
  variance: string | null;
  basis: Record<string, unknown>;
}

/** The budget tree of one pool and year: R = reserve + Σ lines + dipBudget, and at year end reserve = covered + toDipFund + J. */
export interface ZiboPoolTree {
  pool: Pool;
  revenue: string;
  reserveRatio: string;
  reserve: string;
  lines: Record<BudgetLine, LineFigures>;
  linesTotal: string;
  dipBudget: string;
  yearEnd: {
    /** The lines with an actual recorded. */
    actualsRecorded: BudgetLine[];
    /** Σ over lines 1–4 of max(0, actual − budget), line by line. */
    shortfall: string;
    /** min(reserve, shortfall): what the reserve pays for the lines. */
    coveredByReserve: string;
    /** L = max(0, reserve − shortfall). */
    remainder: string;
    /** round2(L × reserveSplit.dip): joins the annual DIP fund. */
    toDipFund: string;
    /** J = L − toDipFund: the adjustment fund. */
    adjustmentFund: string;
    /** max(0, shortfall − reserve). */
    uncovered: string;
    reserveSplit: { dip: string; adjustment: string };
  };
  check: {
    /** reserve + Σ lines + dipBudget. */
    budgetSide: string;
    /** covered + toDipFund + J. */
    reserveSide: string;
    /** Both equal what they should, to the fen. */
    addsUp: boolean;
  };
}

export interface ZiboRegionFigures {
  year: number;
  pools: Partial<Record<Pool, ZiboPoolTree>>;
  /** Every pool's tree adds up to its R (and its reserve) to the fen. */
  addsUp: boolean;
}

const ZERO = new Dec(0);
const ONE = new Dec(1);
const grown = (last: Dec, ...rates: string[]): Dec => round2(rates.reduce((t, g) => t.times(ONE.plus(g)), last));

function runZiboBudget(policy: ZiboBudgetPolicy, inputs: SchemeInputs, year: number): SchemeOutcome {
  const problems = new RunProblems();
  const poolOf = (table: string, i: number, row: InputRow): Pool | null => {
    const p = text(row, 'pool');
    if ((POOLS as readonly string[]).includes(p)) return p as Pool;
    problems.add(table, i, 'pool', `must be one of ${POOLS.join(', ')}; got "${p}"`);
    return null;
  };
  const poolRows = new Map<Pool, InputRow>();
  rowsOf(inputs, poolsTable).forEach((row, i) => {
    const p = poolOf('pools', i, row);
    if (p === null) return;
    if (!policy.pools[p]) problems.add('pools', i, 'pool', `the policy has no ${p} pool`);
    poolRows.set(p, row);
  });
  const last = new Map<string, Dec>();
  rowsOf(inputs, lastYear).forEach((row, i) => {
    const p = poolOf('lastYear', i, row);
    const item = text(row, 'item');
    if (!(LAST_YEAR_ITEMS as readonly string[]).includes(item))
      problems.add('lastYear', i, 'item', `must be one of ${LAST_YEAR_ITEMS.join(', ')}`);
    else if (p) last.set(`${p}/${item}`, decimal(row, 'amount'));
  });
  const signedRows: { pool: Pool; line: CapitationLine; institutionCode: string; name: string | null; persons: number }[] = [];
  rowsOf(inputs, signed).forEach((row, i) => {
    const p = poolOf('signed', i, row);
    const line = text(row, 'line');
    if (!(CAPITATION_LINES as readonly string[]).includes(line))
      problems.add('signed', i, 'line', `must be one of ${CAPITATION_LINES.join(', ')}`);
    else if (p) {
      if (!poolRows.has(p)) problems.add('signed', i, 'pool', `no ${p} row in the pools table`);
      const name = textOr(row, 'name', '');
      signedRows.push({
        pool: p,
        line: line as CapitationLine,
        institutionCode: text(row, 'institutionCode'),
        name: name || null,
        persons: whole(row, 'signedPersons'),
      });
    }
  });
  const actuals = new Map<string, string>();
  rowsOf(inputs, actualsTable).forEach((row, i) => {
    const p = poolOf('actuals', i, row);
    const line = text(row, 'line');
    if (!(BUDGET_LINES as readonly string[]).includes(line))
      problems.add('actuals', i, 'line', `must be one of ${BUDGET_LINES.join(', ')}`);
    else if (p) actuals.set(`${p}/${line}`, text(row, 'amount'));
  });
  const lastOf = (pool: Pool, item: LastYearItem): Dec => {
    const v = last.get(`${pool}/${item}`);
    if (v === undefined) problems.add('lastYear', null, 'item', `no ${pool} row for ${item}`);
    return v ?? ZERO;
  };
  problems.throwIfAny('zibo-budget');

  const trees: Partial<Record<Pool, ZiboPoolTree>> = {};
  const quotas = new Map<string, string>();
  for (const pool of POOLS) {
    const row = poolRows.get(pool);
    const pp = policy.pools[pool];
    if (!row || !pp) continue;
    const persons = (line: CapitationLine) =>
      signedRows.filter((s) => s.pool === pool && s.line === line).reduce((t, s) => t + s.persons, 0);

    // Line 1: quota × signed persons.
    const goSigned = persons('generalOutpatient');
    const generalOutpatient = round2(new Dec(pp.generalOutpatient.perCapitaQuota).times(goSigned));
    // Line 2: last year grown by cost and incidence, or given.
    const ch = pp.outpatientChronic;
    const chronicLast = ch.budget === undefined ? lastOf(pool, 'outpatientChronic') : null;
    const outpatientChronic =
      ch.budget !== undefined ? new Dec(ch.budget) : grown(chronicLast!, ch.averageCostGrowth!, ch.incidenceChange!);
    const chSigned = persons('outpatientChronic');
    // Line 3.
    const oorLast = lastOf(pool, 'outOfRegion');
    const outOfRegion = grown(oorLast, pp.outOfRegion.growth);
    // Line 4: each method on its own, then summed.
    const methods = OTHER_METHODS.map((m) => {
      const l = lastOf(pool, m);
      return { method: m, lastYear: l, growth: pp.otherMethods[m], budget: grown(l, pp.otherMethods[m]) };
    });
    const otherMethods = methods.reduce((t, m) => t.plus(m.budget), ZERO);
    // Line 5.
    const insured = whole(row, 'insuredPersons');
    const criticalIllness = round2(new Dec(pp.criticalIllness.fundingStandard).times(insured));
    problems.throwIfAny('zibo-budget');

    const budgets: Record<BudgetLine, Dec> = {
      generalOutpatient,
      outpatientChronic,
      outOfRegion,
      otherMethods,
      criticalIllness,
    };
    const lines = Object.fromEntries(BUDGET_LINES.map((l) => [l, money(budgets[l])])) as Record<BudgetLine, string>;
    const b = poolBudget(pool, { revenue: text(row, 'revenue'), reserveRatio: policy.reserveRatio, lines });
    const recorded = BUDGET_LINES.filter((l) => actuals.has(`${pool}/${l}`));
    const poolActuals = Object.fromEntries(recorded.map((l) => [l, actuals.get(`${pool}/${l}`)!]));
    const y = yearEndReserve(b, poolActuals, policy.reserveSplit);

    const line = (l: BudgetLine, basis: Record<string, unknown>): LineFigures => {
      const a = actuals.get(`${pool}/${l}`);
      return { budget: lines[l], actual: a ?? null, variance: a === undefined ? null : money(new Dec(a).minus(lines[l])), basis };
    };
    const linesTotal = BUDGET_LINES.reduce((t, l) => t.plus(lines[l]), ZERO);
    const reserve = new Dec(b.reserve!);
    const covered = reserve.minus(y.remainder);
    const budgetSide = reserve.plus(linesTotal).plus(b.dipBudget);
    const reserveSide = covered.plus(y.toDipFund).plus(y.adjustmentFund);
    quotas.set(`${pool}/generalOutpatient`, pp.generalOutpatient.perCapitaQuota);
    quotas.set(`${pool}/outpatientChronic`, ch.perCapitaQuota);
    trees[pool] = {
      pool,
      revenue: b.revenue!,
      reserveRatio: policy.reserveRatio,
      reserve: b.reserve!,
      lines: {
        generalOutpatient: line('generalOutpatient', { perCapitaQuota: pp.generalOutpatient.perCapitaQuota, signedPersons: goSigned }),
        outpatientChronic: line('outpatientChronic', {
          given: ch.budget !== undefined,
          ...(chronicLast
            ? { lastYear: money(chronicLast), averageCostGrowth: ch.averageCostGrowth, incidenceChange: ch.incidenceChange }
            : {}),
          perCapitaQuota: ch.perCapitaQuota,
          signedPersons: chSigned,
          capitation: money(round2(new Dec(ch.perCapitaQuota).times(chSigned))),
        }),
        outOfRegion: line('outOfRegion', { lastYear: money(oorLast), growth: pp.outOfRegion.growth }),
        otherMethods: line('otherMethods', {
          methods: Object.fromEntries(
            methods.map((m) => [m.method, { lastYear: money(m.lastYear), growth: m.growth, budget: money(m.budget) }]),
          ),
        }),
        criticalIllness: line('criticalIllness', { fundingStandard: pp.criticalIllness.fundingStandard, insuredPersons: insured }),
      },
      linesTotal: money(linesTotal),
      dipBudget: b.dipBudget,
      yearEnd: {
        actualsRecorded: recorded,
        shortfall: y.shortfall,
        coveredByReserve: money(covered),
        remainder: y.remainder,
        toDipFund: y.toDipFund,
        adjustmentFund: y.adjustmentFund,
        uncovered: y.uncovered,
        reserveSplit: policy.reserveSplit,
      },
      check: {
        budgetSide: money(budgetSide),
        reserveSide: money(reserveSide),
        addsUp: budgetSide.eq(b.revenue!) && reserveSide.eq(reserve),
      },
    };
  }

  // The capitation rows: each institution's quota × signed persons, per pool and line.
  const institutions = new Map<string, { name: string | null; rows: typeof signedRows }>();
  for (const s of signedRows) {
    if (!trees[s.pool]) continue;
    const e = institutions.get(s.institutionCode) ?? { name: null, rows: [] };
    e.name = e.name ?? s.name;
    e.rows.push(s);
    institutions.set(s.institutionCode, e);
  }
  const providers: ProviderFigures[] = [...institutions.keys()].sort(byCode).map((code) => {
    const e = institutions.get(code)!;
    const capitation = e.rows
      .sort((a, b) => POOLS.indexOf(a.pool) - POOLS.indexOf(b.pool) || CAPITATION_LINES.indexOf(a.line) - CAPITATION_LINES.indexOf(b.line))
      .map((s) => {
        const quota = quotas.get(`${s.pool}/${s.line}`)!;
        return {
          pool: s.pool,
          line: s.line,
          perCapitaQuota: quota,
          signedPersons: s.persons,
          amount: money(round2(new Dec(quota).times(s.persons))),
        };
      });
    return {
      provider: code,
      name: e.name ?? code,
      visibleTo: [code],
      figures: { institutionCode: code, capitation, total: money(capitation.reduce((t, c) => t.plus(c.amount), ZERO)) },
    };
  });
  const region: ZiboRegionFigures = { year, pools: trees, addsUp: Object.values(trees).every((t) => t.check.addsUp) };
  return { providers, region: region as unknown as Record<string, unknown> };
}

export const ziboBudgetScheme: SchemeDefinition<ZiboBudgetPolicy> = {
  id: 'zibo-budget',
  seed: '001 (Zibo)',
  title: "Zibo's budget lines (统筹基金支出总额预算)",
  tables: ZIBO_BUDGET_TABLES,
  parsePolicy: parseZiboBudgetPolicy,
  run: runZiboBudget,
};

/** What the DIP annual settlement of a pool takes from a zibo-budget run. */
export interface DipBudgetInputs {
  /** The pool's §8.1 budget as a DIP policy's `budget[pool]` (revenue, reserveRatio, every line). */
  budget: PoolBudgetPolicy;
  /** The lines' year-end actuals as the DIP run's budgetActual records (`YearRecords.actuals`). */
  actuals: { pool: Pool; line: BudgetLine; amount: string }[];
  /** The split the tree used; the DIP policy's settlement.reserveSplit should be the same. */
  reserveSplit: { dip: string; adjustment: string };
}

/**
 * A zibo-budget outcome's pool as the DIP annual settlement's inputs: poolBudget() of the result
 * gives the same reserve and dipBudget as the tree, and yearEndReserve() the same L, toDipFund
 * and J (with the same reserveSplit). Refuses (not-found) a pool the outcome does not have.
 */
export function dipBudgetInputs(outcome: Pick<SchemeOutcome, 'region'>, pool: Pool): DipBudgetInputs {
  const tree = (outcome.region as unknown as Partial<ZiboRegionFigures>).pools?.[pool];
  if (!tree || typeof tree !== 'object' || !tree.lines)
    throw new DipError('not-found', 'no-pool-budget', `the zibo-budget run has no ${pool} budget tree`);
  return {
    budget: {
      revenue: tree.revenue,
      reserveRatio: tree.reserveRatio,
      lines: Object.fromEntries(BUDGET_LINES.map((l) => [l, tree.lines[l].budget])),
    },
    actuals: BUDGET_LINES.filter((l) => tree.lines[l].actual !== null).map((l) => ({ pool, line: l, amount: tree.lines[l].actual! })),
    reserveSplit: tree.yearEnd.reserveSplit,
  };
}

/** Where a DIP run's pool budgets came from, when a final zibo-budget run gave them. */
export interface DipBudgetSource {
  scheme: 'zibo-budget';
  runId: string;
  inputsHash: string;
  pools: Pool[];
}

/**
 * The DIP policy and year-end actuals of a region's year with the budget tree of its final
 * zibo-budget run (SCHEMES.md §E feeding DIP.md §8.1): each pool of the tree replaces the
 * policy's budget of that pool, and its line actuals replace the recorded budgetActual records
 * of that pool (the tree is the one account of the lines; both at once would count twice).
 * A tree whose reserve split differs from the DIP policy's is refused: L would be split two ways.
 */
export function dipYearWithBudgetTree<
  P extends { budget: Partial<Record<Pool, PoolBudgetPolicy>>; settlement: { reserveSplit: { dip: string; adjustment: string } } },
>(
  policy: P,
  actuals: readonly { pool: Pool; line: BudgetLine; amount: string }[],
  outcome: Pick<SchemeOutcome, 'region'>,
): { policy: P; actuals: { pool: Pool; line: BudgetLine; amount: string }[]; pools: Pool[] } {
  const pools = POOLS.filter((p) => (outcome.region as unknown as Partial<ZiboRegionFigures>).pools?.[p]);
  const budget = { ...policy.budget };
  let kept = [...actuals];
  for (const pool of pools) {
    const d = dipBudgetInputs(outcome, pool);
    const split = policy.settlement.reserveSplit;
    if (!new Dec(d.reserveSplit.dip).eq(split.dip) || !new Dec(d.reserveSplit.adjustment).eq(split.adjustment))
      throw new DipError(
        'invalid',
        'reserve-split-mismatch',
        `the zibo-budget run splits the ${pool} reserve ${d.reserveSplit.dip} / ${d.reserveSplit.adjustment}, the DIP policy ${split.dip} / ${split.adjustment}; make them the same`,
      );
    budget[pool] = d.budget;
    kept = kept.filter((a) => a.pool !== pool).concat(d.actuals);
  }
  return { policy: { ...policy, budget }, actuals: kept, pools };
}
