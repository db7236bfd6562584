/**
 * The contract every payment scheme besides DIP fulfils (`../shared/spec/SCHEMES.md`): its input
 * tables, its policy, and one pure run from (policy, inputs, year) to named figures per provider
 * and for the region. The service stores, hashes, runs, finalises and reports every scheme the
 * same way; a scheme is only this object. Pure: no I/O.
 */

/** The schemes the service runs besides DIP (SCHEMES.md's letters in the comments). */
export const SCHEME_IDS = ['medical-group', 'zibo-budget', 'disease-capitation', 'diabetes-capitation', 'chronic-package'] as const;
export type SchemeId = (typeof SCHEME_IDS)[number];

/**
 * How a cell of an input table is read (scheme-input.ts):
 * - `code`: 1–40 of [A-Za-z0-9_.-]; `text`: any 1–200 characters, trimmed;
 * - `person`: a person's pseudonym, read like a code but never quoted in an error (it is personal);
 * - `money`: yuan ≥ 0, at most 2 dp (a string in JSON, never a number); `signedMoney` may be negative;
 * - `ratio`: a plain decimal (≥ 0, any scale), such as a growth rate or a share;
 * - `score`: a plain decimal in [0, 1];
 * - `count`: a whole number ≥ 0; `year`: 1900–9999; `month`: 1–12;
 * - `flag`: `true`/`false` (also `1`/`0`, `是`/`否` in CSV).
 */
export type ColumnKind = 'code' | 'person' | 'text' | 'money' | 'signedMoney' | 'ratio' | 'score' | 'count' | 'year' | 'month' | 'flag';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** An optional column may be absent from the header or blank in a row: the value is null. */
  required: boolean;
  description: string;
}

export interface InputTableSpec {
  name: string;
  description: string;
  columns: readonly ColumnSpec[];
  /** The columns that identify a row: a second row with the same key is refused. */
  key: readonly string[];
  /** A run without this table is refused (`missing-input`). */
  required: boolean;
}

/** A read cell: money, ratios and scores as normalised decimal strings; counts, years, months as numbers. */
export type InputValue = string | number | boolean | null;
export type InputRow = Readonly<Record<string, InputValue>>;
/** A run's inputs: the rows of each table, by table name (a table not imported is absent). */
export type SchemeInputs = Readonly<Record<string, readonly InputRow[]>>;

/** The figures of one settlement unit (a medical group, an institution, a hospital). */
export interface ProviderFigures {
  /** The unit's code, unique in the run. */
  provider: string;
  name: string;
  /** The hospital codes whose users may read this row: the unit itself and its members. */
  visibleTo: string[];
  /** Every figure, named; money as 2-dp strings, ratios as plain decimal strings; nested objects allowed. */
  figures: Record<string, unknown>;
}

/**
 * The figures of one person (or one person's enrolment) where a scheme works per person, so that
 * an agency can answer "why is this institution's allowance this number". Readable by whoever may
 * read the provider's row; the person is a pseudonym, never logged.
 */
export interface PersonFigures {
  /** The provider whose allowance the person counts in (a ProviderFigures.provider of the run). */
  provider: string;
  person: string;
  figures: Record<string, unknown>;
}

/**
 * The per-person figures of a run as columns, the way the per-head schemes (A, C, D) compute
 * them: a person's figures are mostly a few values shared by thousands (a disease's standard, a
 * weight, a flag) or whole fen, so a column holds the distinct values once and each person's
 * index into them, or the integers themselves. Nothing is built per person until a reader asks
 * (person-table.ts personRows); the store keeps the columns as they are.
 */
/** A value a person's figure takes: JSON's scalars, or a list of codes. */
export type FigureValue = string | number | boolean | null | readonly string[];

export type PersonColumn =
  /** Row r's value is dict[index[r]]. */
  | { name: string; kind: 'coded'; dict: readonly FigureValue[]; index: ArrayLike<number> }
  /** A whole number per row. */
  | { name: string; kind: 'whole'; ints: ArrayLike<number> }
  /** Money in whole fen per row, read as yuan text with 2 decimals; NaN is null (no value). */
  | { name: string; kind: 'yuan'; fen: ArrayLike<number> }
  /** Any value per row. */
  | { name: string; kind: 'plain'; values: readonly FigureValue[] };

/**
 * The persons of a run, grouped by provider: rows start[p] … start[p + 1] − 1 are the persons of
 * providers[p], in the run's order. Every column has a value for every row.
 */
export interface PersonTable {
  providers: readonly string[];
  start: ArrayLike<number>;
  person: readonly string[];
  columns: readonly PersonColumn[];
}

/** What a run computes. */
export interface SchemeOutcome {
  providers: ProviderFigures[];
  /** The region-level figures (totals, the budget tree): the agency's only. */
  region: Record<string, unknown>;
  /** Per-person figures of the schemes that work per person (A, C, D), as columns, grouped by provider in provider order. */
  persons?: PersonTable;
}

/** A scheme's policy: versioned data with its region and year; decimals are strings. */
export interface SchemePolicyBase {
  scheme: SchemeId;
  region: string;
  year: number;
  name: string;
}

export interface SchemeDefinition<P extends SchemePolicyBase = SchemePolicyBase> {
  id: SchemeId;
  /** The seed document it follows, e.g. `002 (Shanwei)`. */
  seed: string;
  title: string;
  tables: readonly InputTableSpec[];
  /** Validates a policy document; throws PolicyError with every problem by path. */
  parsePolicy(doc: unknown): P;
  /**
   * The year's computation. Cross-table checks (a member of an unknown group, a year missing
   * from the history) throw DipError('invalid', code, message, problems naming table, row, field).
   */
  run(policy: P, inputs: SchemeInputs, year: number): SchemeOutcome;
}
