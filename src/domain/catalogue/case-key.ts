import { combinationOf, groupingCode, ProcedureTypeOf, subcategoryOf, TreatmentType } from '../codes';

/** What the build needs of a case's combination (spec §3). */
export interface CaseKey {
  /** The combination key; null for a therapeutic case without key procedures. */
  key: string | null;
  treatmentType: TreatmentType;
}

const CONSERVATIVE: TreatmentType = 'conservative';

/**
 * The combination key and treatment type of a case: the same as `combinationOf` (codes.ts),
 * which it calls for any case with other procedures. The two shapes that make up most cases,
 * no procedure at all and a principal procedure alone, are answered without building the
 * key-procedure set, which matters at millions of cases.
 */
export function caseKeyOf(
  principalDiagnosis: string,
  principalProcedure: string | null,
  otherProcedures: readonly string[],
  typeOf: ProcedureTypeOf,
): CaseKey {
  if (otherProcedures.length === 0) {
    const sub = subcategoryOf(groupingCode(principalDiagnosis));
    if (principalProcedure === null) return { key: `${sub}|`, treatmentType: CONSERVATIVE };
    return { key: `${sub}|${principalProcedure}`, treatmentType: typeOf(principalProcedure) };
  }
  const c = combinationOf(principalDiagnosis, principalProcedure, otherProcedures, typeOf);
  return { key: c.key, treatmentType: c.treatmentType };
}
