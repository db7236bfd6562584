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
