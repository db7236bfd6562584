import { hash } from 'node:crypto';
import { normaliseDiagnosis, normaliseProcedure, groupingCode } from './codes';
import { excerpt } from './errors';
import { parseYuan, yuanText } from './money';

/** The fields of one case (spec §2), in the order of the CSV header. */
export const CASE_FIELDS = [
  'caseId',
  'hospitalCode',
  'pool',
  'patientId',
  'sex',
  'age',
  'ageDays',
  'admissionDate',
  'dischargeDate',
  'losDays',
  'dischargeMode',
  'principalDiagnosis',
  'secondaryDiagnoses',
  'principalProcedure',
  'otherProcedures',
  'totalCost',
  'fundPayment',
  'outOfCatalogSelfPay',
  'daySurgery',
  'externalExpert',
  'newTechnology',
  'department',
] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

/** Fields a CSV header must name; the others may be left out (empty). */
export const REQUIRED_CASE_FIELDS: readonly CaseField[] = CASE_FIELDS.filter(
  (f) =>
    ![
      'ageDays',
      'losDays',
      'secondaryDiagnoses',
      'principalProcedure',
      'otherProcedures',
      'outOfCatalogSelfPay',
      'daySurgery',
      'externalExpert',
      'newTechnology',
      'department',
    ].includes(f),
);

export const POOLS = ['employee', 'resident'] as const;
export type Pool = (typeof POOLS)[number];
export const SEXES = ['M', 'F', 'U'] as const;
export type Sex = (typeof SEXES)[number];
export const DISCHARGE_MODES = ['1', '2', '3', '4', '5', '9'] as const;
export type DischargeMode = (typeof DISCHARGE_MODES)[number];

/** A validated, normalised case. Money is a string with exactly two decimals. */
export interface CaseRecord {
  caseId: string;
  hospitalCode: string;
  pool: Pool;
  patientId: string;
  sex: Sex;
  age: number;
  ageDays: number | null;
  admissionDate: string;
  dischargeDate: string;
  losDays: number;
  dischargeMode: DischargeMode;
  principalDiagnosis: string;
  secondaryDiagnoses: string[];
  principalProcedure: string | null;
  otherProcedures: string[];
  totalCost: string;
  fundPayment: string;
  outOfCatalogSelfPay: string;
  daySurgery: boolean;
  externalExpert: boolean;
  newTechnology: boolean;
  /** The department (科室) that discharged the case, a code or a name; null when not given. */
  department: string | null;
}

export interface FieldError {
  field: CaseField | '*';
  reason: string;
}

export interface CaseValidationContext {
  /** Registered hospital codes. */
  hasHospital(code: string): boolean;
  /** The region's diagnosis table, when one is loaded (spec §3). */
  hasDiagnosis?: (code: string) => boolean;
  /** Today (days since 1970-01-01, the agency's calendar): no case is discharged after it. */
  today?: number;
}

/** Settlement month of a case: the month of its discharge date (spec §2). */
export const settlementMonthOf = (c: Pick<CaseRecord, 'dischargeDate'>): string => c.dischargeDate.slice(0, 7);

const KNOWN_FIELDS = new Set<string>(CASE_FIELDS);
const MAX_LOS = 36_600;

/**
 * The most codes a list (secondaryDiagnoses, otherProcedures) may hold. The 病案首页 has 40
 * slots for other diagnoses and 40 for operations; 80 leaves room for long stays. With codes
 * at most MAX_DIAGNOSIS_CHARS / MAX_PROCEDURE_CHARS long (their shapes in codes.ts), a full
 * list fits its 2,000-character column on both engines (LIST_COLUMN_CHARS).
 */
export const MAX_LIST_CODES = 80;
export const MAX_DIAGNOSIS_CHARS = 21; // A01.000x0005+J17.000*
export const MAX_PROCEDURE_CHARS = 13; // 86.700x0013 and the like
export const LIST_COLUMN_CHARS = 2000;
export const MAX_ID_CHARS = 64;
/** A department code or name: at most 64 printable characters (Unicode code points, as MySQL's VARCHAR counts them). */
export const MAX_DEPARTMENT_CHARS = 64;
/**
 * No case is admitted before 1998-01-01: the basic medical insurance for employees (国发〔1998〕44号)
 * starts then, so an earlier date is a typing error, not a case an agency settles.
 */
export const EARLIEST_ADMISSION = '1998-01-01';

const CASE_ID = /^[^\s\p{C}](?:[^\p{C}]{0,62}[^\s\p{C}])?$/u;
/** Pseudonyms are printable: no NUL, tab, line break or other control character. */
const PRINTABLE = /^[^\p{C}]+$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^\d+$/;

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`, or null (integer arithmetic, no Date objects). */
export function epochDay(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (mo < 1 || mo > 12 || d < 1 || d > monthDays) return null;
  // Days from civil (H. Hinnant): exact for every Gregorian date.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const EARLIEST_DAY = epochDay(EARLIEST_ADMISSION)!;

/** Today in the agency's calendar (China Standard Time, UTC+8), as days since 1970-01-01. */
export const chinaToday = (now: Date = new Date()): number => Math.floor((now.getTime() + 8 * 3_600_000) / 86_400_000);

/** Raw values as they come from CSV (strings) or JSON (strings, numbers, booleans, arrays). */
export type RawCase = Record<string, unknown>;

/**
 * Reads the fields of one raw row, collecting every problem. A class rather than closures:
 * a million rows a run make per-row allocations the cost that matters.
 */
class RowReader {
  errors: FieldError[] | null = null;

  constructor(private readonly raw: RawCase) {}

  /**
   * A bad value as a reason quotes it (errors.ts excerpt), unless it holds the row's patientId:
   * a shifted column must not carry the pseudonym into a reason.
   */
  quote(value: string): string {
    return this.isPatientId(value) ? '(a value withheld: it is the patientId)' : excerpt(value);
  }

  isPatientId(value: string): boolean {
    const patient = typeof this.raw.patientId === 'string' ? this.raw.patientId.trim() : '';
    return patient !== '' && value.trim() === patient;
  }

  fail(field: CaseField | '*', reason: string): undefined {
    (this.errors ??= []).push({ field, reason });
    return undefined;
  }

  /** Present = not undefined, null or an empty / blank string. */
  text(field: CaseField, required: boolean): string | undefined {
    const v = this.raw[field];
    if (typeof v === 'string') {
      const t = v.trim();
      if (t !== '') return t;
    } else if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    else if (typeof v === 'number') return this.fail(field, `must be a whole number or a string; got the number ${v}`);
    else if (v !== undefined && v !== null) return this.fail(field, `must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    return required ? this.fail(field, 'is required') : undefined;
  }

  oneOf<T extends string>(field: CaseField, allowed: readonly T[]): T | undefined {
    const v = this.text(field, true);
    if (v === undefined) return undefined;
    return (allowed as readonly string[]).includes(v)
      ? (v as T)
      : this.fail(field, `must be one of ${allowed.join(', ')}; got ${this.quote(v)}`);
  }

  integer(field: CaseField, required: boolean, min: number, max: number): number | null | undefined {
    const n0 = this.raw[field];
    if (typeof n0 === 'number' && !Number.isSafeInteger(n0)) return this.fail(field, `must be a whole number; got ${n0}`);
    const v = this.text(field, required);
    if (v === undefined) return required ? undefined : null;
    if (!INTEGER.test(v)) return this.fail(field, `must be a whole number; got ${this.quote(v)}`);
    const n = Number(v);
    return n < min || n > max ? this.fail(field, `must be between ${min} and ${max}; got ${v}`) : n;
  }

  money(field: CaseField, required: boolean): { fen: bigint; text: string } | undefined {
    if (typeof this.raw[field] === 'number') {
      return this.fail(field, 'must be a decimal string such as "1234.50", not a JSON number (money never passes through a binary float)');
    }
    const t = this.text(field, required);
    if (t === undefined) return required ? undefined : { fen: 0n, text: '0.00' };
    if (t.startsWith('-')) return this.fail(field, `must not be negative; got ${this.quote(t)}`);
    const m = parseYuan(t);
    if (typeof m !== 'string') return m;
    return this.fail(
      field,
      this.isPatientId(t) ? 'is not a decimal number (yuan with at most 2 decimals)' : `${m} (yuan with at most 2 decimals)`,
    );
  }

  flag(field: CaseField): boolean | undefined {
    const v = this.raw[field];
    if (typeof v === 'boolean') return v;
    if (v === undefined || v === null) return false;
    const t = String(v).trim().toLowerCase();
    if (t === 'false' || t === '0' || t === '') return false;
    if (t === 'true' || t === '1') return true;
    return this.fail(field, `must be true or false; got ${this.quote(String(v))}`);
  }

  list(field: CaseField): string[] | undefined {
    const v = this.raw[field];
    if (v === undefined || v === null || v === '') return [];
    const items = typeof v === 'string' ? v.split('|') : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
    if (items === null) return this.fail(field, 'must be a list of codes ("|"-separated in CSV, an array of strings in JSON)');
    const out: string[] = [];
    for (const item of items) {
      const t = item.trim();
      if (t !== '') out.push(t);
    }
    return out.length > MAX_LIST_CODES ? this.fail(field, `holds ${out.length} codes; at most ${MAX_LIST_CODES}`) : out;
  }

  date(field: CaseField, v: string | undefined): number | undefined {
    if (v === undefined) return undefined;
    const d = epochDay(v);
    return d === null ? this.fail(field, `must be a calendar date YYYY-MM-DD; got ${this.quote(v)}`) : d;
  }

  diagnosis(field: CaseField, code: string): string | undefined {
    return (
      normaliseDiagnosis(code) ??
      this.fail(field, `${this.quote(code)} is not an ICD-10 医保版 diagnosis code (like K80.100, K80.000x002, A01.000x005+J17.0*)`)
    );
  }

  procedure(field: CaseField, code: string): string | undefined {
    return (
      normaliseProcedure(code) ?? this.fail(field, `${this.quote(code)} is not an ICD-9-CM-3 procedure code (like 51.2300, 96.0800x005)`)
    );
  }

  diagnoses(field: CaseField): string[] | undefined {
    const codes = this.list(field);
    if (codes === undefined) return undefined;
    for (let i = 0; i < codes.length; i++) codes[i] = this.diagnosis(field, codes[i]) ?? codes[i];
    return codes;
  }

  procedures(field: CaseField): string[] | undefined {
    const codes = this.list(field);
    if (codes === undefined) return undefined;
    for (let i = 0; i < codes.length; i++) codes[i] = this.procedure(field, codes[i]) ?? codes[i];
    return codes;
  }
}

/**
 * Checks every rule of spec §2 and §3 and returns the normalised record, or every error of the
 * row (not just the first), each naming its field. Never logs or echoes `patientId`.
 */
export function validateCase(raw: RawCase, ctx: CaseValidationContext): { record: CaseRecord } | { errors: FieldError[] } {
  const r = new RowReader(raw);
  for (const key in raw) if (!KNOWN_FIELDS.has(key)) r.fail('*', `unknown field "${key}"`);

  let caseId = r.text('caseId', true);
  if (caseId !== undefined && caseId !== raw.caseId && typeof raw.caseId === 'string') {
    caseId = r.fail('caseId', 'must not begin or end with spaces (a case is known by its id exactly)');
  } else if (caseId !== undefined && !CASE_ID.test(caseId)) {
    caseId = r.fail('caseId', `must be 1–${MAX_ID_CHARS} printable characters`);
  }
  const hospitalCode = r.text('hospitalCode', true);
  if (hospitalCode !== undefined && !ctx.hasHospital(hospitalCode))
    r.fail('hospitalCode', `hospital ${r.quote(hospitalCode)} is not registered`);
  const pool = r.oneOf('pool', POOLS);
  // Never quoted in a reason: the pseudonym is the one field that identifies a patient.
  const patientId = r.text('patientId', true);
  if (patientId !== undefined && patientId.length > MAX_ID_CHARS) r.fail('patientId', `must be at most ${MAX_ID_CHARS} characters`);
  else if (patientId !== undefined && !PRINTABLE.test(patientId))
    r.fail('patientId', 'must be printable: no NUL, tab, line break or other control character');
  const sex = r.oneOf('sex', SEXES);
  const age = r.integer('age', true, 0, 150);
  const ageDays = r.integer('ageDays', age === 0, 0, 365);
  const admissionDate = r.text('admissionDate', true);
  const dischargeDate = r.text('dischargeDate', true);
  let admission = r.date('admissionDate', admissionDate);
  let discharge = r.date('dischargeDate', dischargeDate);
  if (admission !== undefined && admission < EARLIEST_DAY)
    admission = r.fail('admissionDate', `${admissionDate} is before ${EARLIEST_ADMISSION}, when the basic medical insurance began`);
  if (discharge !== undefined && ctx.today !== undefined && discharge > ctx.today)
    discharge = r.fail('dischargeDate', `${dischargeDate} is in the future`);
  let losDays = r.integer('losDays', false, 0, MAX_LOS);
  if (admission !== undefined && discharge !== undefined) {
    const span = discharge - admission;
    if (span < 0) {
      r.fail('dischargeDate', `discharge ${dischargeDate} is before admission ${admissionDate}`);
    } else if (losDays === null) {
      losDays = span <= MAX_LOS ? span : r.fail('losDays', `the dates give ${span} days; at most ${MAX_LOS}`);
    } else if (typeof losDays === 'number' && losDays !== span && !(span === 0 && losDays === 1)) {
      r.fail('losDays', `${losDays} contradicts the dates, which give ${span} day(s)`);
    }
  }
  const dischargeMode = r.oneOf('dischargeMode', DISCHARGE_MODES);

  const pdRaw = r.text('principalDiagnosis', true);
  let principalDiagnosis = pdRaw === undefined ? undefined : r.diagnosis('principalDiagnosis', pdRaw);
  if (
    principalDiagnosis !== undefined &&
    ctx.hasDiagnosis &&
    !ctx.hasDiagnosis(principalDiagnosis) &&
    !ctx.hasDiagnosis(groupingCode(principalDiagnosis))
  ) {
    principalDiagnosis = r.fail('principalDiagnosis', `"${principalDiagnosis}" is not in the region's diagnosis table`);
  }
  const secondaryDiagnoses = r.diagnoses('secondaryDiagnoses');
  const ppRaw = r.text('principalProcedure', false);
  const principalProcedure = ppRaw === undefined ? null : r.procedure('principalProcedure', ppRaw);
  const otherProcedures = r.procedures('otherProcedures');

  const totalCost = r.money('totalCost', true);
  const fundPayment = r.money('fundPayment', true);
  const selfPay = r.money('outOfCatalogSelfPay', false);
  if (totalCost && fundPayment && fundPayment.fen > totalCost.fen) {
    r.fail('fundPayment', `${fundPayment.text} exceeds totalCost ${totalCost.text}`);
  } else if (totalCost && fundPayment && selfPay && selfPay.fen > totalCost.fen - fundPayment.fen) {
    r.fail('outOfCatalogSelfPay', `${selfPay.text} exceeds totalCost − fundPayment = ${yuanText(totalCost.fen - fundPayment.fen)}`);
  }
  const daySurgery = r.flag('daySurgery');
  const externalExpert = r.flag('externalExpert');
  const newTechnology = r.flag('newTechnology');
  const department = r.text('department', false);
  if (department !== undefined && !PRINTABLE.test(department))
    r.fail('department', `must be printable: no tab, line break or other control character; got ${r.quote(department)}`);
  else if (department !== undefined && [...department].length > MAX_DEPARTMENT_CHARS)
    r.fail('department', `must be at most ${MAX_DEPARTMENT_CHARS} characters; got ${[...department].length}`);

  if (r.errors !== null) return { errors: r.errors };
  // Every value below was checked above; the casts only narrow what TypeScript cannot follow.
  return {
    record: {
      caseId: caseId!,
      hospitalCode: hospitalCode!,
      pool: pool!,
      patientId: patientId!,
      sex: sex!,
      age: age as number,
      ageDays: ageDays ?? null,
      admissionDate: admissionDate!,
      dischargeDate: dischargeDate!,
      losDays: losDays as number,
      dischargeMode: dischargeMode!,
      principalDiagnosis: principalDiagnosis!,
      secondaryDiagnoses: secondaryDiagnoses!,
      principalProcedure: principalProcedure ?? null,
      otherProcedures: otherProcedures!,
      totalCost: totalCost!.text,
      fundPayment: fundPayment!.text,
      outOfCatalogSelfPay: selfPay!.text,
      daySurgery: daySurgery!,
      externalExpert: externalExpert!,
      newTechnology: newTechnology!,
      department: department ?? null,
    },
  };
}

/**
 * Optional fields added after cases were first stored (issue 12: `department`). They are left out
 * of the hashed text when absent, so that a case without them hashes as it always did and
 * re-importing a stored case stays a no-op; when present they are appended after the original
 * fields, each with its name (so two such fields can never be mistaken for one another).
 */
const LATER_FIELDS = ['department'] as const satisfies readonly CaseField[];
const HASHED_FIELDS = CASE_FIELDS.filter((f) => !(LATER_FIELDS as readonly string[]).includes(f));

/**
 * A digest of everything a case says, to tell an identical re-import (a no-op) from a changed
 * one (an error unless `replace`) without comparing column by column.
 */
export function caseContentHash(c: CaseRecord): string {
  let text = '';
  for (const f of HASHED_FIELDS) {
    const v = c[f];
    text += (Array.isArray(v) ? v.join('|') : v === null ? '' : String(v)) + '\u001f';
  }
  for (const f of LATER_FIELDS) {
    const v = c[f];
    if (v !== null && v !== undefined) text += `${f}=${v}\u001f`;
  }
  return hash('sha1', text);
}
