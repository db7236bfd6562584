import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { personRows } from '../../src/domain/schemes/person-table';
import { PersonFigures, PersonTable } from '../../src/domain/schemes/scheme';
import { CHUNK_PERSONS, personChunks, unpackPersonChunk } from '../../src/schemes/person-chunks';

/** Every stored chunk of a table read back, in order. */
const roundTrip = (t: PersonTable): { keys: string[]; rows: PersonFigures[] } => {
  const keys: string[] = [];
  const rows: PersonFigures[] = [];
  for (const [provider, seq, data] of personChunks(t)) {
    keys.push(`${provider}#${seq}`);
    rows.push(...unpackPersonChunk(provider, data));
  }
  return { keys, rows };
};

describe('person chunks (how a run stores its per-person figures)', () => {
  // Provider A: 2 persons; provider B: 5,002 persons (two chunks); provider C: none.
  const n = 5004;
  it('chunks 5,000 persons', () => expect(CHUNK_PERSONS).toBe(5000));
  const codes = Array.from({ length: 300 }, (_, i) => `D${String(i).padStart(3, '0')}`);
  const table: PersonTable = {
    providers: ['A', 'B', 'C'],
    start: [0, 2, n, n],
    person: Array.from({ length: n }, (_, r) => (r === 1 ? '患者-一' : `P${r}`)),
    columns: [
      // 300 distinct codes in B's first chunk: two bytes an index there, one in the others.
      { name: 'disease', kind: 'coded', dict: codes, index: Int32Array.from({ length: n }, (_, r) => r % 300) },
      { name: 'flag', kind: 'coded', dict: [null, false, true], index: Uint8Array.from({ length: n }, (_, r) => r % 3) },
      { name: 'age', kind: 'whole', ints: Int32Array.from({ length: n }, (_, r) => r % 90) },
      // A whole number beyond 32 bits in A's chunk: that chunk keeps the column as JSON.
      { name: 'count', kind: 'whole', ints: Float64Array.from({ length: n }, (_, r) => (r === 0 ? 2 ** 40 : r)) },
      // Money in fen: NaN is null; 2^31 fen in B's last chunk sends that chunk's column to JSON.
      {
        name: 'cost',
        kind: 'yuan',
        fen: Float64Array.from({ length: n }, (_, r) => (r % 7 === 0 ? NaN : r === n - 1 ? 2 ** 31 : r * 101)),
      },
      { name: 'codes', kind: 'plain', values: Array.from({ length: n }, (_, r) => (r % 2 ? ['E11', 'I10'] : [])) },
    ],
  };

  it('stores each provider in chunks of CHUNK_PERSONS and reads back every figure', () => {
    const { keys, rows } = roundTrip(table);
    expect(keys).toEqual(['A#0', 'B#0', 'B#1']);
    expect(rows).toHaveLength(n);
    expect(rows).toEqual(personRows(table));
  });

  it('reads back the values themselves (by hand)', () => {
    const { rows } = roundTrip(table);
    expect(rows[0]).toEqual({
      provider: 'A',
      person: 'P0',
      figures: { disease: 'D000', flag: null, age: 0, count: 1099511627776, cost: null, codes: [] },
    });
    expect(rows[1]).toEqual({
      provider: 'A',
      person: '患者-一',
      figures: { disease: 'D001', flag: false, age: 1, count: 1, cost: '1.01', codes: ['E11', 'I10'] },
    });
    // Row 302: code 302 % 300 = 2, flag 302 % 3 = 2, age 302 % 90 = 32, 302 × 101 = 30,502 fen.
    expect(rows[302]).toEqual({
      provider: 'B',
      person: 'P302',
      figures: { disease: 'D002', flag: true, age: 32, count: 302, cost: '305.02', codes: [] },
    });
    // B's second chunk (rows 5,002 and 5,003): 5,002 × 101 = 505,202 fen; the last, 2^31 fen, kept as JSON.
    expect(rows[5002].figures.cost).toBe('5052.02');
    expect(rows[5003].figures.cost).toBe('21474836.48');
  });

  it('stores nothing for a table without persons', () => {
    expect(roundTrip({ providers: ['A'], start: [0, 0], person: [], columns: [] }).keys).toEqual([]);
  });

  it('still reads the chunks of runs stored as JSON before the columns', () => {
    const columns = brotliCompressSync(JSON.stringify({ columns: ['a', 'b'], rows: [['P1', '1.00', true]] }));
    expect(unpackPersonChunk('H1', columns)).toEqual([{ provider: 'H1', person: 'P1', figures: { a: '1.00', b: true } }]);
    const objects = brotliCompressSync(JSON.stringify({ persons: [{ person: 'P2', figures: { a: null } }] }));
    expect(unpackPersonChunk('H1', objects)).toEqual([{ provider: 'H1', person: 'P2', figures: { a: null } }]);
  });

  it('refuses a chunk cut short or padded instead of reading zeros', () => {
    const [[provider, , data]] = [...personChunks(table)];
    const bytes = brotliDecompressSync(data);
    expect(unpackPersonChunk(provider, brotliCompressSync(bytes))).toHaveLength(2);
    expect(() => unpackPersonChunk(provider, brotliCompressSync(bytes.subarray(0, bytes.length - 1)))).toThrow(/bytes where/);
    expect(() => unpackPersonChunk(provider, brotliCompressSync(Buffer.concat([bytes, Buffer.from([0])])))).toThrow(/bytes where/);
  });

  it('refuses a chunk of a version it does not know', () => {
    expect(() => unpackPersonChunk('H1', brotliCompressSync(Buffer.from([9, 0, 0, 0, 0])))).toThrow(/version 9/);
  });
});
