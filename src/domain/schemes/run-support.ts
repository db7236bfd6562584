import { Dec } from '../decimal';
import { DipError, Problem } from '../errors';
import { MISSING, PolicyError, Problems, Reader } from '../policy';
import { ColumnSpec, InputRow, InputTableSpec, SchemeId, SchemeInputs, SchemePolicyBase } from './scheme';

/**
 * What the schemes' policies and runs share: the policy header, reading the rows of a run's
 * tables, and the cross-table problems (row = 1-based position among the table's rows, field =
 * `table.column`). Pure.
 */

export const column = (name: string, kind: ColumnSpec['kind'], required: boolean, description: string): ColumnSpec => ({
  name,
  kind,
  required,
  description,
});

/**
 * Reads the header every scheme policy has and the scheme's own keys; `body` reads the rest with
 * the same Reader so that every problem, by path, is reported at once (PolicyError).
 */
export function parseSchemePolicy<P extends SchemePolicyBase>(
  scheme: SchemeId,
  doc: unknown,
  keys: readonly string[],
  optional: readonly string[],
  body: (r: Reader, o: Record<string, unknown>) => Omit<P, keyof SchemePolicyBase>,
): P {
  const problems: Problems = [];
  const r = new Reader(problems);
  if (doc === undefined) throw new PolicyError([{ path: '', reason: 'must be an object' }]);
  const top = r.object(doc, '', ['scheme', 'region', 'year', 'name', ...keys], optional);
  if (top === MISSING) throw new PolicyError(problems);
  if (top.scheme !== undefined && top.scheme !== scheme) r.fail('scheme', `must be "${scheme}"`);
  const policy = {
    scheme,
    region: r.string(top.region, 'region', /^\d{6}$/, 'a 6-digit region code'),
    year: r.integer(top.year, 'year', 1900, 2999),
    name: r.string(top.name, 'name'),
    ...body(r, top),
  };
  if (problems.length > 0) throw new PolicyError(problems);
  return policy as unknown as P;
}

/** The rows of a table; a required table that is absent refuses the run. */
export function rowsOf(inputs: SchemeInputs, spec: InputTableSpec): readonly InputRow[] {
  const rows = inputs[spec.name];
  if (rows === undefined && spec.required)
    throw new DipError('invalid', 'missing-input', `the run needs the ${spec.name} table (${spec.description})`);
  return rows ?? [];
}

/** Collects cross-table problems and throws them together. */
export class RunProblems {
  readonly list: Problem[] = [];
  add(table: string, index: number | null, field: string, reason: string): void {
    this.list.push({ ...(index === null ? {} : { row: index + 1 }), field: `${table}.${field}`, reason });
  }
  throwIfAny(what: string): void {
    if (this.list.length)
      throw new DipError('invalid', 'invalid-inputs', `the ${what} inputs do not fit together: ${this.list.length} problem(s)`, this.list);
  }
}

/** A cell read by readTable, by its kind. */
export const text = (row: InputRow, field: string): string => String(row[field]);
export const textOr = (row: InputRow, field: string, fallback: string): string =>
  row[field] === null || row[field] === undefined ? fallback : String(row[field]);
export const decimal = (row: InputRow, field: string): Dec => new Dec(String(row[field]));
export const decimalOr = (row: InputRow, field: string, fallback: string): Dec =>
  row[field] === null || row[field] === undefined ? new Dec(fallback) : new Dec(String(row[field]));
export const whole = (row: InputRow, field: string): number => row[field] as number;

/** Codes in code order (byte order, as the service sorts hospital codes). */
export const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const ZERO = new Dec(0);

/** Σ of decimals. */
export const sumOf = (ds: readonly Dec[]): Dec => ds.reduce((t, d) => t.plus(d), ZERO);

/** A money parameter of a policy: at most 2 decimals, not negative; normalised to 2 dp. */
export function moneyParam(r: Reader, v: unknown, p: string): string | typeof MISSING {
  const d = r.decimal(v, p, { min: '0' });
  if (d === MISSING) return MISSING;
  if (new Dec(d).decimalPlaces() > 2) return r.fail(p, 'must be money: at most 2 decimals');
  return new Dec(d).toFixed(2);
}

/**
 * Per-person hot loops count money in whole fen held in JS integers: exact while below 2^53 fen
 * (9 × 10^13 yuan), far above any scheme's year. Money text as readTable gives it (`123.45`,
 * `-0.50`; also `7`, `7.5`) → whole fen, without allocating.
 */
export function wholeFen(t: string): number {
  const len = t.length;
  let i = t.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let f = 0;
  let decimals = -1;
  for (; i < len; i++) {
    const c = t.charCodeAt(i);
    if (c === 46 /* . */ && decimals < 0) decimals = 0;
    else if (c >= 48 && c <= 57 && decimals < 2) {
      f = f * 10 + (c - 48);
      if (decimals >= 0) decimals++;
    } else throw new Error(`not money to the fen: ${t}`);
  }
  f *= decimals <= 0 ? 100 : decimals === 1 ? 10 : 1;
  if (!Number.isSafeInteger(f) || len === 0) throw new Error(`not money to the fen: ${t}`);
  return t.charCodeAt(0) === 45 ? -f : f;
}

/** Whole fen → yuan text with 2 decimals. */
export function yuanOfFen(fen: number): string {
  if (fen < 0) return `-${yuanOfFen(-fen)}`;
  const c = fen % 100;
  return `${(fen - c) / 100}.${c < 10 ? '0' : ''}${c}`;
}
