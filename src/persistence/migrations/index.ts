import { Foundation1732400000000 } from './1732400000000-foundation';

/** Every migration, in order. Both engines run the same list. */
export const MIGRATIONS = [Foundation1732400000000];
