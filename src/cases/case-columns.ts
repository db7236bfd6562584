import { CaseRecord, settlementMonthOf } from '../domain/case-record';

/** Columns of `dip_case` and `case_staging` (besides ids), in one order for every bulk path. */
export const CASE_COLUMNS = [
  'region_code',
  'case_id',
  'hospital_code',
  'pool',
  'patient_id',
  'sex',
  'age',
  'age_days',
  'admission_date',
  'discharge_date',
  'settlement_month',
  'los_days',
  'discharge_mode',
  'principal_diagnosis',
  'secondary_diagnoses',
  'principal_procedure',
  'other_procedures',
  'total_cost',
  'fund_payment',
  'out_of_catalog_self_pay',
  'day_surgery',
  'external_expert',
  'new_technology',
  'department',
  'content_hash',
] as const;

export type CaseColumnValue = string | number | null;

/** A validated case as the values of CASE_COLUMNS. Booleans are 0/1 on both engines. */
export function caseColumnValues(regionCode: string, c: CaseRecord, contentHash: string): CaseColumnValue[] {
  return [
    regionCode,
    c.caseId,
    c.hospitalCode,
    c.pool,
    c.patientId,
    c.sex,
    c.age,
    c.ageDays,
    c.admissionDate,
    c.dischargeDate,
    settlementMonthOf(c),
    c.losDays,
    c.dischargeMode,
    c.principalDiagnosis,
    c.secondaryDiagnoses.join('|'),
    c.principalProcedure,
    c.otherProcedures.join('|'),
    c.totalCost,
    c.fundPayment,
    c.outOfCatalogSelfPay,
    c.daySurgery ? 1 : 0,
    c.externalExpert ? 1 : 0,
    c.newTechnology ? 1 : 0,
    c.department,
    contentHash,
  ];
}

/** A stored `|`-joined list column back into its codes. */
export const listOfColumn = (v: unknown): string[] => (v === '' || v === null ? [] : String(v).split('|'));

/** A stored row back into the record of spec §2 (for reports, replacement audits, grouping). */
export function caseRecordOfRow(r: Record<string, unknown>): CaseRecord {
  return {
    caseId: String(r.case_id),
    hospitalCode: String(r.hospital_code),
    pool: r.pool as CaseRecord['pool'],
    patientId: String(r.patient_id),
    sex: r.sex as CaseRecord['sex'],
    age: Number(r.age),
    ageDays: r.age_days === null ? null : Number(r.age_days),
    admissionDate: String(r.admission_date),
    dischargeDate: String(r.discharge_date),
    losDays: Number(r.los_days),
    dischargeMode: String(r.discharge_mode) as CaseRecord['dischargeMode'],
    principalDiagnosis: String(r.principal_diagnosis),
    secondaryDiagnoses: listOfColumn(r.secondary_diagnoses),
    principalProcedure: r.principal_procedure === null ? null : String(r.principal_procedure),
    otherProcedures: listOfColumn(r.other_procedures),
    totalCost: String(r.total_cost),
    fundPayment: String(r.fund_payment),
    outOfCatalogSelfPay: String(r.out_of_catalog_self_pay),
    daySurgery: Number(r.day_surgery) === 1,
    externalExpert: Number(r.external_expert) === 1,
    newTechnology: Number(r.new_technology) === 1,
    department: r.department === null || r.department === undefined ? null : String(r.department),
  };
}
