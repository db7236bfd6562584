/**
 * Money in the generator is an integer number of fen (分). Amounts are sampled as floats but
 * rounded to whole fen at once, and every string is built from integers, so that no binary
 * fraction ever reaches a file.
 */

/** Whole fen from a sampled amount in yuan. */
export const toFen = (yuan: number): number => Math.round(yuan * 100);

/** `1234560` → `"12345.60"`. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`not a whole, non-negative number of fen: ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `"12345.60"` → `1234560`; the inverse of fenToYuan for the 2-dp strings it writes. */
export function yuanToFen(text: string): number {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a 2-dp amount: "${text}"`);
  return Number(m[1]) * 100 + Number(m[2]);
}
