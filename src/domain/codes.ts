/**
 * Diagnosis (ICD-10 医保版) and procedure (ICD-9-CM-3 医保版) codes: shape, normal form, and
 * the derived keys of spec §3.
 */

/** `K80.100`, `K80.000x002`, `I10.x00`, `A01.000x005+J17.0*` (the part before `+` groups). */
const DIAGNOSIS_SHAPE = /^[A-Z]\d{2}\.[0-9x]\d{0,2}(x\d{3,4})?(\+[A-Z]\d{2}(\.[0-9x]\d{0,2})?\*)?$/;
/** `51.2300`, `96.0800x005`, `60.5x02`, `99.999C9`, `86.700x0013`. */
const PROCEDURE_SHAPE = /^\d{2}\.[0-9][0-9x][0-9A-Z]{0,3}(x\d{3,4})?$/;

/**
 * Trim and case-fold: letters upper-case except the `x` of an extension, which is lower-case.
 * The first character of each part of a dagger pair is the ICD chapter letter (X is a real
 * chapter letter, `X59`), so only later characters fold to `x`.
 */
function foldCase(code: string): string {
  return code
    .trim()
    .toUpperCase()
    .split('+')
    .map((part) => (part.length > 0 ? part[0] + part.slice(1).replace(/X/g, 'x') : part))
    .join('+');
}

/** The normal form of a diagnosis code, or null when it is not of the 医保版 shape. */
export function normaliseDiagnosis(raw: string): string | null {
  if (DIAGNOSIS_SHAPE.test(raw)) return raw; // already in normal form: the common case
  const code = foldCase(raw);
  return DIAGNOSIS_SHAPE.test(code) ? code : null;
}

/** The normal form of a procedure code, or null when it is not of the ICD-9-CM-3 shape. */
export function normaliseProcedure(raw: string): string | null {
  if (PROCEDURE_SHAPE.test(raw)) return raw;
  const code = raw.trim().toUpperCase().replace(/X/g, 'x');
  return PROCEDURE_SHAPE.test(code) ? code : null;
}

/** The part of a (normalised) diagnosis that groups: before `+` of a dagger/asterisk pair. */
export const groupingCode = (diagnosis: string): string => {
  const plus = diagnosis.indexOf('+');
  return plus < 0 ? diagnosis : diagnosis.slice(0, plus);
};
/** 类目: first three characters, `K80`. */
export const categoryOf = (diagnosis: string): string => diagnosis.slice(0, 3);
/** 亚目: first five characters, `K80.1`, `I10.x`. */
export const subcategoryOf = (diagnosis: string): string => diagnosis.slice(0, 5);

/** Treatment types in their order (spec §3): a case's type is the highest of its procedures. */
export const TREATMENT_TYPES = ['conservative', 'diagnostic', 'therapeutic', 'surgery'] as const;
export type TreatmentType = (typeof TREATMENT_TYPES)[number];
export const treatmentRank = (t: TreatmentType): number => TREATMENT_TYPES.indexOf(t);

/** Words a procedure-type table may use; interventional counts as surgery (spec §3). */
export function parseProcedureType(word: string): Exclude<TreatmentType, 'conservative'> | null {
  switch (word.trim().toLowerCase()) {
    case 'surgery':
    case 'interventional':
      return 'surgery';
    case 'therapeutic':
      return 'therapeutic';
    case 'diagnostic':
      return 'diagnostic';
    default:
      return null;
  }
}

/**
 * [default] type of a procedure missing from the region's table, by ICD-9-CM-3 chapter:
 * 00–86 surgery (biopsies diagnostic), 87–92 diagnostic, 93–99 therapeutic.
 */
export function fallbackProcedureType(code: string, name?: string): Exclude<TreatmentType, 'conservative'> {
  const chapter = Number.parseInt(code.slice(0, 2), 10);
  if (chapter <= 86) return name && /活组织检查|活检/.test(name) ? 'diagnostic' : 'surgery';
  if (chapter <= 92) return 'diagnostic';
  return 'therapeutic';
}

/** Resolves a normalised procedure code to its type. */
export type ProcedureTypeOf = (code: string) => Exclude<TreatmentType, 'conservative'>;

/**
 * The region's procedure types: the explicit table first, then the fallback rule, which
 * looks at the official name where one is loaded (for 活检). Lookups are memoised.
 */
export function procedureTyper(
  types: ReadonlyMap<string, Exclude<TreatmentType, 'conservative'>>,
  names: ReadonlyMap<string, string> = new Map(),
): ProcedureTypeOf {
  const memo = new Map(types);
  return (code) => {
    let t = memo.get(code);
    if (t === undefined) {
      t = fallbackProcedureType(code, names.get(code));
      memo.set(code, t);
    }
    return t;
  };
}

export interface Combination {
  treatmentType: TreatmentType;
  /** Principal procedure plus every other surgery, sorted, de-duplicated. */
  keyProcedures: string[];
  /** `K80.1|51.2300`, `K80.1|`; null for a therapeutic case without key procedures. */
  key: string | null;
}

/** Spec §3: treatment type, key procedures and combination key of a case. */
export function combinationOf(
  principalDiagnosis: string,
  principalProcedure: string | null,
  otherProcedures: readonly string[],
  typeOf: ProcedureTypeOf,
): Combination {
  let rank = 0;
  const keys = new Set<string>();
  if (principalProcedure !== null) {
    keys.add(principalProcedure);
    rank = treatmentRank(typeOf(principalProcedure));
  }
  for (const p of otherProcedures) {
    const t = typeOf(p);
    rank = Math.max(rank, treatmentRank(t));
    if (t === 'surgery') keys.add(p);
  }
  const treatmentType = TREATMENT_TYPES[rank];
  const keyProcedures = [...keys].sort();
  const sub = subcategoryOf(groupingCode(principalDiagnosis));
  const key = keyProcedures.length === 0 && treatmentType === 'therapeutic' ? null : `${sub}|${keyProcedures.join('+')}`;
  return { treatmentType, keyProcedures, key };
}
