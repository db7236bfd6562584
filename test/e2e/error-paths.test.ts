import request from 'supertest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogueStore } from '../../src/catalogue/catalogue.store';
import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { Catalogue } from '../../src/domain/catalogue/catalogue';
import { GroupingService } from '../../src/grouping/grouping.service';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';
import { dip, jsonCase } from './e2e-helpers';

/**
 * The error paths of issue 10 item 1, each with its real code over HTTP (a 4xx answer, or the
 * failed job's record at GET /jobs/:id and GET /settlements/:id) and in the CLI (the message with
 * its code, exit 2) — never `internal`.
 */
describeEngines('errors keep their code over HTTP and in the CLI on %s', (engine) => {
  let t: TestApp;
  let dir: string;
  const http = (as?: string) => t.http(as);
  /** Agency users of 110000 (registered, without a policy) and of 999999 (nobody registered it). */
  let beijing = '';
  let nowhere = '';
  const UNKNOWN_ID = '0b5a3c1e-8f3d-4d6f-9a51-6f0f3f1c2a77';

  /** Polls a job (or a settlement) until it is no longer running. */
  async function settled(path: string, as?: string): Promise<request.Response> {
    for (let i = 0; i < 600; i++) {
      const res = await http(as).get(path);
      const status = res.body.status ?? res.body.run?.status;
      if (status !== 'running') return res;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${path} still running`);
  }

  const importCatalogue = async (c: Catalogue) => {
    const res = await http()
      .post('/api/v1/catalogs/import')
      .send(catalogueToJson(c, 'x', catalogueHash(c)));
    expect(res.status).toBe(201);
    return res.body.catalogueId as string;
  };

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_errors');
    dir = mkdtempSync(join(tmpdir(), 'dip-errors-'));
    // Region 370300 (shipped policy) with a March case; region 110000, which has no policy anywhere.
    beijing = await t.login({ role: 'agency', region: '110000' });
    nowhere = await t.login({ role: 'agency', region: '999999' });
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    const b001 = { code: 'B001', name: '北京试点医院', region: '110000', level: 'L3A_GENERAL', bonuses: [] };
    expect((await http(beijing).post('/api/v1/hospitals').send(b001)).status).toBe(201);
    expect(
      (
        await http()
          .post('/api/v1/cases')
          .send([jsonCase({ caseId: 'E1' })])
      ).status,
    ).toBe(201);
    expect(
      (
        await http(beijing)
          .post('/api/v1/cases')
          .send([jsonCase({ caseId: 'E2', hospitalCode: 'B001' })])
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('unknown-region: a code table, a build, a grouping run and a settlement of a region nobody registered', async () => {
    const table = await http(nowhere)
      .put('/api/v1/regions/999999/code-tables/diagnosis')
      .set('Content-Type', 'text/plain')
      .send('K80.100 胆囊结石伴急性胆囊炎\n');
    expect(table.status).toBe(404);
    expect(table.body).toMatchObject({ statusCode: 404, error: 'unknown-region' });
    for (const [path, body] of [
      ['/api/v1/catalogs', { region: '999999', year: 2024 }],
      ['/api/v1/groupings', { region: '999999', from: '2024-03', to: '2024-03' }],
      ['/api/v1/settlements', { region: '999999', kind: 'month', period: '2024-03' }],
    ] as const) {
      const res = await http(nowhere).post(path).send(body);
      expect([path, res.status, res.body.error]).toEqual([path, 404, 'unknown-region']);
    }
    const file = join(dir, 'dx.txt');
    writeFileSync(file, 'K80.100 胆囊结石伴急性胆囊炎\n');
    const cli = await dip(t, ['codes', 'load', '--region', '999999', '--kind', 'diagnosis', file]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/region 999999 is not registered.*\(unknown-region\)/);
    const settle = await dip(t, ['settle', 'month', '--region', '999999', '--period', '2024-03', '--out', dir]);
    expect(settle.code).toBe(2);
    expect(settle.stderr).toContain('(unknown-region)');
  });

  it('no-policy: a build without a policy is refused; a settlement job meets it and records it', async () => {
    const build = await http(beijing).post('/api/v1/catalogs').send({ region: '110000', year: 2024 });
    expect(build.status).toBe(404);
    expect(build.body).toMatchObject({ error: 'no-policy' });
    const cli = await dip(t, ['catalog', 'build', '--region', '110000', '--year', '2024']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('(no-policy)');

    // A settlement resolves its policy inside the job: the job says why it failed.
    const started = await http(beijing).post('/api/v1/settlements').send({ region: '110000', kind: 'month', period: '2024-03' });
    expect(started.status).toBe(202);
    const run = await settled(`/api/v1/settlements/${started.body.id}`, beijing);
    expect(run.body).toMatchObject({ run: { status: 'failed' }, error: { code: 'no-policy' } });
    expect(run.body.error.message).toContain('region 110000 and year 2024');
    const job = await http(beijing).get(`/api/v1/jobs/${started.body.id}`);
    expect(job.body).toMatchObject({ kind: 'settlement.month', status: 'failed', error: { code: 'no-policy' } });

    const settle = await dip(t, ['settle', 'month', '--region', '110000', '--period', '2024-03', '--out', dir]);
    expect(settle.code).toBe(2);
    expect(settle.stderr).toContain('(no-policy)');
    // The CLI's text names only options that exist: `dip settle month` has no --policy.
    expect(settle.stderr).not.toMatch(/(^|[^d] )--policy/);
    expect(settle.stderr).toContain('dip catalog build --policy FILE');
  });

  it('unknown-catalogue: a grouping run with a catalogue that does not exist records it on its job', async () => {
    const res = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03', catalogueId: UNKNOWN_ID });
    expect(res.status).toBe(202);
    const job = await settled(`/api/v1/jobs/${res.body.jobId}`);
    expect(job.body).toMatchObject({
      kind: 'grouping.run',
      status: 'failed',
      error: { code: 'unknown-catalogue', message: `no catalogue ${UNKNOWN_ID}` },
    });
    const cli = await dip(t, ['grouping', 'run', '--region', '370300', '--from', '2024-03', '--catalog', UNKNOWN_ID]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`no catalogue ${UNKNOWN_ID} (unknown-catalogue)`);
    const get = await http().get(`/api/v1/catalogs/${UNKNOWN_ID}`);
    expect([get.status, get.body.error]).toEqual([404, 'unknown-catalogue']);
  });

  it('invalid-catalogue: a catalogue with costPerPoint 0 fails the run before any case is valued', async () => {
    // The import refuses it now (catalogue-import-checks.test.ts): stored directly, as a catalogue
    // written before that check would be, to test the run's own guard.
    const bad = { ...SAMPLE, costPerPoint: '0.000000' };
    const zero = (await t.app.get(CatalogueStore).save(bad, catalogueHash(bad), { source: 'import', policyHash: null, actor: 'tester' }))
      .id;
    const res = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03', catalogueId: zero });
    expect(res.status).toBe(202);
    const job = await settled(`/api/v1/jobs/${res.body.jobId}`);
    expect(job.body).toMatchObject({ status: 'failed', error: { code: 'invalid-catalogue' } });
    expect(job.body.error.message).toContain('costPerPoint must be greater than 0');
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM grouping_run')).rows[0].n)).toBe(0);
    const cli = await dip(t, ['grouping', 'run', '--region', '370300', '--from', '2024-03', '--catalog', zero]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('(invalid-catalogue)');
  });

  it('finalised: a period finalised while a run worked fails that run, storing nothing; the CLI says so too', async () => {
    await http().post(`/api/v1/catalogs/${await importCatalogue(SAMPLE)}/activate`);
    const first = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    const draft = await settled(`/api/v1/settlements/${first.body.id}`);
    expect(draft.body.run.status).toBe('draft');
    // The job keeps a pointer to the stored report, not the report (a year's is megabytes).
    expect((await http().get(`/api/v1/jobs/${first.body.id}`)).body).toMatchObject({
      status: 'succeeded',
      result: { settlementId: first.body.id, status: 'draft' },
    });

    // The second run is held after its grouping until the first run's draft is finalised.
    const grouping = t.app.get(GroupingService);
    const original = grouping.run.bind(grouping);
    const spy = jest.spyOn(grouping, 'run').mockImplementationOnce(async (...args) => {
      const grouped = await original(...args);
      expect((await http().post(`/api/v1/settlements/${first.body.id}/finalise`)).status).toBe(200);
      return grouped;
    });
    const second = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    expect(second.status).toBe(202);
    const failed = await settled(`/api/v1/settlements/${second.body.id}`);
    spy.mockRestore();
    expect(failed.body).toMatchObject({ run: { status: 'failed' }, error: { code: 'finalised' } });
    expect(failed.body.error.message).toContain('was finalised while this run worked; nothing stored');
    const runs = await t.db.execute(`SELECT id, status FROM settlement_run WHERE region_code = '370300'`);
    expect(runs.rows).toEqual([{ id: first.body.id, status: 'final' }]);

    // Afterwards the period refuses new runs at once, over HTTP and in the CLI.
    const again = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    expect([again.status, again.body.error]).toEqual([409, 'finalised']);
    const cli = await dip(t, ['settle', 'month', '--region', '370300', '--period', '2024-03', '--out', dir]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('(finalised)');
    const fin = await dip(t, ['settle', 'finalise', first.body.id]);
    expect(fin.code).toBe(2);
    expect(fin.stderr).toContain('is already finalised (finalised)');
  });

  it('shows a bad request by its code and problems, never as internal', async () => {
    const period = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'year', period: '2024-03' });
    expect([period.status, period.body.error]).toEqual([400, 'bad-period']);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ region: '370300', year: 2024 }));
    const cli = await dip(t, ['catalog', 'build', '--region', '370300', '--year', '2024', '--policy', file]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('(invalid-policy)');
    expect(cli.stderr).toMatch(/^ {2}\S/m);
  });
});
