import { QueryFailedError } from 'typeorm';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { httpLogSerializers, loggedError, loggedRequest } from '../../src/config/log-serializers';

describe('loggedError: what a log line says of an error', () => {
  it('keeps a failed statement out: no SQL, no parameters, no driver error', () => {
    const driverError = Object.assign(new Error("Data too long for column 'error' at row 1"), {
      code: 'ER_DATA_TOO_LONG',
      sql: 'UPDATE import_batch SET error = \'{"message":"PZQ7-00001 …"}\' WHERE id = \'b1\'',
    });
    const err = new QueryFailedError('UPDATE import_batch SET error = ? WHERE id = ?', ['PZQ7-00001'.repeat(1000), 'b1'], driverError);
    const logged = loggedError(err);
    const text = JSON.stringify(logged);
    expect(text).not.toContain('PZQ7');
    expect(text).not.toContain('UPDATE');
    expect(logged).toMatchObject({
      type: 'QueryFailedError',
      message: "Data too long for column 'error' at row 1",
      code: 'ER_DATA_TOO_LONG',
    });
    expect(Object.keys(logged).sort()).toEqual(['code', 'message', 'stack', 'type']);
  });

  it('bounds the message and keeps the cause', () => {
    const err = new Error('x'.repeat(5000), { cause: new TypeError('inner') });
    const logged = loggedError(err);
    expect(logged.message).toBe(`${'x'.repeat(300)}… (5000 characters)`);
    expect(logged.cause).toMatchObject({ type: 'TypeError', message: 'inner' });
    expect(logged.stack).toMatch(/^ {4}at /);
  });

  it('says what a thrown non-error was', () => {
    expect(loggedError('plain')).toEqual({ type: 'string', message: 'plain' });
  });
});

describe('loggedRequest: what a log line says of its request', () => {
  it('through pino-http: id, method, path and address; never the token, cookies or the body', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pinoHttp({ level: 'info', serializers: { req: loggedRequest } }, destination);
    const server = createServer((req, res) => {
      logger(req, res);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/api/v1/hospitals/H1/summary?period=2024`, {
      headers: { authorization: 'Bearer SECRET-TOKEN', cookie: 'sid=SECRET-COOKIE' },
    });
    await new Promise((r) => server.close(r));
    const line = JSON.parse(lines.find((l) => l.includes('request completed'))!) as { req: Record<string, unknown> };
    expect(line.req).toEqual({
      id: 1,
      method: 'GET',
      url: '/api/v1/hospitals/H1/summary?period=2024',
      remoteAddress: '127.0.0.1',
    });
    expect(lines.join('')).not.toMatch(/SECRET/);
  });
});

describe("httpLogSerializers: pino-http's lines, as the application configures it", () => {
  const capture = () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, destination };
  };

  it("an error logged inside a request keeps its type, message and code (not pino's copy: '[object Object]'), and no SQL", async () => {
    const { lines, destination } = capture();
    const logger = pinoHttp({ level: 'warn', autoLogging: false, ...httpLogSerializers }, destination);
    const server = createServer((req, res) => {
      logger(req, res);
      const driverError = Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK', sql: 'UPDATE dip_case SET x = 1' });
      req.log.error({ err: new QueryFailedError('UPDATE dip_case SET x = ?', ['PZQ7-00001'], driverError) }, 'failed');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/api/v1/projections`, { method: 'POST', headers: { authorization: 'Bearer SECRET-TOKEN' } });
    await new Promise((r) => server.close(r));
    const line = JSON.parse(lines.find((l) => l.includes('"failed"'))!) as { req: Record<string, unknown>; err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'QueryFailedError', message: 'Deadlock found', code: 'ER_LOCK_DEADLOCK' });
    expect(line.req).toEqual({ id: 1, method: 'POST', url: '/api/v1/projections', remoteAddress: '127.0.0.1' });
    expect(lines.join('')).not.toMatch(/SECRET|PZQ7|UPDATE/);
  });

  it('the access line of a request (at info) says the request and the status, not the request headers', async () => {
    const { lines, destination } = capture();
    const logger = pinoHttp({ level: 'info', ...httpLogSerializers }, destination);
    const server = createServer((req, res) => {
      logger(req, res);
      res.statusCode = 204;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: 'Bearer SECRET-TOKEN', cookie: 'sid=SECRET-COOKIE' } });
    await new Promise((r) => server.close(r));
    const line = JSON.parse(lines.find((l) => l.includes('request completed'))!) as { req: unknown; res: { statusCode: number } };
    expect(line.req).toEqual({ id: 1, method: 'GET', url: '/health', remoteAddress: '127.0.0.1' });
    expect(line.res.statusCode).toBe(204);
    expect(lines.join('')).not.toMatch(/SECRET/);
  });
});
