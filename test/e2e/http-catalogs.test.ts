import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';

describeEngines('catalogue exchange and activation over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();
  const doc = () => JSON.parse(JSON.stringify(catalogueToJson(SAMPLE, 'ignored', catalogueHash(SAMPLE))));

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_catalogs');
    // Builds are for registered regions only.
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('imports a JSON catalogue once; the same content again is the same version', async () => {
    const first = await http().post('/api/v1/catalogs/import').send(doc());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, hash: catalogueHash(SAMPLE), groups: 4 });
    const again = await http().post('/api/v1/catalogs/import').send(doc());
    expect(again.body).toMatchObject({ created: false, catalogueId: first.body.catalogueId });
  });

  it('pages groups by key prefix and exports exactly what was imported (JSON and CSV)', async () => {
    const { catalogueId } = (await http().post('/api/v1/catalogs/import').send(doc())).body;
    const page = await http().get(`/api/v1/catalogs/${catalogueId}`).query({ keyPrefix: 'K80.1|' });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      region: '370300',
      year: 2024,
      costPerPoint: '8.000000',
      pvBudget: '7.950000',
      coreGroups: 2,
      compositeGroups: 2,
    });
    expect(page.body.groups.total).toBe(2);
    expect(page.body.groups.items.map((g: { key: string }) => g.key)).toEqual(['K80.1|', 'K80.1|51.2300']);
    expect(page.body.groups.items[1]).toMatchObject({ avgCost: '24000.00', score: '3000.0000', auxiliary: { '3': '1.2500' } });

    const json = await http().get(`/api/v1/catalogs/${catalogueId}/export`);
    const sorted = [...doc().groups].sort((a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : 1));
    expect(json.body).toEqual({ ...doc(), id: catalogueId, groups: sorted });
    const csv = await http().get(`/api/v1/catalogs/${catalogueId}/export`).query({ format: 'csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const back = await http().post('/api/v1/catalogs/import').set('Content-Type', 'text/csv').send(csv.text);
    expect(back.body).toMatchObject({ created: false, catalogueId });
  });

  it('activates a version for its region and year, audited', async () => {
    const { catalogueId } = (await http().post('/api/v1/catalogs/import').send(doc())).body;
    const res = await http().post(`/api/v1/catalogs/${catalogueId}/activate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: catalogueId, active: true });
    const audit = await t.db.execute(`SELECT entity_id, after_state FROM audit_log WHERE action = 'catalogue.activate'`);
    expect(audit.rows.map((r) => [r.entity_id, JSON.parse(String(r.after_state)).catalogueId])).toEqual([['370300/2024', catalogueId]]);
  });

  it('refuses a duplicated key and an edited file, storing nothing', async () => {
    const before = Number((await t.db.execute('SELECT COUNT(*) AS n FROM catalogue')).rows[0].n);
    const dup = doc();
    delete dup.hash;
    dup.groups.push({ ...dup.groups[0] });
    const r1 = await http().post('/api/v1/catalogs/import').send(dup);
    expect(r1.status).toBe(422);
    expect(r1.body.error).toBe('invalid-catalogue');
    expect(r1.body.problems[0]).toMatchObject({ path: 'groups[4].key' });
    const edited = doc();
    edited.groups[0].score = '9999.0000';
    const r2 = await http().post('/api/v1/catalogs/import').send(edited);
    expect(r2.status).toBe(422);
    expect(r2.body.error).toBe('hash-mismatch');
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM catalogue')).rows[0].n)).toBe(before);
  });

  it('starts a build as a job; a window without cases ends it failed with the reason', async () => {
    const res = await http().post('/api/v1/catalogs').send({ region: '370300', year: 2024 });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/api/v1/jobs/${res.body.jobId}`);
    let job = (await http().get(res.body.statusUrl)).body;
    for (let i = 0; i < 50 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await http().get(res.body.statusUrl)).body;
    }
    expect(job).toMatchObject({ kind: 'catalogue.build', status: 'failed', error: { code: 'empty-window' } });
    expect(job.params).toMatchObject({ region: '370300', year: 2024 });
  });

  it('refuses a build request without a year, and one whose policy is invalid, naming the path', async () => {
    const noYear = await http().post('/api/v1/catalogs').send({ region: '370300' });
    expect(noYear.status).toBe(400);
    const policy = { region: '370300', year: 2024 };
    const bad = await http().post('/api/v1/catalogs').send({ region: '370300', year: 2024, policy });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid-policy');
    expect(bad.body.problems).toContainEqual({ path: 'catalog', reason: 'is required' });
  });

  it('answers 404 for an unknown catalogue and 400 for a malformed id', async () => {
    expect((await http().get('/api/v1/catalogs/00000000-0000-4000-8000-000000000000')).body.error).toBe('unknown-catalogue');
    expect((await http().get('/api/v1/catalogs/nope')).status).toBe(400);
  });
});
