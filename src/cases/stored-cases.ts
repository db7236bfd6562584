import { EngineCase, unpackCases } from '../domain/engine/batch';
import { HospitalLevel } from '../domain/hospital';

/** The columns of a stored case the engine reads to value it (besides case_id, which every read includes). */
export const ENGINE_COLUMNS = [
  'hospital_code',
  'principal_diagnosis',
  'principal_procedure',
  'other_procedures',
  'secondary_diagnoses',
  'los_days',
  'discharge_mode',
  'total_cost',
  'out_of_catalog_self_pay',
  'day_surgery',
  'external_expert',
] as const;
/** …and those a grouping run also reads, to add its cases up per pool and hospital for settlement. */
export const RUN_COLUMNS = [...ENGINE_COLUMNS, 'pool', 'fund_payment'] as const;

/**
 * A stored case row straight to a packed line (domain/engine/batch.ts, the field order of
 * packCase), without an EngineCase in between: the bulk paths pack millions of rows on the main
 * thread. No separator check is needed: stored case ids have no control characters and stored
 * codes match the code shapes (both checked on import, spec §2–3), and the list columns are
 * stored '|'-separated, as packed lines separate list items, so they are copied as they are.
 * Pool and fund payment pack as '' when the read did not ask for them (RUN_COLUMNS).
 */
export function packStoredCase(r: Record<string, unknown>, coefficient: string, level: HospitalLevel | null): string {
  return `${r.case_id}\t${r.hospital_code}\t${coefficient}\t${r.principal_diagnosis}\t${r.principal_procedure ?? ''}\t${r.other_procedures ?? ''}\t${r.secondary_diagnoses ?? ''}\t${r.los_days}\t${r.discharge_mode}\t${r.total_cost}\t${r.out_of_catalog_self_pay}\t${Number(r.day_surgery) === 1 ? '1' : '0'}\t${Number(r.external_expert) === 1 ? '1' : '0'}\t${level ?? ''}\t${r.pool ?? ''}\t${r.fund_payment ?? ''}`;
}

/** One stored case row as engine input (the explanation of one case): the bulk path's packing, unpacked. */
export const engineCaseOfRow = (r: Record<string, unknown>, coefficient: string, level: HospitalLevel | null): EngineCase =>
  unpackCases(packStoredCase(r, coefficient, level))[0];
