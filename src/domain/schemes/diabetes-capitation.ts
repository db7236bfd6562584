import { DipError } from '../errors';
import { SchemeDefinition } from './scheme';

/** SCHEMES.md C. Diabetes outpatient per-head global payment — seed 003 (Tianjin). Not built yet (issue 16). */
export const diabetesCapitationScheme: SchemeDefinition = {
  id: 'diabetes-capitation',
  seed: '003 (Tianjin)',
  title: 'C. Diabetes outpatient per-head global payment',
  tables: [],
  parsePolicy(): never {
    throw new DipError('invalid', 'not-built', 'the diabetes-capitation scheme is not built yet');
  },
  run(): never {
    throw new DipError('invalid', 'not-built', 'the diabetes-capitation scheme is not built yet');
  },
};
