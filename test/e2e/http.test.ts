import './quiet-logs';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { countRows, jsonCase, storedIds } from './e2e-helpers';

/** Health, API docs, hospitals, cases as a JSON array, money exactness: over HTTP, on both engines. */
describeEngines('HTTP API on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_http');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('health and docs', () => {
    it('GET /health answers ok with the engine', async () => {
      const res = await http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: engine });
    });

    it('GET /api/docs-json is the OpenAPI document listing the case endpoints', async () => {
      const res = await http().get('/api/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(res.body.info.title).toBe('DIP settlement service');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/cases', '/api/v1/cases/import', '/api/v1/imports/{id}', '/api/v1/hospitals', '/health']),
      );
      expect(res.body.paths['/api/v1/cases'].post).toBeDefined();
      const ui = await http().get('/api/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
    });

    it('an unknown route is a machine-readable 404', async () => {
      const res = await http().get('/api/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'not-found' });
    });
  });

  describe('hospitals', () => {
    it('registers hospitals, then finds them unchanged', async () => {
      const first = await http().post('/api/v1/hospitals').send(TEST_HOSPITALS);
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ created: 2, updated: 0, unchanged: 0 });
      const again = await http().post('/api/v1/hospitals').send(TEST_HOSPITALS);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 2 });
      const list = await http().get('/api/v1/hospitals').query({ region: '370300' });
      expect(list.status).toBe(200);
      expect(list.body.map((h: { code: string }) => h.code)).toEqual(['H001', 'H002']);
      expect(list.body[1]).toEqual({
        code: 'H002',
        name: '甲等镇卫生院',
        region: '370300',
        level: 'TOWNSHIP_A',
        bonuses: ['primaryCare', 'tcm'],
      });
    });

    it('PUT updates one hospital, and GET shows the change', async () => {
      const { code: _code, ...rest } = TEST_HOSPITALS[0];
      const res = await http()
        .put('/api/v1/hospitals/H001')
        .send({ ...rest, name: '淄博市第一人民医院' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 0 });
      const got = await http().get('/api/v1/hospitals/H001');
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        code: 'H001',
        name: '淄博市第一人民医院',
        region: '370300',
        level: 'L3A_GENERAL',
        bonuses: ['keyDisciplineNational'],
      });
      const audits = await t.db.execute(`SELECT action FROM audit_log WHERE entity = 'hospital' AND entity_id = 'H001' ORDER BY id`);
      expect(audits.rows.map((r) => String(r.action))).toEqual(['hospital.create', 'hospital.update']);
    });

    it('PUT with a body code that differs from the path is a 400', async () => {
      const res = await http()
        .put('/api/v1/hospitals/H001')
        .send({ ...TEST_HOSPITALS[1] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'code-mismatch' });
      expect((await http().get('/api/v1/hospitals/H001')).body.level).toBe('L3A_GENERAL');
    });

    it('a bad level refuses the whole list with a machine-readable 422, storing nothing', async () => {
      const good = { code: 'H003', name: '好医院', region: '370300', level: 'L2A_GENERAL', bonuses: [] };
      const bad = { code: 'H004', name: '坏医院', region: '370300', level: 'LEVEL_99', bonuses: [] };
      const res = await http().post('/api/v1/hospitals').send([good, bad]);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422, error: 'invalid-hospitals' });
      expect(res.body.problems).toEqual([{ line: 1, field: 'level', reason: expect.stringContaining('must be one of') }]);
      expect((await http().get('/api/v1/hospitals/H003')).status).toBe(404);
      expect((await http().get('/api/v1/hospitals/H004')).status).toBe(404);
      expect(await countRows(t, 'hospital')).toBe(2);
    });

    it('GET of an unknown hospital is 404 unknown-hospital', async () => {
      const res = await http().get('/api/v1/hospitals/NOPE');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'unknown-hospital', message: 'no hospital NOPE' });
    });

    it('imports hospitals from a CSV body; a bad CSV row is named by its file line', async () => {
      const csv = '\uFEFFcode,name,region,level,bonuses\nH010,市中医院,370300,L3_OTHER,tcm|primaryCare\nH011,区医院,370300,L2A_GENERAL,\n';
      const res = await http().post('/api/v1/hospitals/import').set('Content-Type', 'text/csv').send(csv);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0 });
      const h = await http().get('/api/v1/hospitals/H010');
      expect(h.body).toEqual({ code: 'H010', name: '市中医院', region: '370300', level: 'L3_OTHER', bonuses: ['primaryCare', 'tcm'] });

      const bad = 'code,name,region,level,bonuses\nH012,甲,370300,L2A_GENERAL,\nH013,乙,3703,L2A_GENERAL,\n';
      const refused = await http().post('/api/v1/hospitals/import').set('Content-Type', 'text/csv').send(bad);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'invalid-hospitals', problems: [{ line: 3, field: 'region' }] });
      expect((await http().get('/api/v1/hospitals/H012')).status).toBe(404);
    });
  });

  describe('POST /api/v1/cases (JSON array)', () => {
    beforeAll(async () => {
      const res = await http().post('/api/v1/hospitals').send(TEST_HOSPITALS);
      expect(res.status).toBe(201);
    });

    it('stores the valid elements and reports each rejected one by index and field', async () => {
      const body = [
        jsonCase({ caseId: 'J1' }),
        jsonCase({ caseId: 'J2', totalCost: 12.5 }),
        jsonCase({ caseId: 'J3', secondaryDiagnoses: ['I10.x00'] }),
        jsonCase({ caseId: 'J4', sex: 'X' }),
        'not a case',
      ];
      const res = await http().post('/api/v1/cases').send(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'committed',
        format: 'json',
        mode: 'default',
        replace: false,
        source: 'POST /api/v1/cases',
        error: null,
        rejectionsTruncated: false,
      });
      expect(res.body.counts).toEqual({ read: 5, inserted: 2, replaced: 0, skipped: 0, rejected: 3 });
      expect(res.body.rejections).toEqual([
        { line: 1, caseId: 'J2', field: 'totalCost', reason: expect.stringContaining('not a JSON number') },
        { line: 3, caseId: 'J4', field: 'sex', reason: 'must be one of M, F, U; got "X"' },
        { line: 4, caseId: null, field: '*', reason: expect.any(String) },
      ]);
      expect(await storedIds(t, 'J')).toEqual(['J1', 'J3']);

      const again = await http().post('/api/v1/cases').send(body);
      expect(again.status).toBe(201);
      expect(again.body.counts).toEqual({ read: 5, inserted: 0, replaced: 0, skipped: 2, rejected: 3 });
      expect(await storedIds(t, 'J')).toEqual(['J1', 'J3']);
    });

    it('a changed case is rejected on caseId without replace, and replaced (audited) with ?replace=true', async () => {
      const first = await http()
        .post('/api/v1/cases')
        .send([jsonCase({ caseId: 'R1' }), jsonCase({ caseId: 'R2' })]);
      expect(first.body.counts).toMatchObject({ inserted: 2, rejected: 0 });
      const changed = [jsonCase({ caseId: 'R1', totalCost: '30000.00' }), jsonCase({ caseId: 'R2' })];

      const refused = await http().post('/api/v1/cases').send(changed);
      expect(refused.status).toBe(201);
      expect(refused.body.counts).toEqual({ read: 2, inserted: 0, replaced: 0, skipped: 1, rejected: 1 });
      expect(refused.body.rejections).toEqual([{ line: 0, caseId: 'R1', field: 'caseId', reason: expect.stringContaining('replace') }]);
      const before = await t.db.execute('SELECT total_cost FROM dip_case WHERE case_id = ?', ['R1']);
      expect(before.rows.map((r) => String(r.total_cost))).toEqual(['23456.78']);

      const replaced = await http().post('/api/v1/cases').query({ replace: 'true' }).send(changed);
      expect(replaced.status).toBe(201);
      expect(replaced.body.replace).toBe(true);
      expect(replaced.body.counts).toEqual({ read: 2, inserted: 0, replaced: 1, skipped: 1, rejected: 0 });
      const after = await t.db.execute('SELECT total_cost FROM dip_case WHERE case_id = ?', ['R1']);
      expect(after.rows.map((r) => String(r.total_cost))).toEqual(['30000.00']);
      const audits = await t.db.execute(`SELECT action, entity_id FROM audit_log WHERE action = 'case.replace'`);
      expect(audits.rows.map((r) => String(r.entity_id))).toEqual(['370300/R1']);
    });

    it('the same caseId twice in one array: identical is skipped, different is rejected', async () => {
      const res = await http()
        .post('/api/v1/cases')
        .send([jsonCase({ caseId: 'D1' }), jsonCase({ caseId: 'D1' }), jsonCase({ caseId: 'D1', age: '60' })]);
      expect(res.status).toBe(201);
      expect(res.body.counts).toEqual({ read: 3, inserted: 1, replaced: 0, skipped: 1, rejected: 1 });
      expect(res.body.rejections).toEqual([{ line: 2, caseId: 'D1', field: 'caseId', reason: expect.any(String) }]);
      const stored = await t.db.execute('SELECT age FROM dip_case WHERE case_id = ?', ['D1']);
      expect(stored.rows.map((r) => Number(r.age))).toEqual([54]);
    });

    it('?mode=atomic with one bad element is a 422 that stores nothing', async () => {
      const good = [jsonCase({ caseId: 'A1' }), jsonCase({ caseId: 'A2' })];
      const res = await http()
        .post('/api/v1/cases')
        .query({ mode: 'atomic' })
        .send([...good, jsonCase({ caseId: 'A3', dischargeDate: '2024-02-28' })]);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ status: 'rejected', mode: 'atomic', error: null });
      expect(res.body.counts).toMatchObject({ read: 3, rejected: 1 });
      expect(res.body.rejections).toEqual([
        { line: 2, caseId: 'A3', field: 'dischargeDate', reason: expect.stringContaining('before admission') },
      ]);

      const batch = await http().get(`/api/v1/imports/${res.body.batchId}`);
      expect(batch.status).toBe(200);
      expect(batch.body).toMatchObject({ batchId: res.body.batchId, status: 'rejected', mode: 'atomic', counts: { read: 3, rejected: 1 } });
      expect(batch.body.finishedAt).toEqual(expect.any(String));
      expect(await storedIds(t, 'A')).toEqual([]);

      const retry = await http().post('/api/v1/cases').query({ mode: 'atomic' }).send(good);
      expect(retry.status).toBe(201);
      expect(retry.body.status).toBe('committed');
      expect(retry.body.counts).toEqual({ read: 2, inserted: 2, replaced: 0, skipped: 0, rejected: 0 });
      expect(await storedIds(t, 'A')).toEqual(['A1', 'A2']);
    });

    it('refuses a body that is not an array, an empty array, and more than 10,000 cases, creating no import', async () => {
      const batches = await countRows(t, 'import_batch');
      const obj = await http()
        .post('/api/v1/cases')
        .send(jsonCase({ caseId: 'X1' }));
      expect(obj.status).toBe(400);
      expect(obj.body).toMatchObject({ statusCode: 400, error: 'not-an-array' });

      const empty = await http().post('/api/v1/cases').send([]);
      expect(empty.status).toBe(400);
      expect(empty.body).toMatchObject({ statusCode: 400, error: 'empty' });

      const many = await http()
        .post('/api/v1/cases')
        .send(Array.from({ length: 10_001 }, (_, i) => ({ caseId: `B${i}` })));
      expect(many.status).toBe(413);
      expect(many.body).toMatchObject({ statusCode: 413, error: 'too-many-cases' });
      expect(many.body.message).toContain('10001');

      const malformed = await http().post('/api/v1/cases').set('Content-Type', 'application/json').send('[{"caseId": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, error: 'bad-request' });

      expect(await countRows(t, 'import_batch')).toBe(batches);
      expect(await storedIds(t, 'X')).toEqual([]);
      expect(await storedIds(t, 'B')).toEqual([]);
    });

    it('an unknown or invalid query parameter is a 400', async () => {
      const batches = await countRows(t, 'import_batch');
      const unknown = await http()
        .post('/api/v1/cases')
        .query({ dryRun: 'true' })
        .send([jsonCase({ caseId: 'Q1' })]);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ statusCode: 400, error: 'bad-request' });
      expect(JSON.stringify(unknown.body.message)).toContain('dryRun');
      const badMode = await http()
        .post('/api/v1/cases')
        .query({ mode: 'all-or-nothing' })
        .send([jsonCase({ caseId: 'Q1' })]);
      expect(badMode.status).toBe(400);
      const badReplace = await http()
        .post('/api/v1/cases')
        .query({ replace: 'yes' })
        .send([jsonCase({ caseId: 'Q1' })]);
      expect(badReplace.status).toBe(400);
      expect(await countRows(t, 'import_batch')).toBe(batches);
      expect(await storedIds(t, 'Q')).toEqual([]);
    });
  });

  describe('money over HTTP', () => {
    it('stores 9999999999999.99 and 0.01 exactly on the database', async () => {
      const res = await http()
        .post('/api/v1/cases')
        .send([
          jsonCase({ caseId: 'M1', totalCost: '9999999999999.99', fundPayment: '0.01' }),
          jsonCase({ caseId: 'M2', totalCost: '0.1', fundPayment: '0.10', outOfCatalogSelfPay: '' }),
        ]);
      expect(res.status).toBe(201);
      expect(res.body.counts).toMatchObject({ inserted: 2, rejected: 0 });
      const { rows } = await t.db.execute(
        'SELECT case_id, total_cost, fund_payment, out_of_catalog_self_pay FROM dip_case WHERE case_id IN (?, ?) ORDER BY case_id',
        ['M1', 'M2'],
      );
      expect(rows.map((r) => [String(r.case_id), String(r.total_cost), String(r.fund_payment), String(r.out_of_catalog_self_pay)])).toEqual(
        [
          ['M1', '9999999999999.99', '0.01', '0.00'],
          ['M2', '0.10', '0.10', '0.00'],
        ],
      );
    });

    it('rejects money beyond DECIMAL(15,2), with three decimals, or in exponent notation', async () => {
      const res = await http()
        .post('/api/v1/cases')
        .send([
          jsonCase({ caseId: 'M3', totalCost: '10000000000000.00', fundPayment: '0.01' }),
          jsonCase({ caseId: 'M4', fundPayment: '100.005' }),
          jsonCase({ caseId: 'M5', totalCost: '1e5' }),
        ]);
      expect(res.status).toBe(201);
      expect(res.body.counts).toMatchObject({ inserted: 0, rejected: 3 });
      expect(res.body.rejections.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
        [0, 'totalCost'],
        [1, 'fundPayment'],
        [2, 'totalCost'],
      ]);
      expect(await storedIds(t, 'M')).toEqual(['M1', 'M2']);
    });
  });
});
