import { Pool, POOLS } from '../case-record';
import { Dec, money, round2 } from '../decimal';
import { MISSING } from '../policy';
import { FUND, monthlyInstalments, OverspendTier, reconcile, Reconciliation, tierProblems } from './reconciliation';
import { groupRows } from './person-table';
import { byCode, column, moneyParam, parseSchemePolicy, rowsOf, RunProblems, sumOf, wholeFen, yuanOfFen } from './run-support';
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
 * SCHEMES.md A: per-disease per-head payment for class-2 outpatient special diseases (seed 000,
 * Panzhihua 二类门特按病种结合人头付费). Per pool (employee, resident, each on its own): the
 * historical per-head cost h_d of each disease, the person weight ρ (age ≥ 65 × class-1
 * disease), the corrected base rate λ = T / Σ h_d × ρ over the rows enrolled at the start of the
 * year, the standards s_d = round2(h_d × λ), each hospital's allowance A_h = round2(Σ s_d × ρ),
 * advanced monthly at 95 %; at year end the allowance again with the same λ and standards on the
 * rows actually treated (months / 12), reconciled against the fund's payment S_h with 80 %
 * surplus retention and the 40/60 then 0/100 overspend bands. A close county medical consortium
 * takes "one total": its members' figures summed, reconciled once. Beside it, the family-doctor
 * fee: half at mid-year on the persons signed, the rest at year end by the persons signed and
 * served × the assessment score. Pure.
 *
 * Speed: the per-row work is integer counting only (the rows of a hospital, disease and weight
 * class are counted and their months summed); the money is formed with exact decimals on those
 * few counts, never per row. Per-person figures share their strings (one per disease, weight
 * class and months).
 */

/** The parties of an overspend, in SCHEMES.md's order (fund, hospital: the hospital takes the rounding remainder). */
export const DISEASE_CAPITATION_PARTIES = [FUND, 'hospital'] as const;
type Party = (typeof DISEASE_CAPITATION_PARTIES)[number];

export interface DiseaseCapitationPolicy extends SchemePolicyBase {
  scheme: 'disease-capitation';
  /** ρ = (age ≥ ageFrom ? ageFactor : 1) × (hasClass1Disease ? class1Factor : 1); age in completed years on 1 January. */
  riskAdjustment: { ageFrom: number; ageFactor: string; class1Factor: string };
  /** The share of each month's allowance advanced (the seed's 95 %). */
  advanceRatio: string;
  /** The share of a surplus the hospital keeps (the seed's 80 %). */
  retentionRatio: string;
  /** Marginal overspend tiers, shares of fund and hospital (the seed's 40/60 up to 10 %, then 0/100). */
  tiers: OverspendTier[];
  /** The family-doctor fee per signed person and year (the seed's 100 yuan in 2021) and the share advanced at mid-year (50 %). */
  familyDoctor: { feePerPerson: string; midYearShare: string };
}

const budgets: InputTableSpec = {
  name: 'budgets',
  description: "T: each pool's fund control amount for class-2 outpatient special diseases this year (二类门特统筹基金总控额度)",
  columns: [
    column('pool', 'code', true, 'employee or resident; each pool is computed on its own'),
    column('fundControl', 'money', true, "T: the pool's fund control amount (the family-doctor fee is not in it)"),
  ],
  key: ['pool'],
  required: true,
};

const diseaseCosts: InputTableSpec = {
  name: 'diseaseCosts',
  description:
    'the historical per-head cost h_d of each class-2 disease and pool, from the base period before national volume-based procurement: either the fund payment and the persons settled, or the per-head cost given',
  columns: [
    column('pool', 'code', true, 'employee or resident'),
    column('disease', 'code', true, 'the class-2 outpatient special disease code'),
    column('name', 'text', false, 'the disease name'),
    column('fundPayment', 'money', false, "the base period's fund (统筹) payment for the disease (with personsSettled)"),
    column('personsSettled', 'count', false, 'the persons settled for the disease in the base period (with fundPayment)'),
    column(
      'perHeadCost',
      'money',
      false,
      'the per-head cost given directly (a base-period table), instead of fundPayment and personsSettled',
    ),
    column('uplift', 'money', false, "the seed's 门诊调增费用 added to the per-head cost (blank: 0)"),
  ],
  key: ['pool', 'disease'],
  required: true,
};

const hospitals: InputTableSpec = {
  name: 'hospitals',
  description:
    'the hospitals with an outpatient special disease agreement, for their names (a hospital without enrolments is listed with zeros)',
  columns: [column('hospitalCode', 'code', true, 'the hospital code'), column('name', 'text', true, 'the hospital name')],
  key: ['hospitalCode'],
  required: false,
};

const consortia: InputTableSpec = {
  name: 'consortia',
  description: 'the close county medical consortia (紧密型县域医共体) that take "one total": their members are summed and reconciled once',
  columns: [
    column('consortiumCode', 'code', true, 'the consortium (the settlement unit) code; not a hospital code'),
    column('name', 'text', true, 'the consortium name (the same on each of its rows)'),
    column('hospitalCode', 'code', true, 'a member hospital; one consortium per hospital'),
  ],
  key: ['hospitalCode'],
  required: false,
};

const enrolments: InputTableSpec = {
  name: 'enrolments',
  description:
    'one row per person, class-2 disease and treating hospital (and pool): who chose which hospital, with the weight factors; treated and months for the year end',
  columns: [
    column('person', 'person', true, "the person's pseudonym"),
    column('pool', 'code', true, 'employee or resident'),
    column('disease', 'code', true, 'the class-2 disease; a person with two counts once per disease'),
    column('hospitalCode', 'code', true, 'the treating hospital chosen for the year'),
    column('age', 'count', true, 'age in completed years on 1 January of the year'),
    column('hasClass1Disease', 'flag', true, 'whether the person also has a class-1 outpatient special disease'),
    column('familyDoctorInstitution', 'code', false, 'the family-doctor institution the person signed with (blank: none)'),
    column(
      'enrolledAtStart',
      'flag',
      true,
      'whether the row was enrolled at the start of the year (it counts in λ and the allowance advanced)',
    ),
    column('treated', 'flag', false, 'year end: at least one audited eligible settlement at this hospital in the year'),
    column(
      'months',
      'count',
      false,
      'year end: whole months the person stood in this row (0–12; blank: 12 for a row enrolled at the start)',
    ),
  ],
  key: ['person', 'pool', 'disease', 'hospitalCode'],
  required: true,
};

const spending: InputTableSpec = {
  name: 'spending',
  description:
    "S: the fund's (统筹基金) payment, by item, on the audited eligible class-2 spending of each hospital's treated rows within the annual limit (its presence makes the run a year-end run)",
  columns: [
    column('hospitalCode', 'code', true, 'the hospital'),
    column('pool', 'code', true, 'employee or resident'),
    column('fundPayment', 'money', true, "the fund's payment of the year"),
  ],
  key: ['hospitalCode', 'pool'],
  required: false,
};

const familyDoctors: InputTableSpec = {
  name: 'familyDoctors',
  description:
    'the institutions with a family-doctor team that provide the service package (服务包): their signed persons at mid-year, and at year end the persons signed and served and the assessment score',
  columns: [
    column('institutionCode', 'code', true, 'the institution (a hospital code)'),
    column('name', 'text', false, 'the institution name'),
    column('signedAtMidYear', 'count', true, 'persons signed at mid-year (the mid-year advance)'),
    column('signedAndServed', 'count', false, 'persons signed and served in the year (blank: the year-end fee is not computed yet)'),
    column('score', 'score', false, 'the annual assessment in [0, 1] (blank: 1)'),
  ],
  key: ['institutionCode'],
  required: false,
};

export const DISEASE_CAPITATION_TABLES: readonly InputTableSpec[] = [
  budgets,
  diseaseCosts,
  hospitals,
  consortia,
  enrolments,
  spending,
  familyDoctors,
];

// ---------------------------------------------------------------------------------------------
// Policy

function parseDiseaseCapitationPolicy(doc: unknown): DiseaseCapitationPolicy {
  return parseSchemePolicy<DiseaseCapitationPolicy>(
    'disease-capitation',
    doc,
    ['riskAdjustment', 'advanceRatio', 'retentionRatio', 'tiers', 'familyDoctor'],
    [],
    (r, o) => {
      const ratio = (v: unknown, p: string) => r.decimal(v, p, { min: '0', max: '1' });
      const factor = (v: unknown, p: string) => r.decimal(v, p, { positive: true });
      const risk = r.object(o.riskAdjustment, 'riskAdjustment', ['ageFrom', 'ageFactor', 'class1Factor']);
      const fd = r.object(o.familyDoctor, 'familyDoctor', ['feePerPerson', 'midYearShare']);
      const tiers = r.array(o.tiers, 'tiers', (x, p) => {
        const t = r.object(x, p, ['upTo', 'shares']);
        if (t === MISSING) return MISSING;
        const upTo = t.upTo === null ? null : r.decimal(t.upTo, `${p}.upTo`, { positive: true });
        const s = r.object(t.shares, `${p}.shares`, DISEASE_CAPITATION_PARTIES);
        if (s === MISSING || upTo === MISSING) return MISSING;
        const shares: Partial<Record<Party, string>> = {};
        for (const party of DISEASE_CAPITATION_PARTIES) {
          const v = ratio(s[party], `${p}.shares.${party}`);
          if (v === MISSING) return MISSING;
          shares[party] = v;
        }
        return { upTo, shares: shares as Record<Party, string> };
      });
      if (tiers !== MISSING) for (const p of tierProblems(tiers, DISEASE_CAPITATION_PARTIES)) r.fail(p.path, p.reason);
      return {
        riskAdjustment:
          risk === MISSING
            ? MISSING
            : {
                ageFrom: r.integer(risk.ageFrom, 'riskAdjustment.ageFrom', 0, 150),
                ageFactor: factor(risk.ageFactor, 'riskAdjustment.ageFactor'),
                class1Factor: factor(risk.class1Factor, 'riskAdjustment.class1Factor'),
              },
        advanceRatio: ratio(o.advanceRatio, 'advanceRatio'),
        retentionRatio: ratio(o.retentionRatio, 'retentionRatio'),
        tiers,
        familyDoctor:
          fd === MISSING
            ? MISSING
            : {
                feePerPerson: moneyParam(r, fd.feePerPerson, 'familyDoctor.feePerPerson'),
                midYearShare: ratio(fd.midYearShare, 'familyDoctor.midYearShare'),
              },
      } as unknown as Omit<DiseaseCapitationPolicy, keyof SchemePolicyBase>;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Figures

/** One disease of a pool, city-wide: where h_d came from, the standard, and the weights counted. */
export interface DiseaseFigures {
  disease: string;
  name: string | null;
  /** `history`: round2(fundPayment / personsSettled); `perHeadCost`: given. */
  source: 'history' | 'perHeadCost';
  fundPayment: string | null;
  personsSettled: number | null;
  /** round2(fundPayment / personsSettled), or the per-head cost given. */
  perHead: string;
  uplift: string;
  /** h_d = perHead + uplift. */
  historicalCost: string;
  /** s_d = round2(h_d × λ) (computed as round2(h_d × T / Σ h × ρ), one division). */
  standard: string;
  rowsAtStart: number;
  /** Σ ρ over the rows enrolled at the start. */
  weightAtStart: string;
  /** h_d × weightAtStart: this disease's part of λ's denominator. */
  historicalAtStart: string;
  rowsTreated: number | null;
  /** Σ ρ × months / 12 over the rows treated (year end). */
  weightAtEnd: string | null;
}

/** The region's figures of one pool. */
export interface PoolRegionFigures {
  pool: Pool;
  /** T. */
  fundControl: string;
  /** Σ h_d × ρ over the rows enrolled at the start. */
  weightedHistoricalCost: string;
  /** λ = T / weightedHistoricalCost, not rounded. */
  lambda: string;
  rowsAtStart: number;
  rowsTreated: number | null;
  diseases: DiseaseFigures[];
  /** Σ A_h at the start (each hospital rounded). */
  allowanceAtStart: string;
  /** Σ A_h − T: what rounding the standards and allowances made of T. */
  roundingDifference: string;
  advances: string;
  yearEnd: PoolYearEndTotals | null;
}

export interface PoolYearEndTotals {
  allowance: string;
  spending: string;
  surplus: string;
  retained: string;
  fundKeeps: string;
  overspend: string;
  fundPart: string;
  hospitalPart: string;
  paymentByFund: string;
  balance: string;
}

/** One disease of a unit and pool: the standard and the weights of the unit's rows. */
export interface UnitDiseaseFigures {
  disease: string;
  standard: string;
  rowsAtStart: number;
  /** Σ ρ over the unit's rows of the disease enrolled at the start. */
  weightAtStart: string;
  /** standard × weightAtStart, exact. */
  contributionAtStart: string;
  rowsTreated: number | null;
  /** Σ ρ × months / 12 over the treated rows. */
  weightAtEnd: string | null;
  /** standard × weightAtEnd, exact. */
  contributionAtEnd: string | null;
}

/** One member hospital of a unit in a pool (a hospital unit has itself as its one member). */
export interface MemberPoolFigures {
  hospitalCode: string;
  rowsAtStart: number;
  /** Σ s_d × ρ over its rows enrolled at the start, exact. */
  contributionAtStart: string;
  /** A_h = round2(contributionAtStart). */
  allowanceAtStart: string;
  /** Σ of its twelve advances: round2(advanceRatio × round2(A_h / 12)), December the remainder. */
  advances: string;
  rowsTreated: number | null;
  /** Σ s_d × ρ × months / 12 over its treated rows, exact. */
  contributionAtEnd: string | null;
  /** round2(contributionAtEnd): the year-end allowance. */
  allowanceAtEnd: string | null;
  /** S_h: the fund's payment. */
  spending: string | null;
}

export interface UnitPoolFigures {
  pool: Pool;
  lambda: string;
  diseases: UnitDiseaseFigures[];
  members: MemberPoolFigures[];
  /** Σ members' A_h. */
  allowanceAtStart: string;
  /** Per month, Σ members' monthly allowance and advance. */
  schedule: { month: number; allowance: string; advance: string }[];
  advances: string;
  yearEnd: {
    /** Σ members' year-end allowances. */
    allowance: string;
    /** Σ members' S_h. */
    spending: string;
    reconciliation: Reconciliation;
    paymentByFund: string;
    hospitalPart: string;
    /** P − advances (negative: the unit repays). */
    balance: string;
  } | null;
}

export interface FamilyDoctorFigures {
  institutionCode: string;
  name: string | null;
  feePerPerson: string;
  signedAtMidYear: number;
  /** Distinct persons of the enrolments naming the institution (for comparison; no money). */
  enrolledSigned: number;
  /** round2(midYearShare × fee × signedAtMidYear). */
  midYearAdvance: string;
  signedAndServed: number | null;
  score: string;
  scoreRecorded: boolean;
  /** round2(fee × signedAndServed × score). */
  earned: string | null;
  /** earned − midYearAdvance (negative: the institution repays). */
  yearEndPayment: string | null;
}

export interface UnitFigures {
  unit: 'hospital' | 'consortium';
  members: { hospitalCode: string; name: string }[];
  pools: UnitPoolFigures[];
  allowanceAtStart: string;
  advances: string;
  allowanceAtEnd: string | null;
  spending: string | null;
  paymentByFund: string | null;
  hospitalPart: string | null;
  balance: string | null;
  familyDoctor: {
    institutions: FamilyDoctorFigures[];
    midYearAdvance: string;
    /** Σ of the institutions' year-end payments computed (those with signedAndServed). */
    yearEndPayment: string;
  };
  /** balance + the family-doctor year-end payments: what the fund transfers at year end (negative: recovers). */
  dueFromFund: string | null;
}

/** The figures of one enrolment row (PersonFigures.figures); every row has every key. */
export interface EnrolmentFigures {
  hospitalCode: string;
  pool: string;
  disease: string;
  age: number;
  hasClass1Disease: boolean;
  rho: string;
  standard: string;
  enrolledAtStart: boolean;
  /** s_d × ρ when enrolled at the start, else 0. */
  contributionAtStart: string;
  treated: boolean | null;
  months: number | null;
  /** s_d × ρ × months / 12 when treated, else 0; null before the year end. */
  contributionAtEnd: string | null;
  familyDoctorInstitution: string | null;
}

// ---------------------------------------------------------------------------------------------
// Run

const ZERO = new Dec(0);
const TWELVE = new Dec(12);
const isPool = (v: unknown): v is Pool => v === 'employee' || v === 'resident';
/** Weight classes: bit 0 age ≥ ageFrom, bit 1 class-1 disease. */
const CLASSES = 4;
const AT_START = 1;
const TREATED = 2;
/** More problems than this of the per-row kind are counted, not listed. */
const MAX_ROW_PROBLEMS = 200;

interface Disease {
  g: number;
  pool: Pool;
  code: string;
  name: string | null;
  source: 'history' | 'perHeadCost';
  fundPayment: Dec | null;
  personsSettled: number | null;
  perHead: Dec;
  uplift: Dec;
  h: Dec;
  standard: Dec;
}

function runDiseaseCapitation(policy: DiseaseCapitationPolicy, inputs: SchemeInputs, year: number): SchemeOutcome {
  const problems = new RunProblems();
  let rowProblems = 0;
  const rowProblem = (table: string, index: number | null, field: string, reason: string): void => {
    if (++rowProblems <= MAX_ROW_PROBLEMS) problems.add(table, index, field, reason);
  };
  const yearEnd = inputs[spending.name] !== undefined;

  // T per pool.
  const T = new Map<Pool, Dec>();
  rowsOf(inputs, budgets).forEach((row, i) => {
    if (!isPool(row.pool)) problems.add('budgets', i, 'pool', 'must be employee or resident');
    else T.set(row.pool, new Dec(row.fundControl as string));
  });
  const pools = POOLS.filter((p) => T.has(p));

  // h_d per pool and disease: g indexes them in pool order, then disease code order.
  const diseaseRows = rowsOf(inputs, diseaseCosts)
    .map((row, i) => ({ row, i }))
    .sort(
      (a, b) =>
        POOLS.indexOf(a.row.pool as Pool) - POOLS.indexOf(b.row.pool as Pool) || byCode(String(a.row.disease), String(b.row.disease)),
    );
  const diseases: Disease[] = [];
  for (const { row, i } of diseaseRows) {
    const pool = row.pool;
    if (!isPool(pool)) {
      problems.add('diseaseCosts', i, 'pool', 'must be employee or resident');
      continue;
    }
    if (!T.has(pool)) problems.add('diseaseCosts', i, 'pool', `no ${pool} row in the budgets table`);
    const code = String(row.disease);
    const given = row.perHeadCost !== null;
    const fromHistory = row.fundPayment !== null || row.personsSettled !== null;
    let perHead = ZERO;
    if (given && fromHistory)
      problems.add('diseaseCosts', i, 'perHeadCost', 'give either perHeadCost or fundPayment with personsSettled, not both');
    else if (given) perHead = new Dec(row.perHeadCost as string);
    else if (row.fundPayment === null || row.personsSettled === null)
      problems.add(
        'diseaseCosts',
        i,
        row.fundPayment === null ? 'fundPayment' : 'personsSettled',
        'needs fundPayment and personsSettled, or perHeadCost',
      );
    else if (row.personsSettled === 0) problems.add('diseaseCosts', i, 'personsSettled', 'must be at least 1 (h_d divides by it)');
    else perHead = round2(new Dec(row.fundPayment as string).div(row.personsSettled as number));
    const uplift = row.uplift === null ? ZERO : new Dec(row.uplift as string);
    const g = diseases.length;
    diseases.push({
      g,
      pool,
      code,
      name: row.name === null ? null : String(row.name),
      source: given ? 'perHeadCost' : 'history',
      fundPayment: given || row.fundPayment === null ? null : new Dec(row.fundPayment as string),
      personsSettled: given ? null : (row.personsSettled as number | null),
      perHead,
      uplift,
      h: perHead.plus(uplift),
      standard: ZERO,
    });
  }
  const G = diseases.length;

  // Names and consortia.
  const hospitalName = new Map<string, string>();
  for (const row of rowsOf(inputs, hospitals)) hospitalName.set(String(row.hospitalCode), String(row.name));
  const consortiumOf = new Map<string, string>();
  const consortiumName = new Map<string, string>();
  rowsOf(inputs, consortia).forEach((row, i) => {
    const code = String(row.consortiumCode);
    const name = String(row.name);
    const known = consortiumName.get(code);
    if (known !== undefined && known !== name)
      problems.add('consortia', i, 'name', `consortium "${code}" is named "${known}" on an earlier row`);
    consortiumName.set(code, known ?? name);
    consortiumOf.set(String(row.hospitalCode), code);
  });

  // Family-doctor institutions.
  const fdRows = rowsOf(inputs, familyDoctors);
  const fdIndex = new Map<string, number>();
  fdRows.forEach((row, i) => fdIndex.set(String(row.institutionCode), i));
  const enrolledSigned = new Int32Array(fdRows.length);
  let signedUnlisted = 0;

  // The hot loop: every enrolment row to integers (hospital, disease, weight class, flags, months).
  const rows = rowsOf(inputs, enrolments);
  const n = rows.length;
  const rowH = new Int32Array(n);
  const rowG = new Int32Array(n);
  const rowC = new Uint8Array(n);
  // bit 0: enrolled at start; bit 1: treated (year end); bits 2–5: its months.
  const rowState = new Uint8Array(n);
  // As read, for the persons' figures: the age; treated 0 blank, 1 false, 2 true; months 0–12, 13 blank; the person.
  const rowAge = new Int32Array(n);
  const rowTreated = new Uint8Array(n);
  const rowMonths = new Uint8Array(n);
  const rowPerson = new Int32Array(n);
  const hIndex = new Map<string, number>();
  const hCodes: string[] = [];
  const hospitalOf = (code: string): number => {
    let h = hIndex.get(code);
    if (h === undefined) {
      h = hCodes.length;
      hIndex.set(code, h);
      hCodes.push(code);
    }
    return h;
  };
  const { ageFrom } = policy.riskAdjustment;
  // Diseases by pool, without building a key per row; disease codes numbered across pools.
  const gByPool = POOLS.map((pool) => new Map(diseases.filter((d) => d.pool === pool).map((d) => [d.code, d.g])));
  const codeIndex = new Map<string, number>();
  for (const d of diseases) if (!codeIndex.has(d.code)) codeIndex.set(d.code, codeIndex.size);
  const codes = Math.max(1, codeIndex.size);
  // Persons numbered in order of appearance, with their family-doctor institution ('' none) and
  // its place in doctorCodes (0 none): one per person.
  const personIndex = new Map<string, number>();
  const personIds: string[] = [];
  const personDoctor: string[] = [];
  const personDoctorCode = new Int32Array(n);
  const doctorCodes: (string | null)[] = [null];
  const doctorCode = new Map<string, number>();
  // Per person and disease: rows at start × 1000 + Σ months of treated rows. The person's first
  // disease is held beside the person (most have one); any other in a map by person × codes + code.
  const firstCode = new Int32Array(n).fill(-1);
  const firstTally = new Int32Array(n);
  const otherTally = new Map<number, number>();
  const codeOfG = diseases.map((d) => codeIndex.get(d.code)!);
  let lastPerson: string | null = null;
  let lastK = -1;
  let lastHospital: string | null = null;
  let lastH = -1;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const pool = row.pool;
    const person = row.person as string;
    const disease = row.disease as string;
    const p = pool === 'employee' ? 0 : pool === 'resident' ? 1 : -1;
    let ok = true;
    if (p < 0 || !T.has(pool as Pool)) {
      rowProblem('enrolments', i, 'pool', p >= 0 ? `no ${String(pool)} row in the budgets table` : 'must be employee or resident');
      ok = false;
    }
    const g = p < 0 ? undefined : gByPool[p].get(disease);
    if (ok && g === undefined) {
      rowProblem('enrolments', i, 'disease', `no ${String(pool)} row for disease "${disease}" in the diseaseCosts table`);
      ok = false;
    }
    const atStart = row.enrolledAtStart === true;
    const treated = row.treated as boolean | null;
    let months = row.months as number | null;
    if (months !== null && months > 12) {
      rowProblem('enrolments', i, 'months', `must be 0–12; got ${months}`);
      ok = false;
    }
    if (yearEnd) {
      if (treated === null) {
        rowProblem('enrolments', i, 'treated', 'is needed at the year end (the spending table is imported)');
        ok = false;
      }
      if (months === null) {
        if (atStart) months = 12;
        else {
          rowProblem('enrolments', i, 'months', 'is needed at the year end for a row enrolled during the year');
          ok = false;
        }
      }
    }
    const doctor = (row.familyDoctorInstitution as string | null) ?? '';
    // A person's rows usually come together: the previous row's person is looked up once.
    let k = person === lastPerson ? lastK : personIndex.get(person);
    if (k === undefined) {
      k = personDoctor.length;
      personIndex.set(person, k);
      personIds.push(person);
      personDoctor.push(doctor);
      let dc = doctor === '' ? 0 : doctorCode.get(doctor);
      if (dc === undefined) {
        dc = doctorCodes.length;
        doctorCode.set(doctor, dc);
        doctorCodes.push(doctor);
      }
      personDoctorCode[k] = dc;
      if (doctor !== '') {
        const f = fdIndex.get(doctor);
        if (f !== undefined) enrolledSigned[f]++;
        else signedUnlisted++;
      }
    } else if (personDoctor[k] !== doctor) {
      rowProblem('enrolments', i, 'familyDoctorInstitution', "differs from the person's other rows (a person signs with one institution)");
    }
    lastPerson = person;
    lastK = k;
    const code = g !== undefined ? codeOfG[g] : codeIndex.get(disease);
    if (code !== undefined) {
      if (firstCode[k] < 0) firstCode[k] = code;
      const first = firstCode[k] === code;
      const before = first ? firstTally[k] : (otherTally.get(k * codes + code) ?? 0);
      const after = before + (atStart ? 1000 : 0) + (treated === true && months !== null ? months : 0);
      if (first) firstTally[k] = after;
      else otherTally.set(k * codes + code, after);
      if (atStart && before >= 1000)
        rowProblem('enrolments', i, 'enrolledAtStart', 'the person already has a row of this disease enrolled at the start');
      if (after % 1000 > 12 && before % 1000 <= 12)
        rowProblem('enrolments', i, 'months', "the person's treated rows of this disease add up to more than 12 months");
    }
    if (row.hospitalCode !== lastHospital) {
      lastHospital = row.hospitalCode as string;
      lastH = hospitalOf(lastHospital);
    }
    rowH[i] = lastH;
    rowG[i] = ok ? g! : -1;
    rowC[i] = ((row.age as number) >= ageFrom ? 1 : 0) + (row.hasClass1Disease === true ? 2 : 0);
    rowState[i] = (atStart ? AT_START : 0) | (yearEnd && treated === true ? TREATED | (months! << 2) : 0);
    rowAge[i] = row.age as number;
    rowTreated[i] = treated === null ? 0 : treated ? 2 : 1;
    rowMonths[i] = months === null ? 13 : months;
    rowPerson[i] = k;
  }
  if (rowProblems > MAX_ROW_PROBLEMS)
    problems.add('enrolments', null, 'rows', `and ${rowProblems - MAX_ROW_PROBLEMS} more problem(s) of the rows not listed`);

  // Counts per hospital, disease and weight class: rows at start, rows treated, Σ months treated.
  const slotOf = new Map<number, number>();
  const slotH: number[] = [];
  const slotG: number[] = [];
  const slotC: number[] = [];
  const slotStart: number[] = [];
  const slotTreated: number[] = [];
  const slotMonths: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = rowG[i];
    if (g < 0) continue;
    const key = (rowH[i] * G + g) * CLASSES + rowC[i];
    let s = slotOf.get(key);
    if (s === undefined) {
      s = slotH.length;
      slotOf.set(key, s);
      slotH.push(rowH[i]);
      slotG.push(g);
      slotC.push(rowC[i]);
      slotStart.push(0);
      slotTreated.push(0);
      slotMonths.push(0);
    }
    const state = rowState[i];
    if (state & AT_START) slotStart[s]++;
    if (state & TREATED) {
      slotTreated[s]++;
      slotMonths[s] += state >> 2;
    }
  }

  // The weights ρ per class.
  const ageFactor = new Dec(policy.riskAdjustment.ageFactor);
  const class1Factor = new Dec(policy.riskAdjustment.class1Factor);
  const rho = [new Dec(1), ageFactor, class1Factor, ageFactor.times(class1Factor)];
  const rhoText = rho.map((r) => r.toString());

  // City-wide per disease: Σ ρ at start, Σ ρ × months at end; λ and the standards per pool.
  const gStartRows = new Array<number>(G).fill(0);
  const gTreatedRows = new Array<number>(G).fill(0);
  const gStartCount = new Array<number>(G * CLASSES).fill(0);
  const gMonths = new Array<number>(G * CLASSES).fill(0);
  for (let s = 0; s < slotH.length; s++) {
    gStartRows[slotG[s]] += slotStart[s];
    gTreatedRows[slotG[s]] += slotTreated[s];
    gStartCount[slotG[s] * CLASSES + slotC[s]] += slotStart[s];
    gMonths[slotG[s] * CLASSES + slotC[s]] += slotMonths[s];
  }
  const weightOf = (counts: readonly number[], g: number): Dec => {
    let w = ZERO;
    for (let c = 0; c < CLASSES; c++) if (counts[g * CLASSES + c]) w = w.plus(rho[c].times(counts[g * CLASSES + c]));
    return w;
  };
  const poolFigures = new Map<Pool, { T: Dec; weighted: Dec; lambda: Dec }>();
  for (const pool of pools) {
    const ds = diseases.filter((d) => d.pool === pool);
    const weighted = sumOf(ds.map((d) => d.h.times(weightOf(gStartCount, d.g))));
    const t = T.get(pool)!;
    if (weighted.isZero()) {
      problems.add(
        'enrolments',
        null,
        'enrolledAtStart',
        `the ${pool} pool has no row enrolled at the start of the year with a historical cost above 0: λ = T / 0`,
      );
      continue;
    }
    for (const d of ds) d.standard = round2(d.h.times(t).div(weighted));
    poolFigures.set(pool, { T: t, weighted, lambda: t.div(weighted) });
  }

  // Spending per hospital and pool.
  const spendingOf = new Map<string, Dec>();
  rowsOf(inputs, spending).forEach((row, i) => {
    const code = String(row.hospitalCode);
    if (!isPool(row.pool) || !T.has(row.pool)) {
      problems.add('spending', i, 'pool', isPool(row.pool) ? `no ${row.pool} row in the budgets table` : 'must be employee or resident');
      return;
    }
    if (!hIndex.has(code) && !hospitalName.has(code) && !consortiumOf.has(code))
      problems.add('spending', i, 'hospitalCode', `hospital "${code}" has no enrolment and is not in the hospitals or consortia table`);
    spendingOf.set(`${code}\u0000${row.pool}`, new Dec(row.fundPayment as string));
  });

  // The settlement units: consortia, and every other hospital known.
  for (const code of [...hospitalName.keys(), ...consortiumOf.keys(), ...fdIndex.keys()]) hospitalOf(code);
  for (const [code] of consortiumName)
    if (hIndex.has(code))
      problems.add('consortia', null, 'consortiumCode', `"${code}" is also a hospital code; a consortium needs its own code`);
  const unitMembers = new Map<string, number[]>();
  for (let h = 0; h < hCodes.length; h++) {
    const unit = consortiumOf.get(hCodes[h]) ?? hCodes[h];
    const list = unitMembers.get(unit);
    if (list) list.push(h);
    else unitMembers.set(unit, [h]);
  }
  const unitCodes = [...unitMembers.keys()].sort(byCode);
  const unitRankOfH = new Int32Array(hCodes.length);
  unitCodes.forEach((u, rank) => {
    const members = unitMembers.get(u)!.sort((a, b) => byCode(hCodes[a], hCodes[b]));
    for (const h of members) unitRankOfH[h] = rank;
  });

  // Slots by hospital.
  const slotsOfH: number[][] = Array.from({ length: hCodes.length }, () => []);
  for (let s = 0; s < slotH.length; s++) slotsOfH[slotH[s]].push(s);

  // A treated hospital and pool without a spending row.
  if (yearEnd) {
    const seen = new Set<string>();
    for (let s = 0; s < slotH.length; s++) {
      if (!slotTreated[s]) continue;
      const key = `${hCodes[slotH[s]]}\u0000${diseases[slotG[s]].pool}`;
      if (seen.has(key) || spendingOf.has(key)) continue;
      seen.add(key);
      problems.add(
        'spending',
        null,
        'hospitalCode',
        `hospital "${hCodes[slotH[s]]}" has treated ${diseases[slotG[s]].pool} rows but no ${diseases[slotG[s]].pool} spending row`,
      );
    }
  }
  problems.throwIfAny('disease-capitation');

  const advanceRatio = new Dec(policy.advanceRatio);
  const fee = new Dec(policy.familyDoctor.feePerPerson);
  const midShare = new Dec(policy.familyDoctor.midYearShare);

  // Per disease and weight class, shared by every person of the class: s_d × ρ; and the same as a
  // whole number of 10^−scale yuan, so that a hospital's Σ s_d × ρ × count is integer arithmetic
  // (a decimal operation per hospital, disease and class was a tenth of the run).
  const sRho = diseases.flatMap((d) => rho.map((r) => d.standard.times(r)));
  const scale = 2 + Math.max(...rho.map((r) => r.decimalPlaces()));
  const perYuan = new Dec(10).pow(scale);
  const sRhoUnits = sRho.map((x) => BigInt(x.times(perYuan).toFixed(0)));
  const ofUnits = (u: bigint): Dec => new Dec(u.toString()).div(perYuan);

  const providers: ProviderFigures[] = [];
  const units: UnitFigures[] = [];
  const regionPool = new Map<Pool, { allowanceAtStart: Dec; advances: Dec; end: Dec[][] }>(
    pools.map((p) => [p, { allowanceAtStart: ZERO, advances: ZERO, end: [] }]),
  );
  const regionYearEnd = new Map<Pool, Reconciliation[]>(pools.map((p) => [p, []]));
  const regionBalance = new Map<Pool, Dec>(pools.map((p) => [p, ZERO]));
  const allFamilyDoctors: FamilyDoctorFigures[] = [];

  for (const unit of unitCodes) {
    const members = unitMembers.get(unit)!;
    const isConsortium = consortiumName.has(unit);
    const poolList: UnitPoolFigures[] = [];
    for (const pool of pools) {
      const pf = poolFigures.get(pool)!;
      const memberFigures: MemberPoolFigures[] = [];
      const schedules: ReturnType<typeof monthlyInstalments>[] = [];
      const byDisease = new Map<number, { start: number[]; months: number[]; rowsAtStart: number; rowsTreated: number }>();
      let memberStart = ZERO;
      let memberEnd = ZERO;
      let memberSpending = ZERO;
      let memberAdvances = ZERO;
      for (const h of members) {
        let startUnits = 0n;
        let endUnits = 0n;
        let rowsAtStart = 0;
        let rowsTreated = 0;
        for (const s of slotsOfH[h]) {
          const d = diseases[slotG[s]];
          if (d.pool !== pool) continue;
          const gc = slotG[s] * CLASSES + slotC[s];
          if (slotStart[s]) startUnits += sRhoUnits[gc] * BigInt(slotStart[s]);
          if (slotMonths[s]) endUnits += sRhoUnits[gc] * BigInt(slotMonths[s]);
          rowsAtStart += slotStart[s];
          rowsTreated += slotTreated[s];
          let e = byDisease.get(d.g);
          if (!e) {
            e = { start: [0, 0, 0, 0], months: [0, 0, 0, 0], rowsAtStart: 0, rowsTreated: 0 };
            byDisease.set(d.g, e);
          }
          e.start[slotC[s]] += slotStart[s];
          e.months[slotC[s]] += slotMonths[s];
          e.rowsAtStart += slotStart[s];
          e.rowsTreated += slotTreated[s];
        }
        const spend = spendingOf.get(`${hCodes[h]}\u0000${pool}`);
        if (rowsAtStart === 0 && rowsTreated === 0 && spend === undefined) continue;
        const startSum = ofUnits(startUnits);
        const endSum = ofUnits(endUnits);
        const allowanceAtStart = round2(startSum);
        const schedule = monthlyInstalments(allowanceAtStart, advanceRatio);
        const advances = new Dec(schedule[0].instalment).times(11).plus(schedule[11].instalment);
        const contributionEnd = endSum.div(TWELVE);
        const allowanceAtEnd = round2(contributionEnd);
        const S = spend ?? ZERO;
        schedules.push(schedule);
        memberStart = memberStart.plus(allowanceAtStart);
        memberAdvances = memberAdvances.plus(advances);
        memberEnd = memberEnd.plus(allowanceAtEnd);
        memberSpending = memberSpending.plus(S);
        memberFigures.push({
          hospitalCode: hCodes[h],
          rowsAtStart,
          contributionAtStart: startSum.toString(),
          allowanceAtStart: money(allowanceAtStart),
          advances: money(advances),
          rowsTreated: yearEnd ? rowsTreated : null,
          contributionAtEnd: yearEnd ? contributionEnd.toString() : null,
          allowanceAtEnd: yearEnd ? money(allowanceAtEnd) : null,
          spending: yearEnd ? money(S) : null,
        });
      }
      if (memberFigures.length === 0) continue;
      // Σ of 2-dp amounts in whole fen: exact.
      const schedule = Array.from({ length: 12 }, (_, m) => ({
        month: m + 1,
        allowance: yuanOfFen(schedules.reduce((t, s) => t + wholeFen(s[m].allowance), 0)),
        advance: yuanOfFen(schedules.reduce((t, s) => t + wholeFen(s[m].instalment), 0)),
      }));
      const diseaseFigures: UnitDiseaseFigures[] = [...byDisease.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([g, e]) => {
          const d = diseases[g];
          const wStart = weightOf(e.start, 0);
          const wEnd = weightOf(e.months, 0).div(TWELVE);
          return {
            disease: d.code,
            standard: money(d.standard),
            rowsAtStart: e.rowsAtStart,
            weightAtStart: wStart.toString(),
            contributionAtStart: d.standard.times(wStart).toString(),
            rowsTreated: yearEnd ? e.rowsTreated : null,
            weightAtEnd: yearEnd ? wEnd.toString() : null,
            contributionAtEnd: yearEnd ? d.standard.times(wEnd).toString() : null,
          };
        });
      let end: UnitPoolFigures['yearEnd'] = null;
      if (yearEnd) {
        const rec = reconcile({
          allowance: memberEnd,
          spending: memberSpending,
          retentionRatio: policy.retentionRatio,
          tiers: policy.tiers,
          parties: DISEASE_CAPITATION_PARTIES,
        });
        const bal = new Dec(rec.paymentByFund).minus(memberAdvances);
        end = {
          allowance: rec.allowance,
          spending: rec.spending,
          reconciliation: rec,
          paymentByFund: rec.paymentByFund,
          hospitalPart: rec.parts.hospital,
          balance: money(bal),
        };
        regionYearEnd.get(pool)!.push(rec);
        regionBalance.set(pool, regionBalance.get(pool)!.plus(bal));
      }
      const rp = regionPool.get(pool)!;
      rp.allowanceAtStart = rp.allowanceAtStart.plus(memberStart);
      rp.advances = rp.advances.plus(memberAdvances);
      poolList.push({
        pool,
        lambda: pf.lambda.toString(),
        diseases: diseaseFigures,
        members: memberFigures,
        allowanceAtStart: money(memberStart),
        schedule,
        advances: money(memberAdvances),
        yearEnd: end,
      });
    }

    // The family-doctor fee of the unit's institutions.
    const institutions: FamilyDoctorFigures[] = [];
    for (const h of members) {
      const f = fdIndex.get(hCodes[h]);
      if (f === undefined) continue;
      const row = fdRows[f];
      const signedAtMidYear = row.signedAtMidYear as number;
      const served = row.signedAndServed as number | null;
      const scoreRecorded = row.score !== null;
      const score = scoreRecorded ? new Dec(row.score as string) : new Dec(1);
      const advance = round2(midShare.times(fee).times(signedAtMidYear));
      const earned = served === null ? null : round2(fee.times(served).times(score));
      const figures: FamilyDoctorFigures = {
        institutionCode: hCodes[h],
        name: row.name === null ? null : String(row.name),
        feePerPerson: money(fee),
        signedAtMidYear,
        enrolledSigned: enrolledSigned[f],
        midYearAdvance: money(advance),
        signedAndServed: served,
        score: score.toString(),
        scoreRecorded,
        earned: earned === null ? null : money(earned),
        yearEndPayment: earned === null ? null : money(earned.minus(advance)),
      };
      institutions.push(figures);
      allFamilyDoctors.push(figures);
    }
    const fdYearEnd = sumOf(institutions.filter((x) => x.yearEndPayment !== null).map((x) => new Dec(x.yearEndPayment!)));

    const total = (f: (p: UnitPoolFigures) => string): string => money(sumOf(poolList.map((p) => new Dec(f(p)))));
    const totalEnd = (f: (e: NonNullable<UnitPoolFigures['yearEnd']>) => string): string | null =>
      yearEnd ? money(sumOf(poolList.map((p) => new Dec(f(p.yearEnd!))))) : null;
    const balance = totalEnd((e) => e.balance);
    const memberList = members.map((h) => ({
      hospitalCode: hCodes[h],
      name: hospitalName.get(hCodes[h]) ?? fdName(fdRows, fdIndex, hCodes[h]) ?? hCodes[h],
    }));
    const figures: UnitFigures = {
      unit: isConsortium ? 'consortium' : 'hospital',
      members: memberList,
      pools: poolList,
      allowanceAtStart: total((p) => p.allowanceAtStart),
      advances: total((p) => p.advances),
      allowanceAtEnd: totalEnd((e) => e.allowance),
      spending: totalEnd((e) => e.spending),
      paymentByFund: totalEnd((e) => e.paymentByFund),
      hospitalPart: totalEnd((e) => e.hospitalPart),
      balance,
      familyDoctor: {
        institutions,
        midYearAdvance: money(sumOf(institutions.map((x) => new Dec(x.midYearAdvance)))),
        yearEndPayment: money(fdYearEnd),
      },
      dueFromFund: balance === null ? null : money(new Dec(balance).plus(fdYearEnd)),
    };
    units.push(figures);
    providers.push({
      provider: unit,
      name: isConsortium ? consortiumName.get(unit)! : memberList[0].name,
      visibleTo: memberList.map((m) => m.hospitalCode),
      figures: figures as unknown as Record<string, unknown>,
    });
  }

  // Persons: one per enrolment row, grouped by unit in unit order (a counting sort; input order within a unit).
  const { start, order } = groupRows(n, unitCodes.length, (i) => unitRankOfH[rowH[i]]);
  // The persons' columns in one pass over the rows in unit order; each value an index into the few values a column takes.
  const G4 = G * CLASSES;
  // contributionAtEnd: 0 null (before the year end), 1 '0' (not treated), then s_d × ρ × months / 12 as met (by gc × 13 + months).
  const endDict: FigureValue[] = [null, '0'];
  const endIndex = new Int32Array(G4 * 13).fill(-1);
  const col = {
    person: new Array<string>(n),
    hospital: new Int32Array(n),
    g: new Int32Array(n),
    c: new Uint8Array(n),
    age: new Int32Array(n),
    atStart: new Uint8Array(n),
    contributionAtStart: new Int32Array(n),
    treated: new Uint8Array(n),
    months: new Uint8Array(n),
    contributionAtEnd: new Int32Array(n),
    doctor: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const gc = rowG[i] * CLASSES + rowC[i];
    const state = rowState[i];
    col.person[k] = personIds[rowPerson[i]];
    col.hospital[k] = rowH[i];
    col.g[k] = rowG[i];
    col.c[k] = rowC[i];
    col.age[k] = rowAge[i];
    col.atStart[k] = state & AT_START;
    col.contributionAtStart[k] = state & AT_START ? gc : G4;
    col.treated[k] = rowTreated[i];
    col.months[k] = rowMonths[i];
    col.doctor[k] = personDoctorCode[rowPerson[i]];
    if (!yearEnd) continue;
    if (!(state & TREATED)) col.contributionAtEnd[k] = 1;
    else {
      const key = gc * 13 + (state >> 2);
      if (endIndex[key] < 0) {
        endIndex[key] = endDict.length;
        endDict.push(
          sRho[gc]
            .times(state >> 2)
            .div(TWELVE)
            .toString(),
        );
      }
      col.contributionAtEnd[k] = endIndex[key];
    }
  }
  const coded = (name: keyof EnrolmentFigures, dict: readonly FigureValue[], index: ArrayLike<number>): PersonColumn => ({
    name,
    kind: 'coded',
    dict,
    index,
  });
  const persons: PersonTable = {
    providers: unitCodes,
    start,
    person: col.person,
    columns: [
      coded('hospitalCode', hCodes, col.hospital),
      coded(
        'pool',
        diseases.map((d) => d.pool),
        col.g,
      ),
      coded(
        'disease',
        diseases.map((d) => d.code),
        col.g,
      ),
      { name: 'age', kind: 'whole', ints: col.age },
      coded('hasClass1Disease', [false, false, true, true], col.c),
      coded('rho', rhoText, col.c),
      coded(
        'standard',
        diseases.map((d) => money(d.standard)),
        col.g,
      ),
      coded('enrolledAtStart', [false, true], col.atStart),
      coded('contributionAtStart', [...sRho.map((x) => x.toString()), '0'], col.contributionAtStart),
      coded('treated', [null, false, true], col.treated),
      coded('months', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, null], col.months),
      coded('contributionAtEnd', endDict, col.contributionAtEnd),
      coded('familyDoctorInstitution', doctorCodes, col.doctor),
    ],
  };

  const region = regionFigures();
  return { providers, region, persons };

  function regionFigures(): Record<string, unknown> {
    const poolList: PoolRegionFigures[] = pools.map((pool) => {
      const pf = poolFigures.get(pool)!;
      const rp = regionPool.get(pool)!;
      const recs = regionYearEnd.get(pool)!;
      const ds = diseases.filter((d) => d.pool === pool);
      const add = (f: (r: Reconciliation) => string): string => money(sumOf(recs.map((r) => new Dec(f(r)))));
      return {
        pool,
        fundControl: money(pf.T),
        weightedHistoricalCost: pf.weighted.toString(),
        lambda: pf.lambda.toString(),
        rowsAtStart: ds.reduce((t, d) => t + gStartRows[d.g], 0),
        rowsTreated: yearEnd ? ds.reduce((t, d) => t + gTreatedRows[d.g], 0) : null,
        diseases: ds.map((d) => {
          const wStart = weightOf(gStartCount, d.g);
          return {
            disease: d.code,
            name: d.name,
            source: d.source,
            fundPayment: d.fundPayment === null ? null : money(d.fundPayment),
            personsSettled: d.personsSettled,
            perHead: money(d.perHead),
            uplift: money(d.uplift),
            historicalCost: money(d.h),
            standard: money(d.standard),
            rowsAtStart: gStartRows[d.g],
            weightAtStart: wStart.toString(),
            historicalAtStart: d.h.times(wStart).toString(),
            rowsTreated: yearEnd ? gTreatedRows[d.g] : null,
            weightAtEnd: yearEnd ? weightOf(gMonths, d.g).div(TWELVE).toString() : null,
          };
        }),
        allowanceAtStart: money(rp.allowanceAtStart),
        roundingDifference: money(rp.allowanceAtStart.minus(pf.T)),
        advances: money(rp.advances),
        yearEnd: yearEnd
          ? {
              allowance: add((r) => r.allowance),
              spending: add((r) => r.spending),
              surplus: add((r) => r.surplus),
              retained: add((r) => r.retained),
              fundKeeps: add((r) => r.fundKeeps),
              overspend: add((r) => r.overspend),
              fundPart: add((r) => r.parts[FUND]),
              hospitalPart: add((r) => r.parts.hospital),
              paymentByFund: add((r) => r.paymentByFund),
              balance: money(regionBalance.get(pool)!),
            }
          : null,
      };
    });
    const totalOf = (f: (u: UnitFigures) => string | null): string | null =>
      yearEnd ? money(sumOf(units.map((u) => new Dec(f(u) ?? '0')))) : null;
    // Σ over the family-doctor institutions that have the figure.
    const fdCount = (f: (x: FamilyDoctorFigures) => number | null): number => allFamilyDoctors.reduce((t, x) => t + (f(x) ?? 0), 0);
    const fdMoney = (f: (x: FamilyDoctorFigures) => string | null): string => money(sumOf(allFamilyDoctors.map((x) => new Dec(f(x) ?? 0))));
    return {
      year,
      stage: yearEnd ? 'year-end' : 'start',
      riskAdjustment: {
        ageFrom: policy.riskAdjustment.ageFrom,
        ageFactor: policy.riskAdjustment.ageFactor,
        class1Factor: policy.riskAdjustment.class1Factor,
        rho: { none: rhoText[0], age: rhoText[1], class1: rhoText[2], both: rhoText[3] },
      },
      advanceRatio: policy.advanceRatio,
      retentionRatio: policy.retentionRatio,
      tiers: policy.tiers,
      rows: n,
      persons: personDoctor.length,
      hospitals: hCodes.length,
      units: unitCodes.length,
      consortia: consortiumName.size,
      pools: poolList,
      allowanceAtStart: money(sumOf(units.map((u) => new Dec(u.allowanceAtStart)))),
      advances: money(sumOf(units.map((u) => new Dec(u.advances)))),
      allowanceAtEnd: totalOf((u) => u.allowanceAtEnd),
      spending: totalOf((u) => u.spending),
      paymentByFund: totalOf((u) => u.paymentByFund),
      hospitalPart: totalOf((u) => u.hospitalPart),
      balance: totalOf((u) => u.balance),
      familyDoctor: {
        feePerPerson: money(fee),
        midYearShare: policy.familyDoctor.midYearShare,
        institutions: allFamilyDoctors.length,
        signedAtMidYear: fdCount((x) => x.signedAtMidYear),
        enrolledSigned: fdCount((x) => x.enrolledSigned),
        enrolledSignedUnlisted: signedUnlisted,
        midYearAdvance: fdMoney((x) => x.midYearAdvance),
        signedAndServed: fdCount((x) => x.signedAndServed),
        earned: fdMoney((x) => x.earned),
        yearEndPayment: fdMoney((x) => x.yearEndPayment),
        yearEndComputed: allFamilyDoctors.filter((x) => x.yearEndPayment !== null).length,
      },
      dueFromFund: totalOf((u) => u.dueFromFund),
    };
  }
}

function fdName(rows: readonly InputRow[], index: ReadonlyMap<string, number>, code: string): string | null {
  const f = index.get(code);
  return f === undefined || rows[f].name === null ? null : String(rows[f].name);
}

export const diseaseCapitationScheme: SchemeDefinition<DiseaseCapitationPolicy> = {
  id: 'disease-capitation',
  seed: '000 (Panzhihua)',
  title: 'A. Per-disease per-head payment for outpatient special diseases (二类门特按病种结合人头付费)',
  tables: DISEASE_CAPITATION_TABLES,
  parsePolicy: parseDiseaseCapitationPolicy,
  run: runDiseaseCapitation,
};
