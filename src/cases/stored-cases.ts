import { listOfColumn } from '../cases/case-columns';
import { EngineCase } from '../domain/engine/batch';
import { HospitalLevel } from '../domain/hospital';

/** The columns of a stored case the engine reads (besides case_id, which every read includes). */
export const ENGINE_COLUMNS = ['hospital_code', 'principal_diagnosis', 'principal_procedure', 'other_procedures', 'secondary_diagnoses', 'los_days', 'discharge_mode', 'total_cost', 'out_of_catalog_self_pay', 'day_surgery', 'external_expert'];

/** A stored case row (ENGINE_COLUMNS and case_id) as engine input, with its hospital's k and level. */
export function engineCaseOfRow(r: Record<string, unknown>, coefficient: string, level: HospitalLevel | null): EngineCase {
  return {
    caseId: String(r.case_id),
    hospitalCode: String(r.hospital_code),
    coefficient,
    level,
    principalDiagnosis: String(r.principal_diagnosis),
    principalProcedure: r.principal_procedure === null ? null : String(r.principal_procedure),
    otherProcedures: listOfColumn(r.other_procedures),
    secondaryDiagnoses: listOfColumn(r.secondary_diagnoses),
    losDays: Number(r.los_days),
    dischargeMode: String(r.discharge_mode),
    totalCost: String(r.total_cost),
    outOfCatalogSelfPay: String(r.out_of_catalog_self_pay),
    daySurgery: Number(r.day_surgery) === 1,
    externalExpert: Number(r.external_expert) === 1,
  };
}

/**
 * A stored case row straight to a packed line (domain/engine/batch.ts, the field order of
 * packCase), without an EngineCase in between: the bulk paths pack millions of rows on the main
 * thread. No separator check is needed: stored case ids have no control characters and stored
 * codes match the code shapes (both checked on import, spec §2–3), and the list columns are
 * stored '|'-separated, as packed lines separate list items, so they are copied as they are.
 */
export function packStoredCase(r: Record<string, unknown>, coefficient: string, level: HospitalLevel | null): string {
  return `${r.case_id}\t${r.hospital_code}\t${coefficient}\t${r.principal_diagnosis}\t${r.principal_procedure ?? ''}\t${r.other_procedures ?? ''}\t${r.secondary_diagnoses ?? ''}\t${r.los_days}\t${r.discharge_mode}\t${r.total_cost}\t${r.out_of_catalog_self_pay}\t${Number(r.day_surgery) === 1 ? '1' : '0'}\t${Number(r.external_expert) === 1 ? '1' : '0'}\t${level ?? ''}`;
}
