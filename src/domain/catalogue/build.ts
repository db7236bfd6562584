import { categoryOf, groupingCode, ProcedureTypeOf, TREATMENT_TYPES, TreatmentType, treatmentRank } from '../codes';
import { Dec, fixed, round2, round4, round6 } from '../decimal';
import { HOSPITAL_LEVELS, HospitalLevel } from '../hospital';
import { Policy } from '../policy';
import { Catalogue, CatalogueGroup, GroupFlag, groupCode, GroupKind } from './catalogue';
import { caseKeyOf } from './case-key';
import { CategoryGroup, mergeComposites } from './composite-merge';
import { MAX_FEN, pack, PackedCosts, trimYear, YearStats } from './packed-costs';
import { MONEY_DP, scaledOrNull } from '../money';
import { IcdRanges } from './ranges';
import { severityClass, SeverityLists } from './severity';
import { DipError } from '../errors';

/** One case of the look-back window, already validated (spec §2). */
export interface HistoryCase {
  /** Discharge year. */
  year: number;
  principalDiagnosis: string;
  principalProcedure: string | null;
  otherProcedures: readonly string[];
  secondaryDiagnoses: readonly string[];
  losDays: number;
  dischargeMode: string;
  /** Yuan, exactly 2 decimals, e.g. "12345.60". */
  totalCost: string;
  /** The level of the case's hospital (for the groups' averages by level, spec §6.2); null: unknown. */
  level?: HospitalLevel | null;
}

export interface BuildInput {
  region: string;
  /** The settlement year the catalogue is for. */
  year: number;
  policy: Policy;
  ranges: IcdRanges;
  severity: SeverityLists;
  typeOf: ProcedureTypeOf;
}

/** Every refusal of the build, with a message a user understands. */
export class CatalogueError extends DipError {
  constructor(message: string) {
    super('invalid', 'invalid-build', message);
  }
}

/** Spec §6.2: a group's average at a hospital level counts once the level has this many cases ("≥ 15"). */
export const LEVEL_AVERAGE_MIN_CASES = 15;

/**
 * The cases of one combination cell: one combination key (or, for a therapeutic case without
 * key procedures, none) and one treatment type. A combination key's cells form its core group;
 * when the key is not core each cell joins the composite group of (category, its type).
 */
interface Cell {
  /** Its costs of window year index y (oldest first) are in slot `id × lookbackYears + y`. */
  id: number;
  key: string | null;
  category: string;
  treatmentType: TreatmentType;
  cases: number;
}

interface KeyEntry {
  cases: number;
  cells: (Cell | undefined)[];
}

interface GroupPlan {
  key: string;
  kind: GroupKind;
  category: string | null;
  treatmentType: TreatmentType;
  procedures: string[];
  cells: Cell[];
  cases: number;
}

/** A mean to weight across years: Σ fen over count, in window year `index`. */
interface YearMean {
  index: number;
  fen: bigint;
  count: number;
}

/**
 * The catalogue build of spec §4, steps 1–8 and 10 (step 9, the budget point value, needs the
 * grouping engine and is a second pass: see budget-point-value). Streaming: `add` each case of
 * the window once, in any order, then `finish`. Memory is about 12 bytes a case (its cost and
 * severity class packed in one BigInt64, and its cell-and-year slot in one Int32, see
 * PackedCosts) plus one small record per combination key: no case object is kept.
 */
export class CatalogueBuilder {
  private readonly windowYears: number[];
  private readonly weights: Dec[];
  /** Combination key → its window cases (all types) and its cells by treatment rank. */
  private readonly byKey = new Map<string, KeyEntry>();
  /** Category → the cell of its therapeutic cases without key procedures. */
  private readonly noKey = new Map<string, Cell>();
  private readonly yearCases: number[];
  private readonly store = new PackedCosts();
  /** The store's costs ordered by slot, made by the first finish(). */
  private costs: { values: BigInt64Array; start: Int32Array } | null = null;
  private cellCount = 0;
  private ignoredCases = 0;
  private result: Omit<Catalogue, 'pvBudget'> | null = null;

  constructor(private readonly input: BuildInput) {
    const c = input.policy.catalog;
    if (!Number.isInteger(input.year)) throw new CatalogueError(`the settlement year must be a whole number; got ${input.year}`);
    if (c.yearWeights.length !== c.lookbackYears) {
      throw new CatalogueError(`the policy gives ${c.yearWeights.length} year weights for ${c.lookbackYears} look-back years`);
    }
    this.windowYears = Array.from({ length: c.lookbackYears }, (_, i) => input.year - c.lookbackYears + i);
    this.weights = c.yearWeights.map((w) => new Dec(w));
    this.yearCases = this.windowYears.map(() => 0);
  }

  /** Cases given to `add` whose discharge year lies outside the window (not counted anywhere else). */
  get ignored(): number {
    return this.ignoredCases;
  }

  add(c: HistoryCase): void {
    if (this.result !== null) throw new Error('CatalogueBuilder: add() after finish()');
    const yi = c.year - this.windowYears[0];
    if (!(yi >= 0 && yi < this.windowYears.length)) {
      this.ignoredCases++;
      return;
    }
    const fen = scaledOrNull(c.totalCost, MONEY_DP);
    if (fen === null || fen < 0n)
      throw new CatalogueError(`a case of ${c.year} has the total cost "${c.totalCost}", which is not an amount in yuan such as 12345.60`);
    if (fen > MAX_FEN)
      throw new CatalogueError(`a case of ${c.year} has the total cost ${c.totalCost} yuan, beyond what a catalogue can hold`);
    const combination = caseKeyOf(c.principalDiagnosis, c.principalProcedure, c.otherProcedures, this.input.typeOf);
    const cell = this.cellOf(combination.key, c.principalDiagnosis, combination.treatmentType);
    const level = c.level ? HOSPITAL_LEVELS.indexOf(c.level) + 1 : 0;
    this.store.push(pack(fen, level, severityClass(c, this.input.severity)), cell.id * this.windowYears.length + yi);
    cell.cases++;
    this.yearCases[yi]++;
  }

  private cellOf(key: string | null, diagnosis: string, type: TreatmentType): Cell {
    if (key === null) {
      const category = categoryOf(groupingCode(diagnosis));
      let cell = this.noKey.get(category);
      if (cell === undefined) this.noKey.set(category, (cell = this.newCell(null, category, type)));
      return cell;
    }
    let entry = this.byKey.get(key);
    if (entry === undefined) this.byKey.set(key, (entry = { cases: 0, cells: [undefined, undefined, undefined, undefined] }));
    entry.cases++;
    const rank = treatmentRank(type);
    let cell = entry.cells[rank];
    if (cell === undefined) cell = entry.cells[rank] = this.newCell(key, key.slice(0, 3), type);
    return cell;
  }

  private newCell(key: string | null, category: string, treatmentType: TreatmentType): Cell {
    return { id: this.cellCount++, key, category, treatmentType, cases: 0 };
  }

  /**
   * Steps 1–8 and 10. Throws CatalogueError on bad input (no case in the window, only one year
   * with cases, a benchmark key that is not a core group). A second call returns the same
   * catalogue; no case can be added after it.
   */
  finish(): Omit<Catalogue, 'pvBudget'> {
    this.result ??= this.build();
    return this.result;
  }

  private build(): Omit<Catalogue, 'pvBudget'> {
    const { region, year, policy } = this.input;
    const cat = policy.catalog;
    const span = `${this.windowYears[0]}–${this.windowYears[this.windowYears.length - 1]}`;

    // Step 1: the window years with data and their weights.
    const total = this.yearCases.reduce((a, b) => a + b, 0);
    if (total === 0) {
      throw new CatalogueError(
        `region ${region} has no cases discharged in ${span}${this.ignoredCases > 0 ? ` (${this.ignoredCases} cases outside these years were ignored)` : ''}: there is nothing to build a ${year} catalogue from`,
      );
    }
    const present = this.windowYears.map((_, i) => i).filter((i) => this.yearCases[i] > 0);
    const needed = Math.min(2, cat.lookbackYears);
    if (present.length < needed) {
      throw new CatalogueError(
        `region ${region} has cases in only one year of the look-back window ${span} (${this.windowYears[present[0]]}, ${this.yearCases[present[0]]} cases): a ${year} catalogue needs at least two years of history`,
      );
    }
    const years = present.length;
    /** Average annual count ≥ x, exactly: cases ≥ x × years with data. */
    const atLeastPerYear = (cases: number, perYear: Dec) => new Dec(cases).gte(perYear.times(years));

    // Step 2: core groups. Step 3: composite groups, merged upward.
    const coreThreshold = new Dec(cat.coreThreshold);
    const compositeMin = new Dec(cat.compositeMinCases);
    const plans: GroupPlan[] = [];
    const composite = new Map<string, CategoryGroup<Cell>>();
    const toComposite = (cell: Cell) => {
      const k = `${cell.category}~${cell.treatmentType}`;
      const g = composite.get(k);
      if (g) {
        g.members.push(cell);
        g.cases += cell.cases;
      } else composite.set(k, { category: cell.category, treatmentType: cell.treatmentType, members: [cell], cases: cell.cases });
    };
    for (const [key, { cases, cells }] of this.byKey) {
      const own = cells.filter((c): c is Cell => c !== undefined);
      if (atLeastPerYear(cases, coreThreshold)) {
        const procedures = key.slice(key.indexOf('|') + 1);
        const list = procedures === '' ? [] : procedures.split('+');
        plans.push({
          key,
          kind: 'core',
          category: key.slice(0, 3),
          treatmentType: keyType(list, this.input.typeOf),
          procedures: list,
          cells: own,
          cases,
        });
      } else own.forEach(toComposite);
    }
    this.noKey.forEach(toComposite);
    for (const g of mergeComposites([...composite.values()], this.input.ranges, (cases) => !atLeastPerYear(cases, compositeMin))) {
      plans.push({
        key: g.key,
        kind: 'composite',
        category: g.category,
        treatmentType: g.treatmentType,
        procedures: [],
        cells: g.members,
        cases: g.cases,
      });
    }
    plans.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

    // Step 5: trimming per group and year, and the group's weighted average cost.
    const costs = (this.costs ??= this.store.bySlot(this.cellCount * this.windowYears.length));
    const stats = plans.map((p) => this.yearStats(p, costs.values, costs.start));
    const avg = stats.map((s) => this.weightedMean(s.map((y, index) => ({ index, fen: y?.keptFen ?? 0n, count: y?.kept ?? 0 }))));

    // Step 6: the reference cost M; step 7: cost per point and the score scale.
    let M: Dec;
    let scale: Dec;
    let benchmarkIndex = -1;
    if (cat.reference.type === 'allCases') {
      M = this.weightedMean(
        this.windowYears.map((_, index) => {
          let fen = 0n;
          let count = 0;
          for (const s of stats) {
            const y = s[index];
            if (y) {
              fen += y.keptFen;
              count += y.kept;
            }
          }
          return { index, fen, count };
        }),
      );
      scale = new Dec(cat.scoreScale);
    } else {
      const benchmark = cat.reference.key;
      benchmarkIndex = plans.findIndex((p) => p.kind === 'core' && p.key === benchmark);
      if (benchmarkIndex < 0) {
        const cases = this.byKey.get(benchmark)?.cases ?? 0;
        throw new CatalogueError(
          cases === 0
            ? `the benchmark group ${benchmark} (policy catalog.reference.key) has no case in ${span}: choose a core group of this region as the benchmark`
            : `the benchmark group ${benchmark} (policy catalog.reference.key) is not a core group: it has ${cases} cases in ${years} year(s) of ${span}, fewer than ${cat.coreThreshold} a year`,
        );
      }
      M = avg[benchmarkIndex];
      scale = new Dec(cat.reference.score);
    }
    if (M.lte(0))
      throw new CatalogueError(`the reference cost of ${span} is ${fixed(M, 2)} yuan: scores cannot be computed relative to it`);
    const costPerPoint = round6(M.div(scale));

    // Steps 4, 7, 8 and 10: flags, scores, severity factors, stored precision.
    const flagsOf = this.flagIndex();
    const groups: CatalogueGroup[] = plans.map((p, i) => {
      const m = avg[i];
      const score = i === benchmarkIndex ? round4(scale) : round4(m.div(M).times(scale));
      const group: CatalogueGroup = {
        code: '',
        key: p.key,
        kind: p.kind,
        category: p.category,
        treatmentType: p.treatmentType,
        procedures: p.procedures,
        cases: p.cases,
        avgCost: fixed(round2(m), 2),
        score: fixed(score, 4),
        auxiliary: p.kind === 'core' ? this.severityFactors(stats[i], m) : {},
        flags: p.kind === 'core' ? [...(flagsOf.get(p.key) ?? [])] : [],
      };
      const byLevel = this.levelAverages(stats[i]);
      if (byLevel) group.levelAvgCost = byLevel;
      group.code = groupCode(group);
      return group;
    });

    return {
      region,
      year,
      window: present.map((i) => this.windowYears[i]),
      reference: { type: cat.reference.type, cost: fixed(round2(M), 2) },
      costPerPoint: fixed(costPerPoint, 6),
      groups,
    };
  }

  /** Trims each year of a group (its cells' costs together) and sums what is kept. */
  private yearStats(plan: GroupPlan, values: BigInt64Array, start: Int32Array): (YearStats | undefined)[] {
    const years = this.windowYears.length;
    return this.windowYears.map((_, yi) => {
      const runs: [number, number][] = [];
      let n = 0;
      for (const cell of plan.cells) {
        const slot = cell.id * years + yi;
        if (start[slot + 1] > start[slot]) {
          runs.push([start[slot], start[slot + 1]]);
          n += start[slot + 1] - start[slot];
        }
      }
      if (runs.length === 0) return undefined;
      let costs: BigInt64Array;
      if (runs.length === 1) costs = values.subarray(runs[0][0], runs[0][1]);
      else {
        costs = new BigInt64Array(n);
        let at = 0;
        for (const [from, to] of runs) {
          costs.set(values.subarray(from, to), at);
          at += to - from;
        }
      }
      return trimYear(costs, this.input.policy.catalog.trim);
    });
  }

  /**
   * Σ w_y · mean_y / Σ w_y over the years with a count (spec §4.5), in yuan, unrounded. A
   * year without cases drops out with its weight.
   */
  private weightedMean(means: readonly YearMean[]): Dec {
    let num = new Dec(0);
    let den = new Dec(0);
    for (const { index, fen, count } of means) {
      if (count === 0) continue;
      const w = this.weights[index];
      num = num.plus(w.times(fen.toString()).div(count));
      den = den.plus(w);
    }
    return num.div(den).div(100);
  }

  /**
   * Spec §4.8: classes 2–4 with at least `auxiliary.minCases` kept cases in the window; the
   * class mean is weighted like m_i over the years in which the class has kept cases; the
   * factor round4(class mean / m_i) is recorded only when it is above 1.
   */
  private severityFactors(stats: readonly (YearStats | undefined)[], m: Dec): CatalogueGroup['auxiliary'] {
    const out: CatalogueGroup['auxiliary'] = {};
    if (m.lte(0)) return out;
    for (const cls of [2, 3, 4] as const) {
      const kept = stats.reduce((s, y) => s + (y?.classKept[cls] ?? 0), 0);
      if (kept < this.input.policy.catalog.auxiliary.minCases) continue;
      const mean = this.weightedMean(stats.map((y, index) => ({ index, fen: y?.classFen[cls] ?? 0n, count: y?.classKept[cls] ?? 0 })));
      const factor = round4(mean.div(m));
      if (factor.gt(1)) out[String(cls) as '2' | '3' | '4'] = fixed(factor, 4);
    }
    return out;
  }

  /**
   * The group's average cost at each hospital level with at least LEVEL_AVERAGE_MIN_CASES kept
   * cases in the window (spec §6.2, for `outlierReference: levelAverage`), computed like m_i:
   * yearly means of those kept cases, weighted over the years in which the level has kept cases;
   * stored to 2 dp. Undefined when no level qualifies.
   */
  private levelAverages(stats: readonly (YearStats | undefined)[]): CatalogueGroup['levelAvgCost'] {
    let out: CatalogueGroup['levelAvgCost'];
    HOSPITAL_LEVELS.forEach((level, i) => {
      const n = i + 1;
      const kept = stats.reduce((s, y) => s + (y?.levelKept[n] ?? 0), 0);
      if (kept < LEVEL_AVERAGE_MIN_CASES) return;
      const mean = this.weightedMean(stats.map((y, index) => ({ index, fen: y?.levelFen[n] ?? 0n, count: y?.levelKept[n] ?? 0 })));
      (out ??= {})[level] = fixed(round2(mean), 2);
    });
    return out;
  }

  /** Spec §4.4: the policy's lists by combination key; flags in the exchange format's order (sorted). */
  private flagIndex(): Map<string, GroupFlag[]> {
    const g = this.input.policy.groups;
    const index = new Map<string, Set<GroupFlag>>();
    const mark = (key: string, flag: GroupFlag) => {
      const set = index.get(key) ?? new Set<GroupFlag>();
      set.add(flag);
      index.set(key, set);
    };
    g.primaryCare.forEach((k) => mark(k, 'primaryCare'));
    g.fixedScore.forEach((f) => mark(f.key, 'fixedScore'));
    g.daySurgery.forEach((d) => mark(d.key, 'daySurgery'));
    return new Map([...index].map(([k, s]) => [k, [...s].sort()]));
  }
}

/**
 * The treatment type of a core group, from its key alone: the highest type of its key
 * procedures, `conservative` when it has none. (Spec §4 is silent; a key's cases may differ in
 * their non-key procedures, e.g. `K80.1|` holds conservative and diagnostic cases, so the type
 * is taken from what defines the group, which keeps it stable across versions.)
 */
function keyType(procedures: readonly string[], typeOf: ProcedureTypeOf): TreatmentType {
  let rank = 0;
  for (const p of procedures) rank = Math.max(rank, treatmentRank(typeOf(p)));
  return TREATMENT_TYPES[rank];
}
