import { DipError } from '../errors';
import { SchemeDefinition } from './scheme';

/** SCHEMES.md D. County chronic-disease global package — seed 004 (Shexian). Not built yet (issue 16). */
export const chronicPackageScheme: SchemeDefinition = {
  id: 'chronic-package',
  seed: '004 (Shexian)',
  title: 'D. County chronic-disease global package',
  tables: [],
  parsePolicy(): never {
    throw new DipError('invalid', 'not-built', 'the chronic-package scheme is not built yet');
  },
  run(): never {
    throw new DipError('invalid', 'not-built', 'the chronic-package scheme is not built yet');
  },
};
