import { DipError } from '../errors';
import { SchemeDefinition } from './scheme';

/** SCHEMES.md A. Per-disease per-head payment for outpatient special diseases — seed 000 (Panzhihua). Not built yet (issue 16). */
export const diseaseCapitationScheme: SchemeDefinition = {
  id: 'disease-capitation',
  seed: '000 (Panzhihua)',
  title: 'A. Per-disease per-head payment for outpatient special diseases',
  tables: [],
  parsePolicy(): never {
    throw new DipError('invalid', 'not-built', 'the disease-capitation scheme is not built yet');
  },
  run(): never {
    throw new DipError('invalid', 'not-built', 'the disease-capitation scheme is not built yet');
  },
};
