import { formatYuan } from './format';

/**
 * The figures of a scheme's report (docs/schemes.md), which differ by scheme: shown generically.
 * Money is recognised by its form (a decimal string with exactly 2 decimals, as the service writes
 * yuan) and shown with `formatYuan` from the string; nothing passes through a float.
 */

/** The form of money in the API's answers: yuan to the fen as a string. */
export const MONEY = /^-?\d+\.\d{2}$/;

export const isMoney = (v: unknown): v is string => typeof v === 'string' && MONEY.test(v);

/**
 * Figures named as ratios (a growth rate "0.05", a share "0.70", a score "0.92") look like money
 * when written with two decimals; their names say they are not.
 */
const RATIO_NAME = /(ratio|rate|growth|share|shares|score|factor|lambda|rho|percent|percentile|weight|change)$/i;
const isRatioKey = (key: string): boolean => RATIO_NAME.test(key.split('.').pop() ?? key) || /(^|\.)(shares|ratio|weights)\./i.test(key);

/** One figure as a line of a key/value list: its dotted name and its text. */
export interface FlatFigure {
  key: string;
  value: string;
}

/** A scalar for people: money formatted, other strings as they are (exact), numbers, flags, "—" for null. */
export function showValue(v: unknown, key = ''): string {
  if (v === null || v === undefined) return '—';
  if (isMoney(v) && !isRatioKey(key)) return formatYuan(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * Nested figures flattened to dotted names ("reconciliation.parts.fund", "members.0.name"), in
 * their order; an empty object or array is one line ("[]", "{}").
 */
export function flatten(value: unknown): FlatFigure[] {
  const out: FlatFigure[] = [];
  const walk = (v: unknown, key: string): void => {
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) out.push({ key, value: Array.isArray(v) ? '[]' : '{}' });
      for (const [k, x] of entries) walk(x, key ? `${key}.${k}` : k);
      return;
    }
    out.push({ key, value: showValue(v, key) });
  };
  walk(value, '');
  return out;
}

/**
 * The money columns of a table of providers: the top-level figures that are money in some row,
 * in the order of their first appearance, and in no row anything but money or absent.
 */
export function moneyKeys(rows: Record<string, unknown>[]): string[] {
  const keys: string[] = [];
  const refused = new Set<string>();
  for (const figures of rows)
    for (const [k, v] of Object.entries(figures)) {
      if (isMoney(v) && !isRatioKey(k)) {
        if (!keys.includes(k)) keys.push(k);
      } else if (v !== undefined && v !== null) refused.add(k);
    }
  return keys.filter((k) => !refused.has(k));
}

/** The figures that are not money columns, flattened: what a provider's expanded row lists. */
export function otherFigures(figures: Record<string, unknown>, money: string[]): FlatFigure[] {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(figures)) if (!money.includes(k)) rest[k] = v;
  return flatten(rest);
}

/** A hash for a table cell: its first 12 hex digits (the whole one in the cell's title). */
export const shortHash = (h: string): string => h.slice(0, 12);
