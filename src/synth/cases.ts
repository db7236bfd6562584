import { CASE_FIELDS, CaseField, Pool } from '../domain/case-record';
import { procedureTyper, TreatmentType } from '../domain/codes';
import { Hospital, HOSPITAL_LEVELS } from '../domain/hospital';
import { ClinicalTraits, clinicalTraits, isDaySurgeryChapter, procedureCostFactor, SurgicalPropensity } from './clinical';
import { CodeUniverse, DiagnosisSubcategory } from './code-universe';
import { fenToYuan, toFen } from './money';
import { hash32, Rng, Weighted, ZipfCache, zipfWeights } from './random';

export interface CaseOptions {
  seed: number;
  /** Discharge year of every generated case. */
  year: number;
  /** Number of cases (discharges) in the year. */
  cases: number;
}

/** Seeds of the independent random streams (mixed with the user's seed by hash32). */
const STREAM = { cases: 0xca5e, popularity: 0x9091, profile: 0x960f, procedures: 0x960c, volume: 0x7017, patient: 0x9a71 } as const;

// Per hospital level, in HOSPITAL_LEVELS order (三甲 … 其他镇卫生院).
/** Mean annual discharges of one hospital. */
const LEVEL_VOLUME = [30000, 12000, 9000, 3500, 900, 1300, 700];
/** Cost of the same treatment relative to a 三甲 hospital; a little steeper than the usual coefficients. */
const LEVEL_COST = [1.0, 0.92, 0.82, 0.75, 0.62, 0.58, 0.54];
/** How much more (less) often the same diagnosis is operated on. */
const LEVEL_SURGERY = [1.3, 1.15, 1.0, 0.8, 0.35, 0.3, 0.25];
/** Levels up to 其他二级 (index 3) take the specialist work. */
const SPECIALIST_LEVEL = 3;
/** External experts (外聘专家) come to the smaller hospitals to operate. */
const LEVEL_EXTERNAL_EXPERT = [0.002, 0.002, 0.012, 0.012, 0.02, 0.02, 0.02];
/** Deductible (起付线) in yuan, employee / resident. */
const LEVEL_DEDUCTIBLE: Record<Pool, readonly number[]> = {
  employee: [900, 900, 600, 600, 300, 300, 300],
  resident: [1000, 1000, 700, 700, 400, 200, 200],
};
/** Reimbursement ratio above the deductible, employee / resident. */
const LEVEL_REIMBURSEMENT: Record<Pool, readonly number[]> = {
  employee: [0.85, 0.86, 0.88, 0.88, 0.9, 0.92, 0.92],
  resident: [0.62, 0.64, 0.7, 0.72, 0.78, 0.85, 0.85],
};

/** Severity tier drawn for a case: none, a moderate (CC-like) or a severe (MCC-like) secondary diagnosis. */
const TIER_COST = [1, 1.22, 1.55];
const TIER_LOS = [1, 1.2, 1.5];
const TIER_DEATH = [0.6, 1.8, 5];

/** Median ward cost (everything but the procedures) of a diagnosis at a 三甲 hospital, yuan. */
const WARD_COST_MEDIAN = 5500;
const SURGERY_COST_MEDIAN = 9000;
const DIAGNOSTIC_COST_MEDIAN = 1200;
const THERAPEUTIC_COST_MEDIAN = 2000;
const LOS_MEDIAN = 7;
const LETHALITY_MEDIAN = 0.008;
/** Costs rise by about 3 % a year. */
const COST_GROWTH = 1.03;
const COST_BASE_YEAR = 2020;
const MAX_LOS = 300;
/** No inpatient stay costs less than 300 yuan. */
const MIN_COST_FEN = 30000;

/** Subcategories that lead real inpatient statistics; those present in the universe head the popularity ranking. */
const COMMON_SUBCATEGORIES = [
  'J18.9',
  'I63.9',
  'I25.1',
  'Z51.1',
  'J44.1',
  'I10.x',
  'E11.9',
  'K80.1',
  'C34.9',
  'I50.9',
  'J20.9',
  'O82.0',
  'H25.9',
  'K35.8',
  'M51.2',
  'S72.0',
  'K29.7',
  'I20.0',
  'N18.5',
  'K80.2',
  'N20.0',
  'I61.9',
  'A09.9',
  'K40.9',
  'M17.9',
  'I48.9',
  'C16.9',
  'C50.9',
  'N39.0',
  'O80.0',
];
/** Comorbidities that fill most secondary-diagnosis fields. */
const COMMON_COMORBIDITIES = [
  'I10.x00',
  'E11.900',
  'I25.103',
  'E78.500',
  'K76.000',
  'I67.200',
  'E03.900',
  'K21.000',
  'D64.900',
  'R73.900',
  'I48.900',
];

// Shape of the popularity curves (tuned so that 1,000,000 cases give about 10,000 groups).
const SUBCATEGORY_ZIPF = { exponent: 1.2, offset: 8 };
const PROCEDURE_ZIPF_EXPONENT = 1.35;
const CODE_ZIPF_EXPONENT = 1.3;
const SECONDARY_ZIPF_EXPONENT = 1.0;

type ProcedureType = Exclude<TreatmentType, 'conservative'>;

const enum Pattern {
  Conservative,
  Diagnostic,
  Therapeutic,
  Surgery,
}

/** How one subcategory is usually treated: fixed for the seed, the same in every year. */
interface Profile {
  codes: readonly string[];
  traits: ClinicalTraits;
  /** Unnormalised weights of the conservative, diagnostic, therapeutic and surgical patterns. */
  conservative: number;
  diagnostic: number;
  therapeutic: number;
  surgery: number;
  /** Chance that a conservative case has imaging or other tests coded (still the conservative key). */
  testsCoded: number;
  /** Chance that a conservative case has a therapeutic procedure coded without a principal one (no key, spec §3). */
  therapyWithoutPrincipal: number;
  /** Procedure indexes, most frequent first. */
  surgical: number[];
  /** For each surgical entry: whether it is commonly done as a day surgery (日间手术). */
  dayCapable: boolean[];
  diagnosticProcs: number[];
  therapeuticProcs: number[];
  wardCost: number;
  los: number;
  lethality: number;
}

const SURGICAL_SHARE: Record<SurgicalPropensity, (rng: Rng) => number> = {
  rare: (rng) => (rng.chance(0.5) ? 0 : 0.12 * rng.float() ** 2),
  mixed: (rng) => rng.between(0.1, 0.5),
  usual: (rng) => rng.between(0.35, 0.85),
};

/** The subcategory's usual mix of treatments, with more surgery at the bigger hospitals. */
function choosePattern(p: Profile, level: number, rng: Rng): Pattern {
  const surgery = p.surgery * LEVEL_SURGERY[level];
  let u = rng.float() * (p.conservative + p.diagnostic + p.therapeutic + surgery);
  if ((u -= surgery) < 0) return Pattern.Surgery;
  if ((u -= p.diagnostic) < 0) return Pattern.Diagnostic;
  if ((u -= p.therapeutic) < 0) return Pattern.Therapeutic;
  return Pattern.Conservative;
}

const DAY = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const isoDate = (epochDay: number): string => {
  const d = new Date(epochDay * DAY);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};

/** Full years between two epoch days, by the calendar (a birthday counts on the day). */
function fullYears(birthDay: number, onDay: number): number {
  const b = new Date(birthDay * DAY);
  const d = new Date(onDay * DAY);
  let years = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) years--;
  return years;
}

/** Common entries first (those that exist), then the rest in a seeded random order. */
function rankWithCommonFirst<T>(items: readonly T[], keyOf: (t: T) => string, common: readonly string[], rng: Rng): T[] {
  const byKey = new Map(items.map((t) => [keyOf(t), t]));
  const head = common.map((k) => byKey.get(k)).filter((t): t is T => t !== undefined);
  const inHead = new Set(head);
  return [...head, ...rng.shuffle(items.filter((t) => !inHead.has(t)))];
}

/**
 * The case model: hospitals with their volumes, subcategories with their popularity, and
 * per-subcategory treatment profiles, all fixed by the seed.
 */
class CaseModel {
  private readonly levelOf: number[];
  private readonly hospitalChoice: Weighted;
  /** Hospitals of the secondary and tertiary levels only, for specialist diagnoses. */
  private readonly specialistHospitals: number[];
  private readonly specialistChoice: Weighted;
  private readonly subcategories: readonly DiagnosisSubcategory[];
  private readonly subcategoryChoice: Weighted;
  private readonly profiles: (Profile | undefined)[];
  private readonly procCodes: readonly string[];
  private readonly procCost: Float64Array;
  /** Procedure indexes by type and ICD-9-CM-3 chapter. */
  private readonly procsByChapter: Record<ProcedureType, number[][]>;
  private readonly pools = new Map<string, number[]>();
  private readonly secondary: { codes: string[]; choice: Weighted }[];
  private readonly shortLists = new ZipfCache(PROCEDURE_ZIPF_EXPONENT);
  private readonly codeLists = new ZipfCache(CODE_ZIPF_EXPONENT);

  constructor(
    private readonly seed: number,
    universe: CodeUniverse,
    private readonly hospitals: readonly Hospital[],
  ) {
    if (hospitals.length === 0) throw new Error('at least one hospital is needed');
    if (universe.subcategories.length === 0 || universe.procedures.length === 0) throw new Error('the code universe is empty');
    this.levelOf = hospitals.map((h) => HOSPITAL_LEVELS.indexOf(h.level));
    const volume = hospitals.map((_, i) => new Rng(hash32(seed, STREAM.volume, i)).logNormal(LEVEL_VOLUME[this.levelOf[i]], 0.4));
    this.hospitalChoice = new Weighted(volume);
    const secondary = volume.map((_, i) => i).filter((i) => this.levelOf[i] <= SPECIALIST_LEVEL);
    // A region without secondary or tertiary hospitals sends the specialist work anywhere.
    this.specialistHospitals = secondary.length > 0 ? secondary : volume.map((_, i) => i);
    this.specialistChoice = new Weighted(this.specialistHospitals.map((i) => volume[i]));

    const popularity = new Rng(hash32(seed, STREAM.popularity));
    this.subcategories = rankWithCommonFirst(universe.subcategories, (s) => s.subcategory, COMMON_SUBCATEGORIES, popularity);
    this.subcategoryChoice = new Weighted(zipfWeights(this.subcategories.length, SUBCATEGORY_ZIPF.exponent, SUBCATEGORY_ZIPF.offset));
    this.profiles = new Array<Profile | undefined>(this.subcategories.length);
    this.secondary = [
      rankWithCommonFirst(universe.plainSecondary, (c) => c, COMMON_COMORBIDITIES, popularity),
      popularity.shuffle([...universe.moderateSecondary]),
      popularity.shuffle([...universe.severeSecondary]),
    ].map((codes) => ({ codes, choice: new Weighted(zipfWeights(Math.max(codes.length, 1), SECONDARY_ZIPF_EXPONENT)) }));

    const typeOf = procedureTyper(new Map(), universe.procedureNames);
    const procRng = new Rng(hash32(seed, STREAM.procedures));
    this.procCodes = universe.procedures;
    this.procCost = new Float64Array(this.procCodes.length);
    this.procsByChapter = { surgery: [], diagnostic: [], therapeutic: [] };
    for (const list of Object.values(this.procsByChapter)) for (let c = 0; c < 100; c++) list.push([]);
    this.procCodes.forEach((code, i) => {
      const chapter = Number(code.slice(0, 2));
      const type = typeOf(code);
      this.procsByChapter[type][chapter].push(i);
      this.procCost[i] =
        type === 'surgery'
          ? procRng.logNormal(SURGERY_COST_MEDIAN * procedureCostFactor(chapter), 0.7)
          : procRng.logNormal(type === 'diagnostic' ? DIAGNOSTIC_COST_MEDIAN : THERAPEUTIC_COST_MEDIAN, 0.5);
    });
    // Every subcategory draws its non-surgical procedures from these chapters.
    const missing = (
      [
        ['diagnostic', 87, 92],
        ['therapeutic', 93, 99],
      ] as const
    ).filter(([type, lo, hi]) => !this.procsByChapter[type].slice(lo, hi + 1).some((l) => l.length > 0));
    if (missing.length > 0)
      throw new Error(
        `the code universe has no ${missing.map(([type, lo, hi]) => `${type} procedures (chapters ${lo}–${hi})`).join(' and no ')}`,
      );
  }

  private profile(index: number): Profile {
    const cached = this.profiles[index];
    if (cached) return cached;
    const rng = new Rng(hash32(this.seed, STREAM.profile, index));
    const sub = this.subcategories[index];
    const traits = clinicalTraits(sub.category);
    const from = (type: ProcedureType, chapters: readonly number[], count: number): number[] => {
      const pool = this.procedurePool(type, chapters);
      const picked = new Set<number>();
      for (let tries = 0; picked.size < Math.min(count, pool.length) && tries < count * 20; tries++) picked.add(rng.pick(pool));
      return [...picked];
    };
    const surgical = from('surgery', traits.chapters, 3 + rng.int(20));
    const dayCapable = surgical.map(
      (p) => !traits.age && isDaySurgeryChapter(Number(this.procCodes[p].slice(0, 2))) && this.procCost[p] < 15000 && rng.chance(0.3),
    );
    const diagnosticProcs = from('diagnostic', [...traits.chapters, 87, 88, 89, 90, 91, 92], 2 + rng.int(5));
    const therapeuticProcs = from('therapeutic', [93, 94, 95, 96, 97, 98, 99], 2 + rng.int(5));
    const surgery = surgical.length > 0 ? SURGICAL_SHARE[traits.surgical](rng) : 0;
    // Not every diagnosis has a typical diagnostic or therapeutic principal procedure.
    const diagnostic = rng.chance(0.35) ? rng.between(0.03, 0.25) : 0;
    const therapeutic = rng.chance(0.4) ? rng.between(0.03, 0.25) : 0;
    const profile: Profile = {
      codes: sub.codes,
      traits,
      conservative: Math.max(0.05, 1 - surgery - diagnostic - therapeutic),
      testsCoded: rng.chance(0.3) ? rng.between(0.05, 0.3) : 0,
      therapyWithoutPrincipal: rng.chance(0.3) ? rng.between(0.02, 0.12) : 0,
      diagnostic,
      therapeutic,
      surgery,
      surgical,
      dayCapable,
      diagnosticProcs,
      therapeuticProcs,
      wardCost: rng.logNormal(WARD_COST_MEDIAN * traits.cost, 0.45),
      los: Math.min(40, rng.logNormal(LOS_MEDIAN * traits.los, 0.3)),
      lethality: Math.min(0.25, rng.logNormal(LETHALITY_MEDIAN * traits.lethality, 1)),
    };
    this.profiles[index] = profile;
    return profile;
  }

  /** The procedures of a type in some chapters; memoised, since many subcategories share their chapter list. */
  private procedurePool(type: ProcedureType, chapters: readonly number[]): number[] {
    const key = `${type}:${chapters.join(',')}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = chapters.flatMap((c) => this.procsByChapter[type][c]);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private pickFrom(list: readonly number[], rng: Rng): number {
    return list[this.shortLists.of(list.length).sample(rng)];
  }

  /** Age at admission in days, by the diagnosis' population. */
  private lifeDays(traits: ClinicalTraits, rng: Rng): number {
    const years = (y: number) => Math.floor(y * 365.2425);
    switch (traits.age) {
      case 'newborn':
        return rng.int(29);
      case 'maternal':
        return years(Math.min(48, Math.max(16, 29 + 5 * rng.normal())));
      case 'child':
        return rng.chance(0.15) ? rng.int(365) : years(rng.between(1, 15));
      default: {
        const u = rng.float();
        if (u < 0.04) return 29 + rng.int(336);
        if (u < 0.14) return years(rng.between(1, 18));
        if (u < 0.55) return years(rng.between(18, 60));
        return years(60 + 36 * rng.float() ** 1.6);
      }
    }
  }

  /** One discharge of `year`; `seq` numbers the case within the year. */
  next(rng: Rng, year: number, seq: number, dates: YearDates): string[] {
    const p = this.profile(this.subcategoryChoice.sample(rng));
    const specialist = (p.traits.specialist || p.traits.surgical === 'usual') && rng.chance(0.95);
    const hi = specialist ? this.specialistHospitals[this.specialistChoice.sample(rng)] : this.hospitalChoice.sample(rng);
    const level = this.levelOf[hi];
    const principalDiagnosis = p.codes[this.codeLists.of(p.codes.length).sample(rng)];

    const lifeDays = this.lifeDays(p.traits, rng);
    const ageYears = lifeDays / 365.2425;
    const sex = p.traits.sex ?? (rng.chance(0.0003) ? 'U' : rng.chance(0.52) ? 'M' : 'F');
    const pool: Pool =
      ageYears < 18 ? (rng.chance(0.03) ? 'employee' : 'resident') : rng.chance(ageYears < 60 ? 0.62 : 0.5) ? 'employee' : 'resident';

    const pattern = choosePattern(p, level, rng);
    let principal = -1;
    const others: number[] = [];
    const addOther = (proc: number) => {
      if (proc !== principal && !others.includes(proc)) others.push(proc);
    };
    let daySurgery = false;
    switch (pattern) {
      case Pattern.Surgery: {
        const rank = this.shortLists.of(p.surgical.length).sample(rng);
        principal = p.surgical[rank];
        daySurgery = p.dayCapable[rank] && level <= SPECIALIST_LEVEL && rng.chance(0.5);
        if (!daySurgery && rng.chance(0.18)) {
          addOther(this.pickFrom(p.surgical, rng));
          if (rng.chance(0.2)) addOther(this.pickFrom(p.surgical, rng));
        }
        if (rng.chance(0.5)) addOther(this.pickFrom(p.diagnosticProcs, rng));
        if (rng.chance(0.3)) addOther(this.pickFrom(p.therapeuticProcs, rng));
        break;
      }
      case Pattern.Diagnostic:
        principal = this.pickFrom(p.diagnosticProcs, rng);
        if (rng.chance(0.3)) addOther(this.pickFrom(p.diagnosticProcs, rng));
        break;
      case Pattern.Therapeutic:
        principal = this.pickFrom(p.therapeuticProcs, rng);
        if (rng.chance(0.3)) addOther(this.pickFrom(p.diagnosticProcs, rng));
        break;
      case Pattern.Conservative:
        // Imaging alone keeps the conservative key; a therapeutic procedure without a principal one has no key (spec §3).
        if (rng.chance(p.testsCoded)) addOther(this.pickFrom(p.diagnosticProcs, rng));
        if (rng.chance(p.therapyWithoutPrincipal)) addOther(this.pickFrom(p.therapeuticProcs, rng));
        break;
    }

    let u = rng.float();
    const severeShare = 0.02 + 0.0012 * ageYears;
    const tier = daySurgery ? 0 : u < severeShare ? 2 : u < severeShare + 0.1 + 0.0025 * ageYears ? 1 : 0;
    const ageDeath = ageYears >= 75 ? 2.2 : ageYears >= 60 ? 1.2 : ageYears < 1 ? 1 : 0.4;
    const died = !daySurgery && rng.chance(Math.min(0.5, p.lethality * TIER_DEATH[tier] * ageDeath));
    u = rng.float();
    const dischargeMode = died ? '5' : u < 0.012 ? '2' : u < 0.016 ? '3' : u < 0.036 ? '4' : u < 0.041 ? '9' : '1';
    // Transfers and discharges against advice leave early and cheap.
    const leftEarly = dischargeMode === '2' || dischargeMode === '4' ? 0.6 : 1;

    const intensity = rng.normal();
    const stay = daySurgery
      ? rng.int(2)
      : Math.round(
          p.los *
            (pattern === Pattern.Surgery ? 1.35 : 1) *
            TIER_LOS[tier] *
            leftEarly *
            (died ? rng.between(0.2, 1.5) : 1) *
            Math.exp(0.42 * intensity + 0.2 * rng.normal()),
        );
    const losDays = Math.min(MAX_LOS, stay);
    const discharge = dates.jan1 + rng.int(dates.days);
    const admission = discharge - losDays;
    const birth = admission - lifeDays;
    const age = fullYears(birth, admission);

    let procedureCost = principal >= 0 ? this.procCost[principal] : 0;
    for (const o of others) procedureCost += this.procCost[o];
    let yuan =
      (p.wardCost * Math.exp(0.22 * intensity) * (daySurgery ? 0.25 : 1) + procedureCost) *
      LEVEL_COST[level] *
      TIER_COST[tier] *
      (died ? 1.4 : 1) *
      leftEarly *
      Math.pow(COST_GROWTH, year - COST_BASE_YEAR) *
      Math.exp(0.12 * rng.normal());
    // A few per cent cost outliers both ways, some beyond five times the norm.
    u = rng.float();
    if (u < 0.008) yuan *= rng.between(0.12, 0.45);
    else if (u < 0.023) yuan *= rng.between(2.2, 4.8);
    else if (u < 0.026) yuan *= rng.between(5.5, 12);
    const newTechnology = rng.chance(level === 0 ? 0.005 : 0.001);
    if (newTechnology) yuan *= 1.8;
    const totalFen = Math.max(MIN_COST_FEN, toFen(yuan));

    u = rng.float();
    const selfPayShare = u < 0.65 ? 0 : u < 0.95 ? rng.between(0.005, 0.06) : u < 0.985 ? rng.between(0.06, 0.1) : rng.between(0.1, 0.35);
    const selfPayFen = Math.round(totalFen * selfPayShare);
    // Fund = (eligible − 乙类先行自付 − 起付线) × reimbursement ratio, never above what is eligible.
    const eligibleFen = totalFen - selfPayFen;
    const copayShare = rng.between(0.04, 0.14);
    const ratio = LEVEL_REIMBURSEMENT[pool][level] * rng.between(0.97, 1.02);
    const fundFen = Math.min(
      eligibleFen,
      Math.max(0, Math.round((eligibleFen * (1 - copayShare) - LEVEL_DEDUCTIBLE[pool][level] * 100) * ratio)),
    );

    const secondaries: string[] = [];
    const addSecondary = (list: number) => {
      const { codes, choice } = this.secondary[list];
      if (codes.length === 0) return;
      const code = codes[choice.sample(rng)];
      if (code !== principalDiagnosis && !secondaries.includes(code)) secondaries.push(code);
    };
    if (tier > 0) addSecondary(tier);
    for (let n = Math.min(12, rng.poisson(0.5 + ageYears / 20)); n > 0; n--) addSecondary(0);

    const sexCode = sex === 'M' ? 1 : sex === 'F' ? 2 : 0;
    const patient = hash32(this.seed, STREAM.patient, sexCode, birth, pool === 'employee' ? 1 : 2, rng.int(6));
    const record: Record<CaseField, string> = {
      caseId: `C${year}${String(seq + 1).padStart(8, '0')}`,
      hospitalCode: this.hospitals[hi].code,
      pool,
      patientId: `P${String(patient).padStart(10, '0')}`,
      sex,
      age: String(age),
      ageDays: age === 0 ? String(admission - birth) : '',
      admissionDate: dates.format(admission),
      dischargeDate: dates.format(discharge),
      losDays: String(losDays),
      dischargeMode,
      principalDiagnosis,
      secondaryDiagnoses: secondaries.join('|'),
      principalProcedure: principal >= 0 ? this.procCodes[principal] : '',
      otherProcedures: others.map((o) => this.procCodes[o]).join('|'),
      totalCost: fenToYuan(totalFen),
      fundPayment: fenToYuan(fundFen),
      outOfCatalogSelfPay: fenToYuan(selfPayFen),
      daySurgery: String(daySurgery),
      externalExpert: String(pattern === Pattern.Surgery && rng.chance(LEVEL_EXTERNAL_EXPERT[level])),
      newTechnology: String(newTechnology),
      department: '', // not generated (issue 12): an empty column, "none"
    };
    return CASE_FIELDS.map((f) => record[f]);
  }
}

/** The calendar of one discharge year, with the date strings precomputed (admissions reach back MAX_LOS days). */
class YearDates {
  readonly jan1: number;
  readonly days: number;
  private readonly first: number;
  private readonly text: string[];

  constructor(year: number) {
    this.jan1 = Date.UTC(year, 0, 1) / DAY;
    this.days = Date.UTC(year + 1, 0, 1) / DAY - this.jan1;
    this.first = this.jan1 - MAX_LOS;
    this.text = Array.from({ length: MAX_LOS + this.days }, (_, i) => isoDate(this.first + i));
  }

  format(epochDay: number): string {
    return this.text[epochDay - this.first];
  }
}

/**
 * The cases discharged in one year, one row per case in CASE_FIELDS order (lists `|`-joined,
 * booleans `true`/`false`, money with two decimals). Lazy: rows are made as they are read.
 * The same seed, year, count, universe and hospitals give the same rows, whatever other years
 * are generated.
 */
export function* generateCases(opts: CaseOptions, universe: CodeUniverse, hospitals: readonly Hospital[]): Generator<string[]> {
  if (!Number.isInteger(opts.year) || opts.year < 1900 || opts.year > 2999)
    throw new Error(`year must be between 1900 and 2999; got ${opts.year}`);
  if (!Number.isSafeInteger(opts.cases) || opts.cases < 0)
    throw new Error(`the number of cases must be a whole number ≥ 0; got ${opts.cases}`);
  const model = new CaseModel(opts.seed, universe, hospitals);
  const rng = new Rng(hash32(opts.seed, STREAM.cases, opts.year));
  const dates = new YearDates(opts.year);
  for (let seq = 0; seq < opts.cases; seq++) yield model.next(rng, opts.year, seq, dates);
}
