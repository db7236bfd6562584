import { Dec } from '../decimal';
import { SeverityClass } from './catalogue';

/**
 * The costs of the window's cases, packed for volume (spec §4 at 3 × 1,000,000 cases): each
 * case is one BigInt64 `fen × 64 + level × 8 + severityClass` (level: the hospital's level,
 * 1–7 in the order of HOSPITAL_LEVELS, 0 unknown) and the Int32 number of its slot (combination
 * cell × window year), appended in arrival order: 12 bytes a case, no object per case, and
 * sequential writes. `bySlot` then orders them by slot (a counting sort), so that each slot is
 * one contiguous run. Sorting packed values sorts by cost (level and class only break ties among
 * equal costs, which trimming keeps or drops together), so they travel with their cost without
 * a second array or index pairs. Money stays exact: fen are integers in a BigInt, never a JS
 * number.
 */
export class PackedCosts {
  private packed = new BigInt64Array(1 << 12);
  private slots = new Int32Array(1 << 12);
  length = 0;

  push(packed: bigint, slot: number): void {
    if (this.length === this.packed.length) {
      const packed = new BigInt64Array(this.packed.length * 2);
      packed.set(this.packed);
      this.packed = packed;
      const slots = new Int32Array(this.slots.length * 2);
      slots.set(this.slots);
      this.slots = slots;
    }
    this.packed[this.length] = packed;
    this.slots[this.length++] = slot;
  }

  /**
   * The values ordered by slot: slot s is `values[start[s] … start[s + 1])`. Releases the
   * arrival-order arrays (the store is empty afterwards).
   */
  bySlot(slotCount: number): { values: BigInt64Array; start: Int32Array } {
    const n = this.length;
    const start = new Int32Array(slotCount + 1);
    for (let i = 0; i < n; i++) start[this.slots[i] + 1]++;
    for (let s = 0; s < slotCount; s++) start[s + 1] += start[s];
    const at = start.slice(0, slotCount);
    const values = new BigInt64Array(n);
    for (let i = 0; i < n; i++) values[at[this.slots[i]]++] = this.packed[i];
    this.packed = new BigInt64Array(0);
    this.slots = new Int32Array(0);
    this.length = 0;
    return { values, start };
  }
}

const CLASS_MASK = 7n;
const LEVEL_SHIFT = 3n;
const LEVEL_MASK = 7n;
const COST_SHIFT = 6n;
const TAG_MASK = 63n;
/** The largest cost that still packs into a signed 64-bit slot: (2^63 − 1 − 63) / 64 fen. */
export const MAX_FEN = ((1n << 63n) - 1n - TAG_MASK) >> COST_SHIFT;

/** Hospital levels by number: 1–7 in the order of HOSPITAL_LEVELS; 0 is "unknown". */
export const LEVEL_COUNT = 7;

/** A case's cost, hospital level number (0–7) and severity class in one sortable value. */
export const pack = (fen: bigint, level: number, cls: SeverityClass): bigint =>
  (fen << COST_SHIFT) | (BigInt(level) << LEVEL_SHIFT) | BigInt(cls);

/** What trimming kept of one group in one year (spec §4.5), with the kept costs by severity class. */
export interface YearStats {
  /** Cases before trimming. */
  cases: number;
  kept: number;
  /** Sum of the kept costs, fen. */
  keptFen: bigint;
  /** Index = severity class 1–4 (0 unused): kept cases and their cost, fen. */
  classKept: number[];
  classFen: bigint[];
  /** Index = hospital level number 1–7 (0: unknown): kept cases and their cost, fen. */
  levelKept: number[];
  levelFen: bigint[];
}

export interface TrimRule {
  method: 'percentile' | 'none';
  lower: string;
  upper: string;
  minCases: number;
}

/**
 * Nearest-rank percentile (spec §4.5): the p-th percentile of n sorted costs is the one at
 * 1-based rank ceil(p / 100 × n), computed exactly in decimal. p = 0 would give rank 0: it is
 * read as rank 1 (the smallest cost), so the band never reaches below the data.
 */
export function nearestRank(p: string, n: number): number {
  const rank = new Dec(p).times(n).div(100).ceil().toNumber();
  return Math.min(n, Math.max(1, rank));
}

/**
 * Trims one group-year (sorted in place when the percentile band applies: at least
 * `minCases` cases) and sums what is kept. Kept: lower ≤ cost ≤ upper, so a cost tied with a
 * percentile value is kept wherever it sits in the sorted order.
 */
export function trimYear(values: BigInt64Array, rule: TrimRule): YearStats {
  const n = values.length;
  let start = 0;
  let end = n - 1;
  if (rule.method === 'percentile' && n >= rule.minCases) {
    values.sort();
    const lowerFen = values[nearestRank(rule.lower, n) - 1] >> COST_SHIFT;
    const upperFen = values[nearestRank(rule.upper, n) - 1] >> COST_SHIFT;
    const lo = lowerFen << COST_SHIFT; // smallest packed value with cost ≥ lower
    const hi = (upperFen << COST_SHIFT) | TAG_MASK; // largest packed value with cost ≤ upper
    while (start < n && values[start] < lo) start++;
    while (end >= start && values[end] > hi) end--;
  }
  const classKept = [0, 0, 0, 0, 0];
  const classFen = [0n, 0n, 0n, 0n, 0n];
  const levelKept = new Array<number>(LEVEL_COUNT + 1).fill(0);
  const levelFen = new Array<bigint>(LEVEL_COUNT + 1).fill(0n);
  for (let j = start; j <= end; j++) {
    const v = values[j];
    const cls = Number(v & CLASS_MASK);
    const level = Number((v >> LEVEL_SHIFT) & LEVEL_MASK);
    const fen = v >> COST_SHIFT;
    classKept[cls]++;
    classFen[cls] += fen;
    levelKept[level]++;
    levelFen[level] += fen;
  }
  const keptFen = classFen[1] + classFen[2] + classFen[3] + classFen[4];
  return { cases: n, kept: end - start + 1, keptFen, classKept, classFen, levelKept, levelFen };
}
