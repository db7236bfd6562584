import { Dec, money, round2 } from '../decimal';
import { MISSING, Reader } from '../policy';
import { FUND, reconcile, Reconciliation } from './reconciliation';
import { byCode, column, decimal, decimalOr, parseSchemePolicy, rowsOf, RunProblems, sumOf, text, whole } from './run-support';
import { InputRow, InputTableSpec, ProviderFigures, SchemeDefinition, SchemeInputs, SchemePolicyBase } from './scheme';

/**
 * SCHEMES.md B: the medical group's global budget (seed 002, Shanwei 城区医疗集团: 总额预付、结余留用、
 * 合理超支分担). One group (lead hospital + township and community centres) is one settlement
 * unit: its allowance from three years of the fund's payments for its registered residents, one
 * month advanced, the members' audited claims paid monthly, and at year end the reconciliation
 * with the year-dependent overspend shares of group, local finance and fund; beside it the 2 %
 * incentive reserve paid by the assessment score. Pure.
 */

/** The parties of an overspend, in SCHEMES.md's order; the fund, last, takes the rounding remainder. */
export const GROUP_PARTIES = ['group', 'finance', FUND] as const;
export type GroupParty = (typeof GROUP_PARTIES)[number];
export type GroupShares = Record<GroupParty, string>;

export interface MedicalGroupPolicy extends SchemePolicyBase {
  scheme: 'medical-group';
  /** The seed's 当年医保征缴比例增长等因素: applied to the three-year mean (may be negative, ≥ −1). */
  growth: string;
  /** The incentive reserve's share of last year's fund use by the district's insured (0.02). */
  reserveRatio: string;
  /** The share of a surplus the group keeps when the assessment passes (1) or fails (0). */
  retention: { passed: string; failed: string };
  /** Overspend shares by scheme year: the entry with the largest fromSchemeYear ≤ the group's scheme year applies. */
  overspendShares: { fromSchemeYear: number; shares: GroupShares }[];
  /** The shares when the assessment fails (SCHEMES.md default: the group carries all). */
  failedOverspendShares: GroupShares;
}

const groups: InputTableSpec = {
  name: 'groups',
  description: 'the medical groups: each one settlement unit',
  columns: [
    column('groupCode', 'code', true, 'the group (settlement unit) code'),
    column('name', 'text', true, 'the group name'),
    column('leadHospitalCode', 'code', true, 'the lead hospital (牵头单位), which manages and distributes the fund payments'),
    column('firstSchemeYear', 'year', true, 'the first year the group was paid under this scheme (scheme year 1)'),
  ],
  key: ['groupCode'],
  required: true,
};

const members: InputTableSpec = {
  name: 'members',
  description: "the groups' member institutions (absent: a group is visible to its lead hospital only)",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('institutionCode', 'code', true, 'the member institution (its hospital code); one group per institution'),
    column('name', 'text', true, 'the institution name'),
    column('kind', 'code', false, 'lead, hospital, township (卫生院) or community (社区卫生服务中心); informative'),
  ],
  key: ['institutionCode'],
  required: false,
};

const history: InputTableSpec = {
  name: 'history',
  description:
    "the fund's (统筹基金) payments for the outpatient and inpatient care of the residents registered in the group's area, by year; the three years before the run's year are needed",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('year', 'year', true, 'the calendar year'),
    column('outpatientFund', 'money', true, "the fund's outpatient payments"),
    column('inpatientFund', 'money', true, "the fund's inpatient payments"),
  ],
  key: ['groupCode', 'year'],
  required: true,
};

const claims: InputTableSpec = {
  name: 'claims',
  description: "the members' audited claims paid each month of the year, on account of the allowance (cases paid by item are not in them)",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('month', 'month', true, 'the month of the run year'),
    column('auditedClaims', 'money', true, 'the audited claims paid for the month'),
  ],
  key: ['groupCode', 'month'],
  required: false,
};

const actuals: InputTableSpec = {
  name: 'actuals',
  description: "the year's fund payments on the same basis as the history (S), one row per group",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('outpatientFund', 'money', true, "the fund's outpatient payments of the year, the item-paid cases included"),
    column('inpatientFund', 'money', true, "the fund's inpatient payments of the year, the item-paid cases included"),
    column(
      'itemPaid',
      'money',
      false,
      'difficult cases and innovative technology paid by item (可按项目付费): paid in full and left out of S (blank: 0)',
    ),
  ],
  key: ['groupCode'],
  required: true,
};

const assessment: InputTableSpec = {
  name: 'assessment',
  description: "the group's annual assessment (none recorded: score 1, passed)",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('score', 'score', true, 'the assessment score in [0, 1]: the share of the incentive reserve paid'),
    column('passed', 'flag', true, 'whether the assessment passed (经考核合格): a surplus is kept, the overspend shared'),
  ],
  key: ['groupCode'],
  required: false,
};

const extras: InputTableSpec = {
  name: 'extras',
  description: 'room agreed with the city bureau for major policy changes, emergencies or disasters, added to the allowance (none: 0)',
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('reason', 'text', true, 'what the room is for'),
    column('amount', 'money', true, 'the amount added to the allowance'),
  ],
  key: ['groupCode', 'reason'],
  required: false,
};

const reserveBase: InputTableSpec = {
  name: 'reserveBase',
  description:
    "last year's fund use by the insured persons of the group's district (上年度城区参保人使用医保基金), the base of the incentive reserve (no row: the group's history of last year)",
  columns: [
    column('groupCode', 'code', true, 'the group'),
    column('lastYearFundUse', 'money', true, "last year's fund use by the district's insured persons"),
  ],
  key: ['groupCode'],
  required: false,
};

export const MEDICAL_GROUP_TABLES: readonly InputTableSpec[] = [groups, members, history, claims, actuals, assessment, extras, reserveBase];

const HISTORY_YEARS = 3;

function parseMedicalGroupPolicy(doc: unknown): MedicalGroupPolicy {
  return parseSchemePolicy<MedicalGroupPolicy>(
    'medical-group',
    doc,
    ['growth', 'reserveRatio', 'retention', 'overspendShares', 'failedOverspendShares'],
    [],
    (r, o) => {
      const ratio = (v: unknown, p: string) => r.decimal(v, p, { min: '0', max: '1' });
      const ret = r.object(o.retention, 'retention', ['passed', 'failed']);
      const shares = (v: unknown, p: string): GroupShares | typeof MISSING => {
        const s = r.object(v, p, GROUP_PARTIES);
        if (s === MISSING) return MISSING;
        const out = Object.fromEntries(GROUP_PARTIES.map((k) => [k, ratio(s[k], `${p}.${k}`)]));
        if (Object.values(out).includes(MISSING)) return MISSING;
        sharesAddUp(r, out as GroupShares, p);
        return out as GroupShares;
      };
      const byYear = r.array(o.overspendShares, 'overspendShares', (x, p) => {
        const e = r.object(x, p, ['fromSchemeYear', 'shares']);
        if (e === MISSING) return MISSING;
        const from = r.integer(e.fromSchemeYear, `${p}.fromSchemeYear`, 1, 100);
        const s = shares(e.shares, `${p}.shares`);
        return from === MISSING || s === MISSING ? MISSING : { fromSchemeYear: from, shares: s };
      });
      if (byYear !== MISSING) {
        if (byYear.length === 0 || byYear[0].fromSchemeYear !== 1) r.fail('overspendShares', 'must start with fromSchemeYear 1');
        byYear.forEach((e, i) => {
          if (i > 0 && e.fromSchemeYear <= byYear[i - 1].fromSchemeYear)
            r.fail(`overspendShares[${i}].fromSchemeYear`, 'must increase from one entry to the next');
        });
      }
      return {
        growth: r.decimal(o.growth, 'growth', { min: '-1' }),
        reserveRatio: ratio(o.reserveRatio, 'reserveRatio'),
        retention:
          ret === MISSING ? MISSING : { passed: ratio(ret.passed, 'retention.passed'), failed: ratio(ret.failed, 'retention.failed') },
        overspendShares: byYear,
        failedOverspendShares: shares(o.failedOverspendShares, 'failedOverspendShares'),
      } as unknown as Omit<MedicalGroupPolicy, keyof SchemePolicyBase>;
    },
  );
}

function sharesAddUp(r: Reader, shares: GroupShares, path: string): void {
  const total = GROUP_PARTIES.reduce((t, k) => t.plus(shares[k]), new Dec(0));
  if (!total.eq(1)) r.fail(path, `must add up to 1; they add up to ${total.toString()}`);
}

/** The shares of scheme year `n`: the last entry that starts at or before it. */
export function sharesForSchemeYear(policy: MedicalGroupPolicy, schemeYear: number): GroupShares {
  let found = policy.overspendShares[0].shares;
  for (const e of policy.overspendShares) if (e.fromSchemeYear <= schemeYear) found = e.shares;
  return found;
}

/** The figures of one group; money as 2-dp strings, ratios and the mean as plain decimals. */
export interface GroupFigures {
  groupCode: string;
  leadHospitalCode: string;
  members: { institutionCode: string; name: string; kind: string | null }[];
  history: { years: { year: number; outpatientFund: string; inpatientFund: string; total: string }[]; mean: string };
  growth: string;
  /** round2(mean × (1 + growth)). */
  grownBase: string;
  extras: { reason: string; amount: string }[];
  extra: string;
  /** A = grownBase + extra. */
  allowance: string;
  /** round2(A / 12), paid at the start of the year, recovered at year end. */
  advance: string;
  claims: { byMonth: { month: number; auditedClaims: string }[]; total: string };
  spending: { outpatientFund: string; inpatientFund: string; itemPaid: string; spending: string };
  assessment: { score: string; passed: boolean; recorded: boolean };
  firstSchemeYear: number;
  schemeYear: number;
  retentionRatio: string;
  shares: GroupShares;
  reconciliation: Reconciliation;
  reserve: { base: string; baseSource: 'reserveBase' | 'history'; ratio: string; pot: string; payment: string; fundKeeps: string };
  /** P = min(S, A) + retained + the fund's part. */
  paymentByFund: string;
  /** The group's part of the overspend (it carries it). */
  groupPart: string;
  /** Local finance's part, paid by finance to the group. */
  financePart: string;
  /** P − advance − claims paid (negative: the group repays). */
  balance: string;
  /** balance + the reserve payment: what the fund transfers at year end (negative: what it recovers). */
  dueFromFund: string;
}

const ZERO = new Dec(0);

function runMedicalGroup(policy: MedicalGroupPolicy, inputs: SchemeInputs, year: number) {
  const problems = new RunProblems();
  const groupRows = rowsOf(inputs, groups);
  const known = new Map(groupRows.map((g, i) => [text(g, 'groupCode'), { row: g, index: i }]));
  // Every other table's rows, by group; a row of an unknown group is a problem.
  const byGroup = (spec: InputTableSpec): Map<string, InputRow[]> => {
    const m = new Map<string, InputRow[]>();
    rowsOf(inputs, spec).forEach((row, i) => {
      const code = text(row, 'groupCode');
      if (!known.has(code)) problems.add(spec.name, i, 'groupCode', `no group "${code}" in the groups table`);
      else {
        const list = m.get(code);
        if (list) list.push(row);
        else m.set(code, [row]);
      }
    });
    return m;
  };
  const memberRows = byGroup(members);
  const historyRows = byGroup(history);
  const claimRows = byGroup(claims);
  const actualRows = byGroup(actuals);
  const assessmentRows = byGroup(assessment);
  const extraRows = byGroup(extras);
  const baseRows = byGroup(reserveBase);

  const out: ProviderFigures[] = [];
  const all: GroupFigures[] = [];
  const codes = [...known.keys()].sort(byCode);
  const years = Array.from({ length: HISTORY_YEARS }, (_, k) => year - HISTORY_YEARS + k);
  for (const code of codes) {
    const { row: g, index } = known.get(code)!;
    let historyMissing = false;
    const hist = years.map((y) => {
      const h = (historyRows.get(code) ?? []).find((x) => whole(x, 'year') === y);
      if (!h) {
        historyMissing = true;
        problems.add(
          'history',
          null,
          'year',
          `group "${code}" has no history for ${y}; the allowance of ${year} needs ${years.join(', ')}`,
        );
      }
      const outpatient = h ? decimal(h, 'outpatientFund') : ZERO;
      const inpatient = h ? decimal(h, 'inpatientFund') : ZERO;
      return { year: y, outpatient, inpatient, total: outpatient.plus(inpatient) };
    });
    const actual = (actualRows.get(code) ?? [])[0];
    if (!actual) problems.add('actuals', null, 'groupCode', `group "${code}" has no row: its spending S of ${year} is needed`);
    const firstSchemeYear = whole(g, 'firstSchemeYear');
    const schemeYear = year - firstSchemeYear + 1;
    if (schemeYear < 1) problems.add('groups', index, 'firstSchemeYear', `is ${firstSchemeYear}, after the run year ${year}`);
    if (!actual || schemeYear < 1 || historyMissing) continue;

    // Allowance: the plain mean of three years, grown, plus the agreed room.
    const mean = sumOf(hist.map((h) => h.total)).div(HISTORY_YEARS);
    const grownBase = round2(mean.times(new Dec(1).plus(policy.growth)));
    const extraList = (extraRows.get(code) ?? []).map((e) => ({ reason: text(e, 'reason'), amount: decimal(e, 'amount') }));
    const extra = sumOf(extraList.map((e) => e.amount));
    const allowance = grownBase.plus(extra);
    const advance = round2(allowance.div(12));

    const monthly = Array.from({ length: 12 }, (_, m) => {
      const c = (claimRows.get(code) ?? []).find((x) => whole(x, 'month') === m + 1);
      return { month: m + 1, auditedClaims: c ? decimal(c, 'auditedClaims') : ZERO };
    });
    const claimsPaid = sumOf(monthly.map((m) => m.auditedClaims));

    const outpatient = decimal(actual, 'outpatientFund');
    const inpatient = decimal(actual, 'inpatientFund');
    const itemPaid = decimalOr(actual, 'itemPaid', '0');
    const spending = outpatient.plus(inpatient).minus(itemPaid);
    if (spending.isNegative()) {
      problems.add('actuals', null, 'itemPaid', `group "${code}": the item-paid cases exceed the year's fund payments`);
      continue;
    }

    const a = (assessmentRows.get(code) ?? [])[0];
    const score = a ? decimal(a, 'score') : new Dec(1);
    const passed = a ? a['passed'] === true : true;
    const shares = passed ? sharesForSchemeYear(policy, schemeYear) : policy.failedOverspendShares;
    const retentionRatio = passed ? policy.retention.passed : policy.retention.failed;
    const rec = reconcile({
      allowance,
      spending,
      retentionRatio,
      tiers: [{ upTo: null, shares }],
      parties: GROUP_PARTIES,
    });

    // The incentive reserve: a pot beside the allowance, paid by the score; the rest stays with the fund.
    const base = (baseRows.get(code) ?? [])[0];
    const reserveBaseAmount = base ? decimal(base, 'lastYearFundUse') : hist[HISTORY_YEARS - 1].total;
    const pot = round2(reserveBaseAmount.times(policy.reserveRatio));
    const reservePayment = round2(pot.times(score));

    const bal = new Dec(rec.paymentByFund).minus(advance).minus(claimsPaid);
    const memberList = (memberRows.get(code) ?? [])
      .map((m) => ({
        institutionCode: text(m, 'institutionCode'),
        name: text(m, 'name'),
        kind: m['kind'] === null ? null : text(m, 'kind'),
      }))
      .sort((x, y) => byCode(x.institutionCode, y.institutionCode));
    const figures: GroupFigures = {
      groupCode: code,
      leadHospitalCode: text(g, 'leadHospitalCode'),
      members: memberList,
      history: {
        years: hist.map((h) => ({
          year: h.year,
          outpatientFund: money(h.outpatient),
          inpatientFund: money(h.inpatient),
          total: money(h.total),
        })),
        mean: mean.toString(),
      },
      growth: policy.growth,
      grownBase: money(grownBase),
      extras: extraList.map((e) => ({ reason: e.reason, amount: money(e.amount) })),
      extra: money(extra),
      allowance: money(allowance),
      advance: money(advance),
      claims: { byMonth: monthly.map((m) => ({ month: m.month, auditedClaims: money(m.auditedClaims) })), total: money(claimsPaid) },
      spending: {
        outpatientFund: money(outpatient),
        inpatientFund: money(inpatient),
        itemPaid: money(itemPaid),
        spending: money(spending),
      },
      assessment: { score: score.toString(), passed, recorded: a !== undefined },
      firstSchemeYear,
      schemeYear,
      retentionRatio,
      shares,
      reconciliation: rec,
      reserve: {
        base: money(reserveBaseAmount),
        baseSource: base ? 'reserveBase' : 'history',
        ratio: policy.reserveRatio,
        pot: money(pot),
        payment: money(reservePayment),
        fundKeeps: money(pot.minus(reservePayment)),
      },
      paymentByFund: rec.paymentByFund,
      groupPart: rec.parts.group,
      financePart: rec.parts.finance,
      balance: money(bal),
      dueFromFund: money(bal.plus(reservePayment)),
    };
    all.push(figures);
    const visibleTo = [figures.leadHospitalCode, ...memberList.map((m) => m.institutionCode).filter((c) => c !== figures.leadHospitalCode)];
    out.push({ provider: code, name: text(g, 'name'), visibleTo, figures: figures as unknown as Record<string, unknown> });
  }
  problems.throwIfAny('medical-group');

  const total = (f: (g: GroupFigures) => string): string => money(sumOf(all.map((g) => new Dec(f(g)))));
  return {
    providers: out,
    region: {
      year,
      groups: all.length,
      allowance: total((g) => g.allowance),
      advance: total((g) => g.advance),
      claimsPaid: total((g) => g.claims.total),
      itemPaid: total((g) => g.spending.itemPaid),
      spending: total((g) => g.spending.spending),
      surplus: total((g) => g.reconciliation.surplus),
      retained: total((g) => g.reconciliation.retained),
      fundKeepsOfSurplus: total((g) => g.reconciliation.fundKeeps),
      overspend: total((g) => g.reconciliation.overspend),
      groupPart: total((g) => g.groupPart),
      financePart: total((g) => g.financePart),
      fundPart: total((g) => g.reconciliation.parts[FUND]),
      paymentByFund: total((g) => g.paymentByFund),
      balance: total((g) => g.balance),
      reservePot: total((g) => g.reserve.pot),
      reservePayment: total((g) => g.reserve.payment),
      reserveFundKeeps: total((g) => g.reserve.fundKeeps),
      dueFromFund: total((g) => g.dueFromFund),
    },
  };
}

export const medicalGroupScheme: SchemeDefinition<MedicalGroupPolicy> = {
  id: 'medical-group',
  seed: '002 (Shanwei)',
  title: 'Medical-group global budget (总额预付、结余留用、合理超支分担)',
  tables: MEDICAL_GROUP_TABLES,
  parsePolicy: parseMedicalGroupPolicy,
  run: runMedicalGroup,
};
