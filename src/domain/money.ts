import { excerpt } from './errors';
/**
 * Money and points as text and as exact integers: the one place where yuan, fen and 4-dp
 * figures are read and written. Amounts are yuan to the fen (2 decimals); points, scores and
 * factors have 4 decimals (spec §6.8, §8). Sums are taken in integers of the smallest unit (fen,
 * 1/10,000 point), exact and an order of magnitude faster than decimal objects; decimal.js
 * (`decimal.ts`) is for the formulas, whose point values have 6 decimals.
 */
import { parseFixed, pow10, scaledText } from './engine/exact';

export { scaledText };

export const MONEY_DP = 2;
export const POINTS_DP = 4;

/** The SQL column of an amount: DECIMAL(15,2) holds up to 9,999,999,999,999.99 yuan. */
export const MONEY_COLUMN = { precision: 15, scale: MONEY_DP } as const;
/** The largest amount a money column (and so a case) holds, in fen. */
export const MAX_MONEY_FEN = 10n ** BigInt(MONEY_COLUMN.precision) - 1n;

/**
 * A plain decimal (`12`, `-0.5`, `1234.50`) with at most `dp` decimals as an integer count of
 * 10^-dp units; null for anything else (exponents, blanks, `1.`, `.5`, more decimals than `dp`).
 */
export function scaledOrNull(text: string, dp: number): bigint | null {
  const f = parseFixed(text);
  return f === null || f.e > dp ? null : f.n * pow10(dp - f.e);
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
    if (/^-?\d*\.?\d*e[+-]?\d+$/i.test(text)) return `${excerpt(text)} uses exponent notation; write the plain decimal`;
    const decimals = /^\d+\.(\d{3,})$/.exec(text);
    if (decimals) return `${excerpt(text)} has ${decimals[1].length} decimal places; at most ${MONEY_DP} allowed`;
    return `${excerpt(text)} is not a decimal number`;
  }
  if (fen > MAX_MONEY_FEN) return `${excerpt(text)} is above the maximum ${yuanText(MAX_MONEY_FEN)}`;
  return { fen, text: yuanText(fen) };
}
