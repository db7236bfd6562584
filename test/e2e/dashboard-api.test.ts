import './quiet-logs';
import { SettlementService } from '../../src/settlement/settlement.service';
import { describeEngines } from '../support/engines';
import { startTestApp, TestApp } from '../support/app';
import { handYearPolicy, seedHandMonth } from '../support/hand-month';
import { SAMPLE } from '../support/sample-catalogue';

/**
 * The listings the web dashboard reads (issue 14), on the five hand cases of March 2024
 * (test/support/hand-month.ts; points by hand in http-groupings.test.ts): employee H001 C1 + C3
 * 6,180 points, H002 C2 570; resident H001 C5 700 (no-score), H002 C4 625 (a low outlier).
 * Employee budget 30,000 a year: B = 2,500 for March; bookkeeping 35,000 → F = 2,500;
 * PV = (2,500 + 16,720) / 6,750 = 2.847407… Resident 120,000 a year: B = 10,000, bookkeeping 8,000
 * → F = 8,000; PV = (8,000 + 5,000) / 1,325 = 9.8113207….
 */

describeEngines('the dashboard listings on %s', (engine) => {
  let t: TestApp;
  let hospital: string;
  let march: { id: string; groupingRun: string };

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_dashboard');
    await seedHandMonth(t, handYearPolicy());
    const report = await (await t.app.get(SettlementService).start('370300', 'month', '2024-03', 'tester')).done;
    march = { id: report.run.id, groupingRun: report.run.groupingRun };
    hospital = await t.login({ role: 'hospital', hospital: 'H002' });
  });
  afterAll(async () => t?.close());

  it("lists the current run of each period of a year with its pools' figures, for the region's agency and hospitals", async () => {
    const res = await t.http().get('/api/v1/settlements').query({ year: 2024 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      expect.objectContaining({ id: march.id, kind: 'month', period: '2024-03', status: 'draft', groupingRun: march.groupingRun }),
    ]);
    expect(res.body[0].pools.map((p: Record<string, string>) => [p.pool, p.monthlyBudget, p.fund, p.pointValue])).toEqual([
      ['employee', '2500.00', '2500.00', '2.847407'],
      ['resident', '10000.00', '8000.00', '9.811321'],
    ]);
    expect(res.body[0].pools[0]).not.toHaveProperty('hospitals');
    expect((await t.http(hospital).get('/api/v1/settlements').query({ year: 2024 })).body).toHaveLength(1);
    expect((await t.http().get('/api/v1/settlements').query({ year: 2023 })).body).toEqual([]);
    expect((await t.http().get('/api/v1/settlements').query({ year: 'x' })).status).toBe(400);
    // Without a year: the newest year that has a run.
    expect((await t.http().get('/api/v1/settlements')).body.map((r: { id: string }) => r.id)).toEqual([march.id]);
    const other = await t.login({ role: 'agency', region: '370400' });
    expect((await t.http(other).get('/api/v1/settlements').query({ year: 2024 })).body).toEqual([]);
    expect((await t.http(other).get('/api/v1/settlements')).body).toEqual([]);
  });

  it("gives every hospital's summary at once, each the same as its own, to the agency only", async () => {
    const all = await t.http().get('/api/v1/hospitals/summaries').query({ period: '2024-03' });
    expect(all.status).toBe(200);
    expect(all.body.items.map((h: { hospitalCode: string; hospitalName: string }) => [h.hospitalCode, h.hospitalName])).toEqual([
      ['H001', '第一人民医院'],
      ['H002', '甲等镇卫生院'],
    ]);
    // H001: C1, C3 (employee) and C5 (resident): 3 cases, 6,180 + 700 points.
    expect(all.body.items[0]).toMatchObject({ cases: { hospital: 3, region: 5 }, points: { hospital: '6880.0000', region: '8075.0000' } });
    for (const item of all.body.items) {
      const own = await t.http().get(`/api/v1/hospitals/${item.hospitalCode}/summary`).query({ period: '2024-03' });
      expect(item).toEqual(own.body);
    }
    expect((await t.http(hospital).get('/api/v1/hospitals/summaries').query({ period: '2024-03' })).status).toBe(403);
    expect((await t.http().get('/api/v1/hospitals/summaries').query({ period: '2024-04' })).body).toMatchObject({ error: 'no-settlement' });
    // A hospital's own code still reads as before.
    expect((await t.http().get('/api/v1/hospitals/H001')).body).toMatchObject({ code: 'H001' });
  });

  it('lists the catalogue versions of a year, the active one marked', async () => {
    const res = await t.http(hospital).get('/api/v1/catalogs').query({ year: 2024 });
    expect(res.body).toEqual([expect.objectContaining({ region: '370300', year: 2024, active: true, groups: SAMPLE.groups.length })]);
    expect((await t.http().get('/api/v1/catalogs').query({ year: 2025 })).body).toEqual([]);
    expect((await t.http().get('/api/v1/catalogs')).body).toEqual([expect.objectContaining({ year: 2024, active: true })]);
  });

  it("filters a run's case results by points rule (the outliers), within the caller's scope", async () => {
    const low = await t.http().get(`/api/v1/groupings/${march.groupingRun}/cases`).query({ outlier: 'low' });
    expect(low.body.items.map((c: { caseId: string }) => c.caseId)).toEqual(['C4']);
    expect(low.body.total).toBe(1);
    const noScore = await t.http().get(`/api/v1/groupings/${march.groupingRun}/cases`).query({ outlier: 'no-score', hospital: 'H001' });
    expect(noScore.body.items.map((c: { caseId: string }) => c.caseId)).toEqual(['C5']);
    // A hospital user sees its own outliers only: H002 has no no-score case.
    expect((await t.http(hospital).get(`/api/v1/groupings/${march.groupingRun}/cases`).query({ outlier: 'no-score' })).body.total).toBe(0);
    expect((await t.http().get(`/api/v1/groupings/${march.groupingRun}/cases`).query({ outlier: 'huge' })).status).toBe(400);
  });

  it('serves the built dashboard at / and its own routes, never in place of the API', async () => {
    const page = await t.http().get('/agency/runs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<div id="app">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1];
    expect((await t.http().get(script)).headers['content-type']).toMatch(/javascript/);
    // The API's answers stay the API's: an unknown route is a JSON 404, a malformed body a 400.
    const unknown = await t.http().get('/api/v1/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/json/);
    const malformed = await t.http().post('/api/v1/cases').set('Content-Type', 'application/json').send('[{"caseId": ');
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'bad-request' });
    expect((await t.http().get('/health')).body).toMatchObject({ status: expect.any(String) });
  });
});
