/** `dip generate`: deterministic synthetic hospitals, cases and policy. Pure: no I/O here. */
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
