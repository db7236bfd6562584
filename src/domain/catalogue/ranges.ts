/**
 * ICD-10 range tables (spec §4.3): the chapters (shipped in catalogs/icd10-chapters.tsv) and,
 * when the region loads them, the blocks. A category (`K80`) lies in a range when
 * lower ≤ category ≤ upper in plain character order.
 */
export interface IcdRange {
  lower: string;
  upper: string;
}

export interface IcdRanges {
  chapters: IcdRange[];
  blocks: IcdRange[];
}

export const rangeName = (r: IcdRange): string => `${r.lower}-${r.upper}`;

export function rangeOf(ranges: readonly IcdRange[], category: string): IcdRange | null {
  for (const r of ranges) if (r.lower <= category && category <= r.upper) return r;
  return null;
}

/** `lower<TAB>upper…` lines (a header line and further columns are ignored). */
export function parseRangeTable(text: string): IcdRange[] {
  const out: IcdRange[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [lower, upper] = line.split('\t');
    if (lower && upper && /^[A-Z]\d{2}$/.test(lower.trim()) && /^[A-Z]\d{2}$/.test(upper.trim()))
      out.push({ lower: lower.trim(), upper: upper.trim() });
  }
  return out;
}
