import Decimal from 'decimal.js';

/**
 * The one decimal type of the service. 40 significant digits (the spec asks for at least 34)
 * and half-up rounding, which is how Chinese agencies round money (四舍五入).
 * Exponent notation is pushed far out so that toString() never prints `1e+21`.
 */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -45,
  toExpPos: 45,
});
export type Dec = InstanceType<typeof Dec>;

/** Money: yuan to the fen. */
export const round2 = (d: Dec): Dec => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
/** Points, scores and factors. */
export const round4 = (d: Dec): Dec => d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
/** Point values and cost per point. */
export const round6 = (d: Dec): Dec => d.toDecimalPlaces(6, Decimal.ROUND_HALF_UP);

/** Formats with exactly `dp` decimals, the form stored in DECIMAL columns and sent in JSON. */
export const fixed = (d: Dec, dp: number): string => d.toFixed(dp, Decimal.ROUND_HALF_UP);
/** Money as text: rounded to the fen, two decimals. */
export const money = (d: Dec): string => fixed(round2(d), 2);

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Parses a decimal written in plain notation (`123`, `-0.5`, `1.25`). Refuses exponents,
 * arithmetic, blanks and binary-float artefacts by construction: only the digits given count.
 * Returns a reason string when the text is not acceptable.
 */
export function parsePlainDecimal(text: string, opts: { maxScale?: number; min?: Dec; max?: Dec } = {}): Dec | string {
  if (!PLAIN_DECIMAL.test(text)) {
    if (/^-?\d*\.?\d*e[+-]?\d+$/i.test(text)) return `"${text}" uses exponent notation; write the plain decimal`;
    return `"${text}" is not a decimal number`;
  }
  const scale = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  if (opts.maxScale !== undefined && scale > opts.maxScale) {
    return `"${text}" has ${scale} decimal places; at most ${opts.maxScale} allowed`;
  }
  const d = new Dec(text);
  if (opts.min && d.lt(opts.min)) return `"${text}" is below the minimum ${opts.min.toString()}`;
  if (opts.max && d.gt(opts.max)) return `"${text}" is above the maximum ${opts.max.toString()}`;
  return d;
}
