import { Dec, parsePlainDecimal } from '../decimal';
import { DipError, excerpt, Problem } from '../errors';
import { ColumnKind, InputRow, InputTableSpec, InputValue } from './scheme';

/**
 * Reads the rows of a scheme's input table, every cell by its column's kind (scheme.ts), with
 * the case import's standard: each problem names the row (1-based line of a CSV file, or the
 * index of a JSON array), the field and the reason; a table with any problem is refused whole.
 */

const CODE = /^[A-Za-z0-9_.-]{1,40}$/;
const MAX_TEXT = 200;
const ONE = new Dec(1);
const ZERO = new Dec(0);

/** A raw cell: CSV gives strings, JSON may give strings, numbers (counts only) or booleans. */
export type RawCell = string | number | boolean | null | undefined;

function cell(kind: ColumnKind, raw: RawCell): InputValue | { reason: string } {
  if (kind === 'flag') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1' || raw === '是') return true;
    if (raw === 'false' || raw === '0' || raw === '否') return false;
    return { reason: 'must be true or false' };
  }
  if (kind === 'count' || kind === 'year' || kind === 'month') {
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text !== 'string' || !/^\d{1,12}$/.test(text)) return { reason: `must be a whole number; got "${excerpt(String(raw))}"` };
    const n = Number(text);
    if (kind === 'year' && (n < 1900 || n > 9999)) return { reason: `must be a year; got ${text}` };
    if (kind === 'month' && (n < 1 || n > 12)) return { reason: `must be a month 1–12; got ${text}` };
    return n;
  }
  if (typeof raw !== 'string') return { reason: 'must be a string (decimals are written as strings, never JSON numbers)' };
  const text = raw.trim();
  switch (kind) {
    case 'code':
      return CODE.test(text) ? text : { reason: `must be 1–40 letters, digits, "_", "." or "-"; got "${excerpt(text)}"` };
    case 'person':
      // A pseudonym is personal: the reason never quotes it.
      return CODE.test(text) ? text : { reason: 'must be 1–40 letters, digits, "_", "." or "-" (the value is not shown: it is personal)' };
    case 'text':
      return text.length <= MAX_TEXT ? text : { reason: `is longer than ${MAX_TEXT} characters` };
    default: {
      const d = parsePlainDecimal(text, {
        maxScale: kind === 'money' || kind === 'signedMoney' ? 2 : undefined,
        min: kind === 'signedMoney' ? undefined : ZERO,
        max: kind === 'score' ? ONE : undefined,
      });
      return typeof d === 'string' ? { reason: d } : kind === 'money' || kind === 'signedMoney' ? d.toFixed(2) : d.toString();
    }
  }
}

const blank = (raw: RawCell): boolean => raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');

/**
 * The header of a CSV table: every required column present, nothing unknown, nothing twice.
 * Returns the problems (empty when the header is fine).
 */
export function headerProblems(spec: InputTableSpec, header: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(spec.columns.map((c) => c.name));
  const seen = new Set<string>();
  for (const h of header) {
    if (!known.has(h))
      problems.push({ line: 1, field: excerpt(h), reason: `unknown column; the ${spec.name} table has ${[...known].join(', ')}` });
    if (seen.has(h)) problems.push({ line: 1, field: excerpt(h), reason: 'appears twice' });
    seen.add(h);
  }
  for (const c of spec.columns)
    if (c.required && !seen.has(c.name)) problems.push({ line: 1, field: c.name, reason: 'required column missing' });
  return problems;
}

/**
 * Reads every row; `where(i)` says where row i came from (`{ line }` for CSV, `{ row }` for
 * JSON). Unknown fields in a JSON object are refused like unknown columns. Throws DipError
 * `invalid-rows` with every problem (bounded when answered) when any row is wrong.
 */
export function readTable(
  spec: InputTableSpec,
  raws: readonly Readonly<Record<string, RawCell>>[],
  where: (i: number) => { line: number } | { row: number },
): InputRow[] {
  const problems: Problem[] = [];
  const rows: InputRow[] = [];
  const keys = new Map<string, number>();
  const known = new Set(spec.columns.map((c) => c.name));
  raws.forEach((raw, i) => {
    const at = where(i);
    const row: Record<string, InputValue> = {};
    let ok = true;
    for (const f of Object.keys(raw)) {
      if (!known.has(f)) {
        problems.push({ ...at, field: excerpt(f), reason: 'unknown field' });
        ok = false;
      }
    }
    for (const c of spec.columns) {
      const v = raw[c.name];
      if (blank(v)) {
        if (c.required) {
          problems.push({ ...at, field: c.name, reason: 'is required' });
          ok = false;
        }
        row[c.name] = null;
        continue;
      }
      const read = cell(c.kind, v);
      if (read !== null && typeof read === 'object') {
        problems.push({ ...at, field: c.name, reason: read.reason });
        ok = false;
      } else row[c.name] = read;
    }
    if (!ok) return;
    const key = spec.key.map((k) => String(row[k])).join('\u0000');
    const first = keys.get(key);
    if (first !== undefined) {
      problems.push({ ...at, field: spec.key.join('+'), reason: `the same ${spec.key.join(' + ')} as ${describe(where(first))}` });
      return;
    }
    keys.set(key, i);
    rows.push(row);
  });
  if (problems.length)
    throw new DipError(
      'invalid',
      'invalid-rows',
      `the ${spec.name} table has ${problems.length} problem(s); nothing of it was stored`,
      problems,
    );
  if (!rows.length) throw new DipError('invalid', 'no-rows', `the ${spec.name} table has no rows`);
  return rows;
}

const describe = (at: { line: number } | { row: number }): string => ('line' in at ? `line ${at.line}` : `row ${at.row}`);

/** The table named, or a DipError listing the scheme's tables. */
export function tableSpec(tables: readonly InputTableSpec[], name: string): InputTableSpec {
  const t = tables.find((x) => x.name === name);
  if (!t)
    throw new DipError(
      'not-found',
      'unknown-table',
      `no input table "${excerpt(name)}"; the tables are ${tables.map((x) => x.name).join(', ')}`,
    );
  return t;
}
