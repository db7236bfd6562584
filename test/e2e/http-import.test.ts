import './quiet-logs';
import { createHash, randomUUID } from 'node:crypto';
import { CASE_HEADER, caseLine, startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { countRows, csvBody, jsonCase, storedIds, waitForImport } from './e2e-helpers';

/** File uploads to POST /api/v1/cases/import and the /api/v1/imports endpoints, on both engines. */
describeEngines('case file imports over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();
  const postCsv = (body: string | Buffer, query: Record<string, string> = {}) =>
    http().post('/api/v1/cases/import').query(query).set('Content-Type', 'text/csv').send(body);

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_import');
    const res = await t.http().post('/api/v1/hospitals').send(TEST_HOSPITALS);
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports a CSV body: 201 with the report, valid rows stored, rejected rows by file line', async () => {
    const body = csvBody(
      caseLine({ caseId: 'V1' }),
      caseLine({ caseId: 'V2', fundPayment: '30000.00' }),
      caseLine({ caseId: 'V3', principalDiagnosis: 'k80.100 ' }),
    );
    const res = await postCsv(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'committed',
      format: 'csv',
      mode: 'default',
      replace: false,
      source: 'POST /api/v1/cases/import',
      error: null,
    });
    expect(res.body.counts).toEqual({ read: 3, inserted: 2, replaced: 0, skipped: 0, rejected: 1 });
    expect(res.body.rejections).toEqual([{ line: 3, caseId: 'V2', field: 'fundPayment', reason: '30000.00 exceeds totalCost 23456.78' }]);
    const size = Buffer.byteLength(body);
    expect(res.body.bytes).toEqual({ read: size, expected: size });
    expect(res.body.contentHash).toBe(createHash('sha256').update(body).digest('hex'));
    expect(await storedIds(t, 'V')).toEqual(['V1', 'V3']);
    const v3 = await t.db.execute('SELECT principal_diagnosis, settlement_month FROM dip_case WHERE case_id = ?', ['V3']);
    expect(v3.rows.map((r) => [String(r.principal_diagnosis), String(r.settlement_month)])).toEqual([['K80.100', '2024-03']]);

    const again = await postCsv(body);
    expect(again.status).toBe(201);
    expect(again.body.counts).toEqual({ read: 3, inserted: 0, replaced: 0, skipped: 2, rejected: 1 });
  });

  it('imports a 3,000-row CRLF CSV arriving in many chunks, with quoted multi-line fields, counting file lines', async () => {
    const multiLine = (i: number) => i % 500 === 250;
    const lines = Array.from({ length: 3000 }, (_, i) =>
      caseLine({
        caseId: `K${String(i).padStart(4, '0')}`,
        // A quoted comma, and a quoted line break inside a list (its codes are trimmed).
        ...(multiLine(i) ? { patientId: `"P,${i}"`, secondaryDiagnoses: '"I10.x00|\r\nE11.900"' } : {}),
        ...(i === 1000 || i === 2999 ? { sex: 'Q' } : {}),
      }),
    );
    const body = [CASE_HEADER, ...lines].join('\r\n') + '\r\n';
    expect(Buffer.byteLength(body)).toBeGreaterThan(300_000);
    for (const query of [{}, { async: 'true' }] as Record<string, string>[]) {
      await t.db.execute(`DELETE FROM dip_case WHERE case_id LIKE 'K%'`);
      const res = await postCsv(body, query);
      const report = res.status === 202 ? await waitForImport(t, res.body.batchId) : res.body;
      expect(report.status).toBe('committed');
      expect(report.counts).toEqual({ read: 3000, inserted: 2998, replaced: 0, skipped: 0, rejected: 2 });
      // Physical line of row i: 2 + i + the multi-line rows before it (250 and 750 before 1000; six before 2999).
      expect(report.rejections.map((r: { line: number; caseId: string; field: string }) => [r.line, r.caseId, r.field])).toEqual([
        [1004, 'K1000', 'sex'],
        [3007, 'K2999', 'sex'],
      ]);
      expect((await storedIds(t, 'K')).length).toBe(2998);
      const { rows } = await t.db.execute('SELECT patient_id, secondary_diagnoses FROM dip_case WHERE case_id IN (?, ?) ORDER BY case_id', [
        'K0250',
        'K0251',
      ]);
      expect(rows.map((r) => [String(r.patient_id), String(r.secondary_diagnoses)])).toEqual([
        ['P,250', 'I10.x00|E11.900'],
        ['P1', 'I10.x00|E11.900'],
      ]);
    }
  });

  it('imports JSON lines (application/x-ndjson); a line that is not JSON is rejected by its line', async () => {
    const body =
      [
        JSON.stringify(jsonCase({ caseId: 'N1' })),
        '',
        '{"caseId": "N2", ',
        JSON.stringify(jsonCase({ caseId: 'N3', otherProcedures: ['87.4400'] })),
        '[1,2]',
      ].join('\n') + '\n';
    const res = await http().post('/api/v1/cases/import').set('Content-Type', 'application/x-ndjson').send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'committed', format: 'jsonl' });
    expect(res.body.counts).toEqual({ read: 4, inserted: 2, replaced: 0, skipped: 0, rejected: 2 });
    expect(res.body.rejections).toEqual([
      { line: 3, caseId: null, field: '*', reason: expect.stringContaining('not valid JSON') },
      { line: 5, caseId: null, field: '*', reason: expect.stringContaining('JSON object') },
    ]);
    expect(await storedIds(t, 'N')).toEqual(['N1', 'N3']);
  });

  it('takes the format from ?format= and refuses a body of unknown type with 400', async () => {
    const batches = await countRows(t, 'import_batch');
    const unknown = await http()
      .post('/api/v1/cases/import')
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(csvBody(caseLine({ caseId: 'F1' }))));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ statusCode: 400, error: 'unknown-format' });
    const badFormat = await http()
      .post('/api/v1/cases/import')
      .query({ format: 'xlsx' })
      .set('Content-Type', 'text/csv')
      .send(csvBody(caseLine({ caseId: 'F1' })));
    expect(badFormat.status).toBe(400);
    expect(await countRows(t, 'import_batch')).toBe(batches);

    const named = await http()
      .post('/api/v1/cases/import')
      .query({ format: 'csv' })
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(csvBody(caseLine({ caseId: 'F1' }))));
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({ format: 'csv', counts: { inserted: 1 } });
    expect(await storedIds(t, 'F')).toEqual(['F1']);
  });

  it('?mode=atomic with one bad row is a 422 that stores nothing', async () => {
    const res = await postCsv(csvBody(caseLine({ caseId: 'T1' }), caseLine({ caseId: 'T2', age: '151' })), { mode: 'atomic' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'rejected', mode: 'atomic', counts: { read: 2, rejected: 1 } });
    expect(res.body.rejections).toEqual([{ line: 3, caseId: 'T2', field: 'age', reason: expect.any(String) }]);
    expect(await storedIds(t, 'T')).toEqual([]);
  });

  it('a missing column is a 422 header error, and nothing is stored', async () => {
    const header = CASE_HEADER.split(',').filter((f) => f !== 'pool');
    const line = caseLine({ caseId: 'H1' }).split(',');
    line.splice(CASE_HEADER.split(',').indexOf('pool'), 1);
    const res = await postCsv([header.join(','), line.join(',')].join('\n') + '\n');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'header', line: 1 } });
    expect(res.body.error.message).toContain('pool');
    expect(await storedIds(t, 'H')).toEqual([]);

    const unknown = await postCsv(csvBody(caseLine({ caseId: 'H2' })).replace('caseId,', 'caseID,'));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'header', message: expect.stringContaining('"caseID"') });
  });

  // The row with the broken quote is on line 4; the quoted field swallows the rest of the file.
  const brokenQuote = () =>
    csvBody(
      caseLine({ caseId: 'S1' }),
      caseLine({ caseId: 'S2' }),
      caseLine({ caseId: 'S3', patientId: '"P3"x' }),
      caseLine({ caseId: 'S4' }),
    );

  it('a broken quote is a 422 syntax error with a line, and nothing is stored', async () => {
    const res = await postCsv(brokenQuote());
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'syntax', message: expect.stringMatching(/quote/i) } });
    expect(res.body.error.line).toEqual(expect.any(Number));
    expect(res.body.error.line).toBeGreaterThanOrEqual(4);
    expect(await storedIds(t, 'S')).toEqual([]);
  });

  it('a broken quote names the line of the broken quote', async () => {
    const res = await postCsv(brokenQuote());
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'syntax', line: 4 });
  });

  it('non-UTF-8 bytes (GBK) are a 415 encoding error, and nothing is stored', async () => {
    const [before, after] = csvBody(caseLine({ caseId: 'G1' }), caseLine({ caseId: 'G2', patientId: '@@' })).split('@@');
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), Buffer.from(after)]);
    const res = await postCsv(body);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'encoding' } });
    expect(res.body.error.message).toContain('UTF-8');
    expect(await storedIds(t, 'G')).toEqual([]);

    const jsonl = Buffer.concat([
      Buffer.from(`${JSON.stringify(jsonCase({ caseId: 'G3' }))}\n{"caseId":"G4","patientId":"`),
      Buffer.from([0xd6, 0xd0]),
      Buffer.from('"}\n'),
    ]);
    const res2 = await http().post('/api/v1/cases/import').set('Content-Type', 'application/x-ndjson').send(jsonl);
    expect(res2.status).toBe(415);
    expect(res2.body.error.code).toBe('encoding');
    expect(await storedIds(t, 'G')).toEqual([]);
  });

  it('an empty body is 422 empty; a header-only file is 422 no-rows', async () => {
    const empty = await postCsv('');
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ status: 'failed', error: { code: 'empty' } });

    const emptyJsonl = await http().post('/api/v1/cases/import').set('Content-Type', 'application/x-ndjson').send('\n\n');
    expect(emptyJsonl.status).toBe(422);
    expect(emptyJsonl.body.error.code).toBe('empty');

    const headerOnly = await postCsv(`${CASE_HEADER}\n`);
    expect(headerOnly.status).toBe(422);
    expect(headerOnly.body).toMatchObject({ status: 'failed', error: { code: 'no-rows' }, counts: { read: 0 } });
  });

  it('?async=true answers 202 with a Location, and the import commits in the background', async () => {
    const lines = Array.from({ length: 50 }, (_, i) =>
      caseLine({ caseId: `Y${String(i).padStart(2, '0')}`, ...(i % 10 === 9 ? { sex: 'Q' } : {}) }),
    );
    const body = csvBody(...lines);
    const res = await postCsv(body, { async: 'true' });
    expect(res.status).toBe(202);
    const batchId: string = res.body.batchId;
    expect(batchId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.headers.location).toBe(`/api/v1/imports/${batchId}`);
    expect(res.body).toEqual({ batchId, status: 'running', statusUrl: `/api/v1/imports/${batchId}` });

    const done = await waitForImport(t, batchId);
    expect(done).toMatchObject({ batchId, status: 'committed', format: 'csv', error: null });
    expect(done.counts).toEqual({ read: 50, inserted: 45, replaced: 0, skipped: 0, rejected: 5 });
    expect(done.rejections.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual(
      [11, 21, 31, 41, 51].map((l) => [l, 'sex']),
    );
    expect(done.bytes.read).toBe(Buffer.byteLength(body));
    expect((await storedIds(t, 'Y')).length).toBe(45);

    const list = await http().get('/api/v1/imports');
    expect(list.status).toBe(200);
    const entry = list.body.find((b: { batchId: string }) => b.batchId === batchId);
    expect(entry).toMatchObject({
      batchId,
      status: 'committed',
      source: 'POST /api/v1/cases/import',
      rows: 50,
      bytes: { read: Buffer.byteLength(body) },
    });
    expect(entry.finishedAt).toEqual(expect.any(String));

    // Pages of the rejections: offset and limit, `more` while some are left.
    const page = await http().get(`/api/v1/imports/${batchId}/rejections`).query({ offset: 1, limit: 2 });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ batchId, offset: 1, rejected: 5, more: true });
    expect(page.body.rejections.map((r: { line: number; caseId: string }) => [r.line, r.caseId])).toEqual([
      [21, 'Y19'],
      [31, 'Y29'],
    ]);
    const last = await http().get(`/api/v1/imports/${batchId}/rejections`).query({ offset: 4, limit: 2 });
    expect(last.body).toMatchObject({ offset: 4, rejected: 5, more: false });
    expect(last.body.rejections.map((r: { line: number }) => r.line)).toEqual([51]);
    const all = await http().get(`/api/v1/imports/${batchId}/rejections`);
    expect(all.body.rejections).toHaveLength(5);
    expect(all.body.more).toBe(false);
  });

  it('a malformed limit or offset of the rejections listing is a 400', async () => {
    const res = await postCsv(csvBody(caseLine({ caseId: 'L1', sex: 'Q' })));
    expect(res.status).toBe(201);
    const page = await http().get(`/api/v1/imports/${res.body.batchId}/rejections`).query({ limit: 'ten' });
    expect(page.status).toBe(400);
    const list = await http().get('/api/v1/imports').query({ limit: 'ten' });
    expect(list.status).toBe(400);
  });

  it('GET /api/v1/imports/:id: 400 for a malformed id, 404 unknown-import for an unknown one', async () => {
    const bad = await http().get('/api/v1/imports/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'bad-request' });
    const badRejections = await http().get('/api/v1/imports/not-a-uuid/rejections');
    expect(badRejections.status).toBe(400);
    const id = randomUUID();
    const unknown = await http().get(`/api/v1/imports/${id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'unknown-import', message: `no import ${id}` });
    expect((await http().get(`/api/v1/imports/${id}/rejections`)).status).toBe(404);
  });
});
