import { Foundation1732400000000 } from './1732400000000-foundation';
import { Catalogues1732500000000 } from './1732500000000-catalogues';
import { Grouping1732600000000 } from './1732600000000-grouping';
import { Settlement1732700000000 } from './1732700000000-settlement';

/** Every migration, in order. Both engines run the same list. */
export const MIGRATIONS = [Foundation1732400000000, Catalogues1732500000000, Grouping1732600000000, Settlement1732700000000];
