import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, Readable, Transform, TransformCallback } from 'node:stream';
import { DipError, invalid } from '../domain/errors';

/**
 * The one way text comes in, from an HTTP body or a file: bytes → size limit → strict UTF-8 →
 * text. Every upload passes here (cases stream through the gate; hospitals, code tables,
 * catalogues and records are read whole through it), so that a character split between two
 * network chunks is decoded whole, a GBK export is refused instead of stored as mojibake, and
 * no upload exceeds MAX_UPLOAD_BYTES.
 */

/** Over the limit: as read so far, or as declared (a Content-Length) before reading. */
export const tooLarge = (maxBytes: number, declared?: number) =>
  new DipError(
    'too-large',
    'too-large',
    declared === undefined
      ? `the upload exceeds the limit of ${maxBytes} bytes (MAX_UPLOAD_BYTES)`
      : `the upload is ${declared} bytes; the limit is ${maxBytes} (MAX_UPLOAD_BYTES)`,
  );
const notUtf8 = (where: string) => new DipError('encoding', 'encoding', `the file is not valid UTF-8 (${where}); save it as UTF-8`);

/** Counts, hashes and limits bytes and decodes them as UTF-8, refusing anything else. */
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
      done(tooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(notUtf8(`a bad byte sequence between byte ${start} and ${this.bytes}`));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      const tail = this.decoder.decode();
      done(null, tail.length > 0 ? tail : undefined);
    } catch {
      done(notUtf8('it ends inside a character'));
    }
  }
}

/**
 * A byte stream through a new gate, wired at once (not when the first chunk is asked for): an
 * error upstream (size, encoding, a dropped upload) always has a listener and reaches the
 * reader through the gate.
 */
export function gated(input: Readable, maxBytes: number): ByteGate {
  const gate = new ByteGate(maxBytes);
  pipeline(input, gate, () => undefined);
  return gate;
}

/** The whole text of a stream, through the gate. */
export async function readText(input: Readable, maxBytes: number): Promise<{ text: string; bytes: number; contentHash: string }> {
  const gate = gated(input, maxBytes);
  let text = '';
  for await (const chunk of gate as AsyncIterable<string>) text += chunk;
  return { text: text.replace(/^\uFEFF/, ''), bytes: gate.bytes, contentHash: gate.contentHash };
}

/** The whole text of a file, through the gate. */
export const readTextFile = (path: string, maxBytes: number) => readText(createReadStream(path), maxBytes);

/** For bodies parsed by body-parser (JSON): the same UTF-8 check on the raw bytes. */
export function assertUtf8(bytes: Buffer): void {
  if (!isUtf8(bytes)) throw notUtf8('the request body');
}

/** Passes bytes on, unread, until more than `maxBytes` have come, then fails: a spool file never grows past the limit. */
export function byteLimit(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

/** A JSON document read from an upload's text; bad JSON is refused with `code`. */
export function parseJson(text: string, code: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = `not valid JSON: ${jsonSyntax(err as Error)}`;
    throw invalid(code, `${what} is ${reason}`, [{ path: '', reason }]);
  }
}

/**
 * V8's JSON.parse message without the excerpt of the input it quotes (`"{"patientId":…" is not
 * valid JSON`): a refusal names the position, never the content (it may carry patient ids).
 */
export function jsonSyntax(err: Error): string {
  return withoutJsonExcerpt(err.message) || 'not valid JSON';
}

/** A message without the `, "{"patie"... is not valid JSON` that V8 appends (up to ten characters of the input). */
export function withoutJsonExcerpt(message: string): string {
  return message.replace(/,?\s*"[\s\S]*"(\.\.\.)? is not valid JSON$/, '').trim();
}
