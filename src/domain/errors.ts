/**
 * The one error model of the service. Every refusal a user should read (bad input, an unknown
 * thing, a conflict with the state of the data) is a `DipError`: a stable machine-readable
 * `code`, a sentence, and the `problems` that made it (each with where and why). It knows
 * nothing of HTTP or terminals: the HTTP filter, the job runner and the CLI each map it in one
 * place (`kind` says which family it belongs to). Anything else that is thrown is a bug, and is
 * reported as `internal` without its text.
 */

/** The families of refusal; the HTTP filter maps each to one status. */
export type ErrorKind =
  /** The input is well-formed but not acceptable (422). */
  | 'invalid'
  /** The request itself is malformed: a bad parameter or format (400). */
  | 'bad-request'
  /** Something named does not exist (404). */
  | 'not-found'
  /** The state of the data forbids it now: finalised, already running (409). */
  | 'conflict'
  /** The input is over a size limit (413). */
  | 'too-large'
  /** The input is not UTF-8 (415). */
  | 'encoding'
  /** A service the work needs does not answer (503). */
  | 'unavailable'
  /** No valid credentials: none, expired, tampered or revoked (401). */
  | 'unauthenticated'
  /** Authenticated, but the role or scope does not allow it (403). */
  | 'forbidden';

/** One thing wrong, as precisely as it can be located. */
export interface Problem {
  /** 1-based line of a file. */
  line?: number;
  /** Index of an element of a JSON array, or row of a table. */
  row?: number;
  /** Path inside a JSON document (`groups[3].score`). */
  path?: string;
  field?: string;
  reason: string;
}

/** What a refusal looks like in a job's record, in an HTTP body and in the CLI's output. */
export interface ErrorBody {
  code: string;
  message: string;
  problems?: Problem[];
  line?: number;
}

/** The most an error body says: under 64 KB of JSON in all (MySQL's TEXT column). */
export const BODY_LIMITS = { messageChars: 1000, reasonChars: 300, problems: 100 } as const;

export class DipError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly problems: readonly Problem[] = [],
    /** Where in a file the whole-file refusal was found. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DipError';
  }

  /**
   * The error as it is answered and recorded, bounded (BODY_LIMITS): it must fit a response, a
   * log line and the column that keeps it, whatever the input was.
   */
  toBody(): ErrorBody {
    const { messageChars, reasonChars, problems: maxProblems } = BODY_LIMITS;
    const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
    const problems = this.problems
      .slice(0, maxProblems)
      .map((p) => (p.reason.length > reasonChars ? { ...p, reason: cut(p.reason, reasonChars) } : p));
    if (this.problems.length > maxProblems) problems.push({ reason: `… and ${this.problems.length - maxProblems} more` });
    return {
      code: this.code,
      message: cut(this.message, messageChars),
      ...(problems.length > 0 ? { problems } : {}),
      ...(this.line !== undefined ? { line: this.line } : {}),
    };
  }
}

/** Shorthands for the common kinds. */
export const invalid = (code: string, message: string, problems: readonly Problem[] = []) =>
  new DipError('invalid', code, message, problems);
export const badRequest = (code: string, message: string) => new DipError('bad-request', code, message);
export const notFound = (code: string, message: string) => new DipError('not-found', code, message);
export const conflict = (code: string, message: string) => new DipError('conflict', code, message);

/** The body of an error that is not a DipError: a bug, whose text is not shown to users. */
export const INTERNAL: ErrorBody = { code: 'internal', message: 'internal error; nothing was stored' };

/** Longest excerpt of user input an error text quotes. */
export const EXCERPT_CHARS = 40;

/**
 * A value of the input as an error text quotes it: in double quotes, cut to EXCERPT_CHARS with
 * an ellipsis, control characters shown as `\uXXXX`. Errors never repeat more of a file than
 * this (a misread file must not come back whole, patient ids included, in a response or log).
 */
export function excerpt(value: string, max = EXCERPT_CHARS): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  // eslint-disable-next-line no-control-regex
  return `"${cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Problems as lines of text (`line 3: totalCost: must be …`), for a terminal or a log. */
export function problemLines(problems: readonly Problem[], max = 20): string[] {
  const where = (p: Problem) =>
    p.line !== undefined ? `line ${p.line}` : p.row !== undefined ? `row ${p.row}` : p.path !== undefined ? p.path || '(top)' : '';
  const lines = problems.slice(0, max).map((p) => [where(p), p.field, p.reason].filter((s) => s !== undefined && s !== '').join(': '));
  if (problems.length > max) lines.push(`… and ${problems.length - max} more`);
  return lines;
}
