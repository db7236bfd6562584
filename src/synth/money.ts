import { fenOf, yuanText } from '../domain/money';

/**
 * Money in the generator is an integer number of fen (分). Amounts are sampled as floats but
 * rounded to whole fen at once, and every string is written by the one money module, so that
 * no binary fraction ever reaches a file.
 */

/** Whole fen from a sampled amount in yuan. */
export const toFen = (yuan: number): number => Math.round(yuan * 100);

/** `1234560` → `"12345.60"`. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`not a whole, non-negative number of fen: ${fen}`);
  return yuanText(BigInt(fen));
}

/** `"12345.60"` → `1234560`; the inverse of fenToYuan. */
export const yuanToFen = (text: string): number => Number(fenOf(text));
