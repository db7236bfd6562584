import './quiet-logs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { caseLine, startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { CODES } from '../support/paths';
import { countRows, csvBody, jsonCase, storedIds } from './e2e-helpers';

const ICD10_FILE = join(CODES, 'icd10-yb2.dat');

/** POSTs `chunks` with Transfer-Encoding: chunked (no Content-Length) to a listening server. */
function postChunked(
  server: Server,
  path: string,
  contentType: string,
  chunks: Buffer[],
  token: string,
): Promise<{ status: number; body: any }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${token}` };
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describeEngines('upload limit (MAX_UPLOAD_BYTES=2048) on %s', (engine) => {
  let t: TestApp;
  let server: Server;
  const http = () => t.http();
  // About 3.4 KB: more than the limit.
  const big = () => csvBody(...Array.from({ length: 20 }, (_, i) => caseLine({ caseId: `BIG${i}` })));

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_limit', { MAX_UPLOAD_BYTES: '2048' });
    expect((await t.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    server = createServer(t.app.getHttpAdapter().getInstance());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    if (server?.listening) await new Promise((r) => server.close(r));
    await t?.close();
  });

  it('an upload under the limit is imported', async () => {
    const body = csvBody(caseLine({ caseId: 'OK1' }));
    expect(Buffer.byteLength(body)).toBeLessThan(2048);
    const res = await http().post('/api/v1/cases/import').set('Content-Type', 'text/csv').send(body);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ inserted: 1 });
  });

  it('a Content-Length above the limit is refused with 413 too-large before reading, creating no import', async () => {
    const body = big();
    expect(Buffer.byteLength(body)).toBeGreaterThan(2048);
    const batches = await countRows(t, 'import_batch');
    const res = await http().post('/api/v1/cases/import').set('Content-Type', 'text/csv').send(body);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'too-large' });
    expect(res.body.message).toContain(`${Buffer.byteLength(body)} bytes`);
    expect(res.body.message).toContain('2048');
    expect(await countRows(t, 'import_batch')).toBe(batches);
    expect(await storedIds(t, 'BIG')).toEqual([]);
  });

  it('a chunked upload (no Content-Length) above the limit is stopped by the streaming gate with 413', async () => {
    const data = Buffer.from(big());
    const chunks = [data.subarray(0, 1000), data.subarray(1000, 2000), data.subarray(2000)];
    const res = await postChunked(server, '/api/v1/cases/import', 'text/csv', chunks, t.token);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'too-large' } });
    expect(res.body.error.message).toContain('2048');
    expect(res.body.bytes.expected).toBeNull();
    expect(await storedIds(t, 'BIG')).toEqual([]);
    const batch = await http().get(`/api/v1/imports/${res.body.batchId}`);
    expect(batch.body).toMatchObject({ status: 'failed', error: { code: 'too-large' } });
  });

  it('a chunked upload under the limit is imported', async () => {
    const data = Buffer.from(csvBody(caseLine({ caseId: 'OK2' }), caseLine({ caseId: 'OK3' })));
    const res = await postChunked(server, '/api/v1/cases/import', 'text/csv', [data.subarray(0, 100), data.subarray(100)], t.token);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ read: 2, inserted: 2 });
    expect(res.body.bytes).toEqual({ read: data.length, expected: null });
    expect(await storedIds(t, 'OK')).toEqual(['OK1', 'OK2', 'OK3']);
  });
});

describeEngines('code tables over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();
  /** PUT a code table as the agency user of its region (the default user is 370300's). */
  const putTable = async (region: string, kind: string, body: string | Buffer) =>
    t
      .http(region === '370300' ? undefined : await t.login({ role: 'agency', region }))
      .put(`/api/v1/regions/${region}/code-tables/${kind}`)
      .set('Content-Type', 'text/plain')
      .send(body);

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_codes');
    expect((await t.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without a table any well-formed principal diagnosis is accepted', async () => {
    const res = await http()
      .post('/api/v1/cases')
      .send([jsonCase({ caseId: 'P0', principalDiagnosis: 'Z99.900' })]);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ inserted: 1, rejected: 0 });
  });

  it('loads a small diagnosis table; a principal diagnosis outside it is then rejected', async () => {
    const table = 'K80.100 胆囊结石伴有其他胆囊炎\n\nI10.x00 特发性（原发性）高血压\r\nE11.900 2型糖尿病，不伴有并发症\n';
    const res = await putTable('370300', 'diagnosis', table);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      region: '370300',
      kind: 'diagnosis',
      entries: 3,
      source: 'PUT /api/v1/regions/370300/code-tables/diagnosis',
    });
    const list = await http().get('/api/v1/regions/370300/code-tables');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ kind: 'diagnosis', entries: 3, contentHash: res.body.contentHash })]);

    const cases = await http()
      .post('/api/v1/cases')
      .send([
        jsonCase({ caseId: 'P1', principalDiagnosis: 'K80.100' }),
        jsonCase({ caseId: 'P2', principalDiagnosis: 'K81.000' }),
        jsonCase({ caseId: 'P3', principalDiagnosis: 'i10.X00' }),
      ]);
    expect(cases.status).toBe(201);
    expect(cases.body.counts).toEqual({ read: 3, inserted: 2, replaced: 0, skipped: 0, rejected: 1 });
    expect(cases.body.rejections).toEqual([
      { line: 1, caseId: 'P2', field: 'principalDiagnosis', reason: expect.stringContaining('K81.000') },
    ]);
    expect(await storedIds(t, 'P')).toEqual(['P0', 'P1', 'P3']);
  });

  it('a malformed table is a 422 naming every bad line, and the loaded table stays', async () => {
    const res = await putTable('370300', 'diagnosis', 'K80.100 胆囊结石\nNOT-A-CODE 名称\nK81.000\nK81.000 急性胆囊炎\n');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'invalid-code-table' });
    expect(res.body.problems.map((p: { line: number }) => p.line)).toEqual([2, 3]);
    const list = await http().get('/api/v1/regions/370300/code-tables');
    expect(list.body).toEqual([expect.objectContaining({ kind: 'diagnosis', entries: 3 })]);
    // K81.000 of the refused table was not loaded.
    const c = await http()
      .post('/api/v1/cases')
      .send([jsonCase({ caseId: 'P4', principalDiagnosis: 'K81.000' })]);
    expect(c.body.counts).toMatchObject({ inserted: 0, rejected: 1 });
  });

  it('an unknown region is 404 unknown-region; an unknown kind is 400', async () => {
    const res = await putTable('999999', 'diagnosis', 'K80.100 胆囊结石\n');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'unknown-region' });
    const kind = await putTable('370300', 'drugs', 'K80.100 胆囊结石\n');
    expect(kind.status).toBe(400);
    expect(await countRows(t, 'code_table')).toBe(1);
  });

  it('loads the official ICD-10 医保版 2.0 table: one entry per distinct code', async () => {
    const file = readFileSync(ICD10_FILE);
    const lines = file
      .toString('utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    const distinct = new Set(lines.map((l) => l.trim().split(/\s+/)[0]));
    expect(lines.length).toBe(33_304);
    const res = await putTable('370300', 'diagnosis', file);
    expect(res.status).toBe(200);
    expect(res.body.entries).toBe(distinct.size);
    expect(await countRows(t, 'code_entry')).toBe(distinct.size);
    const list = await http().get('/api/v1/regions/370300/code-tables');
    expect(list.body).toEqual([expect.objectContaining({ kind: 'diagnosis', entries: distinct.size })]);

    // The first and the last code of the file are now known; a made-up one is not.
    const first = lines[0].split(/\s+/)[0];
    const last = lines[lines.length - 1].trim().split(/\s+/)[0];
    const cases = await http()
      .post('/api/v1/cases')
      .send([
        jsonCase({ caseId: 'W1', principalDiagnosis: first }),
        jsonCase({ caseId: 'W2', principalDiagnosis: last }),
        jsonCase({ caseId: 'W3', principalDiagnosis: 'K80.900x999' }),
      ]);
    expect(cases.body.counts).toMatchObject({ inserted: 2, rejected: 1 });
    expect(cases.body.rejections).toEqual([expect.objectContaining({ line: 2, field: 'principalDiagnosis' })]);
  });
});
