import { Dec, money, round2 } from '../decimal';
import { DipError } from '../errors';
import { MISSING } from '../policy';
import { FUND, reconcile, Reconciliation, splitByWeights } from './reconciliation';
import { byCode, column, parseSchemePolicy, rowsOf, RunProblems, text, wholeFen, yuanOfFen } from './run-support';
import { groupRows, inOrder, listInOrder } from './person-table';
import {
  FigureValue,
  InputTableSpec,
  PersonColumn,
  PersonTable,
  ProviderFigures,
  SchemeDefinition,
  SchemeInputs,
  SchemeOutcome,
  SchemePolicyBase,
} from './scheme';

/**
 * SCHEMES.md D: the county chronic-disease global package (seed 004, 歙县城乡居民医疗保险慢性病医保支付
 * 总额包干). The certified population is fixed at the start of the year from last year's
 * certificates; its budget is last year's fund payments × (1 + growth); nothing is scheduled (the
 * claims are paid through the usual channel); at year end the county consortium keeps the whole
 * surplus or carries the whole overspend, split 5 : 3 : 2 between the lead hospital's, the
 * township centres' and the village clinics' tiers and within a tier by the institutions'
 * assessment scores; institutions in surplus against their own budgets may be rewarded out of
 * the consortium's share during a county overspend. Every figure per person, per institution and
 * for the county is returned, named. Pure.
 *
 * Per-person sums are whole fen in JS numbers (exact below 2^53 fen); decimal.js only for the
 * few county and institution formulas.
 */

/** The kinds of institution of the consortium (SCHEMES.md D "Institutions"); the policy maps each to a tier. */
export const INSTITUTION_KINDS = [
  /** the consortium's lead hospital (医共体牵头医院), exactly one */
  'lead',
  /** another county-level hospital (其他县级医疗机构) */
  'county',
  /** a privately run hospital (社会力量办医医疗机构) */
  'private',
  /** a township health centre (乡镇卫生院 / 医共体乡镇分院) */
  'township',
  /** a community health centre (社区卫生服务中心), with the township centres */
  'community',
  /** an integrated village clinic (一体化管理村卫生室) */
  'village',
  /** a community health station (社区卫生服务站), with the village clinics */
  'station',
] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];

/** The four parts of an assessment (0–100 each), in SCHEMES.md's order. */
export const ASSESSMENT_PARTS = ['fundPayment', 'managementRate', 'pilotExperience', 'satisfaction'] as const;
export type AssessmentPart = (typeof ASSESSMENT_PARTS)[number];

/** The pool whose insured persons form the population (城乡居民基本医疗保险). */
export const RESIDENT_POOL = 'resident';
const POOL_VALUES = ['resident', 'employee'];

/** A certificate rule: an exact code (`M03900`) or a prefix ending in `*` (`M005*`), and what it is. */
export interface CertificateRule {
  code: string;
  disease: string;
}

export interface TierPolicy {
  /** The tier's name (lead, township, village). */
  tier: string;
  /** Its weight in the split of the result (5, 3, 2). */
  weight: string;
  /** The institution kinds in it; every kind is in exactly one tier. */
  kinds: InstitutionKind[];
}

export interface ChronicPackagePolicy extends SchemePolicyBase {
  scheme: 'chronic-package';
  /** The natural growth of fund payments (年度自然增长率 4 %): budget = last year × (1 + growth). */
  growth: string;
  /** Certificates that qualify when held last year: the six diseases and the two drug certificates. */
  qualifyingCertificates: CertificateRule[];
  /** Certificates that exclude when ever held before the year (malignant tumour, leukaemia, uraemia). */
  exclusionCertificates: CertificateRule[];
  /** The tiers, in split order (lead 5, township 3, village 2). */
  tiers: TierPolicy[];
  /** The assessment's weights (5 : 3 : 1 : 1); score = Σ weight × part / Σ weights. */
  assessmentWeights: Record<AssessmentPart, string>;
  /** A county overspend: an institution in surplus gets round2(own surplus × this × score / 100) (default 0.5). */
  overspendRewardRatio: string;
}

const consortium: InputTableSpec = {
  name: 'consortium',
  description: 'the county medical consortium (县域医共体) that takes the package: exactly one row',
  columns: [
    column('consortiumCode', 'code', true, 'the consortium (settlement unit) code; not an institution code'),
    column('name', 'text', true, 'the consortium name'),
  ],
  key: ['consortiumCode'],
  required: true,
};

const institutions: InputTableSpec = {
  name: 'institutions',
  description:
    "the consortium's institutions: the lead hospital, other county-level and private hospitals, township centres, village clinics",
  columns: [
    column('institutionCode', 'code', true, 'the institution (its hospital code)'),
    column('name', 'text', true, 'the institution name'),
    column('kind', 'code', true, `${INSTITUTION_KINDS.join(', ')} (exactly one lead); the policy maps each kind to a tier`),
  ],
  key: ['institutionCode'],
  required: true,
};

const persons: InputTableSpec = {
  name: 'persons',
  description: 'the persons insured in the county this year (参保), with the institution that claims them (认领, by place of insurance)',
  columns: [
    column('person', 'person', true, "the person's pseudonym"),
    column('pool', 'code', true, 'resident (城乡居民基本医疗保险) or employee; only residents can be in the population'),
    column('claimedBy', 'code', false, 'the institution that claims the person (a township centre or village clinic); blank: unclaimed'),
  ],
  key: ['person'],
  required: true,
};

const certificates: InputTableSpec = {
  name: 'certificates',
  description: 'chronic-disease and outpatient drug certificates (慢性病证, 门诊用药医疗证): who held which, from which year to which',
  columns: [
    column('person', 'person', true, "the person's pseudonym"),
    column('certificateCode', 'code', true, 'the certificate (disease) code, e.g. M03900'),
    column('fromYear', 'year', true, 'the first year the certificate was held'),
    column('toYear', 'year', false, 'the last year it was held (blank: still held)'),
  ],
  key: ['person', 'certificateCode', 'fromYear'],
  required: true,
};

const payments: InputTableSpec = {
  name: 'payments',
  description:
    "the resident scheme's payments (居民基本医保支付部分, as recorded in the system) for each person's care, last year and this year, one row per person and year",
  columns: [
    column('person', 'person', true, "the person's pseudonym"),
    column('year', 'year', true, 'last year (the base) or the run year (the spending); other years are not counted'),
    column('outpatientFund', 'money', true, "the scheme's part of all outpatient care"),
    column('inpatientFund', 'money', true, "the scheme's part of all inpatient care, maternity stays included"),
    column('maternityInpatientFund', 'money', false, "the scheme's part of maternity inpatient stays (生育住院): left out (blank: 0)"),
    column(
      'essentialDrugsFund',
      'money',
      false,
      "the fund's part of the hypertension / type-2 diabetes project's essential drugs (基本药物保障): charged to the package (blank: 0)",
    ),
  ],
  key: ['person', 'year'],
  required: true,
};

const assessment: InputTableSpec = {
  name: 'assessment',
  description:
    "the year's final assessment of the consortium (reported) and of every institution (the split within a tier, the rewards); none: every institution scores 100",
  columns: [
    column('unitCode', 'code', true, 'the consortium code or an institution code'),
    column('fundPayment', 'ratio', true, 'fund payment (基金支付费用), 0–100'),
    column('managementRate', 'ratio', true, 'management rate of the six and two diseases (列管率), 0–100'),
    column('pilotExperience', 'ratio', true, 'pilot experience (试点经验), 0–100'),
    column('satisfaction', 'ratio', true, 'satisfaction (群众满意度), 0–100'),
  ],
  key: ['unitCode'],
  required: false,
};

export const CHRONIC_PACKAGE_TABLES: readonly InputTableSpec[] = [consortium, institutions, persons, certificates, payments, assessment];

// ---------------------------------------------------------------------------------------------
// Policy

const RULE_CODE = /^[A-Za-z0-9_.-]{1,40}\*?$/;
const TIER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

function parseChronicPackagePolicy(doc: unknown): ChronicPackagePolicy {
  return parseSchemePolicy<ChronicPackagePolicy>(
    'chronic-package',
    doc,
    ['growth', 'qualifyingCertificates', 'exclusionCertificates', 'tiers', 'assessmentWeights', 'overspendRewardRatio'],
    ['overspendRewardRatio'],
    (r, o) => {
      const rules = (v: unknown, p: string) =>
        r.array(v, p, (x, q) => {
          const e = r.object(x, q, ['code', 'disease']);
          if (e === MISSING) return MISSING;
          const code = r.string(e.code, `${q}.code`, RULE_CODE, 'a certificate code, or a prefix ending in "*"');
          const disease = r.string(e.disease, `${q}.disease`);
          return code === MISSING || disease === MISSING ? MISSING : { code, disease };
        });
      const qualifying = rules(o.qualifyingCertificates, 'qualifyingCertificates');
      const exclusion = rules(o.exclusionCertificates, 'exclusionCertificates');
      if (qualifying !== MISSING && qualifying.length === 0) r.fail('qualifyingCertificates', 'needs at least one certificate');
      if (qualifying !== MISSING && exclusion !== MISSING) {
        const seen = new Set<string>();
        [
          ...qualifying.map((c, i) => [c, `qualifyingCertificates[${i}]`] as const),
          ...exclusion.map((c, i) => [c, `exclusionCertificates[${i}]`] as const),
        ].forEach(([c, p]) => {
          if (seen.has(c.code)) r.fail(`${p}.code`, `"${c.code}" is listed twice`);
          seen.add(c.code);
        });
      }

      const tiers = r.array(o.tiers, 'tiers', (x, p) => {
        const t = r.object(x, p, ['tier', 'weight', 'kinds']);
        if (t === MISSING) return MISSING;
        const tier = r.string(t.tier, `${p}.tier`, TIER_NAME, 'a name of letters and digits');
        const weight = r.decimal(t.weight, `${p}.weight`, { min: '0', allowNumber: true });
        const kinds = r.array(t.kinds, `${p}.kinds`, (k, q) => r.oneOf(k, q, INSTITUTION_KINDS));
        return tier === MISSING || weight === MISSING || kinds === MISSING ? MISSING : { tier, weight, kinds };
      });
      if (tiers !== MISSING) {
        if (tiers.length === 0) r.fail('tiers', 'needs at least one tier');
        const names = new Set<string>();
        const kindAt = new Map<string, number>();
        tiers.forEach((t, i) => {
          if (names.has(t.tier)) r.fail(`tiers[${i}].tier`, `"${t.tier}" is named twice`);
          names.add(t.tier);
          for (const k of t.kinds) {
            if (kindAt.has(k)) r.fail(`tiers[${i}].kinds`, `"${k}" is already in tier ${tiers[kindAt.get(k)!].tier}`);
            kindAt.set(k, i);
          }
        });
        for (const k of INSTITUTION_KINDS) if (!kindAt.has(k)) r.fail('tiers', `the kind "${k}" is in no tier`);
      }

      const w = r.object(o.assessmentWeights, 'assessmentWeights', ASSESSMENT_PARTS);
      let weights: Record<AssessmentPart, string> | typeof MISSING = MISSING;
      if (w !== MISSING) {
        const read = ASSESSMENT_PARTS.map((k) => r.decimal(w[k], `assessmentWeights.${k}`, { min: '0', allowNumber: true }));
        if (!read.includes(MISSING)) {
          weights = Object.fromEntries(ASSESSMENT_PARTS.map((k, i) => [k, read[i]])) as Record<AssessmentPart, string>;
          if (read.reduce((t, x) => t.plus(x as string), new Dec(0)).isZero()) r.fail('assessmentWeights', 'must not all be 0');
        }
      }

      return {
        growth: r.decimal(o.growth, 'growth', { min: '-1' }),
        qualifyingCertificates: qualifying,
        exclusionCertificates: exclusion,
        tiers,
        assessmentWeights: weights,
        overspendRewardRatio:
          o.overspendRewardRatio === undefined ? '0.5' : r.decimal(o.overspendRewardRatio, 'overspendRewardRatio', { min: '0', max: '1' }),
      } as unknown as Omit<ChronicPackagePolicy, keyof SchemePolicyBase>;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Figures

/** Why a person is or is not in the population. */
const STATUSES = ['certified', 'notResidentScheme', 'noQualifyingCertificate', 'exclusionCertificate'] as const;
export type PersonStatus = (typeof STATUSES)[number];

/** One person's figures (PersonFigures.figures). Money as 2-dp strings; null: no record that year. */
export interface ChronicPersonFigures {
  included: boolean;
  /** certified (in the population), else the first reason out: not in the resident scheme, no qualifying certificate last year, an exclusion certificate ever held. */
  status: PersonStatus;
  /** The qualifying certificate codes held last year. */
  qualifying: readonly string[];
  /** The exclusion certificate codes held in any year before this one. */
  excluding: readonly string[];
  claimedBy: string | null;
  /** Last year's counted payments (outpatient + inpatient − maternity + essential drugs); null: no record. */
  lastYear: string | null;
  /** This year's, the same way. */
  thisYear: string | null;
  /** What the person adds to the claiming institution's budget before growth: last year's payments, or the county per capita without a record (null: not counted in an institution budget). */
  budgetBase: string | null;
}

export interface AssessmentFigures {
  recorded: boolean;
  parts: Record<AssessmentPart, string> | null;
  /** Σ weight × part / Σ weights, not rounded (100 when none is recorded). */
  score: string;
}

export interface PaymentTotals {
  outpatientFund: string;
  inpatientFund: string;
  maternityInpatientFund: string;
  essentialDrugsFund: string;
  /** outpatient + inpatient − maternity + essential drugs. */
  total: string;
}

export type SplitMode = 'surplus' | 'overspend' | 'none';

export interface InstitutionFigures {
  institutionCode: string;
  name: string;
  kind: InstitutionKind;
  tier: string;
  claimed: {
    /** Claimed persons in the population. */
    persons: number;
    /** Claimed persons not in the population (not counted). */
    notIncluded: number;
    withLastYearRecord: number;
    withoutLastYearRecord: number;
    /** Σ last-year payments of the claimed persons with a record. */
    lastYearPayments: string;
    perCapita: string;
    /** withoutLastYearRecord × perCapita. */
    perCapitaPart: string;
    /** lastYearPayments + perCapitaPart. */
    base: string;
    growth: string;
  };
  /** B_i = round2(base × (1 + growth)). */
  budget: string;
  /** S_i: this year's payments of the claimed persons in the population. */
  spending: string;
  /** B_i − S_i. */
  ownResult: string;
  ownSurplus: string;
  assessment: AssessmentFigures;
  split: {
    mode: SplitMode;
    tier: string;
    /** The tier's part of the amount split. */
    tierAmount: string;
    /** score (surplus, none) or 100 − score (overspend). */
    weightBasis: 'score' | '100 - score';
    weight: string;
    tierWeights: string;
    /** The institution's part of the tier amount (negative: it carries it). */
    share: string;
  };
  reward: { eligible: boolean; ownSurplus: string; ratio: string; score: string; amount: string };
  /** share + reward: what the institution receives (negative: carries) of the consortium's result. */
  net: string;
}

export interface TierFigures {
  tier: string;
  weight: string;
  institutions: string[];
  /** Null for a tier without institutions: it drops out and the others are re-weighted. */
  amount: string | null;
}

export interface ConsortiumFigures {
  consortiumCode: string;
  name: string;
  leadHospitalCode: string;
  year: number;
  baseYear: number;
  population: {
    /** Rows of the persons table. */
    insured: number;
    included: number;
    notResidentScheme: number;
    noQualifyingCertificate: number;
    exclusionCertificate: number;
    withLastYearRecord: number;
    withoutLastYearRecord: number;
    /** Included persons no institution claims. */
    unclaimed: number;
  };
  lastYear: PaymentTotals;
  /** round2(last year's total / persons with a record). */
  perCapita: string;
  growth: string;
  /** round2(last year's total × (1 + growth)). */
  budget: string;
  thisYear: PaymentTotals;
  spending: string;
  /** budget − spending: positive a surplus, negative an overspend. */
  result: string;
  reconciliation: Reconciliation;
  /** P = min(S, budget) + surplus: the fund's year-end payment on the package. */
  paymentByFund: string;
  /** P − claims paid through the usual channel (= the result): negative, the consortium repays. */
  balance: string;
  assessment: AssessmentFigures | null;
  split: {
    mode: SplitMode;
    surplus: string;
    overspend: string;
    rewards: string;
    /** surplus, or −(overspend + rewards): the amount split between the tiers. */
    amount: string;
    tiers: TierFigures[];
  };
  /** Σ B_i: the institutions' own budgets (not the package: they need not add up to it). */
  institutionBudgets: string;
  institutions: { institutionCode: string; tier: string; budget: string; spending: string; share: string; reward: string; net: string }[];
  /** Rows not counted: certificates and payments of persons not in the persons table, payments of other years. */
  notCounted: { certificatesOfOthers: number; paymentsOfOthers: number; paymentsOfOtherYears: number };
}

// ---------------------------------------------------------------------------------------------
// Run

const ZERO = new Dec(0);
const HUNDRED = new Dec(100);
const EMPTY: readonly string[] = Object.freeze([]);
const NO_RECORD = -1;

const decOfFen = (fen: number): Dec => new Dec(fen).div(100);

/** The codes a rule list matches: exact codes, and prefixes (a rule ending in "*"). */
class RuleSet {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  constructor(rules: readonly CertificateRule[]) {
    for (const r of rules) {
      if (r.code.endsWith('*')) this.prefixes.push(r.code.slice(0, -1));
      else this.exact.add(r.code);
    }
  }
  matches(code: string): boolean {
    return this.exact.has(code) || this.prefixes.some((p) => code.startsWith(p));
  }
}

interface Sums {
  outpatient: number;
  inpatient: number;
  maternity: number;
  drugs: number;
}
const sums = (): Sums => ({ outpatient: 0, inpatient: 0, maternity: 0, drugs: 0 });
const totals = (s: Sums): PaymentTotals => ({
  outpatientFund: yuanOfFen(s.outpatient),
  inpatientFund: yuanOfFen(s.inpatient),
  maternityInpatientFund: yuanOfFen(s.maternity),
  essentialDrugsFund: yuanOfFen(s.drugs),
  total: yuanOfFen(s.outpatient + s.inpatient - s.maternity + s.drugs),
});

const Q = 1; // holds a qualifying certificate last year
const X = 2; // has held an exclusion certificate

function runChronicPackage(policy: ChronicPackagePolicy, inputs: SchemeInputs, year: number): SchemeOutcome {
  const problems = new RunProblems();
  const baseYear = year - 1;
  const growth = new Dec(policy.growth);
  const onePlusGrowth = growth.plus(1);

  // The consortium and its institutions.
  const consortiumRows = rowsOf(inputs, consortium);
  if (consortiumRows.length !== 1)
    problems.add(
      'consortium',
      null,
      'consortiumCode',
      `has ${consortiumRows.length} rows; the package is settled with exactly one consortium`,
    );
  const cRow = consortiumRows[0];
  const consortiumCode = cRow ? text(cRow, 'consortiumCode') : '';

  const tierOfKind = new Map<string, number>();
  policy.tiers.forEach((t, i) => t.kinds.forEach((k) => tierOfKind.set(k, i)));
  interface Inst {
    code: string;
    name: string;
    kind: InstitutionKind;
    tier: number;
    persons: number;
    notIncluded: number;
    withRecord: number;
    withoutRecord: number;
    lastFen: number;
    thisFen: number;
  }
  const instRows = rowsOf(inputs, institutions);
  const instByCode = new Map<string, Inst>();
  const leads: string[] = [];
  instRows.forEach((row, i) => {
    const code = text(row, 'institutionCode');
    const kind = text(row, 'kind');
    if (code === consortiumCode)
      problems.add('institutions', i, 'institutionCode', `is the consortium's code "${code}"; the codes must differ`);
    if (!tierOfKind.has(kind)) {
      problems.add('institutions', i, 'kind', `"${kind}" is not one of ${INSTITUTION_KINDS.join(', ')}`);
      return;
    }
    if (kind === 'lead') leads.push(code);
    instByCode.set(code, {
      code,
      name: text(row, 'name'),
      kind: kind as InstitutionKind,
      tier: tierOfKind.get(kind)!,
      persons: 0,
      notIncluded: 0,
      withRecord: 0,
      withoutRecord: 0,
      lastFen: 0,
      thisFen: 0,
    });
  });
  if (leads.length !== 1)
    problems.add(
      'institutions',
      null,
      'kind',
      `${leads.length} institutions are of kind "lead"; the consortium has exactly one lead hospital`,
    );
  const insts = [...instByCode.values()].sort((a, b) => byCode(a.code, b.code));
  const instIndex = new Map(insts.map((x, i) => [x.code, i]));

  // The persons insured this year, and who claims them.
  const personRows = rowsOf(inputs, persons);
  const n = personRows.length;
  const index = new Map<string, number>();
  const ids: string[] = new Array(n);
  const claim = new Int32Array(n).fill(-1); // institution index, −1 unclaimed
  const flags = new Uint8Array(n);
  const resident = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = personRows[i];
    const id = row['person'] as string;
    ids[i] = id;
    index.set(id, i);
    const pool = row['pool'] as string;
    if (pool === RESIDENT_POOL) resident[i] = 1;
    else if (!POOL_VALUES.includes(pool)) problems.add('persons', i, 'pool', `"${pool}" is not one of ${POOL_VALUES.join(', ')}`);
    const by = row['claimedBy'] as string | null;
    if (by !== null) {
      const k = instIndex.get(by);
      if (k === undefined) problems.add('persons', i, 'claimedBy', `no institution "${by}" in the institutions table`);
      else claim[i] = k;
    }
  }

  // Certificates: qualifying when held last year, excluding when ever held before this year.
  const qualifyingRules = new RuleSet(policy.qualifyingCertificates);
  const exclusionRules = new RuleSet(policy.exclusionCertificates);
  const classOf = new Map<string, number>();
  // Code lists are shared and never changed: one list per single code (most persons), a new list for a second code.
  const qualifyingCodes: (readonly string[] | undefined)[] = new Array(n);
  const excludingCodes: (readonly string[] | undefined)[] = new Array(n);
  const singles = new Map<string, readonly string[]>();
  const add = (list: readonly string[] | undefined, code: string): readonly string[] => {
    if (list === undefined) {
      let one = singles.get(code);
      if (one === undefined) singles.set(code, (one = Object.freeze([code])));
      return one;
    }
    return list.includes(code) ? list : Object.freeze([...list, code]);
  };
  let certificatesOfOthers = 0;
  const certRows = rowsOf(inputs, certificates);
  for (let r = 0; r < certRows.length; r++) {
    const row = certRows[r];
    const from = row['fromYear'] as number;
    const to = row['toYear'] as number | null;
    if (to !== null && to < from) {
      problems.add('certificates', r, 'toYear', `${to} is before fromYear ${from}`);
      continue;
    }
    const i = index.get(row['person'] as string);
    if (i === undefined) {
      certificatesOfOthers++;
      continue;
    }
    const code = row['certificateCode'] as string;
    let cls = classOf.get(code);
    if (cls === undefined) {
      cls = (qualifyingRules.matches(code) ? Q : 0) | (exclusionRules.matches(code) ? X : 0);
      classOf.set(code, cls);
    }
    if (cls & Q && from <= baseYear && (to === null || to >= baseYear)) {
      flags[i] |= Q;
      qualifyingCodes[i] = add(qualifyingCodes[i], code);
    }
    if (cls & X && from <= baseYear) {
      flags[i] |= X;
      excludingCodes[i] = add(excludingCodes[i], code);
    }
  }
  // Each person's status (its place in STATUSES; 0 certified, the population).
  const status = new Uint8Array(n);
  const included = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    status[i] = STATUSES.indexOf(
      !resident[i]
        ? 'notResidentScheme'
        : !(flags[i] & Q)
          ? 'noQualifyingCertificate'
          : flags[i] & X
            ? 'exclusionCertificate'
            : 'certified',
    );
    included[i] = status[i] === 0 ? 1 : 0;
  }

  // Payments, whole fen: last year (the base) and this year (the spending); −1 = no record.
  const lastFen = new Float64Array(n).fill(NO_RECORD);
  const thisFen = new Float64Array(n).fill(NO_RECORD);
  const lastSums = sums();
  const thisSums = sums();
  let paymentsOfOthers = 0;
  let paymentsOfOtherYears = 0;
  const paymentRows = rowsOf(inputs, payments);
  for (let r = 0; r < paymentRows.length; r++) {
    const row = paymentRows[r];
    const y = row['year'] as number;
    const isBase = y === baseYear;
    if (!isBase && y !== year) {
      paymentsOfOtherYears++;
      continue;
    }
    const i = index.get(row['person'] as string);
    if (i === undefined) {
      paymentsOfOthers++;
      continue;
    }
    const outpatient = wholeFen(row['outpatientFund'] as string);
    const inpatient = wholeFen(row['inpatientFund'] as string);
    const m = row['maternityInpatientFund'] as string | null;
    const d = row['essentialDrugsFund'] as string | null;
    const maternity = m === null ? 0 : wholeFen(m);
    const drugs = d === null ? 0 : wholeFen(d);
    if (maternity > inpatient) {
      problems.add('payments', r, 'maternityInpatientFund', 'is more than inpatientFund, which includes the maternity stays');
      continue;
    }
    const counted = outpatient + inpatient - maternity + drugs;
    (isBase ? lastFen : thisFen)[i] = counted;
    if (included[i]) {
      const s = isBase ? lastSums : thisSums;
      s.outpatient += outpatient;
      s.inpatient += inpatient;
      s.maternity += maternity;
      s.drugs += drugs;
    }
  }

  // Assessments: none recorded, every institution scores 100; recorded, every institution needs one.
  const assessmentRows = inputs[assessment.name];
  const scores = new Map<string, AssessmentFigures>();
  const weightSum = ASSESSMENT_PARTS.reduce((t, k) => t.plus(policy.assessmentWeights[k]), ZERO);
  (assessmentRows ?? []).forEach((row, i) => {
    const unit = text(row, 'unitCode');
    if (unit !== consortiumCode && !instByCode.has(unit)) {
      problems.add('assessment', i, 'unitCode', `"${unit}" is neither the consortium nor an institution`);
      return;
    }
    let score = ZERO;
    const parts = {} as Record<AssessmentPart, string>;
    for (const k of ASSESSMENT_PARTS) {
      const part = new Dec(String(row[k]));
      if (part.gt(HUNDRED)) problems.add('assessment', i, k, `${part.toString()} is above 100`);
      parts[k] = part.toString();
      score = score.plus(part.times(policy.assessmentWeights[k]));
    }
    scores.set(unit, { recorded: true, parts, score: score.div(weightSum).toString() });
  });
  if (assessmentRows !== undefined)
    for (const x of insts)
      if (!scores.has(x.code))
        problems.add(
          'assessment',
          null,
          'unitCode',
          `institution "${x.code}" has no row; with assessments recorded, every institution needs one`,
        );
  const unscored: AssessmentFigures = { recorded: false, parts: null, score: '100' };

  problems.throwIfAny('chronic-package');

  // The population and its base.
  let includedCount = 0;
  let withRecord = 0;
  let unclaimed = 0;
  const reasons = { notResidentScheme: 0, noQualifyingCertificate: 0, exclusionCertificate: 0 };
  for (let i = 0; i < n; i++) {
    const k = claim[i];
    if (!included[i]) {
      reasons[STATUSES[status[i]] as keyof typeof reasons]++;
      if (k >= 0) insts[k].notIncluded++;
      continue;
    }
    includedCount++;
    const hasRecord = lastFen[i] !== NO_RECORD;
    if (hasRecord) withRecord++;
    if (k < 0) {
      unclaimed++;
      continue;
    }
    const x = insts[k];
    x.persons++;
    if (hasRecord) {
      x.withRecord++;
      x.lastFen += lastFen[i];
    } else x.withoutRecord++;
    if (thisFen[i] !== NO_RECORD) x.thisFen += thisFen[i];
  }
  const lastTotalFen = lastSums.outpatient + lastSums.inpatient - lastSums.maternity + lastSums.drugs;
  const thisTotalFen = thisSums.outpatient + thisSums.inpatient - thisSums.maternity + thisSums.drugs;
  for (const t of [lastSums.inpatient + lastSums.outpatient + lastSums.drugs, thisSums.inpatient + thisSums.outpatient + thisSums.drugs])
    if (!Number.isSafeInteger(t))
      throw new DipError('invalid', 'amount-too-large', 'the payments add up to more than 2^53 fen; the package cannot be summed exactly');
  const lastTotal = decOfFen(lastTotalFen);
  const spending = decOfFen(thisTotalFen);
  const budget = round2(lastTotal.times(onePlusGrowth));
  const perCapita = withRecord > 0 ? round2(lastTotal.div(withRecord)) : ZERO;
  const perCapitaText = money(perCapita);

  // The year end: the whole surplus the consortium's, the whole overspend the consortium's.
  const rec = reconcile({
    allowance: budget,
    spending,
    retentionRatio: '1',
    tiers: [{ upTo: null, shares: { [FUND]: '0', consortium: '1' } }],
    parties: [FUND, 'consortium'],
  });
  const result = budget.minus(spending);
  const surplus = new Dec(rec.surplus);
  const overspend = new Dec(rec.overspend);
  const mode: SplitMode = surplus.gt(0) ? 'surplus' : overspend.gt(0) ? 'overspend' : 'none';

  // Each institution's own budget, result, score and (in a county overspend) reward.
  const ratio = new Dec(policy.overspendRewardRatio);
  const own = insts.map((x) => {
    const perCapitaPart = perCapita.times(x.withoutRecord);
    const base = decOfFen(x.lastFen).plus(perCapitaPart);
    const b = round2(base.times(onePlusGrowth));
    const s = decOfFen(x.thisFen);
    const ownResult = b.minus(s);
    const ownSurplus = ownResult.gt(0) ? ownResult : ZERO;
    const a = scores.get(x.code) ?? unscored;
    const score = new Dec(a.score);
    const eligible = mode === 'overspend' && ownSurplus.gt(0);
    const reward = eligible ? round2(ownSurplus.times(ratio).times(score).div(HUNDRED)) : ZERO;
    return { x, perCapitaPart, base, b, s, ownResult, ownSurplus, a, score, eligible, reward };
  });
  const rewards = own.reduce((t, o) => t.plus(o.reward), ZERO);
  // The fund recovers exactly the overspend: the consortium also funds the rewards.
  const amount = mode === 'overspend' ? overspend.plus(rewards).neg() : surplus;

  // 5 : 3 : 2 between the tiers that have institutions; within a tier by score (or 100 − score).
  const present = policy.tiers.map((_, t) => own.filter((o) => o.x.tier === t));
  const live = policy.tiers.map((t, i) => ({ t, i })).filter(({ i }) => present[i].length > 0);
  const tierParts = splitByWeights(
    amount,
    live.map(({ t }) => t.weight),
  );
  const tierAmount = new Map(live.map(({ i }, k) => [i, tierParts[k]]));
  const weightOf = (score: Dec): Dec => (mode === 'overspend' ? HUNDRED.minus(score) : score);
  const share = new Map<number, string>();
  const tierWeights = new Map<number, Dec>();
  for (const { i } of live) {
    const members = present[i];
    const ws = members.map((o) => weightOf(o.score));
    tierWeights.set(
      i,
      ws.reduce((t, w) => t.plus(w), ZERO),
    );
    const parts = splitByWeights(tierAmount.get(i)!, ws);
    members.forEach((o, k) => share.set(instIndex.get(o.x.code)!, parts[k]));
  }

  // Providers: the consortium, then the institutions in code order.
  const lead = leads[0];
  const instFigures: InstitutionFigures[] = own.map((o, k) => {
    const sh = share.get(k)!;
    return {
      institutionCode: o.x.code,
      name: o.x.name,
      kind: o.x.kind,
      tier: policy.tiers[o.x.tier].tier,
      claimed: {
        persons: o.x.persons,
        notIncluded: o.x.notIncluded,
        withLastYearRecord: o.x.withRecord,
        withoutLastYearRecord: o.x.withoutRecord,
        lastYearPayments: yuanOfFen(o.x.lastFen),
        perCapita: money(perCapita),
        perCapitaPart: money(o.perCapitaPart),
        base: money(o.base),
        growth: policy.growth,
      },
      budget: money(o.b),
      spending: money(o.s),
      ownResult: money(o.ownResult),
      ownSurplus: money(o.ownSurplus),
      assessment: o.a,
      split: {
        mode,
        tier: policy.tiers[o.x.tier].tier,
        tierAmount: tierAmount.get(o.x.tier)!,
        weightBasis: mode === 'overspend' ? '100 - score' : 'score',
        weight: weightOf(o.score).toString(),
        tierWeights: tierWeights.get(o.x.tier)!.toString(),
        share: sh,
      },
      reward: {
        eligible: o.eligible,
        ownSurplus: money(o.ownSurplus),
        ratio: policy.overspendRewardRatio,
        score: o.score.toString(),
        amount: money(o.reward),
      },
      net: money(new Dec(sh).plus(o.reward)),
    };
  });

  const consortiumFigures: ConsortiumFigures = {
    consortiumCode,
    name: text(cRow, 'name'),
    leadHospitalCode: lead,
    year,
    baseYear,
    population: {
      insured: n,
      included: includedCount,
      ...reasons,
      withLastYearRecord: withRecord,
      withoutLastYearRecord: includedCount - withRecord,
      unclaimed,
    },
    lastYear: totals(lastSums),
    perCapita: money(perCapita),
    growth: policy.growth,
    budget: money(budget),
    thisYear: totals(thisSums),
    spending: money(spending),
    result: money(result),
    reconciliation: rec,
    paymentByFund: rec.paymentByFund,
    balance: money(new Dec(rec.paymentByFund).minus(spending)),
    assessment: scores.get(consortiumCode) ?? null,
    split: {
      mode,
      surplus: rec.surplus,
      overspend: rec.overspend,
      rewards: money(rewards),
      amount: money(amount),
      tiers: policy.tiers.map((t, i) => ({
        tier: t.tier,
        weight: t.weight,
        institutions: present[i].map((o) => o.x.code),
        amount: tierAmount.get(i) ?? null,
      })),
    },
    institutionBudgets: money(own.reduce((t, o) => t.plus(o.b), ZERO)),
    institutions: instFigures.map((f) => ({
      institutionCode: f.institutionCode,
      tier: f.tier,
      budget: f.budget,
      spending: f.spending,
      share: f.split.share,
      reward: f.reward.amount,
      net: f.net,
    })),
    notCounted: { certificatesOfOthers, paymentsOfOthers, paymentsOfOtherYears },
  };

  const providers: ProviderFigures[] = [
    {
      provider: consortiumCode,
      name: consortiumFigures.name,
      // The lead hospital distributes the result (由牵头医院…进行分配) and sees the whole consortium.
      visibleTo: [lead],
      figures: consortiumFigures as unknown as Record<string, unknown>,
    },
    ...instFigures.map((f) => ({
      provider: f.institutionCode,
      name: f.name,
      visibleTo: f.institutionCode === lead ? [lead] : [f.institutionCode, lead],
      figures: f as unknown as Record<string, unknown>,
    })),
  ];

  // Persons, grouped by provider in provider order (unclaimed under the consortium), in the persons table's order within.
  // Bucket claim + 1: 0 the unclaimed, then each institution's.
  const { start, order } = groupRows(n, insts.length + 1, (i) => claim[i] + 1);
  const budgetBaseFen = new Float64Array(n);
  const perCapitaFen = wholeFen(perCapitaText);
  for (let i = 0; i < n; i++) budgetBaseFen[i] = !included[i] || claim[i] < 0 ? NaN : lastFen[i] === NO_RECORD ? perCapitaFen : lastFen[i];
  const claimedBy = new Int32Array(n);
  for (let i = 0; i < n; i++) claimedBy[i] = claim[i] + 1;
  const fen = (a: Float64Array): Float64Array => inOrder(a, order).map((f) => (f === NO_RECORD ? NaN : f));
  const coded = (name: keyof ChronicPersonFigures, dict: readonly FigureValue[], index: Uint8Array | Int32Array): PersonColumn => ({
    name,
    kind: 'coded',
    dict,
    index: inOrder(index, order),
  });
  const listed = (name: keyof ChronicPersonFigures, lists: (readonly string[] | undefined)[]): PersonColumn => ({
    name,
    kind: 'plain',
    values: Array.from(order, (i) => lists[i] ?? EMPTY),
  });
  const personFigures: PersonTable = {
    // The unclaimed first, under the consortium; then each institution's, in code order.
    providers: [consortiumCode, ...insts.map((x) => x.code)],
    start,
    person: listInOrder(ids, order),
    columns: [
      coded('included', [false, true], included),
      coded('status', STATUSES, status),
      listed('qualifying', qualifyingCodes),
      listed('excluding', excludingCodes),
      coded('claimedBy', [null, ...insts.map((x) => x.code)], claimedBy),
      { name: 'lastYear', kind: 'yuan', fen: fen(lastFen) },
      { name: 'thisYear', kind: 'yuan', fen: fen(thisFen) },
      { name: 'budgetBase', kind: 'yuan', fen: inOrder(budgetBaseFen, order) },
    ],
  };

  const region = {
    year,
    baseYear,
    consortiumCode,
    population: consortiumFigures.population,
    lastYearTotal: consortiumFigures.lastYear.total,
    perCapita: consortiumFigures.perCapita,
    growth: policy.growth,
    budget: consortiumFigures.budget,
    spending: consortiumFigures.spending,
    result: consortiumFigures.result,
    surplus: rec.surplus,
    overspend: rec.overspend,
    rewards: money(rewards),
    amountSplit: money(amount),
    paymentByFund: rec.paymentByFund,
    balance: consortiumFigures.balance,
    institutions: insts.length,
    institutionBudgets: consortiumFigures.institutionBudgets,
    consortiumScore: consortiumFigures.assessment?.score ?? null,
    notCounted: consortiumFigures.notCounted,
  };
  return { providers, region, persons: personFigures };
}

export const chronicPackageScheme: SchemeDefinition<ChronicPackagePolicy> = {
  id: 'chronic-package',
  seed: '004 (Shexian)',
  title: 'County chronic-disease global package (慢性病医保支付总额包干)',
  tables: CHRONIC_PACKAGE_TABLES,
  parsePolicy: parseChronicPackagePolicy,
  run: runChronicPackage,
};
