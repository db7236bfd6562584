import { nearestRank } from '../catalogue/packed-costs';
import { parseFixed, pow10, roundQuotient } from '../engine/exact';
import { Dec, money } from '../decimal';
import { MISSING } from '../policy';
import { balance, FUND, monthlyInstalments, reconcileExact } from './reconciliation';
import { groupRows, inOrder, listInOrder } from './person-table';
import { byCode, column, parseSchemePolicy, rowsOf, RunProblems, text, wholeFen, yuanOfFen } from './run-support';
import {
  FigureValue,
  InputRow,
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
 * SCHEMES.md C: Tianjin's diabetes outpatient-special-disease per-head global payment (seed 003,
 * 津医保局发〔2021〕115号 糖尿病门特按人头总额付费). Each patient chooses one health-management
 * institution (健康主管机构); the institution's quota is the sum of its patients' base-year
 * (2019) costs, each clamped city-wide to [P20, P80] after the 5 % highest are dropped, new
 * patients at the new-patient average, bounded to ±20 % of the unclamped base total, less the
 * volume-based-procurement adjustment. At year end an overspend may be compensated by the
 * excesses over the cap of at most 5 % of its patients; each month pays the month's costs up to
 * the monthly quota and half of the month's surplus at once; the rest of the surplus is kept by
 * the assessment score. Pure.
 *
 * **The percentile method, exactly.** Over the bases `b_i` of every patient who is not new, in the
 * whole city (n of them): the `d = floor(n × dropHighestPercent / 100)` highest are dropped (at
 * 5 %, none below n = 20). The `m = n − d` left are sorted ascending by value; the p-th
 * percentile is the value at 1-based rank `ceil(p / 100 × m)`, computed exactly (nearest rank,
 * DIP.md §4.5; a rank below 1 is read as 1, p is in (0, 100]): floor = P`floorPercentile` (20),
 * cap = P`capPercentile` (80). Ties are equal values: a rank that falls among them gives that
 * value, whichever tied patient holds it. One patient: rank 1 for both, floor = cap = their base;
 * two: ranks ceil(0.4) = 1 and ceil(1.6) = 2, the lower and the higher; 20: d = 1, m = 19, ranks
 * ceil(3.8) = 4 and ceil(15.2) = 16. No patient with a base (all new): no floor and no cap
 * (nothing to clamp, no compensation candidate). The `dropped` flag, when the d-th highest value
 * is shared: the bases in descending order, ties by patient id in code order, the first d; it is
 * information only (every non-new base is clamped, the dropped ones included).
 *
 * Money is computed in whole fen (exact integers; the sums as Σ fen × months, divided by 12 once,
 * with BigInt where a product could pass 2^53), rounded half-up only where SCHEMES.md rounds.
 */

export interface DiabetesCapitationPolicy extends SchemePolicyBase {
  scheme: 'diabetes-capitation';
  /** The base year of the patients' costs (2019). */
  baseYear: number;
  /** The average cost of new patients' first full calendar year (yuan per patient-year), city-wide. */
  newPatientAverage: string;
  /** The share of the highest bases dropped before the percentiles, in percent (5). */
  dropHighestPercent: string;
  /** The floor's percentile (20) and the cap's (80), nearest rank. */
  floorPercentile: string;
  capPercentile: string;
  /** The institution's bound against its unclamped base total: [lower × R, upper × R] (0.80, 1.20). */
  bound: { lower: string; upper: string };
  /** The year-end special compensation (the seed's "may"): applied or not, at most maxPatientShare of the institution's patients (0.05). */
  specialCompensation: { enabled: boolean; maxPatientShare: string };
  /** The share of a month's surplus against its quota paid with the month (0.50). */
  monthlySurplusShare: string;
}

const institutions: InputTableSpec = {
  name: 'institutions',
  description: 'the health-management institutions (健康主管机构): each one settlement unit (a close medical consortium may be one)',
  columns: [
    column('institutionCode', 'code', true, 'the institution (its hospital code, or the consortium lead’s)'),
    column('name', 'text', true, 'the institution name'),
    column(
      'vbpAdjustment',
      'money',
      false,
      'the agency’s volume-based-procurement adjustment taken off the quota after the first procurement cycle (blank: 0)',
    ),
  ],
  key: ['institutionCode'],
  required: true,
};

const members: InputTableSpec = {
  name: 'members',
  description:
    'the members of a consortium that is one institution (their users read its row); absent: each institution is visible to itself',
  columns: [
    column('institutionCode', 'code', true, 'the institution (the consortium)'),
    column('memberCode', 'code', true, 'the member’s hospital code; one institution per member'),
    column('name', 'text', false, 'the member’s name'),
  ],
  key: ['memberCode'],
  required: false,
};

const patients: InputTableSpec = {
  name: 'patients',
  description:
    'the diabetes outpatient-special-disease patients who chose a health-management institution for the year: one row per patient',
  columns: [
    column('person', 'person', true, 'the patient’s pseudonym'),
    column('institutionCode', 'code', true, 'the chosen health-management institution'),
    column('months', 'count', true, 'months of the year covered, 1–12 (cover starts on the 1st of the month after the choice)'),
    column(
      'newPatient',
      'flag',
      true,
      'first diabetes outpatient visit on or after 1 January of the base year: counted at the new-patient average',
    ),
    column(
      'baseCost',
      'money',
      false,
      'the base-year diabetes outpatient cost; blank for a new patient or a patient of the base-year pilot (then pilotMonths)',
    ),
    column(
      'actualCost',
      'money',
      false,
      'the audited diabetes outpatient cost of the year (for the special compensation); blank: none recorded',
    ),
  ],
  key: ['person'],
  required: true,
};

const pilotMonths: InputTableSpec = {
  name: 'pilotMonths',
  description:
    'for the patients of the base-year per-head pilot: each month’s cost and the pilot institution’s per-head surplus ratio that month; b = round2(Σ cost / (1 − ratio))',
  columns: [
    column('person', 'person', true, 'the patient’s pseudonym'),
    column('month', 'month', true, 'the month of the base year'),
    column('cost', 'money', true, 'the patient’s diabetes outpatient cost that month'),
    column(
      'surplusRatio',
      'ratio',
      false,
      'the pilot institution’s per-head quota surplus ratio that month, below 1; a month in overspend is 0 (max(0, ratio)); blank: 0',
    ),
  ],
  key: ['person', 'month'],
  required: false,
};

const monthlyCosts: InputTableSpec = {
  name: 'monthlyCosts',
  description:
    'each institution’s audited diabetes outpatient costs of each month of the year (its patients’ care there, at referred institutions and pharmacies); S = their sum; a month without a row is 0',
  columns: [
    column('institutionCode', 'code', true, 'the institution'),
    column('month', 'month', true, 'the month of the run year'),
    column('cost', 'money', true, 'the audited cost of the month, C_m'),
  ],
  key: ['institutionCode', 'month'],
  required: true,
};

const assessment: InputTableSpec = {
  name: 'assessment',
  description: 'the health-management assessment of the year (none recorded: score 1)',
  columns: [
    column('institutionCode', 'code', true, 'the institution'),
    column('score', 'score', true, 'the score in [0, 1]: the share kept of the surplus beyond the halves paid monthly'),
  ],
  key: ['institutionCode'],
  required: false,
};

export const DIABETES_CAPITATION_TABLES: readonly InputTableSpec[] = [
  institutions,
  members,
  patients,
  pilotMonths,
  monthlyCosts,
  assessment,
];

// ---------------------------------------------------------------------------------------------
// The policy.

const PERCENT = { min: '0', max: '100' };
const MONEY_TEXT = /^\d+(\.\d{1,2})?$/;

function parseDiabetesCapitationPolicy(doc: unknown): DiabetesCapitationPolicy {
  return parseSchemePolicy<DiabetesCapitationPolicy>(
    'diabetes-capitation',
    doc,
    [
      'baseYear',
      'newPatientAverage',
      'dropHighestPercent',
      'floorPercentile',
      'capPercentile',
      'bound',
      'specialCompensation',
      'monthlySurplusShare',
    ],
    [],
    (r, o) => {
      const baseYear = r.integer(o.baseYear, 'baseYear', 1900, 2999);
      if (baseYear !== MISSING && typeof o.year === 'number' && baseYear >= o.year) r.fail('baseYear', 'must be before the policy year');
      let average = r.decimal(o.newPatientAverage, 'newPatientAverage', { min: '0' });
      if (average !== MISSING && !MONEY_TEXT.test(String(o.newPatientAverage)))
        average = r.fail('newPatientAverage', 'must be money: yuan with at most 2 decimals');
      const floorP = r.decimal(o.floorPercentile, 'floorPercentile', { ...PERCENT, positive: true });
      const capP = r.decimal(o.capPercentile, 'capPercentile', { ...PERCENT, positive: true });
      if (floorP !== MISSING && capP !== MISSING && new Dec(floorP).gt(capP)) r.fail('capPercentile', 'must not be below floorPercentile');
      const b = r.object(o.bound, 'bound', ['lower', 'upper']);
      let bound: DiabetesCapitationPolicy['bound'] | typeof MISSING = MISSING;
      if (b !== MISSING) {
        const lower = r.decimal(b.lower, 'bound.lower', { min: '0', max: '1' });
        const upper = r.decimal(b.upper, 'bound.upper', { min: '1' });
        if (lower !== MISSING && upper !== MISSING) bound = { lower, upper };
      }
      const c = r.object(o.specialCompensation, 'specialCompensation', ['enabled', 'maxPatientShare']);
      let comp: DiabetesCapitationPolicy['specialCompensation'] | typeof MISSING = MISSING;
      if (c !== MISSING) {
        const enabled = r.boolean(c.enabled, 'specialCompensation.enabled');
        const share = r.decimal(c.maxPatientShare, 'specialCompensation.maxPatientShare', { min: '0', max: '1' });
        if (enabled !== MISSING && share !== MISSING) comp = { enabled, maxPatientShare: share };
      }
      return {
        baseYear,
        newPatientAverage: average === MISSING ? MISSING : money(new Dec(average)),
        dropHighestPercent: r.decimal(o.dropHighestPercent, 'dropHighestPercent', { min: '0', max: '100' }),
        floorPercentile: floorP,
        capPercentile: capP,
        bound,
        specialCompensation: comp,
        monthlySurplusShare: r.decimal(o.monthlySurplusShare, 'monthlySurplusShare', { min: '0', max: '1' }),
      } as unknown as Omit<DiabetesCapitationPolicy, keyof SchemePolicyBase>;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Exact integer arithmetic on fen.

/** round(x / d), half away from zero, for whole x and d. */
const divRound = (x: bigint, d: bigint): bigint => roundQuotient({ n: x, e: 0 }, { n: d, e: 0 }, 0);

/** A plain non-negative decimal as an exact fraction n / d (d a power of ten). */
function fraction(t: string): { n: bigint; d: bigint } {
  const f = parseFixed(t)!;
  return { n: f.n, d: pow10(f.e) };
}

const toNumber = (b: bigint): number => {
  const n = Number(b);
  if (!Number.isSafeInteger(n)) throw new Error(`an amount beyond the safe integers: ${b} fen`);
  return n;
};

/** A figure in twelfths of a fen (Σ fen × months) as a plain decimal of yuan: exact, or to 40 significant digits where a twelfth does not terminate. */
const twelfthsText = (x: number | bigint): string => new Dec(x.toString()).div(1200).toString();

// ---------------------------------------------------------------------------------------------
// Figures.

export interface MonthFigures {
  month: number;
  /** round2(Q_h / 12), December the remainder. */
  quota: string;
  /** C_m, the month's audited cost. */
  cost: string;
  /** min(C_m, quota_m). */
  paidCost: string;
  /** max(0, quota_m − C_m). */
  surplus: string;
  /** round2(monthlySurplusShare × surplus): paid with the month. */
  surplusPaid: string;
  /** max(0, C_m − quota_m): waits for the year end. */
  excess: string;
  payment: string;
}

export interface InstitutionFigures {
  institutionCode: string;
  members: { memberCode: string; name: string | null }[];
  patients: { total: number; withBase: number; new: number; pilot: number; belowFloor: number; aboveCap: number; dropped: number };
  /** R = Σ b_i × months / 12 over its patients with a base, exact. */
  baseTotal: string;
  /** Q_base = Σ clamped × months / 12, exact. */
  clampedTotal: string;
  /** round2(bound.lower × R), round2(bound.upper × R). */
  lowerBound: string;
  upperBound: string;
  /** Which bound applied, if any. */
  boundApplied: 'lower' | 'upper' | null;
  /** Q_base bounded to [lowerBound, upperBound], exact. */
  boundedTotal: string;
  /** Σ months / 12 of its new patients, and newPatientAverage × that, exact. */
  newPatientYears: string;
  newPatientTotal: string;
  /** round2(bounded + new-patient total). */
  quotaBeforeVbp: string;
  vbpAdjustment: string;
  /** Q_h = quotaBeforeVbp − vbpAdjustment. */
  quota: string;
  monthly: MonthFigures[];
  /** Σ monthly payments, and M = Σ of their surplus halves. */
  paidDuringYear: string;
  surplusPaidDuringYear: string;
  /** S_h = Σ C_m. */
  spending: string;
  /** Σ its patients' recorded actual costs (information: S_h is the monthly costs' sum). */
  patientActualTotal: string;
  compensation: {
    /** S_h > Q_h and the policy applies it. */
    applies: boolean;
    /** max(0, S_h − Q_h). */
    overspendAgainstQuota: string;
    /** Patients whose actual cost exceeds the cap. */
    candidates: number;
    /** floor(maxPatientShare × N_h). */
    limit: number;
    /** The patients taken (largest excesses first, ties by patient id). */
    compensated: number;
    /** Σ their excesses over the cap. */
    excessTotal: string;
    /** K = min(excessTotal, S_h − Q_h) (0 when it does not apply). */
    amount: string;
  };
  /** A_h = Q_h + K. */
  allowance: string;
  yearEnd: {
    /** U = max(0, A_h − S_h), O = max(0, S_h − A_h) (the institution's, one tier, fund 0). */
    surplus: string;
    overspend: string;
    score: string;
    scoreRecorded: boolean;
    /** min(M, U): the halves already paid, kept up to U. */
    retainedHalves: string;
    /** round2(max(0, U − M) × score). */
    retainedByScore: string;
    retained: string;
    /** U − retained. */
    fundKeeps: string;
    /** min(S_h, A_h). */
    coveredSpending: string;
  };
  /** P = min(S_h, A_h) + retained. */
  payment: string;
  /** P − paid during the year (negative: the institution repays). */
  balance: string;
}

export interface DiabetesPersonFigures {
  /** b_i (null: a new patient without a base). */
  base: string | null;
  baseSource: 'baseCost' | 'pilot' | null;
  newPatient: boolean;
  /** Among the highest bases dropped before the percentiles. */
  dropped: boolean;
  /** b_i clamped to [floor, cap] (null for a new patient). */
  clampedBase: string | null;
  months: number;
  /** clamped (or newPatientAverage) × months / 12, rounded to the fen for reading: the institution's sums are of the exact values. */
  contribution: string;
  actualCost: string | null;
  /** max(0, actual − cap), 0.00 without an actual cost or a cap. */
  excessOverCap: string;
  compensated: boolean;
}

export interface DiabetesRegionFigures {
  year: number;
  baseYear: number;
  institutions: number;
  patients: number;
  newPatients: number;
  percentiles: {
    method: string;
    /** n: the patients with a base (not new), city-wide. */
    withBase: number;
    dropHighestPercent: string;
    /** d = floor(n × dropHighestPercent / 100). */
    dropped: number;
    /** m = n − d. */
    kept: number;
    floorPercentile: string;
    floorRank: number | null;
    floor: string | null;
    capPercentile: string;
    capRank: number | null;
    cap: string | null;
  };
  newPatientAverage: string;
  totals: Record<string, string>;
}

const METHOD =
  'drop floor(n × dropHighestPercent / 100) highest bases of the n non-new patients; of the m left, sorted ascending, the p-th percentile is the value at 1-based rank ceil(p / 100 × m) (nearest rank, at least 1)';

/** A pilot patient's base in fen, and its first pilotMonths row (where a problem with the patient is reported). */
interface PilotBase {
  fen: number;
  first: number;
  matched: boolean;
}

/**
 * The bases of the base-year pilot's patients, b = round2(Σ_m c_m / (1 − r_m)), exactly: with a
 * ratio N / 10^s each term is c (fen) × 10^s / (10^s − N), and the terms are added as one BigInt
 * fraction per patient, rounded half-up to the fen once, over the sum. A ratio of 1 or more is
 * refused (row by row).
 */
function pilotBases(rows: readonly InputRow[], problems: RunProblems): Map<string, PilotBase> {
  const ratios = new Map<string, { d: bigint; dn: bigint } | null>();
  const acc = new Map<string, { num: bigint; den: bigint; first: number }>();
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    const t = row['surplusRatio'];
    let r: { d: bigint; dn: bigint } | null | undefined = { d: 1n, dn: 1n };
    if (t !== null && t !== undefined) {
      r = ratios.get(String(t));
      if (r === undefined) {
        const f = fraction(String(t));
        r = f.n >= f.d ? null : { d: f.d, dn: f.d - f.n };
        ratios.set(String(t), r);
      }
    }
    if (r === null) {
      problems.add('pilotMonths', k, 'surplusRatio', `must be below 1; got ${String(t)}`);
      continue;
    }
    const person = row['person'] as string;
    let a = acc.get(person);
    if (a === undefined) acc.set(person, (a = { num: 0n, den: 1n, first: k }));
    // num/den + c × d / (d − n)
    const c = BigInt(wholeFen(row['cost'] as string));
    if (r.dn === 1n) a.num += c * r.d * a.den;
    else if (r.dn === a.den) a.num += c * r.d;
    else {
      a.num = a.num * r.dn + c * r.d * a.den;
      a.den *= r.dn;
    }
  }
  const out = new Map<string, PilotBase>();
  for (const [person, a] of acc) out.set(person, { fen: toNumber(divRound(a.num, a.den)), first: a.first, matched: false });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run.

/** The patients table read into typed arrays (one slot per row, in the table's order). */
interface PatientArrays {
  n: number;
  /** The institution's index in code order (−1: unknown, a problem). */
  inst: Int32Array;
  months: Uint8Array;
  isNew: Uint8Array;
  /** b_i in fen (NaN: none). */
  base: Float64Array;
  /** 0 none, 1 baseCost, 2 pilot. */
  source: Uint8Array;
  /** The audited actual cost in fen (NaN: none recorded). */
  actual: Float64Array;
  /** The pseudonyms, in the table's order (read once: the rows are not walked again). */
  ids: string[];
}

function readPatients(
  rows: readonly InputRow[],
  indexOf: (table: string, row: InputRow, i: number) => number,
  pilot: Map<string, PilotBase> | null,
  problems: RunProblems,
): PatientArrays {
  const n = rows.length;
  const inst = new Int32Array(n);
  const months = new Uint8Array(n);
  const isNew = new Uint8Array(n);
  const base = new Float64Array(n).fill(NaN);
  const source = new Uint8Array(n);
  const actual = new Float64Array(n).fill(NaN);
  const ids: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const person = r['person'] as string;
    ids[i] = person;
    inst[i] = indexOf('patients', r, i);
    const m = r['months'] as number;
    if (m < 1 || m > 12) problems.add('patients', i, 'months', `must be 1–12; got ${m}`);
    months[i] = m;
    isNew[i] = r['newPatient'] === true ? 1 : 0;
    const b = r['baseCost'];
    if (b !== null && b !== undefined) {
      base[i] = wholeFen(b as string);
      source[i] = 1;
    }
    const a = r['actualCost'];
    if (a !== null && a !== undefined) {
      actual[i] = wholeFen(a as string);
    }
    if (pilot !== null) {
      const pb = pilot.get(person);
      if (pb !== undefined) {
        pb.matched = true;
        // The pseudonym is personal: never quoted.
        if (source[i] === 1)
          problems.add(
            'pilotMonths',
            pb.first,
            'person',
            'this patient has a baseCost too: give the base year either as baseCost or as pilot months',
          );
        else {
          base[i] = pb.fen;
          source[i] = 2;
        }
      }
    }
  }
  if (pilot !== null)
    for (const pb of pilot.values())
      if (!pb.matched) problems.add('pilotMonths', pb.first, 'person', 'this person is not in the patients table');
  for (let i = 0; i < n; i++)
    if (!isNew[i] && source[i] === 0)
      problems.add('patients', i, 'baseCost', 'a patient who is not new needs a base: baseCost, or pilotMonths rows');
  return { n, inst, months, isNew, base, source, actual, ids };
}

/** The city-wide floor and cap (see the method at the top) and who is dropped. */
interface FloorCap {
  withBase: number;
  dropped: number;
  kept: number;
  floorRank: number | null;
  capRank: number | null;
  /** NaN without patients with a base. */
  floorFen: number;
  capFen: number;
  floorText: string | null;
  capText: string | null;
  droppedFlags: Uint8Array;
}

function floorAndCap(pt: PatientArrays, policy: DiabetesCapitationPolicy): FloorCap {
  const { n, isNew, base } = pt;
  let nb = 0;
  for (let i = 0; i < n; i++) if (!isNew[i]) nb++;
  // One sort of whole fen (exact in a double).
  const sorted = new Float64Array(nb);
  for (let i = 0, k = 0; i < n; i++) if (!isNew[i]) sorted[k++] = base[i];
  sorted.sort();
  const d = new Dec(nb).times(policy.dropHighestPercent).div(100).floor().toNumber();
  const m = nb - d;
  const floorRank = m > 0 ? nearestRank(policy.floorPercentile, m) : null;
  const capRank = m > 0 ? nearestRank(policy.capPercentile, m) : null;
  const floorFen = floorRank === null ? NaN : sorted[floorRank - 1];
  const capFen = capRank === null ? NaN : sorted[capRank - 1];

  // The dropped flag: the d highest, ties at the threshold by patient id in code order.
  const droppedFlags = new Uint8Array(n);
  if (d > 0) {
    const threshold = sorted[nb - d];
    let above = 0;
    for (let k = nb - d; k < nb; k++) if (sorted[k] > threshold) above++;
    const tied: number[] = [];
    for (let i = 0; i < n; i++) {
      if (isNew[i]) continue;
      if (base[i] > threshold) droppedFlags[i] = 1;
      else if (base[i] === threshold) tied.push(i);
    }
    tied.sort((a, b) => byCode(pt.ids[a], pt.ids[b]));
    for (let k = 0; k < d - above; k++) droppedFlags[tied[k]] = 1;
  }
  return {
    withBase: nb,
    dropped: d,
    kept: m,
    floorRank,
    capRank,
    floorFen,
    capFen,
    floorText: floorRank === null ? null : yuanOfFen(floorFen),
    capText: capRank === null ? null : yuanOfFen(capFen),
    droppedFlags,
  };
}

/** One institution's patients summed (fen × months), clamped, and its compensation candidates. */
interface PatientSums {
  baseSum: number;
  clampedSum: number;
  newMonths: number;
  withBase: number;
  news: number;
  pilots: number;
  belowFloor: number;
  aboveCap: number;
  dropped: number;
  actualSum: number;
  candidates: number[];
}

function sumPatients(
  pt: PatientArrays,
  fc: FloorCap,
  from: number,
  to: number,
  order: Int32Array,
  clamped: Float64Array,
  excess: Float64Array,
): PatientSums {
  const { months, isNew, source, base, actual } = pt;
  const { floorFen, capFen, droppedFlags } = fc;
  const s: PatientSums = {
    baseSum: 0,
    clampedSum: 0,
    newMonths: 0,
    withBase: 0,
    news: 0,
    pilots: 0,
    belowFloor: 0,
    aboveCap: 0,
    dropped: 0,
    actualSum: 0,
    candidates: [],
  };
  let baseSum = 0;
  let clampedSum = 0;
  let actualSum = 0;
  for (let k = from; k < to; k++) {
    const i = order[k];
    const mo = months[i];
    if (isNew[i]) {
      s.news++;
      s.newMonths += mo;
    } else {
      s.withBase++;
      if (source[i] === 2) s.pilots++;
      if (droppedFlags[i]) s.dropped++;
      const b = base[i];
      let c = b;
      if (b < floorFen) {
        c = floorFen;
        s.belowFloor++;
      } else if (b > capFen) {
        c = capFen;
        s.aboveCap++;
      }
      clamped[i] = c;
      baseSum += b * mo;
      clampedSum += c * mo;
    }
    const a = actual[i];
    if (a === a) {
      actualSum += a;
      if (a > capFen) {
        excess[i] = a - capFen;
        s.candidates.push(i);
      }
    }
  }
  // Every term is a whole number ≥ 0: a sum within the safe integers is exact.
  if (!Number.isSafeInteger(baseSum) || !Number.isSafeInteger(clampedSum) || !Number.isSafeInteger(actualSum))
    throw new Error('an institution’s sum beyond the safe integers');
  s.baseSum = baseSum;
  s.clampedSum = clampedSum;
  s.actualSum = actualSum;
  return s;
}

/** The policy's ratios as exact fractions, once. */
interface Ratios {
  newAvgFen: number;
  lower: { n: bigint; d: bigint };
  upper: { n: bigint; d: bigint };
  half: { n: bigint; d: bigint };
  share: { n: bigint; d: bigint };
}

/** The monthly settlement: the month's cost up to its quota, and a share of its surplus at once. */
function settleMonths(
  Q: number,
  costs: Float64Array,
  h: number,
  half: Ratios['half'],
): { monthly: MonthFigures[]; paid: number; halves: number } {
  let paid = 0;
  let halves = 0;
  const monthly = monthlyInstalments(yuanOfFen(Q)).map((q, mth): MonthFigures => {
    const quota = wholeFen(q.allowance);
    const c = costs[h * 12 + mth];
    const paidCost = Math.min(c, quota);
    const surplus = Math.max(0, quota - c);
    const surplusPaid = toNumber(divRound(BigInt(surplus) * half.n, half.d));
    paid += paidCost + surplusPaid;
    halves += surplusPaid;
    return {
      month: mth + 1,
      quota: q.allowance,
      cost: yuanOfFen(c),
      paidCost: yuanOfFen(paidCost),
      surplus: yuanOfFen(surplus),
      surplusPaid: yuanOfFen(surplusPaid),
      excess: yuanOfFen(Math.max(0, c - quota)),
      payment: yuanOfFen(paidCost + surplusPaid),
    };
  });
  return { monthly, paid, halves };
}

function runDiabetesCapitation(policy: DiabetesCapitationPolicy, inputs: SchemeInputs, year: number): SchemeOutcome {
  const problems = new RunProblems();

  // Institutions, in code order.
  const instRows = rowsOf(inputs, institutions);
  const codes = instRows.map((r) => text(r, 'institutionCode')).sort(byCode);
  const H = codes.length;
  const instIndex = new Map(codes.map((c, i) => [c, i]));
  const instRow: InputRow[] = new Array<InputRow>(H);
  for (const r of instRows) instRow[instIndex.get(text(r, 'institutionCode'))!] = r;
  const indexOf = (table: string, row: InputRow, i: number): number => {
    const code = row['institutionCode'] as string;
    const h = instIndex.get(code);
    if (h === undefined) problems.add(table, i, 'institutionCode', `no institution "${code}" in the institutions table`);
    return h ?? -1;
  };

  const memberLists: { memberCode: string; name: string | null }[][] = codes.map(() => []);
  rowsOf(inputs, members).forEach((r, i) => {
    const h = indexOf('members', r, i);
    if (h >= 0) memberLists[h].push({ memberCode: text(r, 'memberCode'), name: r['name'] === null ? null : text(r, 'name') });
  });
  for (const l of memberLists) l.sort((a, b) => byCode(a.memberCode, b.memberCode));

  // Monthly costs C_m (fen), by institution.
  const costs = new Float64Array(H * 12);
  rowsOf(inputs, monthlyCosts).forEach((r, i) => {
    const h = indexOf('monthlyCosts', r, i);
    if (h >= 0) costs[h * 12 + (r['month'] as number) - 1] = wholeFen(r['cost'] as string);
  });

  const scores: (string | null)[] = codes.map(() => null);
  rowsOf(inputs, assessment).forEach((r, i) => {
    const h = indexOf('assessment', r, i);
    if (h >= 0) scores[h] = String(r['score']);
  });

  // The base-year pilot's patients, then every patient.
  const pilotRows = rowsOf(inputs, pilotMonths);
  const pilot = pilotRows.length ? pilotBases(pilotRows, problems) : null;
  const pt = readPatients(rowsOf(inputs, patients), indexOf, pilot, problems);
  problems.throwIfAny('diabetes-capitation');

  const fc = floorAndCap(pt, policy);
  // The patients grouped by institution, the table's order within an institution.
  const { start, order } = groupRows(pt.n, H, (i) => pt.inst[i]);
  const ratios: Ratios = {
    newAvgFen: wholeFen(policy.newPatientAverage),
    lower: fraction(policy.bound.lower),
    upper: fraction(policy.bound.upper),
    half: fraction(policy.monthlySurplusShare),
    share: fraction(policy.specialCompensation.maxPatientShare),
  };
  const clamped = new Float64Array(pt.n);
  const excess = new Float64Array(pt.n);
  const compensated = new Uint8Array(pt.n);
  const figures: InstitutionFigures[] = [];

  for (let h = 0; h < H; h++) {
    const code = codes[h];
    const sums = sumPatients(pt, fc, start[h], start[h + 1], order, clamped, excess);

    // Q_base bounded to [round2(lower × R), round2(upper × R)]; all in twelfths of a fen.
    const R12 = BigInt(sums.baseSum);
    const lo = divRound(R12 * ratios.lower.n, ratios.lower.d * 12n);
    const hi = divRound(R12 * ratios.upper.n, ratios.upper.d * 12n);
    let bounded12 = BigInt(sums.clampedSum);
    let boundApplied: InstitutionFigures['boundApplied'] = null;
    if (bounded12 < lo * 12n) {
      bounded12 = lo * 12n;
      boundApplied = 'lower';
    } else if (bounded12 > hi * 12n) {
      bounded12 = hi * 12n;
      boundApplied = 'upper';
    }
    const new12 = BigInt(ratios.newAvgFen) * BigInt(sums.newMonths);
    const quotaBeforeVbp = toNumber(divRound(bounded12 + new12, 12n));
    const vbpText = instRow[h]['vbpAdjustment'];
    const vbp = vbpText === null || vbpText === undefined ? 0 : wholeFen(vbpText as string);
    const Q = quotaBeforeVbp - vbp;
    if (Q < 0) {
      problems.add(
        'institutions',
        null,
        'vbpAdjustment',
        `institution "${code}": the adjustment ${yuanOfFen(vbp)} exceeds the quota ${yuanOfFen(quotaBeforeVbp)}`,
      );
      continue;
    }

    // S_h and the special compensation: at most floor(share × N_h) patients, largest excesses first.
    let S = 0;
    for (let mth = 0; mth < 12; mth++) S += costs[h * 12 + mth];
    const N = start[h + 1] - start[h];
    const limit = toNumber((BigInt(N) * ratios.share.n) / ratios.share.d);
    const applies = policy.specialCompensation.enabled && S > Q;
    const candidates = sums.candidates;
    let excessTotal = 0;
    let taken = 0;
    if (applies && limit > 0 && candidates.length) {
      candidates.sort((a, b) => excess[b] - excess[a] || byCode(pt.ids[a], pt.ids[b]));
      taken = Math.min(limit, candidates.length);
      for (let k = 0; k < taken; k++) {
        compensated[candidates[k]] = 1;
        excessTotal += excess[candidates[k]];
      }
    }
    const K = applies ? Math.min(excessTotal, S - Q) : 0;
    const A = Q + K;

    const { monthly, paid, halves } = settleMonths(Q, costs, h, ratios.half);

    // Year end: the overspend beyond A_h is the institution's (one tier, fund 0); the surplus is
    // kept as the halves already paid (up to U) plus the rest by the assessment score.
    const rec = reconcileExact({
      allowance: yuanOfFen(A),
      spending: yuanOfFen(S),
      retentionRatio: '0',
      tiers: [{ upTo: null, shares: { [FUND]: '0', institution: '1' } }],
      parties: [FUND, 'institution'],
    });
    const U = wholeFen(money(rec.surplus));
    const retainedHalves = Math.min(halves, U);
    const score = scores[h] ?? '1';
    const retainedByScore = wholeFen(money(new Dec(Math.max(0, U - halves)).times(score).div(100)));
    const retained = retainedHalves + retainedByScore;
    const covered = wholeFen(money(rec.paymentByFund)); // min(S, A): retention 0, the fund's part 0
    const P = covered + retained;

    figures.push({
      institutionCode: code,
      members: memberLists[h],
      patients: {
        total: N,
        withBase: sums.withBase,
        new: sums.news,
        pilot: sums.pilots,
        belowFloor: sums.belowFloor,
        aboveCap: sums.aboveCap,
        dropped: sums.dropped,
      },
      baseTotal: twelfthsText(sums.baseSum),
      clampedTotal: twelfthsText(sums.clampedSum),
      lowerBound: yuanOfFen(toNumber(lo)),
      upperBound: yuanOfFen(toNumber(hi)),
      boundApplied,
      boundedTotal: twelfthsText(bounded12),
      newPatientYears: new Dec(sums.newMonths).div(12).toString(),
      newPatientTotal: twelfthsText(new12),
      quotaBeforeVbp: yuanOfFen(quotaBeforeVbp),
      vbpAdjustment: yuanOfFen(vbp),
      quota: yuanOfFen(Q),
      monthly,
      paidDuringYear: yuanOfFen(paid),
      surplusPaidDuringYear: yuanOfFen(halves),
      spending: yuanOfFen(S),
      patientActualTotal: yuanOfFen(sums.actualSum),
      compensation: {
        applies,
        overspendAgainstQuota: yuanOfFen(Math.max(0, S - Q)),
        candidates: candidates.length,
        limit,
        compensated: taken,
        excessTotal: yuanOfFen(excessTotal),
        amount: yuanOfFen(K),
      },
      allowance: yuanOfFen(A),
      yearEnd: {
        surplus: yuanOfFen(U),
        overspend: money(rec.overspend),
        score,
        scoreRecorded: scores[h] !== null,
        retainedHalves: yuanOfFen(retainedHalves),
        retainedByScore: yuanOfFen(retainedByScore),
        retained: yuanOfFen(retained),
        fundKeeps: yuanOfFen(U - retained),
        coveredSpending: yuanOfFen(covered),
      },
      payment: yuanOfFen(P),
      balance: balance(yuanOfFen(P), yuanOfFen(paid)),
    });
  }
  problems.throwIfAny('diabetes-capitation');

  const providers: ProviderFigures[] = figures.map((f, h) => ({
    provider: f.institutionCode,
    name: text(instRow[h], 'name'),
    visibleTo: [f.institutionCode, ...f.members.map((x) => x.memberCode).filter((c) => c !== f.institutionCode)],
    figures: f as unknown as Record<string, unknown>,
  }));
  const persons = personFigures(pt, fc, codes, start, order, { clamped, excess, compensated }, ratios.newAvgFen);
  return { providers, region: regionFigures(policy, year, pt, fc, figures) as unknown as Record<string, unknown>, persons };
}

/** Per-person figures (DiabetesPersonFigures) as columns, grouped by institution in code order; money in whole fen. */
function personFigures(
  pt: PatientArrays,
  fc: FloorCap,
  codes: readonly string[],
  start: Int32Array,
  order: Int32Array,
  out: { clamped: Float64Array; excess: Float64Array; compensated: Uint8Array },
  newAvgFen: number,
): PersonTable {
  const { months, isNew, base, source, ids, actual } = pt;
  const clampedBase = new Float64Array(pt.n);
  const contribution = new Float64Array(pt.n);
  const excessOverCap = new Float64Array(pt.n);
  for (let k = 0; k < pt.n; k++) {
    const i = order[k];
    const c = isNew[i] ? NaN : out.clamped[i];
    clampedBase[k] = c;
    // Twelve months is the clamped base (or the average) itself.
    contribution[k] = twelfthRounded((isNew[i] ? newAvgFen : c) * months[i]);
    excessOverCap[k] = out.excess[i] > 0 ? out.excess[i] : 0;
  }
  const coded = (name: keyof DiabetesPersonFigures, dict: readonly FigureValue[], index: Uint8Array): PersonColumn => ({
    name,
    kind: 'coded',
    dict,
    index: inOrder(index, order),
  });
  const yuan = (name: keyof DiabetesPersonFigures, fen: Float64Array): PersonColumn => ({ name, kind: 'yuan', fen });
  return {
    providers: codes,
    start,
    person: listInOrder(ids, order),
    columns: [
      yuan('base', inOrder(base, order)),
      coded('baseSource', [null, 'baseCost', 'pilot'], source),
      coded('newPatient', [false, true], isNew),
      coded('dropped', [false, true], fc.droppedFlags),
      yuan('clampedBase', clampedBase),
      { name: 'months', kind: 'whole', ints: inOrder(months, order) },
      yuan('contribution', contribution),
      yuan('actualCost', inOrder(actual, order)),
      yuan('excessOverCap', excessOverCap),
      coded('compensated', [false, true], out.compensated),
    ],
  };
}

/** round-half-up(x / 12) for a whole x ≥ 0 within the safe integers. */
function twelfthRounded(x: number): number {
  const r = x % 12;
  return (x - r) / 12 + (r * 2 >= 12 ? 1 : 0);
}

function regionFigures(
  policy: DiabetesCapitationPolicy,
  year: number,
  pt: PatientArrays,
  fc: FloorCap,
  figures: InstitutionFigures[],
): DiabetesRegionFigures {
  const total = (get: (f: InstitutionFigures) => string): string => {
    let s = 0;
    for (const f of figures) s += wholeFen(get(f));
    return yuanOfFen(s);
  };
  let newPatients = 0;
  for (let i = 0; i < pt.n; i++) newPatients += pt.isNew[i];
  return {
    year,
    baseYear: policy.baseYear,
    institutions: figures.length,
    patients: pt.n,
    newPatients,
    percentiles: {
      method: METHOD,
      withBase: fc.withBase,
      dropHighestPercent: policy.dropHighestPercent,
      dropped: fc.dropped,
      kept: fc.kept,
      floorPercentile: policy.floorPercentile,
      floorRank: fc.floorRank,
      floor: fc.floorText,
      capPercentile: policy.capPercentile,
      capRank: fc.capRank,
      cap: fc.capText,
    },
    newPatientAverage: policy.newPatientAverage,
    totals: {
      quotaBeforeVbp: total((f) => f.quotaBeforeVbp),
      vbpAdjustment: total((f) => f.vbpAdjustment),
      quota: total((f) => f.quota),
      compensation: total((f) => f.compensation.amount),
      allowance: total((f) => f.allowance),
      spending: total((f) => f.spending),
      paidDuringYear: total((f) => f.paidDuringYear),
      surplusPaidDuringYear: total((f) => f.surplusPaidDuringYear),
      surplus: total((f) => f.yearEnd.surplus),
      overspend: total((f) => f.yearEnd.overspend),
      retained: total((f) => f.yearEnd.retained),
      fundKeeps: total((f) => f.yearEnd.fundKeeps),
      payment: total((f) => f.payment),
      balance: total((f) => f.balance),
    },
  };
}

export const diabetesCapitationScheme: SchemeDefinition<DiabetesCapitationPolicy> = {
  id: 'diabetes-capitation',
  seed: '003 (Tianjin)',
  title: 'C. Diabetes outpatient per-head global payment (糖尿病门特按人头总额付费)',
  tables: DIABETES_CAPITATION_TABLES,
  parsePolicy: parseDiabetesCapitationPolicy,
  run: runDiabetesCapitation,
};
