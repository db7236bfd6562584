import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { CASE_FIELDS, REQUIRED_CASE_FIELDS, RawCase } from '../domain/case-record';
import { DipError, excerpt } from '../domain/errors';
import { ByteGate, gated, jsonSyntax } from '../io/text-input';

/** What can be wrong with a case file as a whole, besides its bytes (io/text-input.ts): nothing of it is stored. */
export type ImportFileErrorCode = 'empty' | 'header' | 'syntax' | 'no-rows';
export const fileError = (code: ImportFileErrorCode, message: string, line?: number) => new DipError('invalid', code, message, [], line);

/**
 * The longest one record (a CSV row, quoted line breaks included, or a JSON line) may be. A case
 * at every limit of its fields is under 5,000 characters; past this, the file is broken (an
 * unclosed quote, or not a case file) and is refused at once instead of being buffered whole.
 * It also keeps parsing linear: no more than this is ever carried from one chunk to the next.
 */
export const MAX_RECORD_CHARS = 65_536;
const tooLong = (what: string, line: number) =>
  fileError(
    'syntax',
    `${what} starting at line ${line} is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters: an unclosed quote, or not a case file`,
    line,
  );

/**
 * The line break of a CSV file, from its first line: CRLF, LF or a lone CR (old Mac files).
 * Null while the text so far does not tell (no break yet, or a CR that ends the chunk).
 */
function lineBreakOf(text: string, last: boolean): '\r\n' | '\n' | '\r' | null {
  const i = text.search(/[\r\n]/);
  if (i < 0) return last ? '\n' : null;
  if (text[i] === '\n') return '\n';
  if (i + 1 < text.length) return text[i + 1] === '\n' ? '\r\n' : '\r';
  return last ? '\r' : null;
}

/** The case file formats: CSV with the field names as header, or one JSON object a line. */
export type CaseFileFormat = 'csv' | 'jsonl';

/** One row of an input file: its raw fields, or why it could not even be read. */
export type SourceRow = { line: number; raw: RawCase } | { line: number; unreadable: string };

/**
 * CSV rows (spec §2: header = the field names; lists `|`-separated), parsed by papaparse.
 * Header problems and broken quoting are file errors; a row with the wrong number of fields is
 * a rejected row. Lines are counted from the parsed rows, including line breaks inside quotes.
 */
function csvRows(gate: ByteGate): AsyncGenerator<SourceRow[]> {
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
  let lineBreak = '\n';

  function rowsOf(input: string, last: boolean): SourceRow[] {
    const out: SourceRow[] = [];
    if (parser === null) {
      const found = lineBreakOf(input, last);
      if (found === null) {
        if (input.length > MAX_RECORD_CHARS) throw tooLong('the header line', 1);
        partial = input; // wait until the first line ends to tell its line break
        return out;
      }
      lineBreak = found === '\r\n' ? '\n' : found;
      parser = new Papa.Parser({ delimiter: ',', newline: found, quoteChar: '"' });
    }
    const result = parser.parse(input, base, !last) as Papa.ParseResult<string[]>;
    const quoteErrors = new Map(result.errors.filter((e) => e.type === 'Quotes').map((e) => [e.row, e.message]));
    for (let r = 0; r < result.data.length; r++) {
      const record = result.data[r] as string[];
      const start = line + 1; // a record is named by the line it starts on
      line = start;
      for (const f of record) if (f.includes(lineBreak)) line += f.split(lineBreak).length - 1;
      const quote = quoteErrors.get(r);
      if (quote) throw fileError('syntax', `CSV syntax error: ${quote}`, start);
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
      if (partial.length > MAX_RECORD_CHARS) throw tooLong('the record', line + 1);
    }
    return out;
  }

  // Rows go out a chunk at a time: one await per chunk of text, not per row.
  for await (const chunk of text as AsyncIterable<string>) yield rowsOf(partial + chunk, false);
  yield rowsOf(partial, true);
  if (header === null) throw fileError('empty', 'the file is empty: expected a header line naming the case fields');
}

function checkHeader(names: string[]): string[] {
  const header = names.map((n) => n.trim());
  const known = new Set<string>(CASE_FIELDS);
  const unknown = header.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((u) => excerpt(u));
    if (unknown.length > 5) named.push(`and ${unknown.length - 5} more`);
    throw fileError('header', `unknown column(s) ${named.join(', ')}; the header must use the field names of the case record`, 1);
  }
  const missing = REQUIRED_CASE_FIELDS.filter((f) => !header.includes(f));
  if (missing.length > 0) throw fileError('header', `missing column(s) ${missing.join(', ')}`, 1);
  const dup = header.find((n, i) => header.indexOf(n) !== i);
  if (dup) throw fileError('header', `column "${dup}" appears twice`, 1);
  return header;
}

/** JSON lines: one case object a line. A line that is not a JSON object is a rejected row. */
function jsonLinesRows(gate: ByteGate): AsyncGenerator<SourceRow[]> {
  return jsonLines(gate);
}

/** The rows of a case file through the byte gate; the gate says how many bytes were read and their hash. */
export function caseFileRows(
  input: Readable,
  format: CaseFileFormat,
  maxBytes: number,
): { rows: AsyncGenerator<SourceRow[]>; gate: ByteGate } {
  const gate = gated(input, maxBytes);
  return { rows: format === 'csv' ? csvRows(gate) : jsonLinesRows(gate), gate };
}

/**
 * The format of a case upload: the one asked for, else from the Content-Type (or a file's
 * name): text/csv or .csv → CSV; application/x-ndjson, jsonl, json-lines or .jsonl/.ndjson → JSON lines.
 */
export function caseFileFormat(asked: CaseFileFormat | undefined, typeOrName: string): CaseFileFormat | undefined {
  if (asked) return asked;
  if (/ndjson|jsonl|json-lines/i.test(typeOrName)) return 'jsonl';
  if (/csv/i.test(typeOrName)) return 'csv';
  return undefined;
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
        out.push({ line, unreadable: `not valid JSON: ${jsonSyntax(err as Error)}` });
        continue;
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        out.push({ line, unreadable: 'must be a JSON object with the case fields' });
      else out.push({ line, raw: v as RawCase });
    }
    return out;
  }
  for await (const chunk of text as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    if (rest.length > MAX_RECORD_CHARS) throw tooLong('the line', line + lines.length + 1);
    yield rowsOf(lines);
  }
  yield rowsOf([rest]);
  if (!any) throw fileError('empty', 'the file is empty: expected one JSON object per line');
}
