import { TreatmentType } from '../codes';
import { IcdRanges, rangeName, rangeOf } from './ranges';

/** A composite group before or after merging: its key, its category (null once merged), its members. */
export interface CompositeGroup<M> {
  key: string;
  category: string | null;
  treatmentType: TreatmentType;
  members: M[];
  cases: number;
}

/** One (category, treatment type) composite group of spec §4.3 before merging. */
export interface CategoryGroup<M> {
  category: string;
  treatmentType: TreatmentType;
  members: M[];
  cases: number;
}

interface Pending<M> {
  category: string;
  members: M[];
  cases: number;
}

/**
 * Spec §4.3, composite merge-up. A (category, type) group that is too small (`isSmall`, on its
 * window cases) is merged, with the other small ones of the same type in its ICD-10 block, into
 * the block group `<block>~<type>`; a block group still too small is merged, with the other
 * small ones of its chapter, into the chapter group `<chapter>~<type>`; a chapter group still
 * too small joins the region-wide group `*~<type>`, whatever its size.
 *
 * Decisions where the spec is silent:
 * - "A level with no range is skipped" is read per category: a small category that lies in no
 *   block of the region's table (in particular when no block table is loaded) goes straight to
 *   its chapter; one that lies in no chapter goes straight to `*`.
 * - A small block group passes each of its categories on to that category's own chapter (with
 *   a proper table the blocks nest in the chapters and this is the block's chapter).
 * - The region-wide group `*~<type>` is made only when some case lands in it: a group without
 *   cases has no average cost and cannot be scored. Grouping (spec §5.3) treats a missing
 *   `*~<type>` like any other missing level.
 * - Should a block and a chapter have the same range name, both levels' groups are one group.
 */
export function mergeComposites<M>(
  groups: readonly CategoryGroup<M>[],
  ranges: IcdRanges,
  isSmall: (cases: number) => boolean,
): CompositeGroup<M>[] {
  const out = new Map<string, CompositeGroup<M>>();
  const emit = (key: string, category: string | null, treatmentType: TreatmentType, members: M[], cases: number) => {
    const existing = out.get(key);
    if (existing) {
      existing.members.push(...members);
      existing.cases += cases;
      existing.category = null;
    } else out.set(key, { key, category, treatmentType, members: [...members], cases });
  };
  const add = (level: Map<string, Pending<M>[]>, key: string, p: Pending<M>) => {
    const list = level.get(key);
    if (list) list.push(p);
    else level.set(key, [p]);
  };
  const total = (list: readonly Pending<M>[]) => list.reduce((s, p) => s + p.cases, 0);

  for (const type of [...new Set(groups.map((g) => g.treatmentType))]) {
    const blocks = new Map<string, Pending<M>[]>();
    const chapters = new Map<string, Pending<M>[]>();
    const regionWide: Pending<M>[] = [];
    const toChapter = (p: Pending<M>) => {
      const chapter = rangeOf(ranges.chapters, p.category);
      if (chapter) add(chapters, rangeName(chapter), p);
      else regionWide.push(p);
    };
    for (const g of groups) {
      if (g.treatmentType !== type) continue;
      if (!isSmall(g.cases)) {
        emit(`${g.category}~${type}`, g.category, type, g.members, g.cases);
        continue;
      }
      const p = { category: g.category, members: g.members, cases: g.cases };
      const block = rangeOf(ranges.blocks, g.category);
      if (block) add(blocks, rangeName(block), p);
      else toChapter(p);
    }
    for (const [name, list] of blocks) {
      const cases = total(list);
      if (!isSmall(cases))
        emit(
          `${name}~${type}`,
          null,
          type,
          list.flatMap((p) => p.members),
          cases,
        );
      else list.forEach(toChapter);
    }
    for (const [name, list] of chapters) {
      const cases = total(list);
      if (!isSmall(cases))
        emit(
          `${name}~${type}`,
          null,
          type,
          list.flatMap((p) => p.members),
          cases,
        );
      else regionWide.push(...list);
    }
    if (regionWide.length > 0)
      emit(
        `*~${type}`,
        null,
        type,
        regionWide.flatMap((p) => p.members),
        total(regionWide),
      );
  }
  return [...out.values()];
}
