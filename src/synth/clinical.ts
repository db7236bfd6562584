/**
 * The clinical shape of the synthetic data, by ICD-10 category range: which ICD-9-CM-3 chapters
 * hold the operations for the diagnosis, how surgical the diagnosis usually is, its cost, stay
 * and lethality relative to the average, and who gets it. Coarse on purpose: it only has to make
 * the catalogue look like a city's (gallstones operated, pneumonia treated conservatively,
 * obstetrics female, perinatal cases newborn).
 */

/** How often a diagnosis is operated on: rarely, sometimes, usually. */
export type SurgicalPropensity = 'rare' | 'mixed' | 'usual';

export interface ClinicalTraits {
  /** ICD-9-CM-3 chapters (two digits before the dot) of the operations for the diagnosis. */
  chapters: readonly number[];
  surgical: SurgicalPropensity;
  /** Multipliers of the average ward cost, length of stay and death rate. */
  cost: number;
  los: number;
  lethality: number;
  sex?: 'M' | 'F';
  age?: 'newborn' | 'maternal' | 'child';
  /** Treated at secondary and tertiary hospitals, hardly ever at community or township ones. */
  specialist?: true;
}

const span = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const EYE = span(8, 16);
const ENT = span(18, 29);
const CHEST = span(30, 34);
const HEART = [0, ...span(35, 39)];
const DIGESTIVE = span(42, 54);
const URINARY = span(55, 59);
const MALE = span(60, 64);
const FEMALE = span(65, 71);
const OBSTETRIC = span(72, 75);
const BONE = span(76, 84);
const SKIN = [85, 86];
const NERVE = span(1, 5);

type Rule = [from: string, to: string, traits: ClinicalTraits];
const t = (
  chapters: readonly number[],
  surgical: SurgicalPropensity,
  cost: number,
  los: number,
  lethality: number,
  extra: Partial<ClinicalTraits> = {},
): ClinicalTraits => ({
  chapters,
  surgical,
  cost,
  los,
  lethality,
  ...extra,
});

/** First matching range wins; ranges compare as 3-character category strings. */
const SPECIALIST = { specialist: true } as const;

const RULES: readonly Rule[] = [
  ['A00', 'B99', t([34, 38, 54, 86], 'rare', 1.0, 1.1, 1.5)],
  ['C00', 'C14', t([...ENT, 40], 'mixed', 1.6, 1.2, 2.5, SPECIALIST)],
  ['C15', 'C26', t(DIGESTIVE, 'mixed', 1.7, 1.3, 3.5, SPECIALIST)],
  ['C30', 'C39', t(CHEST, 'mixed', 1.7, 1.3, 4, SPECIALIST)],
  ['C40', 'C41', t(BONE, 'mixed', 1.8, 1.3, 2.5, SPECIALIST)],
  ['C43', 'C44', t(SKIN, 'usual', 1.0, 0.8, 1, SPECIALIST)],
  ['C45', 'C49', t([40, 54, 83, 86], 'mixed', 1.6, 1.2, 3, SPECIALIST)],
  ['C50', 'C50', t([85, 40], 'usual', 1.4, 1.0, 1, { sex: 'F', ...SPECIALIST })],
  ['C51', 'C58', t(FEMALE, 'mixed', 1.5, 1.1, 2, { sex: 'F', ...SPECIALIST })],
  ['C60', 'C63', t(MALE, 'mixed', 1.5, 1.1, 2, { sex: 'M', ...SPECIALIST })],
  ['C64', 'C68', t(URINARY, 'mixed', 1.6, 1.1, 2.5, SPECIALIST)],
  ['C69', 'C72', t([...EYE, ...NERVE], 'mixed', 1.9, 1.3, 3, SPECIALIST)],
  ['C73', 'C75', t([6, 7], 'usual', 1.3, 0.9, 1, SPECIALIST)],
  ['C76', 'C97', t([40, 41, 0, 54], 'rare', 1.8, 1.3, 4, SPECIALIST)],
  ['D00', 'D09', t([...DIGESTIVE, ...FEMALE, 85], 'usual', 1.1, 0.9, 0.5, SPECIALIST)],
  ['D10', 'D24', t([...DIGESTIVE, 6, ...SKIN], 'usual', 0.9, 0.8, 0.2, SPECIALIST)],
  ['D25', 'D28', t(FEMALE, 'usual', 0.9, 0.9, 0.1, { sex: 'F', ...SPECIALIST })],
  ['D29', 'D29', t(MALE, 'usual', 0.9, 0.9, 0.1, { sex: 'M', ...SPECIALIST })],
  ['D30', 'D48', t([...URINARY, ...NERVE, ...DIGESTIVE], 'mixed', 1.2, 1.0, 1, SPECIALIST)],
  ['D50', 'D89', t([40, 41, 38], 'rare', 1.1, 1.0, 1)],
  ['E00', 'E07', t([6, 7], 'mixed', 0.9, 0.8, 0.2)],
  ['E08', 'E90', t([38, 84, 86], 'rare', 0.9, 1.0, 0.8)],
  ['F00', 'F99', t([], 'rare', 1.6, 3.0, 0.2)],
  ['G00', 'G99', t(NERVE, 'rare', 1.2, 1.2, 1.2)],
  ['H00', 'H59', t(EYE, 'usual', 0.6, 0.5, 0.05)],
  ['H60', 'H95', t(ENT, 'mixed', 0.7, 0.8, 0.05)],
  ['I00', 'I99', t(HEART, 'mixed', 1.2, 1.1, 2)],
  ['J00', 'J06', t(ENT, 'rare', 0.6, 0.7, 0.1)],
  ['J09', 'J22', t(CHEST, 'rare', 1.0, 1.1, 1.8)],
  ['J30', 'J39', t(ENT, 'usual', 0.7, 0.8, 0.05)],
  ['J40', 'J99', t(CHEST, 'rare', 1.0, 1.1, 1.8)],
  ['K00', 'K14', t(span(23, 27), 'usual', 0.6, 0.7, 0.05)],
  ['K20', 'K93', t(DIGESTIVE, 'mixed', 1.0, 1.0, 0.8)],
  ['L00', 'L99', t(SKIN, 'mixed', 0.7, 0.9, 0.2)],
  ['M00', 'M99', t([...BONE, 3], 'mixed', 1.0, 1.1, 0.2)],
  ['N00', 'N39', t([...URINARY, 39], 'mixed', 0.9, 0.9, 0.8)],
  ['N40', 'N53', t(MALE, 'usual', 0.8, 0.9, 0.2, { sex: 'M' })],
  ['N60', 'N64', t([85], 'usual', 0.7, 0.7, 0.05, { sex: 'F' })],
  ['N70', 'N98', t(FEMALE, 'usual', 0.8, 0.8, 0.05, { sex: 'F' })],
  ['O00', 'O99', t([...OBSTETRIC, 66, 69], 'mixed', 0.6, 0.6, 0.02, { sex: 'F', age: 'maternal', ...SPECIALIST })],
  ['P00', 'P96', t([38, 54], 'rare', 1.2, 1.2, 1.5, { age: 'newborn', ...SPECIALIST })],
  ['Q00', 'Q99', t([...HEART, ...DIGESTIVE, ...BONE, ...ENT], 'usual', 1.3, 1.0, 0.5, { age: 'child', ...SPECIALIST })],
  ['R00', 'R99', t([38, 54, 86], 'rare', 0.7, 0.7, 1)],
  ['S00', 'T14', t([...BONE, ...SKIN, 1, 2], 'usual', 1.1, 1.1, 0.8)],
  ['T15', 'T98', t([...EYE, ...ENT, 86], 'rare', 0.8, 0.8, 1)],
  ['Z51', 'Z51', t([], 'rare', 0.8, 0.6, 0.3, SPECIALIST)],
  ['Z00', 'Z99', t([54, 38, 69, 86], 'rare', 0.7, 0.5, 0.3)],
];
const DEFAULT_TRAITS = t([], 'rare', 1, 1, 1);

export function clinicalTraits(category: string): ClinicalTraits {
  for (const [from, to, traits] of RULES) if (category >= from && category <= to) return traits;
  return DEFAULT_TRAITS;
}

/**
 * Chapters of the operations commonly done as day surgery (日间手术): eye, ENT, vein stripping,
 * endoscopic polypectomy, anal, hernia, cystoscopic, scrotal, hysteroscopic, implant removal,
 * arthroscopy, breast lump and skin.
 */
const DAY_SURGERY_CHAPTERS: ReadonlySet<number> = new Set([...EYE, 20, 21, 28, 38, 45, 49, 53, 57, 61, 64, 68, 69, 78, 80, 85, 86]);
export const isDaySurgeryChapter = (chapter: number): boolean => DAY_SURGERY_CHAPTERS.has(chapter);

/**
 * Cost of an operation relative to the median operation, by its ICD-9-CM-3 chapter: heart,
 * brain and chest surgery dearest, eye, ENT and skin cheapest.
 */
export function procedureCostFactor(chapter: number): number {
  if (chapter === 0) return 1.8;
  if (chapter <= 5) return 2.0;
  if (chapter <= 7) return 1.0;
  if (chapter <= 16) return 0.5;
  if (chapter <= 29) return 0.6;
  if (chapter <= 34) return 1.6;
  if (chapter <= 39) return 2.2;
  if (chapter <= 41) return 0.9;
  if (chapter <= 54) return 1.1;
  if (chapter <= 59) return 1.0;
  if (chapter <= 71) return 0.8;
  if (chapter <= 75) return 0.6;
  if (chapter === 81) return 2.0;
  if (chapter <= 84) return 1.4;
  return 0.5;
}
