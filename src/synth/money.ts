import { fenOf } from '../domain/money';
import { yuanOfFen } from '../domain/schemes/run-support';

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
  return yuanOfFen(fen);
}

/**
 * round_half_up(a × num / den) for whole a, num ≥ 0 and den > 0, exactly: in doubles while a × num
 * is a safe integer, in BigInt beyond.
 */
export function mulDiv(a: number, num: number, den: number): number {
  const x = a * num;
  if (Number.isSafeInteger(x)) {
    const r = x % den;
    return (x - r) / den + (r * 2 >= den ? 1 : 0);
  }
  const bx = BigInt(a) * BigInt(num);
  const d = BigInt(den);
  const q = bx / d;
  const n = Number((bx % d) * 2n >= d ? q + 1n : q);
  if (!Number.isSafeInteger(n)) throw new Error(`an amount beyond the safe integers: ${n} fen`);
  return n;
}

/** `"12345.60"` → `1234560`; the inverse of fenToYuan. */
export const yuanToFen = (text: string): number => Number(fenOf(text));
