import { procedureTyper, ProcedureTypeOf, TreatmentType } from '../codes';
import { Catalogue } from '../catalogue/catalogue';
import { IcdRanges } from '../catalogue/ranges';
import { SeverityLists } from '../catalogue/severity';
import { HospitalLevel } from '../hospital';
import { Policy } from '../policy';
import { CatalogueIndex } from './catalogue-index';
import { GroupingInput } from './grouping';
import { CaseValuation, valueCase } from './index';
import { fenOf, pointUnitsOf } from '../money';
import { Pool } from '../case-record';
import { compileScoring, ScoringInput, ScoringPolicy } from './scoring';

/**
 * Batches of cases in and per-case results out, as text: the form in which cases cross the
 * thread boundary to the worker pool (one string per batch, cloned as one block, no object per
 * case) and in which results come back and are bulk-loaded into the database. Everything here
 * is pure; the single-threaded engine and the pool's workers run the same `valueBatch`, so their
 * results cannot differ.
 */

/** A region's code tables as plain JSON (spec §3, §4.3, §4.8): what grouping needs besides a catalogue. */
export interface CodeSetup {
  ranges: IcdRanges;
  severe: string[];
  moderate: string[];
  /** The region's procedure-type table and official names (spec §3). */
  procedureTypes: [string, Exclude<TreatmentType, 'conservative'>][];
  procedureNames: [string, string][];
}

/** Everything the engine needs besides the cases, as plain JSON: crosses to a worker once per version. */
export interface EngineSetup extends CodeSetup {
  catalogue: Catalogue;
  policy: Policy;
}

/** The code tables as lookups: the procedure typing and the severity lists. */
export function compileCodes(s: CodeSetup): { typeOf: ProcedureTypeOf; severity: SeverityLists } {
  return {
    typeOf: procedureTyper(new Map(s.procedureTypes), new Map(s.procedureNames)),
    severity: { severe: new Set(s.severe), moderate: new Set(s.moderate) },
  };
}

/** A compiled setup: what grouping and scoring read, built once per version. */
export interface Engine {
  index: CatalogueIndex;
  scoring: ScoringPolicy;
  typeOf: ProcedureTypeOf;
  severity: SeverityLists;
}

export function compileEngine(s: EngineSetup): Engine {
  return {
    index: new CatalogueIndex(s.catalogue, s.ranges),
    scoring: compileScoring(s.policy, s.catalogue.costPerPoint),
    ...compileCodes(s),
  };
}

/** One case as the engine reads it: what §5 and §6 need, its identity, its hospital's k (§7) and level. */
export interface EngineCase extends GroupingInput, ScoringInput {
  caseId: string;
  hospitalCode: string;
  coefficient: string;
  /** For `outlierReference: levelAverage` (spec §6.2); null: unknown. */
  level: HospitalLevel | null;
  /** Pool and fund payment (spec §2): not needed to value a case, only to add it up for settlement; '' when not read. */
  pool: Pool | '';
  fundPayment: string;
}

/**
 * A case's result as stored and reported (issue 4): the group, why, and every figure its points
 * came from. Texts throughout; '' stands for "none" in the packed form, null here.
 */
export interface CaseResult {
  caseId: string;
  hospitalCode: string;
  /** Group code and key; null for a no-score case. */
  group: string | null;
  key: string | null;
  kind: 'core' | 'composite' | null;
  /** Grouping rule (spec §5, GroupRule). */
  rule: string;
  /** The case's own combination key (spec §3); null for a therapeutic case without key procedures. */
  caseKey: string | null;
  treatmentType: TreatmentType;
  tieBreak: string | null;
  /** The score applied: group score, day-surgery score or fixed score; null for a no-score case. */
  score: string | null;
  /** The severity factor a applied, null where none applies (fixed-score, no-score). */
  auxFactor: string | null;
  severityClass: number;
  coefficient: string;
  /** r to 4 dp; null where no outlier rule applies. */
  ratio: string | null;
  /** Points rule: normal, low, high, extreme, fixed-score, no-score. */
  outlier: string;
  points: string;
  /** r > extremeRatio: eligible for special review (spec §9). */
  specialReview: boolean;
}

/** The columns of a packed result line, in order (also the stored columns, see grouping runs). */
export const RESULT_FIELDS = [
  'caseId',
  'hospitalCode',
  'group',
  'key',
  'kind',
  'rule',
  'caseKey',
  'treatmentType',
  'tieBreak',
  'score',
  'auxFactor',
  'severityClass',
  'coefficient',
  'ratio',
  'outlier',
  'points',
  'specialReview',
] as const;

export function toCaseResult(c: EngineCase, v: CaseValuation): CaseResult {
  const { grouping: g, points: p } = v;
  return {
    caseId: c.caseId,
    hospitalCode: c.hospitalCode,
    group: g.group?.code ?? null,
    key: g.group?.key ?? null,
    kind: g.group?.kind ?? null,
    rule: g.rule,
    caseKey: g.key,
    treatmentType: g.treatmentType,
    tieBreak: g.tieBreak ?? null,
    score: p.score,
    auxFactor: p.auxFactor,
    severityClass: p.severityClass,
    coefficient: c.coefficient,
    ratio: p.ratio,
    outlier: p.rule,
    points: p.points,
    specialReview: p.eligibleForSpecialReview,
  };
}

// ---- packed cases: one line a case, fields separated by TAB, list items by '|' (as stored) ----

const FORBIDDEN = /[\t\n\r]/;

function plain(v: string, what: string): string {
  if (FORBIDDEN.test(v)) throw new Error(`${what} ${JSON.stringify(v)} contains a tab or a line break`);
  return v;
}

function list(items: readonly string[], what: string): string {
  for (const i of items)
    if (i.includes('|') || FORBIDDEN.test(i)) throw new Error(`${what} item ${JSON.stringify(i)} contains a separator`);
  return items.join('|');
}

/** One case as a packed line (without the line break). */
export function packCase(c: EngineCase): string {
  return [
    plain(c.caseId, 'caseId'),
    plain(c.hospitalCode, 'hospitalCode'),
    plain(c.coefficient, 'coefficient'),
    plain(c.principalDiagnosis, 'principalDiagnosis'),
    plain(c.principalProcedure ?? '', 'principalProcedure'),
    list(c.otherProcedures, 'otherProcedures'),
    list(c.secondaryDiagnoses, 'secondaryDiagnoses'),
    String(c.losDays),
    plain(c.dischargeMode, 'dischargeMode'),
    plain(c.totalCost, 'totalCost'),
    plain(c.outOfCatalogSelfPay, 'outOfCatalogSelfPay'),
    c.daySurgery ? '1' : '0',
    c.externalExpert ? '1' : '0',
    c.level ?? '',
    c.pool,
    plain(c.fundPayment, 'fundPayment'),
  ].join('\t');
}

/** Fields of a packed case line: the order of packCase. */
const PACKED_CASE_FIELDS = 16;
const NONE: readonly string[] = [];
const splitList = (s: string): readonly string[] => (s === '' ? NONE : s.split('|'));

/** The cases of a packed batch (lines ending in '\n'), in order. */
export function unpackCases(batch: string): EngineCase[] {
  const out: EngineCase[] = [];
  let start = 0;
  while (start < batch.length) {
    let end = batch.indexOf('\n', start);
    if (end < 0) end = batch.length;
    const f = batch.slice(start, end).split('\t');
    start = end + 1;
    if (f.length !== PACKED_CASE_FIELDS) throw new Error(`packed case line has ${f.length} fields, expected ${PACKED_CASE_FIELDS}`);
    out.push({
      caseId: f[0],
      hospitalCode: f[1],
      coefficient: f[2],
      principalDiagnosis: f[3],
      principalProcedure: f[4] === '' ? null : f[4],
      otherProcedures: splitList(f[5]),
      secondaryDiagnoses: splitList(f[6]),
      losDays: Number(f[7]),
      dischargeMode: f[8],
      totalCost: f[9],
      outOfCatalogSelfPay: f[10],
      daySurgery: f[11] === '1',
      externalExpert: f[12] === '1',
      level: f[13] === '' ? null : (f[13] as HospitalLevel),
      pool: f[14] as Pool | '',
      fundPayment: f[15],
    });
  }
  return out;
}

// ---- packed results: one line a case, RESULT_FIELDS separated by TAB, '' for null ----

const orEmpty = (v: string | null): string => v ?? '';
const orNull = (v: string): string | null => (v === '' ? null : v);

export function packResult(r: CaseResult): string {
  // One template rather than an array join: this runs once per case on the hot path.
  return `${r.caseId}\t${r.hospitalCode}\t${orEmpty(r.group)}\t${orEmpty(r.key)}\t${orEmpty(r.kind)}\t${r.rule}\t${orEmpty(r.caseKey)}\t${r.treatmentType}\t${orEmpty(r.tieBreak)}\t${orEmpty(r.score)}\t${orEmpty(r.auxFactor)}\t${r.severityClass}\t${r.coefficient}\t${orEmpty(r.ratio)}\t${r.outlier}\t${r.points}\t${r.specialReview ? '1' : '0'}`;
}

export function unpackResults(text: string): CaseResult[] {
  const out: CaseResult[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const f = text.slice(start, end).split('\t');
    start = end + 1;
    out.push({
      caseId: f[0],
      hospitalCode: f[1],
      group: orNull(f[2]),
      key: orNull(f[3]),
      kind: orNull(f[4]) as CaseResult['kind'],
      rule: f[5],
      caseKey: orNull(f[6]),
      treatmentType: f[7] as TreatmentType,
      tieBreak: orNull(f[8]),
      score: orNull(f[9]),
      auxFactor: orNull(f[10]),
      severityClass: Number(f[11]),
      coefficient: f[12],
      ratio: orNull(f[13]),
      outlier: f[14],
      points: f[15],
      specialReview: f[16] === '1',
    });
  }
  return out;
}

/** Values one case the way every batch does (without the factor list: CaseResult does not carry it). */
export const valueOneCase = (e: Engine, c: EngineCase): CaseResult =>
  toCaseResult(
    c,
    valueCase(e.index, c, e.typeOf, { scoring: e.scoring, coefficient: c.coefficient, level: c.level, severity: e.severity }, false),
  );

/** One hospital's cases of one pool in a batch, added up: what a settlement needs of them (spec §8). */
export interface HospitalSums {
  pool: Pool | '';
  hospitalCode: string;
  cases: number;
  /** 1/10,000 points. */
  points: bigint;
  costFen: bigint;
  fundFen: bigint;
}

/**
 * What a batch adds up to, computed where the batch was valued, so that the main thread never
 * unpacks results again to count them. Exact: points in 1/10,000, money in fen.
 */
export interface BatchTotals {
  cases: number;
  noScore: number;
  specialReview: number;
  points: bigint;
  costFen: bigint;
  /** Per pool and hospital (only when asked for: the budget point value needs none). */
  hospitals: HospitalSums[];
}

export const noTotals = (): BatchTotals => ({ cases: 0, noScore: 0, specialReview: 0, points: 0n, costFen: 0n, hospitals: [] });

/** A valued batch: the packed result lines (in input order; '' when only totals were asked for) and its totals. */
export interface ValuedBatch {
  results: string;
  totals: BatchTotals;
}

/**
 * Groups and scores a packed batch. `results`: also the packed results, one line per case, in
 * input order; `byHospital`: also the sums per pool and hospital.
 */
export function valueBatch(e: Engine, batch: string, want: { results: boolean; byHospital: boolean }): ValuedBatch {
  let results = '';
  const t = noTotals();
  const byHospital = new Map<string, HospitalSums>();
  for (const c of unpackCases(batch)) {
    const r = valueOneCase(e, c);
    if (want.results) results += packResult(r) + '\n';
    const points = pointUnitsOf(r.points);
    const cost = fenOf(c.totalCost);
    t.cases++;
    if (r.group === null) t.noScore++;
    if (r.specialReview) t.specialReview++;
    t.points += points;
    t.costFen += cost;
    if (want.byHospital) {
      const key = `${c.pool}\t${c.hospitalCode}`;
      let h = byHospital.get(key);
      if (h === undefined)
        byHospital.set(key, (h = { pool: c.pool, hospitalCode: c.hospitalCode, cases: 0, points: 0n, costFen: 0n, fundFen: 0n }));
      h.cases++;
      h.points += points;
      h.costFen += cost;
      h.fundFen += fenOf(c.fundPayment);
    }
  }
  t.hospitals = [...byHospital.values()];
  return { results, totals: t };
}

/** Adds `b` into `a` (hospital sums merged by pool and hospital). */
export function addTotals(a: BatchTotals, b: BatchTotals): void {
  a.cases += b.cases;
  a.noScore += b.noScore;
  a.specialReview += b.specialReview;
  a.points += b.points;
  a.costFen += b.costFen;
  if (b.hospitals.length === 0) return;
  const index = new Map(a.hospitals.map((h) => [`${h.pool}\t${h.hospitalCode}`, h]));
  for (const h of b.hospitals) {
    const into = index.get(`${h.pool}\t${h.hospitalCode}`);
    if (into === undefined) {
      const copy = { ...h };
      a.hospitals.push(copy);
      index.set(`${h.pool}\t${h.hospitalCode}`, copy);
    } else {
      into.cases += h.cases;
      into.points += h.points;
      into.costFen += h.costFen;
      into.fundFen += h.fundFen;
    }
  }
}
