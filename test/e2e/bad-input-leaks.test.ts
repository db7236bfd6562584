import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/persistence/data-source-options';
import { CASE_HEADER, caseLine, TEST_HOSPITALS } from '../support/app';
import { describeEngines, freshDatabase } from '../support/engines';
import { dip, jsonCase } from './e2e-helpers';

const SERVER = resolve(__dirname, '../../dist/main.js');
/** Every patient id of this suite carries this mark; none may come back anywhere. */
const MARK = 'PZQ7';
const pid = (i: number) => `${MARK}-${String(i).padStart(5, '0')}`;

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

/**
 * Issue 11 item 2: bad input never echoes a patient pseudonym. The real server runs as its own
 * process with debug logging; the suite sends every class of bad input it knows, each with
 * marked patient ids, then searches every response, every stored error, rejection and audit
 * entry, every log line and the CLI's output for the mark.
 */
describeEngines('no patient id leaks from bad input on %s', (engine) => {
  let server: ChildProcess;
  let logs = '';
  let base = '';
  let env: Record<string, string> = {};
  let drop: () => Promise<void> = async () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dip-leaks-'));
  const seen: string[] = [];

  let bearer = '';
  async function call(method: string, path: string, body?: string | Buffer, type = 'application/json', auth = true) {
    const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': type };
    if (auth) headers.Authorization = `Bearer ${bearer}`;
    // A connection the server closed after refusing an upload mid-stream may still be pooled: once more on a reset.
    const send = () => fetch(`${base}${path}`, { method, body, headers });
    const res = await send().catch((err: Error & { cause?: { code?: string } }) => {
      if (err.cause?.code !== 'ECONNRESET') throw err;
      return send();
    });
    const text = await res.text();
    seen.push(`${method} ${path} → ${res.status} ${text}`);
    return { status: res.status, text, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  }

  beforeAll(async () => {
    const db = await freshDatabase(engine, 'e2e_leaks');
    drop = db.drop;
    env = { ...db.env, DEFAULT_CODE_TABLES: 'none' };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'debug' };
    if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
    server = spawn(process.execPath, [SERVER], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 200) throw new Error(`the server did not start: ${logs}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The first user, as an agency would make it: by the CLI, then a login over HTTP.
    const password = join(dir, 'password');
    writeFileSync(password, 'leak-test-password-1\n');
    const created = await dip({ env }, [
      'users',
      'create',
      '--username',
      'leak-agency',
      '--role',
      'agency',
      '--region',
      '370300',
      '--password-file',
      password,
    ]);
    expect(created.code).toBe(0);
    const login = await call(
      'POST',
      '/api/v1/auth/login',
      JSON.stringify({ username: 'leak-agency', password: 'leak-test-password-1' }),
      'application/json',
      false,
    );
    bearer = login.body.accessToken;
    expect((await call('POST', '/api/v1/hospitals', JSON.stringify(TEST_HOSPITALS))).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (n: number, from: number, over: (i: number) => Record<string, string> = () => ({})) =>
    Array.from({ length: n }, (_, k) => caseLine({ caseId: `X${from + k}`, patientId: pid(from + k), ...over(from + k) }));

  it('an old-Mac (CR-only) CSV is read: its rows are stored, its lines counted', async () => {
    const body = [CASE_HEADER, ...rows(3, 1), caseLine({ caseId: 'X4', patientId: pid(4), sex: 'Q' })].join('\r') + '\r';
    const res = await call('POST', '/api/v1/cases/import', body, 'text/csv');
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ read: 4, inserted: 3, rejected: 1 });
    expect(res.body.rejections).toEqual([{ line: 5, caseId: 'X4', field: 'sex', reason: 'must be one of M, F, U; got "Q"' }]);
  });

  it('a CR-only CSV with an unknown column is refused naming the column, not the file', async () => {
    const body = [CASE_HEADER.replace('sex', 'gender'), ...rows(50, 100)].join('\r') + '\r';
    const res = await call('POST', '/api/v1/cases/import', body, 'text/csv');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      status: 'failed',
      error: { code: 'header', message: expect.stringMatching(/^unknown column\(s\) "gender"; /) },
    });
    // In the background: the refusal is the batch's stored error.
    const bg = await call('POST', '/api/v1/cases/import?async=true', body, 'text/csv');
    expect(bg.status).toBe(202);
    for (let i = 0; ; i++) {
      const b = await call('GET', `/api/v1/imports/${bg.body.batchId}`);
      if (b.body.status !== 'running') {
        expect(b.body).toMatchObject({ status: 'failed', error: { code: 'header' } });
        break;
      }
      if (i > 100) throw new Error('the background import did not end');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('a file whose lines mix LF and CR is refused row by row, without the rows', async () => {
    const body = `${CASE_HEADER}\n${rows(20, 200).join('\r')}\n`;
    const res = await call('POST', '/api/v1/cases/import', body, 'text/csv');
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ read: 1, inserted: 0, rejected: 1 });
    expect(res.body.rejections[0]).toMatchObject({
      line: 2,
      field: '*',
      reason: expect.stringMatching(/^has \d+ fields; the header has 21$/),
    });
  });

  it('broken JSON lines, a malformed JSON body and bad patient ids are refused without the ids', async () => {
    const jsonl = [
      JSON.stringify(jsonCase({ caseId: 'J1', patientId: pid(300) })).slice(0, -2),
      `{"caseId":"J2","patientId":"${pid(301)}"`,
    ].join('\n');
    const res = await call('POST', '/api/v1/cases/import', jsonl, 'application/x-ndjson');
    expect(res.status).toBe(201);
    expect(res.body.rejections.map((r: { line: number; reason: string }) => r.line)).toEqual([1, 2]);
    for (const r of res.body.rejections) expect(r.reason).toMatch(/^not valid JSON: /);

    const malformed = await call('POST', '/api/v1/cases', `[{"caseId":"J3","patientId":"${pid(302)}",]`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'bad-request', message: 'Expected double-quoted property name in JSON at position 41' });
    const excerpted = await call('POST', '/api/v1/cases', `${pid(308)}[]`);
    expect(excerpted.body).toMatchObject({ error: 'bad-request', message: "Unexpected token 'P'" });

    const bad = await call(
      'POST',
      '/api/v1/cases',
      JSON.stringify([
        jsonCase({ caseId: 'J4', patientId: `${pid(303)}\u0000` }),
        jsonCase({ caseId: 'J5', patientId: pid(304).repeat(10) }),
        jsonCase({ caseId: 'J6', patientId: [pid(305)] }),
        jsonCase({ caseId: 'J7', patientId: pid(306), sex: pid(306) }), // a shifted column
      ]),
    );
    expect(bad.status).toBe(201);
    expect(bad.body.rejections.map((r: { field: string }) => r.field)).toEqual(['patientId', 'patientId', 'patientId', 'sex']);
  });

  it('an unclosed quote and a JSON line longer than a record may be are refused at once, naming the line', async () => {
    const quote = [CASE_HEADER, ...rows(2, 400), `"${rows(1, 402)[0]}`, ...rows(2000, 403)].join('\n') + '\n';
    const q = await call('POST', '/api/v1/cases/import', quote, 'text/csv');
    expect(q.status).toBe(422);
    expect(q.body.error).toMatchObject({
      code: 'syntax',
      line: 4,
      message: expect.stringMatching(/^the record starting at line 4 is longer than 65,536 characters/),
    });
    const long = `${JSON.stringify(jsonCase({ caseId: 'L1' }))}\n${JSON.stringify(Array.from({ length: 2000 }, (_, i) => jsonCase({ patientId: pid(3000 + i) })))}\n`;
    const l = await call('POST', '/api/v1/cases/import', long, 'application/x-ndjson');
    expect(l.status).toBe(422);
    expect(l.body.error).toMatchObject({ code: 'syntax', line: 2 });
  });

  it('the CLI says what was wrong without the patient ids', async () => {
    const file = join(dir, 'cr-only-bad-header.csv');
    writeFileSync(file, [CASE_HEADER.replace('sex', 'gender'), ...rows(50, 500)].join('\r') + '\r');
    const r = await dip({ env }, ['import', 'cases', file]);
    seen.push(r.stdout, r.stderr);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown column\(s\) "gender"/);
    const jsonl = join(dir, 'broken.jsonl');
    writeFileSync(jsonl, `{"caseId":"C9","patientId":"${pid(600)}"\n`);
    const j = await dip({ env }, ['import', 'cases', jsonl]);
    seen.push(j.stdout, j.stderr);
    expect(j.code).toBe(2);
  });

  it('refused access is logged with who, what and why (never the values of the path)', async () => {
    expect((await call('GET', '/api/v1/hospitals', undefined, 'application/json', false)).status).toBe(401);
    expect((await call('POST', '/api/v1/settlements', JSON.stringify({ region: '110000', kind: 'month', period: '2024-03' }))).status).toBe(
      403,
    );
    for (let i = 0; i < 50 && !logs.includes('"what":"POST /api/v1/settlements"'); i++) await new Promise((r) => setTimeout(r, 20));
    const denied = logs.split('\n').filter((l) => l.includes('access denied'));
    expect(denied).toEqual([
      expect.stringMatching(/"who":"anonymous".*"what":"GET \/api\/v1\/hospitals".*"why":"unauthenticated"/),
      expect.stringMatching(/"who":"agency:leak-agency".*"what":"POST \/api\/v1\/settlements".*"why":"forbidden"/),
    ]);
  });

  it('no response, stored error, rejection, audit entry, log line or CLI output carries a patient id', async () => {
    const ds = new DataSource(dataSourceOptions({ DATABASE_URL: env.DATABASE_URL, DIP_SQLITE_PATH: env.DIP_SQLITE_PATH ?? '' }));
    await ds.initialize();
    try {
      for (const [table, cols] of [
        ['import_batch', 'error'],
        ['import_rejection', 'case_id, field, reason'],
        ['audit_log', 'before_state, after_state'],
        ['job', 'params, error'],
      ]) {
        const stored = (await ds.query(`SELECT ${cols} FROM ${table}`)) as Record<string, unknown>[];
        seen.push(`${table}: ${JSON.stringify(stored)}`);
      }
      const errors = (await ds.query(`SELECT error FROM import_batch WHERE error IS NOT NULL`)) as unknown[];
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await ds.destroy();
    }
    expect(logs.length).toBeGreaterThan(0);
    const leaks = [...seen, ...logs.split('\n')].filter((s) => s.includes(MARK));
    expect(leaks.map((l) => l.slice(0, 300))).toEqual([]);
  });
});
