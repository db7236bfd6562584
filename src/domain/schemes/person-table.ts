import { yuanOfFen } from './run-support';
import { FigureValue, PersonColumn, PersonFigures, PersonTable } from './scheme';

/** Reading and building a PersonTable (scheme.ts): one value, every row as an object, rows reordered. Pure. */

/** The value of a column at a row. */
function valueAt(c: PersonColumn, r: number): FigureValue {
  switch (c.kind) {
    case 'coded':
      return c.dict[c.index[r]];
    case 'whole':
      return c.ints[r];
    case 'yuan':
      return Number.isNaN(c.fen[r]) ? null : yuanOfFen(c.fen[r]);
    case 'plain':
      return c.values[r];
  }
}

/** The rows of a table as one PersonFigures each, in table order (what a report or a test reads). */
export function personRows(t: PersonTable): PersonFigures[] {
  const out: PersonFigures[] = new Array<PersonFigures>(t.person.length);
  for (let p = 0; p < t.providers.length; p++)
    for (let r = t.start[p]; r < t.start[p + 1]; r++) {
      const figures: Record<string, unknown> = {};
      for (const c of t.columns) figures[c.name] = valueAt(c, r);
      out[r] = { provider: t.providers[p], person: t.person[r], figures };
    }
  return out;
}

/**
 * Rows 0 … n − 1 grouped by bucket (a stable counting sort: input order within a bucket): row
 * order[k] is the k-th, and bucket b's rows are order[start[b]] … order[start[b + 1] − 1].
 */
export function groupRows(n: number, buckets: number, bucketOf: (i: number) => number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) start[bucketOf(i) + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const order = new Int32Array(n);
  const next = start.slice(0, buckets);
  for (let i = 0; i < n; i++) order[next[bucketOf(i)]++] = i;
  return { start, order };
}

/** A typed array reordered: element k is src[order[k]] (the schemes put their per-row arrays in provider order). */
export function inOrder<T extends Int32Array | Uint8Array | Uint16Array | Float64Array>(src: T, order: ArrayLike<number>): T {
  const out = new (src.constructor as new (n: number) => T)(order.length);
  for (let k = 0; k < order.length; k++) out[k] = src[order[k]];
  return out;
}

/** A list in the order given by `order`. */
export function listInOrder<T>(src: readonly T[], order: ArrayLike<number>): T[] {
  const out = new Array<T>(order.length);
  for (let k = 0; k < order.length; k++) out[k] = src[order[k]];
  return out;
}

/** An empty table (a scheme with nobody to list). */
export const NO_PERSONS: PersonTable = { providers: [], start: [0], person: [], columns: [] };
