/**
 * Settlement periods: a month (`2024-03`, the month of discharge, spec §2) or a year (`2024`).
 * The one definition of their shapes, for validation of requests, runs and records.
 */

const YEAR = '\\d{4}';
const MONTH_OF_YEAR = '(0[1-9]|1[0-2])';
/** `YYYY-MM`, month 01–12. */
export const MONTH_PATTERN = new RegExp(`^${YEAR}-${MONTH_OF_YEAR}$`);
/** `YYYY`. */
export const YEAR_PATTERN = new RegExp(`^${YEAR}$`);
/** A month or a year. */
export const PERIOD_PATTERN = new RegExp(`^${YEAR}(-${MONTH_OF_YEAR})?$`);

export const isMonth = (text: string): boolean => MONTH_PATTERN.test(text);
export const isYear = (text: string): boolean => YEAR_PATTERN.test(text);

/** The year of a month or year period. */
export const yearOf = (period: string): number => Number(period.slice(0, 4));

/** `2021-11` … `2022-02` → 2021-11, 2021-12, 2022-01, 2022-02. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return out;
}
