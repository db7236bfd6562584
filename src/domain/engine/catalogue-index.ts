import { TREATMENT_TYPES, TreatmentType, treatmentRank } from '../codes';
import { Catalogue, CatalogueGroup, SeverityClass } from '../catalogue/catalogue';
import { HospitalLevel } from '../hospital';
import { IcdRanges, rangeName, rangeOf } from '../catalogue/ranges';
import { Fixed, fixedOf, ONE_F } from './exact';

/** A core group as grouping sees it: its key procedures and its average cost, parsed once. */
export interface IndexedCore {
  readonly group: CatalogueGroup;
  /** Key procedures, sorted (from the key). */
  readonly procedures: readonly string[];
  readonly avgCost: Fixed;
}

/** Which composite level answered (spec §5.3). */
export type CompositeLevel = 'category' | 'block' | 'chapter' | 'region';

export interface CompositeChoice {
  readonly group: CatalogueGroup;
  readonly level: CompositeLevel;
}

/** A group's catalogue figures as exact numbers (spec §4.10: the stored figures are the ones used). */
export interface GroupNumbers {
  readonly score: Fixed;
  readonly avgCost: Fixed;
  /** Severity factor by class, index 1–4 (index 0 unused); 1 where the catalogue records none. */
  readonly severity: readonly Fixed[];
  /** The factor as the catalogue writes it (`1` when none), by class. */
  readonly severityText: readonly string[];
  /** The group's average cost at each hospital level that has one (spec §6.2, levelAverage). */
  readonly levelAvg: Readonly<Partial<Record<HospitalLevel, Fixed>>>;
}

const numbersOf = new WeakMap<CatalogueGroup, GroupNumbers>();

/**
 * The exact figures of a catalogue group, parsed on first use and kept for the life of the group
 * object (catalogues are immutable, spec §4.11). CatalogueIndex parses every group up front.
 */
export function groupNumbers(g: CatalogueGroup): GroupNumbers {
  let n = numbersOf.get(g);
  if (n === undefined) {
    const severity: Fixed[] = [ONE_F, ONE_F, ONE_F, ONE_F, ONE_F];
    const severityText = ['1', '1', '1', '1', '1'];
    for (const cls of [2, 3, 4] as const) {
      const text = g.auxiliary[String(cls) as '2' | '3' | '4'];
      if (text !== undefined) {
        severity[cls] = fixedOf(text, `severity factor ${cls} of group ${g.key}`);
        severityText[cls] = text;
      }
    }
    const levelAvg: Partial<Record<HospitalLevel, Fixed>> = {};
    for (const [level, text] of Object.entries(g.levelAvgCost ?? {}))
      levelAvg[level as HospitalLevel] = fixedOf(text, `average cost of group ${g.key} at level ${level}`);
    n = {
      score: fixedOf(g.score, `score of group ${g.key}`),
      avgCost: fixedOf(g.avgCost, `avgCost of group ${g.key}`),
      severity,
      severityText,
      levelAvg,
    };
    numbersOf.set(g, n);
  }
  return n;
}

/** The severity factor `a` of a case's class in a group (1 if none, spec §6). */
export const severityFactor = (g: CatalogueGroup, cls: SeverityClass): Fixed => groupNumbers(g).severity[cls];

/**
 * A catalogue indexed for grouping (spec §5), built once per catalogue version: combination key
 * → core group, subcategory → its core groups, composite key → group, and the composite choice of
 * each (category, treatment type), memoised on first use. Grouping a case never scans the
 * catalogue: it does one map lookup for an exact key, otherwise scans the core groups of the
 * case's own subcategory only, then at most four composite lookups (once per category and type).
 */
export class CatalogueIndex {
  readonly catalogue: Catalogue;
  private readonly coreByKey = new Map<string, IndexedCore>();
  private readonly coreBySubcategory = new Map<string, IndexedCore[]>();
  private readonly compositeByKey = new Map<string, CatalogueGroup>();
  /** category → choice by treatment rank; undefined = not resolved yet, null = no group. */
  private readonly compositeMemo = new Map<string, (CompositeChoice | null | undefined)[]>();

  constructor(
    catalogue: Catalogue,
    private readonly ranges: IcdRanges,
  ) {
    this.catalogue = catalogue;
    for (const g of catalogue.groups) {
      groupNumbers(g); // parse and validate every figure now, not on the hot path
      if (this.coreByKey.has(g.key) || this.compositeByKey.has(g.key)) throw new Error(`catalogue has the group key ${g.key} twice`);
      if (g.kind === 'composite') {
        if (!g.key.includes('~')) throw new Error(`composite group key ${g.key} is not of the form <range>~<treatmentType>`);
        this.compositeByKey.set(g.key, g);
        continue;
      }
      const bar = g.key.indexOf('|');
      if (bar < 0) throw new Error(`core group key ${g.key} is not of the form subcategory|procedures`);
      const sub = g.key.slice(0, bar);
      const procs = g.key.slice(bar + 1);
      const core: IndexedCore = { group: g, procedures: procs === '' ? [] : procs.split('+').sort(), avgCost: groupNumbers(g).avgCost };
      this.coreByKey.set(g.key, core);
      const list = this.coreBySubcategory.get(sub);
      if (list) list.push(core);
      else this.coreBySubcategory.set(sub, [core]);
    }
    // Plain character order within a subcategory: makes any scan order-independent to read.
    for (const list of this.coreBySubcategory.values()) list.sort((x, y) => (x.group.key < y.group.key ? -1 : 1));
  }

  /** The core group with exactly this combination key. */
  core(key: string): IndexedCore | undefined {
    return this.coreByKey.get(key);
  }

  /** The core groups of a subcategory (`K80.1`), sorted by key. */
  coresOf(subcategory: string): readonly IndexedCore[] {
    return this.coreBySubcategory.get(subcategory) ?? NONE;
  }

  /** A composite group by key (`K80~surgery`, `K80-K87~surgery`, `*~surgery`). */
  compositeGroup(key: string): CatalogueGroup | undefined {
    return this.compositeByKey.get(key);
  }

  /**
   * Spec §5.3: the composite group of (category, type); if that key is not in the catalogue, the
   * group of the category's block range, else of its chapter range, else the region-wide group
   * `*`, of the same type: the first that exists. A level whose range table has no range for the
   * category is skipped (as in the build, composite-merge.ts). Since the build merges a small
   * (category, type) group into exactly the first of these levels that exists, this one lookup
   * order finds both "the group it was merged into" and the fallback for a pair never seen.
   */
  composite(category: string, type: TreatmentType): CompositeChoice | null {
    let byType = this.compositeMemo.get(category);
    if (byType === undefined) this.compositeMemo.set(category, (byType = [undefined, undefined, undefined, undefined]));
    const rank = treatmentRank(type);
    let choice = byType[rank];
    if (choice === undefined) byType[rank] = choice = this.resolveComposite(category, TREATMENT_TYPES[rank]);
    return choice;
  }

  private resolveComposite(category: string, type: TreatmentType): CompositeChoice | null {
    const own = this.compositeByKey.get(`${category}~${type}`);
    if (own) return { group: own, level: 'category' };
    const block = rangeOf(this.ranges.blocks, category);
    const inBlock = block && this.compositeByKey.get(`${rangeName(block)}~${type}`);
    if (inBlock) return { group: inBlock, level: 'block' };
    const chapter = rangeOf(this.ranges.chapters, category);
    const inChapter = chapter && this.compositeByKey.get(`${rangeName(chapter)}~${type}`);
    if (inChapter) return { group: inChapter, level: 'chapter' };
    const region = this.compositeByKey.get(`*~${type}`);
    return region ? { group: region, level: 'region' } : null;
  }
}

const NONE: readonly IndexedCore[] = [];
