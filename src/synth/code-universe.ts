import { categoryOf, groupingCode, normaliseDiagnosis, normaliseProcedure, subcategoryOf } from '../domain/codes';
import { hash32, Rng } from './random';

/** The diagnosis codes of one subcategory (亚目), the usual code first. */
export interface DiagnosisSubcategory {
  subcategory: string;
  category: string;
  codes: readonly string[];
}

/** Every code the generator may write. Plain arrays and maps: the CLI loads files, the generator only reads these. */
export interface CodeUniverse {
  /** Where the codes come from: an official table or codes made up in the ICD shape. */
  source: 'table' | 'synthetic';
  /** Principal-diagnosis candidates by subcategory (external causes V–Y never lead a record). */
  subcategories: readonly DiagnosisSubcategory[];
  procedures: readonly string[];
  /** Official procedure names, for the 活检 rule of the fallback procedure typer (spec §3). */
  procedureNames: ReadonlyMap<string, string>;
  /** Secondary diagnoses on the severe / moderate typing lists (severity classes 3 / 2, spec §4.8). */
  severeSecondary: readonly string[];
  moderateSecondary: readonly string[];
  /** Secondary diagnoses on neither list (common comorbidities). */
  plainSecondary: readonly string[];
}

export interface CodeEntry {
  code: string;
  name: string;
}

/** Official tables, already read and split: `CODE NAME` lines and the two typing lists. */
export interface CodeTables {
  diagnoses: readonly CodeEntry[];
  procedures: readonly CodeEntry[];
  severeSecondary: readonly string[];
  moderateSecondary: readonly string[];
}

/** External causes (V01–Y98) are recorded as secondary codes, never as the principal diagnosis. */
const EXTERNAL_CAUSE = /^[V-Y]/;

function bySubcategory(codes: readonly string[]): DiagnosisSubcategory[] {
  const groups = new Map<string, string[]>();
  for (const code of codes) {
    if (EXTERNAL_CAUSE.test(code)) continue;
    const sub = subcategoryOf(groupingCode(code));
    const list = groups.get(sub);
    if (list) list.push(code);
    else groups.set(sub, [code]);
  }
  return [...groups].map(([subcategory, list]) => ({ subcategory, category: categoryOf(subcategory), codes: list }));
}

/** The universe of an official code table; codes that are not of the 医保版 shape are left out. */
export function codeUniverseFromTables(tables: CodeTables): CodeUniverse {
  const diagnoses = tables.diagnoses.map((e) => normaliseDiagnosis(e.code)).filter((c): c is string => c !== null);
  const procedureNames = new Map<string, string>();
  for (const e of tables.procedures) {
    const code = normaliseProcedure(e.code);
    if (code !== null && !procedureNames.has(code)) procedureNames.set(code, e.name);
  }
  const known = new Set(diagnoses);
  const listed = (list: readonly string[]) => list.map((c) => normaliseDiagnosis(c)).filter((c): c is string => c !== null && known.has(c));
  const severe = listed(tables.severeSecondary);
  const moderate = listed(tables.moderateSecondary);
  const severeSet = new Set(severe);
  const typed = new Set([...severe, ...moderate]);
  return {
    source: 'table',
    subcategories: bySubcategory(diagnoses),
    procedures: [...procedureNames.keys()],
    procedureNames,
    severeSecondary: severe,
    moderateSecondary: moderate.filter((c) => !severeSet.has(c)),
    plainSecondary: diagnoses.filter((c) => !typed.has(c)),
  };
}

/** Chapter letters of the made-up universe: A–T and Z (no external causes, no U special codes). */
const SYNTHETIC_LETTERS = 'ABCDEFGHIJKLMNOPQRSTZ';
const CODE_STREAM = 0xc0de;
const digits = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Codes in the ICD shape when no table is given: about 1,700 categories (`K80`), 1–9
 * subcategories each (`K80.1`, or `I10.x` for an undivided category), base codes `K80.100`,
 * extensions `K80.100x002`, a few dagger/asterisk pairs `A01.000x005+J17.0*`, and procedures
 * `51.2300` / `96.0800x005` in every ICD-9-CM-3 chapter. Typing lists: a seeded 12 % severe,
 * 30 % moderate, as in the proportions of the CHS-DRG lists.
 */
export function syntheticCodeUniverse(seed: number): CodeUniverse {
  const rng = new Rng(hash32(seed, CODE_STREAM));
  const categories: string[] = [];
  for (const letter of SYNTHETIC_LETTERS) {
    for (let n = 0; n < 100; n++) if (rng.chance(0.8)) categories.push(`${letter}${digits(n, 2)}`);
  }
  const diagnoses: string[] = [];
  for (const category of categories) {
    const undivided = rng.chance(0.1);
    const subDigits = undivided
      ? ['x']
      : rng
          .shuffle(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
          .slice(0, 1 + rng.int(9))
          .sort();
    for (const d of subDigits) {
      const base = `${category}.${d}00`;
      diagnoses.push(base);
      const extensions = rng.poisson(1.5);
      for (let x = 1; x <= extensions; x++) diagnoses.push(`${base}x${digits(x, 3)}`);
      if (rng.chance(0.05)) diagnoses.push(`${base}x${digits(extensions + 1, 3)}+${rng.pick(categories)}.${rng.int(10)}*`);
    }
  }
  const procedures: string[] = [];
  for (let chapter = 0; chapter < 100; chapter++) {
    const count = 20 + rng.int(60);
    const subs = rng
      .shuffle(Array.from({ length: 100 }, (_, i) => i))
      .slice(0, count)
      .sort((a, b) => a - b);
    for (const s of subs) {
      const base = `${digits(chapter, 2)}.${digits(s, 2)}00`;
      procedures.push(base);
      if (rng.chance(0.25)) procedures.push(`${base}x${digits(1 + rng.int(20), 3)}`);
    }
  }
  const severe: string[] = [];
  const moderate: string[] = [];
  const plain: string[] = [];
  for (const code of diagnoses) {
    const u = rng.float();
    (u < 0.12 ? severe : u < 0.42 ? moderate : plain).push(code);
  }
  return {
    source: 'synthetic',
    subcategories: bySubcategory(diagnoses),
    procedures,
    procedureNames: new Map(),
    severeSecondary: severe,
    moderateSecondary: moderate,
    plainSecondary: plain,
  };
}
