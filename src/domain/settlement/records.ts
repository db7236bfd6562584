import { Pool, POOLS } from '../case-record';
import { parseYuan } from '../money';
import { Dec, parsePlainDecimal } from '../decimal';
import { BUDGET_LINES, BudgetLine } from '../policy';

/** What an agency records for the annual settlement (spec §8.1, §8.4), one kind a file or request. */
export const RECORD_KINDS = ['assessment', 'violation', 'revolvingFund', 'budgetActual'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface AssessmentRecord {
  year: number;
  hospitalCode: string;
  /** In [0, 1], at most 4 decimals. */
  score: string;
}
export interface ViolationRecord {
  year: number;
  pool: Pool;
  hospitalCode: string;
  amount: string;
  reason: string;
}
export interface RevolvingFundRecord {
  year: number;
  pool: Pool;
  hospitalCode: string;
  amount: string;
}
export interface BudgetActualRecord {
  region: string;
  year: number;
  pool: Pool;
  line: BudgetLine;
  amount: string;
}
export type SettlementRecord = AssessmentRecord | ViolationRecord | RevolvingFundRecord | BudgetActualRecord;

/** The fields of each kind, in CSV header order. */
export const RECORD_FIELDS: Record<RecordKind, readonly string[]> = {
  assessment: ['year', 'hospitalCode', 'score'],
  violation: ['year', 'pool', 'hospitalCode', 'amount', 'reason'],
  revolvingFund: ['year', 'pool', 'hospitalCode', 'amount'],
  budgetActual: ['region', 'year', 'pool', 'line', 'amount'],
};

export interface RecordError {
  field: string;
  reason: string;
}

const text = (v: unknown): string | null =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isInteger(v) ? String(v) : null;

/** Checks one record of a kind; every problem with its field. Money as a JSON number is refused (it went through a float). */
export function validateRecord(kind: RecordKind, raw: Record<string, unknown>): { record: SettlementRecord } | { errors: RecordError[] } {
  const errors: RecordError[] = [];
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(raw))
    if (!RECORD_FIELDS[kind].includes(field))
      errors.push({ field, reason: `unknown field; a ${kind} record has ${RECORD_FIELDS[kind].join(', ')}` });
  for (const field of RECORD_FIELDS[kind]) {
    const v = raw[field];
    const t = field === 'year' ? text(v) : typeof v === 'string' ? v.trim() : null;
    if (t === null || t === '') {
      errors.push({
        field,
        reason: v === undefined || t === '' ? 'required' : `must be a string${field === 'year' ? ' or a whole number' : ''}`,
      });
      continue;
    }
    switch (field) {
      case 'year':
        if (!/^\d{4}$/.test(t) || Number(t) < 1900) errors.push({ field, reason: `"${t}" is not a year` });
        else out.year = Number(t);
        break;
      case 'pool':
        if (!(POOLS as readonly string[]).includes(t)) errors.push({ field, reason: `must be one of ${POOLS.join(', ')}` });
        else out.pool = t;
        break;
      case 'line':
        if (!(BUDGET_LINES as readonly string[]).includes(t)) errors.push({ field, reason: `must be one of ${BUDGET_LINES.join(', ')}` });
        else out.line = t;
        break;
      case 'region':
        if (!/^\d{6}$/.test(t)) errors.push({ field, reason: 'must be a 6-digit region code' });
        else out.region = t;
        break;
      case 'amount': {
        const m = parseYuan(t);
        if (typeof m === 'string') errors.push({ field, reason: `${m} (yuan, at most 2 decimals, not negative)` });
        else out.amount = m.text;
        break;
      }
      case 'score': {
        const d = parsePlainDecimal(t, { maxScale: 4, min: new Dec(0), max: new Dec(1) });
        if (typeof d === 'string') errors.push({ field, reason: `${d} (a score from 0 to 1)` });
        else out.score = d.toFixed(4);
        break;
      }
      default:
        if (t.length > (field === 'reason' ? 500 : 32)) errors.push({ field, reason: 'too long' });
        else out[field] = t;
    }
  }
  return errors.length > 0 ? { errors } : { record: out as unknown as SettlementRecord };
}
