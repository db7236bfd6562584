/**
 * Money and points as text and as exact integers: the one place where yuan, fen and 4-dp
 * figures are read and written. Amounts are yuan to the fen (2 decimals), points, scores and
 * factors have 4 decimals, point values 6 (spec §6.8, §8). Sums are taken in integers of the
 * smallest unit (fen, 1/10,000 point), which are exact and an order of magnitude faster than
 * decimal objects; decimal.js (`decimal.ts`) is for the formulas.
 */

export const MONEY_DP = 2;
export const POINTS_DP = 4;
export const POINT_VALUE_DP = 6;

/** SQL column types of the figures: DECIMAL(15,2) holds up to 9,999,999,999,999.99 yuan. */
export const MONEY_COLUMN = { precision: 15, scale: MONEY_DP } as const;
export const POINTS_COLUMN = { precision: 20, scale: POINTS_DP } as const;
/** The largest amount a money column (and so a case) holds, in fen. */
export const MAX_MONEY_FEN = 10n ** BigInt(MONEY_COLUMN.precision) - 1n;

/**
 * A plain decimal (`12`, `-0.5`, `1234.50`) with at most `dp` decimals as an integer count of
 * 10^-dp units; null for anything else (exponents, blanks, `1.`, `.5`, more decimals than
 * `dp`). Scanned by hand: every case's cost and points pass here on the bulk paths.
 */
export function scaledOrNull(text: string, dp: number): bigint | null {
  const negative = text.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  let dot = -1;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 46 && dot < 0) dot = i;
    else if (ch < 48 || ch > 57) return null;
  }
  if (text.length === start || dot === start || dot === text.length - 1) return null;
  const decimals = dot < 0 ? 0 : text.length - dot - 1;
  if (decimals > dp) return null;
  const digits = dot < 0 ? text.slice(start) : text.slice(start, dot) + text.slice(dot + 1);
  const n = BigInt(decimals === dp ? digits : digits + '0'.repeat(dp - decimals));
  return negative ? -n : n;
}

/** Like scaledOrNull for figures the service itself stored or computed: a malformed one is a bug. */
export function scaledOf(text: string, dp: number, what: string): bigint {
  const n = typeof text === 'string' ? scaledOrNull(text, dp) : null;
  if (n === null) throw new Error(`${what} must be a plain decimal with at most ${dp} decimals; got ${JSON.stringify(text)}`);
  return n;
}

/** Yuan text → fen. */
export const fenOf = (yuan: string): bigint => scaledOf(yuan, MONEY_DP, 'an amount');
/** Points text → 1/10,000 points. */
export const pointUnitsOf = (points: string): bigint => scaledOf(points, POINTS_DP, 'points');

/** An integer count of 10^-dp units as text with exactly `dp` decimals: (12345n, 4) → `1.2345`. */
export function scaledText(x: bigint, dp: number): string {
  const negative = x < 0n;
  let s = (negative ? -x : x).toString();
  if (dp > 0) {
    if (s.length <= dp) s = '0'.repeat(dp - s.length + 1) + s;
    s = `${s.slice(0, s.length - dp)}.${s.slice(s.length - dp)}`;
  }
  return negative && x !== 0n ? `-${s}` : s;
}

/** Fen → yuan text with two decimals. */
export const yuanText = (fen: bigint): string => scaledText(fen, MONEY_DP);
/** 1/10,000 points → points text with four decimals. */
export const pointsText = (units: bigint): string => scaledText(units, POINTS_DP);

/**
 * An amount a user wrote (`12`, `12.5`, `12.50`): its fen and canonical two-decimal text, or the
 * reason it is not an amount (negative, exponent, too many decimals, beyond a money column).
 */
export function parseYuan(text: string): { fen: bigint; text: string } | string {
  const fen = scaledOrNull(text, MONEY_DP);
  if (fen === null || fen < 0n) {
    if (/^-?\d*\.?\d*e[+-]?\d+$/i.test(text)) return `"${text}" uses exponent notation; write the plain decimal`;
    const decimals = /^\d+\.(\d{3,})$/.exec(text);
    if (decimals) return `"${text}" has ${decimals[1].length} decimal places; at most ${MONEY_DP} allowed`;
    return `"${text}" is not a decimal number`;
  }
  if (fen > MAX_MONEY_FEN) return `"${text}" is above the maximum ${yuanText(MAX_MONEY_FEN)}`;
  return { fen, text: yuanText(fen) };
}
