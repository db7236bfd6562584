import { Agent, request as httpRequest } from 'node:http';

export interface UploadResponse {
  status: number;
  /** The response parsed as JSON, or its text when it is not JSON (null when empty). */
  body: any;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** Bearer tokens by server port and path prefix (the longest prefix wins): raw uploads carry them. */
const bearers: { port: number; prefix: string; token: string }[] = [];
export function authorize(port: number, token: string, prefix = '/'): void {
  bearers.push({ port, prefix, token });
}
function bearerFor(port: number, path: string): Record<string, string> {
  const best = bearers.filter((b) => b.port === port && path.startsWith(b.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
  return best ? { Authorization: `Bearer ${best.token}` } : {};
}

/**
 * Sends `body` to a listening server on 127.0.0.1 with Transfer-Encoding: chunked (no
 * Content-Length), `chunkSize` bytes a chunk frame, yielding to the event loop after each write
 * so that every piece leaves (and arrives) on its own. Stops writing once the server has
 * answered (a server refusing an upload early may close the connection: that is no error here).
 * The connection is keep-alive, as a browser's or curl's would be: with `Connection: close` the
 * server closes it right after an early answer, and the next write fails (EPIPE) before that
 * answer is read.
 */
export function sendChunked(
  port: number,
  method: string,
  path: string,
  contentType: string,
  body: Buffer,
  chunkSize: number,
): Promise<UploadResponse> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunkSize must be a positive whole number, not ${chunkSize}`);
  return send(
    port,
    method,
    path,
    { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', ...bearerFor(port, path) },
    body,
    chunkSize,
  );
}

/** Sends `body` whole, with its Content-Length. */
export function sendWithLength(port: number, method: string, path: string, contentType: string, body: Buffer): Promise<UploadResponse> {
  return send(
    port,
    method,
    path,
    { 'Content-Type': contentType, 'Content-Length': String(body.length), ...bearerFor(port, path) },
    body,
    null,
  );
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  chunkSize: number | null,
): Promise<UploadResponse> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<UploadResponse>((resolve, reject) => {
    let answered = false;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: unknown = null;
        if (text !== '') {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    let written = 0;
    // After an early answer the server may reset the connection while we still write.
    req.on('error', (err) => {
      if (!answered)
        fail(
          new Error(
            `${method} ${path}: the connection failed before any answer, after ${written} of ${body.length} bytes were written: ${err.message}`,
          ),
        );
    });
    req.setNoDelay(true);
    if (chunkSize === null) {
      req.end(body);
      return;
    }
    void (async () => {
      req.flushHeaders();
      for (let at = 0; at < body.length && !answered && !req.destroyed; at += chunkSize) {
        const piece = body.subarray(at, at + chunkSize);
        req.write(piece);
        written += piece.length;
        await nextTurn();
      }
      if (!req.destroyed) req.end();
    })();
  }).finally(() => agent.destroy());
}

/** The number of chunk boundaries of `body` (every `chunkSize` bytes) that fall inside a UTF-8 character. */
export function splitCharacters(body: Buffer, chunkSize: number): number {
  let n = 0;
  for (let at = chunkSize; at < body.length; at += chunkSize) if ((body[at] & 0xc0) === 0x80) n++;
  return n;
}

/** GBK bytes of the few Chinese characters the tests use (checked against iconv-lite's GBK table). */
const GBK: Record<string, [number, number]> = {
  第: [0xb5, 0xda],
  一: [0xd2, 0xbb],
  人: [0xc8, 0xcb],
  民: [0xc3, 0xf1],
  医: [0xd2, 0xbd],
  院: [0xd4, 0xba],
  违: [0xce, 0xa5],
  规: [0xb9, 0xe6],
  病: [0xb2, 0xa1],
  例: [0xc0, 0xfd],
  号: [0xba, 0xc5],
  胆: [0xb5, 0xa8],
  囊: [0xc4, 0xd2],
  结: [0xbd, 0xe1],
  石: [0xca, 0xaf],
  中: [0xd6, 0xd0],
  心: [0xd0, 0xc4],
};

/** `text` encoded as GBK (as a Windows export would be): ASCII as is, the characters above as their GBK pairs. */
export function gbk(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (GBK[ch]) bytes.push(...GBK[ch]);
    else throw new Error(`no GBK bytes for "${ch}" in the test table`);
  }
  return Buffer.from(bytes);
}

/** True when the bytes are valid UTF-8. */
export function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
