import { procedureTyper, ProcedureTypeOf, TreatmentType } from '../codes';
import { Catalogue } from '../catalog/catalogue';
import { IcdRanges } from '../catalog/ranges';
import { SeverityLists } from '../catalog/severity';
import { HospitalLevel } from '../hospital';
import { Policy } from '../policy';
import { CatalogueIndex } from './catalogue-index';
import { GroupingInput } from './grouping';
import { CaseValuation, valueCase } from './index';
import { fixedOf, ONE_F, pow10, roundQuotient } from './exact';
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
  return { index: new CatalogueIndex(s.catalogue, s.ranges), scoring: compileScoring(s.policy, s.catalogue.costPerPoint), ...compileCodes(s) };
}

/** One case as the engine reads it: what §5 and §6 need, its identity, its hospital's k (§7) and level. */
export interface EngineCase extends GroupingInput, ScoringInput {
  caseId: string;
  hospitalCode: string;
  coefficient: string;
  /** For `outlierReference: levelAverage` (spec §6.2); null: unknown. */
  level: HospitalLevel | null;
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
export const RESULT_FIELDS = ['caseId', 'hospitalCode', 'group', 'key', 'kind', 'rule', 'caseKey', 'treatmentType', 'tieBreak', 'score', 'auxFactor', 'severityClass', 'coefficient', 'ratio', 'outlier', 'points', 'specialReview'] as const;

export function caseResultOf(c: EngineCase, v: CaseValuation): CaseResult {
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
  for (const i of items) if (i.includes('|') || FORBIDDEN.test(i)) throw new Error(`${what} item ${JSON.stringify(i)} contains a separator`);
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
  ].join('\t');
}

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
    if (f.length !== 14) throw new Error(`packed case line has ${f.length} fields, expected 14`);
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
export const resultOf = (e: Engine, c: EngineCase): CaseResult => caseResultOf(c, valueCase(e.index, c, e.typeOf, { scoring: e.scoring, coefficient: c.coefficient, level: c.level, severity: e.severity }, false));

/** Groups and scores a packed batch; the packed results, one line per case, in input order. */
export function valueBatch(e: Engine, batch: string): string {
  let out = '';
  for (const c of unpackCases(batch)) out += packResult(resultOf(e, c)) + '\n';
  return out;
}

/** What a batch adds up to: its cases' points (1/10,000 point) and total cost (fen). */
export interface BatchTotals {
  points: bigint;
  costFen: bigint;
}

/** The totals of a packed batch (spec §4.9 needs both, per year). Exact: points have 4 decimals, money 2. */
export function batchTotals(e: Engine, batch: string): BatchTotals {
  let points = 0n;
  let costFen = 0n;
  for (const c of unpackCases(batch)) {
    points += BigInt(resultOf(e, c).points.replace('.', ''));
    const cost = fixedOf(c.totalCost, 'totalCost');
    costFen += cost.e <= 2 ? cost.n * pow10(2 - cost.e) : roundQuotient(cost, ONE_F, 2);
  }
  return { points, costFen };
}
