import { TreatmentType } from '../codes';
import { HospitalLevel } from '../hospital';

/**
 * The region's DIP catalogue (病种目录库) for one settlement year (spec §4), in the form of the
 * documented exchange format (docs/catalogue-format.md). Decimals are strings, rounded as
 * spec §4.10 says: avgCost and reference cost 2 dp, scores and factors 4 dp, costPerPoint and
 * pvBudget 6 dp. Everything computed from a catalogue uses these stored figures.
 */
export interface Catalogue {
  region: string;
  /** The settlement year the catalogue is for. */
  year: number;
  /** The look-back years that had cases, oldest first. */
  window: number[];
  reference: { type: 'allCases' | 'benchmark'; cost: string };
  costPerPoint: string;
  pvBudget: string;
  groups: CatalogueGroup[];
}

export type GroupKind = 'core' | 'composite';
export type GroupFlag = 'primaryCare' | 'daySurgery' | 'fixedScore';
export type SeverityClass = 1 | 2 | 3 | 4;

export interface CatalogueGroup {
  /** Stable, readable, derived from the key alone (see groupCode). */
  code: string;
  /**
   * Core: the combination key (`K80.1|51.2300`, `K80.1|`). Composite:
   * `<range>~<treatmentType>`, range = category (`K80`), block (`K80-K87`), chapter
   * (`K00-K93`) or `*` (region-wide).
   */
  key: string;
  kind: GroupKind;
  /** Core and category-level composite: the category (`K80`); merged composites: null. */
  category: string | null;
  treatmentType: TreatmentType;
  /** Core: the key procedures; composite: []. */
  procedures: string[];
  /** Cases of the window in the group (before trimming). */
  cases: number;
  avgCost: string;
  score: string;
  /** Severity factors > 1 of classes 2–4 (core groups only). */
  auxiliary: Partial<Record<'2' | '3' | '4', string>>;
  flags: GroupFlag[];
  /**
   * The group's average cost (2 dp) at each hospital level with at least 15 kept window cases
   * there (spec §6.2, `outlierReference: levelAverage`); absent when no level has that many.
   */
  levelAvgCost?: Partial<Record<HospitalLevel, string>>;
}

const TYPE_LETTER: Record<TreatmentType, string> = { conservative: 'C', diagnostic: 'D', therapeutic: 'T', surgery: 'S' };

/**
 * A group's code: core `K80.1-51.2300` (procedures joined by `+`, `CONS` when none);
 * composite `Z-K80-S`, `Z-K80-K87-S`, `Z-ALL-S` (C, D, T, S = treatment type). Derived from the
 * key only, so the same group has the same code in every catalogue version.
 */
export function groupCode(g: Pick<CatalogueGroup, 'kind' | 'key' | 'treatmentType'>): string {
  if (g.kind === 'core') {
    const [sub, procs] = g.key.split('|');
    return `${sub}-${procs === '' ? 'CONS' : procs}`;
  }
  const range = g.key.slice(0, g.key.indexOf('~'));
  return `Z-${range === '*' ? 'ALL' : range}-${TYPE_LETTER[g.treatmentType]}`;
}
