/** `dip generate`: deterministic synthetic hospitals, cases and policy, and the schemes' demo data sets. Pure: no I/O here. */
export type { CodeEntry, CodeTables, CodeUniverse, DiagnosisSubcategory } from './code-universe';
export { codeUniverseFromTables, syntheticCodeUniverse } from './code-universe';
export type { HospitalOptions } from './hospitals';
export { generateHospitals } from './hospitals';
export type { CaseOptions } from './cases';
export { generateCases } from './cases';
export type { KeyTally } from './tally';
export { GenerationTally } from './tally';
export type { PolicyOptions } from './synthetic-policy';
export { generatePolicy } from './synthetic-policy';
export { fenToYuan, yuanToFen } from './money';
export type { GeneratedScheme, MedicalGroupDataOptions, SchemeDataSet, SchemeTableFile, ZiboBudgetDataOptions } from './schemes';
export {
  generateMedicalGroupData,
  generateSchemeData,
  generateZiboBudgetData,
  GENERATED_SCHEMES,
  MEDICAL_GROUP_POLICY_PARAMETERS,
  tableCsv,
  ZIBO_BUDGET_POLICY_PARAMETERS,
} from './schemes';
