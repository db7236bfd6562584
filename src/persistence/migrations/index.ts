import { Foundation1732400000000 } from './1732400000000-foundation';
import { Catalogues1732500000000 } from './1732500000000-catalogues';
import { Grouping1732600000000 } from './1732600000000-grouping';
import { Settlement1732700000000 } from './1732700000000-settlement';
import { SettlementRecords1732800000000 } from './1732800000000-settlement-records';
import { LevelAverages1732900000000 } from './1732900000000-level-averages';
import { CatalogueVerification1733010000000 } from './1733010000000-catalogue-verification';
import { Liveness1733100000000 } from './1733100000000-liveness';
import { CaseDepartment1733240000000 } from './1733240000000-case-department';
import { Identity1733300000000 } from './1733300000000-identity';
import { SpecialCases1733400000000 } from './1733400000000-special-cases';
import { Schemes1733500000000 } from './1733500000000-schemes';

/** Every migration, in order. Both engines run the same list. */
export const MIGRATIONS = [
  Foundation1732400000000,
  Catalogues1732500000000,
  Grouping1732600000000,
  Settlement1732700000000,
  SettlementRecords1732800000000,
  LevelAverages1732900000000,
  CatalogueVerification1733010000000,
  Liveness1733100000000,
  CaseDepartment1733240000000,
  Identity1733300000000,
  SpecialCases1733400000000,
  Schemes1733500000000,
];
