import { createHash } from 'node:crypto';
import { Dec, fixed, parsePlainDecimal, ZERO } from './decimal';
import { normaliseDiagnosis, normaliseProcedure, groupingCode } from './codes';

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
] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

/** Fields a CSV header must name; the others may be left out (empty). */
export const REQUIRED_CASE_FIELDS: readonly CaseField[] = CASE_FIELDS.filter(
  (f) => !['ageDays', 'losDays', 'secondaryDiagnoses', 'principalProcedure', 'otherProcedures', 'outOfCatalogSelfPay', 'daySurgery', 'externalExpert', 'newTechnology'].includes(f),
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
}

/** Settlement month of a case: the month of its discharge date (spec §2). */
export const settlementMonthOf = (c: Pick<CaseRecord, 'dischargeDate'>): string => c.dischargeDate.slice(0, 7);

/** `nonFund` = totalCost − fundPayment: what the DIP fund did not pay. */
export const nonFundOf = (c: Pick<CaseRecord, 'totalCost' | 'fundPayment'>): Dec => new Dec(c.totalCost).minus(c.fundPayment);

const MAX_MONEY = new Dec('9999999999999.99'); // DECIMAL(15,2)
const CASE_ID = /^[^\s\p{C}](?:[^\p{C}]{0,62}[^\s\p{C}])?$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^\d+$/;
const DAY_MS = 86_400_000;

/** Days since the epoch of a valid `YYYY-MM-DD`, or null. */
export function epochDay(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t / DAY_MS;
}

/** Raw values as they come from CSV (strings) or JSON (strings, numbers, booleans, arrays). */
export type RawCase = Record<string, unknown>;

/**
 * Checks every rule of spec §2 and §3 and returns the normalised record, or every error of the
 * row (not just the first), each naming its field. Never logs or echoes `patientId`.
 */
export function validateCase(raw: RawCase, ctx: CaseValidationContext): { record: CaseRecord } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (field: CaseField | '*', reason: string): undefined => {
    errors.push({ field, reason });
    return undefined;
  };
  for (const key of Object.keys(raw)) {
    if (!(CASE_FIELDS as readonly string[]).includes(key)) fail('*', `unknown field "${key}"`);
  }

  /** Present = not undefined, null or an empty / blank string. */
  const text = (field: CaseField, required: boolean): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      return required ? fail(field, 'is required') : undefined;
    }
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    return fail(field, `must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}`);
  };
  const oneOf = <T extends string>(field: CaseField, allowed: readonly T[]): T | undefined => {
    const v = text(field, true);
    if (v === undefined) return undefined;
    return (allowed as readonly string[]).includes(v) ? (v as T) : fail(field, `must be one of ${allowed.join(', ')}; got "${v}"`);
  };
  const integer = (field: CaseField, required: boolean, min: number, max: number): number | null | undefined => {
    const v = text(field, required);
    if (v === undefined) return required ? undefined : null;
    if (!INTEGER.test(v)) return fail(field, `must be a whole number; got "${v}"`);
    const n = Number(v);
    return n < min || n > max ? fail(field, `must be between ${min} and ${max}; got ${v}`) : n;
  };
  const money = (field: CaseField, required: boolean): Dec | undefined => {
    const v = raw[field];
    if (typeof v === 'number') {
      return fail(field, 'must be a decimal string such as "1234.50", not a JSON number (money never passes through a binary float)');
    }
    const t = text(field, required);
    if (t === undefined) return required ? undefined : ZERO;
    if (t.startsWith('-')) return fail(field, `must not be negative; got "${t}"`);
    const d = parsePlainDecimal(t, { maxScale: 2, max: MAX_MONEY });
    return typeof d === 'string' ? fail(field, `${d} (yuan with at most 2 decimals)`) : d;
  };
  const flag = (field: CaseField): boolean | undefined => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return false;
    if (typeof v === 'boolean') return v;
    const t = String(v).trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    return fail(field, `must be true or false; got "${String(v)}"`);
  };
  const list = (field: CaseField): string[] | undefined => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return [];
    if (typeof v === 'string') return v.split('|').map((s) => s.trim()).filter((s) => s !== '');
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s: string) => s.trim()).filter((s) => s !== '');
    return fail(field, 'must be a list of codes ("|"-separated in CSV, an array of strings in JSON)');
  };
  const date = (field: CaseField): number | undefined => {
    const v = text(field, true);
    if (v === undefined) return undefined;
    const d = epochDay(v);
    return d === null ? fail(field, `must be a calendar date YYYY-MM-DD; got "${v}"`) : d;
  };

  const caseId = text('caseId', true);
  if (caseId !== undefined && !CASE_ID.test(caseId)) fail('caseId', 'must be 1–64 printable characters');
  const hospitalCode = text('hospitalCode', true);
  if (hospitalCode !== undefined && !ctx.hasHospital(hospitalCode)) fail('hospitalCode', `hospital "${hospitalCode}" is not registered`);
  const pool = oneOf('pool', ['employee', 'resident'] as const);
  const patientId = text('patientId', true);
  if (patientId !== undefined && patientId.length > 64) fail('patientId', 'must be at most 64 characters');
  const sex = oneOf('sex', SEXES);
  const age = integer('age', true, 0, 150);
  const ageDays = integer('ageDays', age === 0, 0, 365);
  const admission = date('admissionDate');
  const discharge = date('dischargeDate');
  let losDays = integer('losDays', false, 0, 36_600);
  if (admission !== undefined && discharge !== undefined) {
    const span = discharge - admission;
    if (span < 0) {
      fail('dischargeDate', `discharge ${String(raw.dischargeDate).trim()} is before admission ${String(raw.admissionDate).trim()}`);
    } else if (losDays === null) {
      losDays = span;
    } else if (typeof losDays === 'number' && losDays !== span && !(span === 0 && losDays === 1)) {
      fail('losDays', `${losDays} contradicts the dates, which give ${span} day(s)`);
    }
  }
  const dischargeMode = oneOf('dischargeMode', DISCHARGE_MODES);

  const diagnosis = (field: CaseField, raw: string): string | undefined => {
    const code = normaliseDiagnosis(raw);
    return code ?? fail(field, `"${raw}" is not an ICD-10 医保版 diagnosis code (like K80.100, K80.000x002, A01.000x005+J17.0*)`);
  };
  const procedure = (field: CaseField, raw: string): string | undefined => {
    const code = normaliseProcedure(raw);
    return code ?? fail(field, `"${raw}" is not an ICD-9-CM-3 procedure code (like 51.2300, 96.0800x005)`);
  };
  const pdRaw = text('principalDiagnosis', true);
  let principalDiagnosis = pdRaw === undefined ? undefined : diagnosis('principalDiagnosis', pdRaw);
  if (principalDiagnosis !== undefined && ctx.hasDiagnosis && !ctx.hasDiagnosis(principalDiagnosis) && !ctx.hasDiagnosis(groupingCode(principalDiagnosis))) {
    principalDiagnosis = fail('principalDiagnosis', `"${principalDiagnosis}" is not in the region's diagnosis table`);
  }
  const secondaryDiagnoses = list('secondaryDiagnoses')?.map((c) => diagnosis('secondaryDiagnoses', c));
  const ppRaw = text('principalProcedure', false);
  const principalProcedure = ppRaw === undefined ? null : procedure('principalProcedure', ppRaw);
  const otherProcedures = list('otherProcedures')?.map((c) => procedure('otherProcedures', c));

  const totalCost = money('totalCost', true);
  const fundPayment = money('fundPayment', true);
  const selfPay = money('outOfCatalogSelfPay', false);
  if (totalCost && fundPayment && fundPayment.gt(totalCost)) {
    fail('fundPayment', `${fixed(fundPayment, 2)} exceeds totalCost ${fixed(totalCost, 2)}`);
  } else if (totalCost && fundPayment && selfPay && selfPay.gt(totalCost.minus(fundPayment))) {
    fail('outOfCatalogSelfPay', `${fixed(selfPay, 2)} exceeds totalCost − fundPayment = ${fixed(totalCost.minus(fundPayment), 2)}`);
  }
  const daySurgery = flag('daySurgery');
  const externalExpert = flag('externalExpert');
  const newTechnology = flag('newTechnology');

  if (errors.length > 0) return { errors };
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
      admissionDate: String(raw.admissionDate).trim(),
      dischargeDate: String(raw.dischargeDate).trim(),
      losDays: losDays as number,
      dischargeMode: dischargeMode!,
      principalDiagnosis: principalDiagnosis!,
      secondaryDiagnoses: secondaryDiagnoses as string[],
      principalProcedure: principalProcedure ?? null,
      otherProcedures: otherProcedures as string[],
      totalCost: fixed(totalCost!, 2),
      fundPayment: fixed(fundPayment!, 2),
      outOfCatalogSelfPay: fixed(selfPay!, 2),
      daySurgery: daySurgery!,
      externalExpert: externalExpert!,
      newTechnology: newTechnology!,
    },
  };
}

/**
 * A digest of everything a case says, to tell an identical re-import (a no-op) from a changed
 * one (an error unless `replace`) without comparing column by column.
 */
export function caseContentHash(c: CaseRecord): string {
  const parts = CASE_FIELDS.map((f) => {
    const v = c[f];
    return Array.isArray(v) ? v.join('|') : v === null ? '' : String(v);
  });
  return createHash('sha1').update(parts.join('\u001f')).digest('hex');
}
