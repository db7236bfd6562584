/**
 * Display of the API's decimals (money, points, point values, rates), which arrive as JSON
 * strings. Pure functions, string and BigInt arithmetic only: a figure never passes through a
 * binary float, so ¥123,456,789,012,345,678.90 stays exact and 0.005 rounds up. Rounding is
 * half away from zero (half-up on the magnitude: 0.005 → 0.01, -0.005 → -0.01), as the service
 * rounds. Charts are the one exception: `chartNumber` makes coordinates, and the exact strings
 * are shown in their labels and tooltips.
 */

/** A decimal as sign, digits and scale: value = ±digits / 10^scale. */
interface Decimal {
  neg: boolean;
  digits: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Parses a plain decimal ("-12.30", "5", ".5", "+1."); null for anything else (exponents, separators, words). */
function parse(text: string): Decimal | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  return { neg: m[1] === '-', digits: BigInt((int === '' ? '0' : int) + frac), scale: frac.length };
}

function parseOrThrow(text: string): Decimal {
  const d = parse(text);
  if (!d) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  return d;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** The value × 10^dp as a signed integer, rounded half away from zero when digits are dropped. */
function scaled(d: Decimal, dp: number): bigint {
  let v: bigint;
  if (d.scale <= dp) v = d.digits * pow10(dp - d.scale);
  else {
    const div = pow10(d.scale - dp);
    const q = d.digits / div;
    v = (d.digits % div) * 2n >= div ? q + 1n : q;
  }
  return d.neg ? -v : v;
}

/** Thousands separators in a string of digits. */
const grouped = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A scaled integer back to text with `dp` decimals; never "-0". */
function text(v: bigint, dp: number, opts: { group: boolean; prefix: string; suffix: string }): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const unit = pow10(dp);
  const int = (abs / unit).toString();
  const frac = dp > 0 ? '.' + (abs % unit).toString().padStart(dp, '0') : '';
  return `${neg ? '-' : ''}${opts.prefix}${opts.group ? grouped(int) : int}${frac}${opts.suffix}`;
}

const PLAIN = { group: false, prefix: '', suffix: '' };

/** Rounds a decimal string to `dp` decimals and shows it; text that is not a decimal is returned as it is. */
function show(s: string, dp: number, prefix = '', suffix = ''): string {
  const d = parse(s);
  return d ? text(scaled(d, dp), dp, { group: true, prefix, suffix }) : s;
}

/** Yuan to the fen: "1234567.5" → "¥1,234,567.50", "-12.3" → "-¥12.30". */
export const formatYuan = (s: string): string => show(s, 2, '¥');

/** Points to 4 decimals: "1234.5678" → "1,234.5678". */
export const formatPoints = (s: string): string => show(s, 4);

/** A point value (yuan per point) to 6 decimals: "12.3025" → "12.302500". */
export const formatPointValue = (s: string): string => show(s, 6);

/** A 4-dp fraction as a percentage to 2 decimals: "0.1234" → "12.34%". */
export function formatRate(s: string): string {
  const d = parse(s);
  if (!d) return s;
  // × 100 is moving the decimal point two places: exact.
  const percent: Decimal = d.scale >= 2 ? { ...d, scale: d.scale - 2 } : { ...d, digits: d.digits * pow10(2 - d.scale), scale: 0 };
  return text(scaled(percent, 2), 2, { group: true, prefix: '', suffix: '%' });
}

/** A plain decimal to `dp` decimals without separators ("1234.5" → "1234.50"), for files and sums. */
export function roundDecimal(s: string, dp: number): string {
  return text(scaled(parseOrThrow(s), dp), dp, PLAIN);
}

/** The exact sum of parsed decimals, rounded once to `dp` decimals. */
function sumOf(parsed: Decimal[], dp: number): string {
  const scale = Math.max(dp, ...parsed.map((d) => d.scale));
  const total = parsed.reduce((sum, d) => sum + scaled(d, scale), 0n);
  const exact: Decimal = { neg: total < 0n, digits: total < 0n ? -total : total, scale };
  return text(scaled(exact, dp), dp, PLAIN);
}

/** The exact sum of decimal strings, rounded once to `dp` decimals (half away from zero), as a plain decimal: ["0.1","0.2"] → "0.30". */
export const sumDecimals = (list: string[], dp: number): string => sumOf(list.map(parseOrThrow), dp);

/** a − b exactly, rounded once to `dp` decimals. */
export function subtractDecimals(a: string, b: string, dp: number): string {
  const y = parseOrThrow(b);
  return sumOf([parseOrThrow(a), { ...y, neg: !y.neg }], dp);
}

/** A decimal divided by a whole number (an average), to `dp` decimals, half away from zero. */
export function divideDecimal(s: string, by: number, dp: number): string {
  if (!Number.isSafeInteger(by) || by === 0) throw new Error(`cannot divide by ${by}`);
  const d = parseOrThrow(s);
  // (digits / 10^scale) / by × 10^dp = digits × 10^dp / (by × 10^scale), rounded on the remainder.
  const num = d.digits * pow10(dp);
  const den = BigInt(Math.abs(by)) * pow10(d.scale);
  const q = num / den;
  const v = (num % den) * 2n >= den ? q + 1n : q;
  return text(d.neg !== by < 0 ? -v : v, dp, PLAIN);
}

/** Compares two decimal strings exactly: -1, 0 or 1 (for sorting). */
export function compareDecimals(a: string, b: string): number {
  const x = parseOrThrow(a);
  const y = parseOrThrow(b);
  const scale = Math.max(x.scale, y.scale);
  const vx = scaled(x, scale);
  const vy = scaled(y, scale);
  return vx < vy ? -1 : vx > vy ? 1 : 0;
}

/** compareDecimals where null (no figure) sorts first. */
export function compareNullableDecimals(a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : -1) : 1;
  return compareDecimals(a, b);
}

/** The value × 10^dp as a BigInt (rounded): a precomputed exact sort key. */
export function decimalKey(s: string, dp: number): bigint {
  return scaled(parseOrThrow(s), dp);
}

/** Whether a decimal string is below zero (exactly: "-0.00" is not). */
export function isNegative(s: string): boolean {
  const d = parse(s);
  return d !== null && d.neg && d.digits > 0n;
}

/** A count with thousands separators: 12345 → "12,345". */
export const formatCount = (n: number): string =>
  Number.isInteger(n) ? (n < 0 ? '-' + grouped(String(-n)) : grouped(String(n))) : String(n);

/** The one place a figure becomes a float: a chart coordinate (never shown as text). */
export const chartNumber = (s: string | null | undefined): number | null => (s == null || parse(s) === null ? null : Number(s));

/** An ISO date-time in local time as YYYY-MM-DD HH:mm ('' for none). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
