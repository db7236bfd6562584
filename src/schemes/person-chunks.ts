import { endianness } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { personRows } from '../domain/schemes/person-table';
import { FigureValue, PersonColumn, PersonFigures, PersonTable } from '../domain/schemes/scheme';

/**
 * How a run's per-person figures are stored (scheme_person_chunk.data): the persons of one
 * provider, CHUNK_PERSONS to a chunk, as the scheme's columns, brotli-compressed. A chunk is a
 * fixed prefix (PREFIX), a JSON header (per column its name and the distinct values the chunk
 * uses, or its values when they are not small integers), the persons' pseudonyms as one text,
 * then little-endian binary: the pseudonyms' lengths, and per coded or integer column each row's
 * index or integer. A million persons pack in a few hundred milliseconds, and a reader gets
 * exactly the values the scheme computed (personRows).
 */

/** Persons per chunk: a provider's persons page is read chunk by chunk. */
export const CHUNK_PERSONS = 5_000;

const VERSION = 1;
/** Version, rows, the persons' length width, the header's and the persons' byte lengths. */
const PREFIX = 14;
/** An integer outside this range, or a fraction, keeps its column in the JSON header. */
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
/** A yuan column's null (NaN fen) in binary: the one int32 value no stored figure takes. */
const NULL_FEN = I32_MIN;

// Typed arrays are written in the machine's byte order; every platform Node runs the service on is little-endian.
if (endianness() !== 'LE') throw new Error('the person chunks are little-endian; this machine is not');

type ColumnHead =
  | { name: string; dict: FigureValue[]; width: 1 | 2 | 4 }
  | { name: string; whole: 'i32' | number[] }
  | { name: string; yuan: 'i32' | (number | null)[] }
  | { name: string; values: FigureValue[] };

/** The chunks of a table: [provider, seq, compressed bytes]. */
export function* personChunks(t: PersonTable): Generator<[string, number, Buffer]> {
  const packer = new ChunkPacker(t);
  for (let p = 0; p < t.providers.length; p++)
    for (let from = t.start[p], seq = 0; from < t.start[p + 1]; from += CHUNK_PERSONS, seq++) {
      const to = Math.min(from + CHUNK_PERSONS, t.start[p + 1]);
      // Brotli at its fastest level (a fraction of a millisecond a chunk): about a third of the bytes to write.
      // Synchronous: a promise per chunk costs more than the compression.
      yield [t.providers[p], seq, brotliCompressSync(packer.pack(from, to), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } })];
    }
}

/** The bytes an unsigned index below `size` takes. */
const widthFor = (size: number): 1 | 2 | 4 => (size <= 256 ? 1 : size <= 65536 ? 2 : 4);

/**
 * Packs the chunks of one table, reusing its scratch arrays and output buffer from chunk to chunk
 * (allocating them per chunk cost more than the packing). A chunk's coded columns carry only the
 * values the chunk uses, renumbered in order of appearance; columns sharing one index array (a
 * disease's code, pool and standard) are renumbered once.
 */
class ChunkPacker {
  private readonly stamps = new Map<ArrayLike<number>, { stamp: Int32Array; local: Int32Array; out: Uint16Array }>();
  private readonly ints = new Map<PersonColumn, Int32Array>();
  private readonly lengths = new Int32Array(CHUNK_PERSONS);
  private generation = 0;
  private out = Buffer.allocUnsafe(1 << 16);

  constructor(private readonly t: PersonTable) {
    for (const c of t.columns)
      if (c.kind === 'coded' && !this.stamps.has(c.index)) {
        const size = c.dict.length;
        // A chunk has at most CHUNK_PERSONS (≤ 65,536) distinct values: two bytes each at most.
        this.stamps.set(c.index, { stamp: new Int32Array(size), local: new Int32Array(size), out: new Uint16Array(CHUNK_PERSONS) });
      } else if (c.kind === 'whole' || c.kind === 'yuan') this.ints.set(c, new Int32Array(CHUNK_PERSONS));
  }

  /** The bytes of rows from … to − 1 (a view of the packer's buffer: valid until the next call). */
  pack(from: number, to: number): Buffer {
    const rows = to - from;
    const persons = this.t.person.slice(from, to);
    // The persons as one text and each one's length (any text: no separator to escape).
    let longest = 0;
    for (let k = 0; k < rows; k++) longest = Math.max(longest, (this.lengths[k] = persons[k].length));
    const head: ColumnHead[] = [];
    // Each binary section: how to write it once the header's size is known.
    const sections: [bytes: number, write: (at: number) => void][] = [this.unsigned(this.lengths, rows, widthFor(longest + 1))];
    const coded = new Map<ArrayLike<number>, { index: Uint16Array; seen: number[] }>();
    for (const c of this.t.columns) {
      if (c.kind === 'coded') {
        let k = coded.get(c.index);
        if (!k) coded.set(c.index, (k = this.renumber(c.index, from, to)));
        const width = widthFor(k.seen.length);
        head.push({ name: c.name, dict: k.seen.map((g) => c.dict[g]), width });
        sections.push(this.unsigned(k.index, rows, width));
      } else if (c.kind === 'whole' || c.kind === 'yuan') {
        const source = c.kind === 'whole' ? c.ints : c.fen;
        const ints = this.ints.get(c)!;
        let fits = true;
        for (let r = from; r < to && fits; r++) {
          const v = source[r];
          if (c.kind === 'yuan' && Number.isNaN(v)) ints[r - from] = NULL_FEN;
          else if (Number.isInteger(v) && v > I32_MIN && v <= I32_MAX) ints[r - from] = v;
          else fits = false;
        }
        if (fits) sections.push(this.unsigned(ints, rows, 4));
        const plain = () => Array.from({ length: rows }, (_, k) => source[from + k]);
        if (c.kind === 'whole') head.push({ name: c.name, whole: fits ? 'i32' : plain() });
        else head.push({ name: c.name, yuan: fits ? 'i32' : plain().map((v) => (Number.isNaN(v) ? null : v)) });
      } else head.push({ name: c.name, values: c.values.slice(from, to) });
    }
    // Version, rows, the width of the persons' lengths, the header's and the persons' byte
    // lengths, the header, the persons, then the sections (the persons' lengths first).
    const headText = JSON.stringify(head);
    const personText = persons.join('');
    const headBytes = Buffer.byteLength(headText);
    const personBytes = Buffer.byteLength(personText);
    let size = PREFIX + headBytes + personBytes;
    for (const [bytes] of sections) size += bytes;
    if (this.out.length < size) this.out = Buffer.allocUnsafe(Math.max(size, this.out.length * 2));
    const out = this.out;
    out[0] = VERSION;
    out.writeUInt32LE(rows, 1);
    out[5] = widthFor(longest + 1);
    out.writeUInt32LE(headBytes, 6);
    out.writeUInt32LE(personBytes, 10);
    let at = PREFIX + out.write(headText, PREFIX);
    at += out.write(personText, at);
    for (const [bytes, write] of sections) {
      write(at);
      at += bytes;
    }
    return out.subarray(0, size);
  }

  /** A coded column's rows renumbered to the values the chunk uses: their indexes, and which values in order. */
  private renumber(index: ArrayLike<number>, from: number, to: number): { index: Uint16Array; seen: number[] } {
    const { stamp, local, out } = this.stamps.get(index)!;
    const gen = ++this.generation;
    const seen: number[] = [];
    for (let r = from; r < to; r++) {
      const g = index[r];
      if (stamp[g] !== gen) {
        stamp[g] = gen;
        local[g] = seen.length;
        seen.push(g);
      }
      out[r - from] = local[g];
    }
    return { index: out, seen };
  }

  /** A section of `rows` unsigned values (or int32 at width 4) written at `width` bytes each, little-endian. */
  private unsigned(values: Int32Array | Uint16Array, rows: number, width: 1 | 2 | 4): [number, (at: number) => void] {
    return [
      rows * width,
      (at) => {
        if (width === 1) this.out.set(values.subarray(0, rows), at);
        else if (width === 2 && values instanceof Uint16Array) this.out.set(new Uint8Array(values.buffer, values.byteOffset, rows * 2), at);
        else if (width === 2) this.out.set(new Uint8Array(Uint16Array.from(values.subarray(0, rows)).buffer), at);
        else this.out.set(new Uint8Array(values.buffer, values.byteOffset, rows * 4), at);
      },
    ];
  }
}

function typed(b: ArrayBuffer, width: number): Uint8Array | Uint16Array | Int32Array {
  return width === 1 ? new Uint8Array(b) : width === 2 ? new Uint16Array(b) : new Int32Array(b);
}

/** A stored chunk back to its persons' figures. */
export function unpackPersonChunk(provider: string, data: Buffer): PersonFigures[] {
  const bytes = brotliDecompressSync(data);
  // Runs stored before the columns (the first version of the schemes) hold JSON.
  if (bytes[0] === 0x7b /* { */) return legacyChunk(provider, bytes.toString('utf8'));
  if (bytes[0] !== VERSION) throw new Error(`a person chunk of version ${bytes[0]}: this service reads version ${VERSION}`);
  const rows = bytes.readUInt32LE(1);
  const lengthWidth = bytes[5];
  const headBytes = bytes.readUInt32LE(6);
  const personBytes = bytes.readUInt32LE(10);
  const head = JSON.parse(bytes.toString('utf8', PREFIX, PREFIX + headBytes)) as ColumnHead[];
  const personText = bytes.toString('utf8', PREFIX + headBytes, PREFIX + headBytes + personBytes);
  let at = PREFIX + headBytes + personBytes;
  /** The next binary section, copied out so that it is aligned for its typed array. */
  const section = (width: number): ArrayBuffer => {
    const copy = new Uint8Array(rows * width);
    copy.set(bytes.subarray(at, at + rows * width));
    at += rows * width;
    return copy.buffer;
  };
  const lengths = typed(section(lengthWidth), lengthWidth);
  const persons = new Array<string>(rows);
  for (let k = 0, from = 0; k < rows; from += lengths[k++]) persons[k] = personText.slice(from, from + lengths[k]);
  const columns: PersonColumn[] = head.map((h): PersonColumn => {
    if ('dict' in h) {
      return { name: h.name, kind: 'coded', dict: h.dict, index: typed(section(h.width), h.width) };
    }
    if ('whole' in h) return { name: h.name, kind: 'whole', ints: h.whole === 'i32' ? new Int32Array(section(4)) : h.whole };
    if ('yuan' in h) {
      const fen =
        h.yuan === 'i32' ? Float64Array.from(new Int32Array(section(4)), (v) => (v === NULL_FEN ? NaN : v)) : h.yuan.map((v) => v ?? NaN);
      return { name: h.name, kind: 'yuan', fen };
    }
    return { name: h.name, kind: 'plain', values: h.values };
  });
  // Every byte read, none missing: a chunk cut short or padded is refused, never read as zeros.
  if (at !== bytes.length) throw new Error(`a person chunk of ${bytes.length} bytes where ${at} were expected`);
  return personRows({ providers: [provider], start: [0, rows], person: persons, columns });
}

function legacyChunk(provider: string, text: string): PersonFigures[] {
  const chunk = JSON.parse(text) as
    { columns: string[]; rows: unknown[][] } | { persons: { person: string; figures: Record<string, unknown> }[] };
  if ('persons' in chunk) return chunk.persons.map((x) => ({ provider, person: x.person, figures: x.figures }));
  return chunk.rows.map((row) => {
    const figures: Record<string, unknown> = {};
    chunk.columns.forEach((c, j) => (figures[c] = row[j + 1]));
    return { provider, person: row[0] as string, figures };
  });
}
