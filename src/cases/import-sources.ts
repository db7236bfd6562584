import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform, TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import { CASE_FIELDS, REQUIRED_CASE_FIELDS, RawCase } from '../domain/case-record';
import { ImportFileError } from './import-errors';

/** One row of an input file: its raw fields, or why it could not even be read. */
export type SourceRow = { line: number; raw: RawCase } | { line: number; unreadable: string };

/**
 * Counts, hashes and limits the bytes of an upload or file, and refuses anything that is not
 * UTF-8 (a GBK export would otherwise turn every name into mojibake, silently).
 */
export class ByteGate extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
  }

  get contentHash(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const start = this.bytes;
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new ImportFileError('too-large', `the upload exceeds the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(new ImportFileError('encoding', `the file is not valid UTF-8 (a bad byte sequence between byte ${start} and ${this.bytes}); save it as UTF-8`));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      const tail = this.decoder.decode();
      done(null, tail.length > 0 ? tail : undefined);
    } catch {
      done(new ImportFileError('encoding', 'the file ends inside a UTF-8 character; save it as UTF-8'));
    }
  }
}

/**
 * CSV rows (spec §2: header = the field names; lists `|`-separated), parsed by papaparse.
 * Header problems and broken quoting are file errors; a row with the wrong number of fields is
 * a rejected row. Lines are counted from the parsed rows, including line breaks inside quotes.
 */
export function csvRows(input: Readable, gate: ByteGate): AsyncGenerator<SourceRow[]> {
  // Wired at once, not when the first row is asked for: an error upstream (size, encoding, a
  // dropped upload) must always have a listener; it reaches the reader through the gate.
  pipeline(input, gate, () => undefined);
  return csvRecords(gate);
}

/**
 * Parses text chunk by chunk with papaparse's own parser, holding back the last (possibly
 * incomplete) row of each chunk for the next, as papaparse's streamers do. Reading the source
 * with `for await` keeps Node's backpressure: only one chunk is ever in memory.
 */
async function* csvRecords(text: Readable): AsyncGenerator<SourceRow[]> {
  let parser: Papa.Parser | null = null;
  let partial = '';
  let base = 0;
  let header: string[] | null = null;
  let line = 0;

  function rowsOf(input: string, last: boolean): SourceRow[] {
    const out: SourceRow[] = [];
    if (parser === null) {
      if (!last && !/\r?\n/.test(input)) {
        partial = input; // wait until the first line ends to tell its newline
        return out;
      }
      parser = new Papa.Parser({ delimiter: ',', newline: input.includes('\r\n') ? '\r\n' : '\n', quoteChar: '"' });
    }
    const result = parser.parse(input, base, !last) as Papa.ParseResult<string[]>;
    const quoteErrors = new Map(result.errors.filter((e) => e.type === 'Quotes').map((e) => [e.row, e.message]));
    for (let r = 0; r < result.data.length; r++) {
      const record = result.data[r] as string[];
      const start = line + 1; // a record is named by the line it starts on
      line = start;
      for (const f of record) if (f.includes('\n')) line += f.split('\n').length - 1;
      const quote = quoteErrors.get(r);
      if (quote) throw new ImportFileError('syntax', `CSV syntax error: ${quote}`, start);
      if (record.length === 1 && record[0].trim() === '') continue;
      if (header === null) {
        header = checkHeader(start === 1 ? [record[0].replace(/^\uFEFF/, ''), ...record.slice(1)] : record);
        continue;
      }
      if (record.length !== header.length) {
        out.push({ line: start, unreadable: `has ${record.length} fields; the header has ${header.length}` });
        continue;
      }
      const raw: RawCase = {};
      for (let i = 0; i < header.length; i++) raw[header[i]] = record[i];
      out.push({ line: start, raw });
    }
    if (!last) {
      partial = input.substring(result.meta.cursor - base);
      base = result.meta.cursor;
    }
    return out;
  }

  // Rows go out a chunk at a time: one await per chunk of text, not per row.
  for await (const chunk of text as AsyncIterable<string>) yield rowsOf(partial + chunk, false);
  yield rowsOf(partial, true);
  if (header === null) throw new ImportFileError('empty', 'the file is empty: expected a header line naming the case fields');
}

function checkHeader(names: string[]): string[] {
  const header = names.map((n) => n.trim());
  const known = new Set<string>(CASE_FIELDS);
  const unknown = header.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new ImportFileError('header', `unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; the header must use the field names of the case record`, 1);
  const missing = REQUIRED_CASE_FIELDS.filter((f) => !header.includes(f));
  if (missing.length > 0) throw new ImportFileError('header', `missing column(s) ${missing.join(', ')}`, 1);
  const dup = header.find((n, i) => header.indexOf(n) !== i);
  if (dup) throw new ImportFileError('header', `column "${dup}" appears twice`, 1);
  return header;
}

/** JSON lines: one case object a line. A line that is not a JSON object is a rejected row. */
export function jsonLinesRows(input: Readable, gate: ByteGate): AsyncGenerator<SourceRow[]> {
  pipeline(input, gate, () => undefined);
  return jsonLines(gate);
}

async function* jsonLines(text: Readable): AsyncGenerator<SourceRow[]> {
  let line = 0;
  let any = false;
  let rest = '';
  function rowsOf(lines: string[]): SourceRow[] {
    const out: SourceRow[] = [];
    for (const l of lines) {
      line++;
      const s = (line === 1 ? l.replace(/^\uFEFF/, '') : l).trim();
      if (s === '') continue;
      any = true;
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch (err) {
        out.push({ line, unreadable: `not valid JSON: ${(err as Error).message}` });
        continue;
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) out.push({ line, unreadable: 'must be a JSON object with the case fields' });
      else out.push({ line, raw: v as RawCase });
    }
    return out;
  }
  for await (const chunk of text as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    yield rowsOf(lines);
  }
  yield rowsOf([rest]);
  if (!any) throw new ImportFileError('empty', 'the file is empty: expected one JSON object per line');
}
