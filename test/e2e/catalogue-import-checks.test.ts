import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Catalogue } from '../../src/domain/catalogue/catalogue';
import { catalogueHash } from '../../src/domain/catalogue/exchange';
import { GroupingService } from '../../src/grouping/grouping.service';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';
import { jsonCase } from './e2e-helpers';

/**
 * Issue 11, item 6: a catalogue exported by one instance and imported into another. The
 * exporter stores the SAMPLE catalogue (for several settlement years) and exports it; the
 * importer gets the files, edited the way a broken exporter or a hand would edit them (with the
 * hash recomputed, so that only the bound refuses them), or with the hash removed.
 */
/** A run values cases on the worker pool, whose worker is the built one (dist/). */
const WORKERS_BUILT = existsSync(resolve(__dirname, '../../dist/engine-pool/engine.worker.js'));

/** The test's default user, as the audit log names it. */
const AGENCY = expect.stringMatching(/^agency:agency-370300-\d+$/);

describeEngines('catalogue import checks over HTTP on %s', (engine) => {
  let exporter: TestApp;
  let t: TestApp;
  const http = (as?: string) => t.http(as);
  /** An agency user of 110000, a region with no hospital: what its agency user may import is checked like any other. */
  const agencyOfUnknownRegion = () => t.login({ role: 'agency', region: '110000' });
  /** Exported JSON documents and CSV files of the SAMPLE catalogue, by settlement year. */
  const json = new Map<number, Record<string, any>>();
  const csv = new Map<number, string>();
  const YEARS = [2024, 2025, 2026, 2027, 2028, 2029];

  const exported = (year: number): Record<string, any> => JSON.parse(JSON.stringify(json.get(year)));
  /** The document with its hash recomputed after an edit: a consistent file whose content breaks a bound. */
  const rehashed = (doc: Record<string, any>): Record<string, any> => {
    const { id: _id, hash: _hash, ...content } = doc;
    return { ...doc, hash: catalogueHash(content as Catalogue) };
  };
  const withoutHash = (doc: Record<string, any>): Record<string, any> => {
    const { hash: _hash, ...rest } = doc;
    return rest;
  };
  const count = async (sql: string, params: (string | number)[] = []) => Number((await t.db.execute(sql, params)).rows[0].n);
  const catalogues = () => count('SELECT COUNT(*) AS n FROM catalogue');
  const audit = async (action: string, entityId: string) =>
    (
      await t.db.execute('SELECT actor, before_state, after_state FROM audit_log WHERE action = ? AND entity_id = ? ORDER BY id', [
        action,
        entityId,
      ])
    ).rows.map((r) => ({
      actor: String(r.actor),
      before: r.before_state === null ? null : JSON.parse(String(r.before_state)),
      after: r.after_state === null ? null : JSON.parse(String(r.after_state)),
    }));

  async function finished(jobId: string): Promise<Record<string, any>> {
    for (let i = 0; i < 600; i++) {
      const job = await http().get(`/api/v1/jobs/${jobId}`);
      if (job.body.status !== 'running') return job.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job still running');
  }

  beforeAll(async () => {
    // One after the other: each start sets the process environment while its app reads it.
    exporter = await startTestApp(engine, 'e2e_cat_export');
    t = await startTestApp(engine, 'e2e_cat_import');
    for (const a of [exporter, t]) expect((await a.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    const source = () => exporter.http();
    for (const year of YEARS) {
      const c: Catalogue = { ...SAMPLE, year };
      const stored = await source()
        .post('/api/v1/catalogs/import')
        .send({ ...c, hash: catalogueHash(c) });
      expect(stored.status).toBe(201);
      const id = stored.body.catalogueId as string;
      json.set(year, (await source().get(`/api/v1/catalogs/${id}/export`)).body);
      csv.set(year, (await source().get(`/api/v1/catalogs/${id}/export`).query({ format: 'csv' })).text);
    }
    // One case of 2024-03 (the first SAMPLE group's own case, r = 1), for a run that uses an accepted catalogue.
    const c1 = jsonCase({ caseId: 'C1', hospitalCode: 'H001', totalCost: '24720.00', fundPayment: '1000.00', secondaryDiagnoses: '' });
    expect((await http().post('/api/v1/cases').send([c1])).status).toBe(201);
  });
  afterAll(async () => {
    await exporter?.close();
    await t?.close();
  });

  it('the exports import into the other instance unchanged (the checks leave a good file alone)', async () => {
    const res = await http().post('/api/v1/catalogs/import').send(exported(2029));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, hash: json.get(2029)!.hash, unverified: false, accepted: false });
    const back = await http().post('/api/v1/catalogs/import').set('Content-Type', 'text/csv').send(csv.get(2029)!);
    expect(back.body).toMatchObject({ created: false, catalogueId: res.body.catalogueId, unverified: false });
  });

  describe('refusals: 422 with the field and the reason, nothing stored', () => {
    const cases: [string, (d: Record<string, any>) => void, string, string, RegExp][] = [
      ['costPerPoint 0', (d) => (d.costPerPoint = '0.000000'), 'invalid-catalogue', 'costPerPoint', /must be greater than 0/],
      ['a negative costPerPoint', (d) => (d.costPerPoint = '-8.000000'), 'invalid-catalogue', 'costPerPoint', /must be greater than 0/],
      ['a reference cost of 0', (d) => (d.reference.cost = '0.00'), 'invalid-catalogue', 'reference.cost', /must be greater than 0/],
      ['an unknown region', (d) => (d.region = '110000'), 'invalid-catalogue', 'region', /region 110000 is not registered/],
      ['year 99999', (d) => (d.year = 99999), 'invalid-catalogue', 'year', /from 1900 to 2999/],
      [
        'a window after its year',
        (d) => (d.window = [2022, 2023, 2025]),
        'invalid-catalogue',
        'window[2]',
        /after the catalogue's year 2024/,
      ],
      ['a window out of order', (d) => (d.window = [2023, 2021]), 'invalid-catalogue', 'window[1]', /ascending order/],
      ['a window beyond 20 years back', (d) => (d.window = [2003, 2023]), 'invalid-catalogue', 'window[0]', /more than 20 years/],
      [
        'a severity factor below 1',
        (d) => (d.groups.find((g: { key: string }) => g.key === 'K80.1|51.2300').auxiliary = { '3': '0.8000' }),
        'invalid-catalogue',
        'groups[2].auxiliary.3',
        /must be at least 1/,
      ],
      ['a hash that is not a sha256', (d) => (d.hash = 'not-a-hash'), 'invalid-catalogue', 'hash', /sha256/],
    ];

    it.each(cases)('JSON: %s', async (_name, edit, code, path, reason) => {
      const before = await catalogues();
      const doc = exported(2024);
      edit(doc);
      const res = await http(path === 'region' ? await agencyOfUnknownRegion() : undefined)
        .post('/api/v1/catalogs/import')
        .send(path === 'hash' ? doc : rehashed(doc));
      expect(res.status).toBe(422);
      expect(res.body.error).toBe(code);
      expect(res.body.problems).toEqual([{ path, reason: expect.stringMatching(reason) }]);
      expect(await catalogues()).toBe(before);
    });

    it.each([
      ['costPerPoint 0', (f: string) => f.replace('#costPerPoint=8.000000', '#costPerPoint=0'), 'costPerPoint'],
      ['an unknown region', (f: string) => f.replace('#region=370300', '#region=110000'), 'region'],
      ['year 99999', (f: string) => f.replace('#year=2024', '#year=99999'), 'year'],
      ['a window after its year', (f: string) => f.replace('#window=2021,2022,2023', '#window=2021,2025'), 'window[1]'],
      ['a severity factor below 1', (f: string) => f.replace(',,1.2500,,', ',,0.9999,,'), 'groups[2].auxiliary.3'],
      ['an empty #hash= line', (f: string) => f.replace(/#hash=[0-9a-f]{64}/, '#hash='), 'hash'],
    ])('CSV: %s', async (_name, edit, path) => {
      // Without its #hash line (so that only the bound refuses the edit), except for the hash case itself.
      const before = await catalogues();
      const file = edit(path === 'hash' ? csv.get(2024)! : csv.get(2024)!.replace(/#hash=[0-9a-f]{64}\n/, ''));
      const res = await http(path === 'region' ? await agencyOfUnknownRegion() : undefined)
        .post('/api/v1/catalogs/import')
        .set('Content-Type', 'text/csv')
        .send(file);
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('invalid-catalogue');
      expect(res.body.problems).toEqual([{ path, reason: expect.any(String) }]);
      expect(await catalogues()).toBe(before);
    });

    it('tampered content with its hash present: 422 hash-mismatch naming the hash (JSON and CSV)', async () => {
      const before = await catalogues();
      const doc = exported(2024);
      doc.groups[0].score = '9999.0000';
      const res = await http().post('/api/v1/catalogs/import').send(doc);
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('hash-mismatch');
      expect(res.body.problems).toEqual([{ path: 'hash', reason: expect.stringMatching(/does not match the content/) }]);
      const file = csv.get(2024)!.replace('#costPerPoint=8.000000', '#costPerPoint=8.500000');
      const fromCsv = await http().post('/api/v1/catalogs/import').set('Content-Type', 'text/csv').send(file);
      expect([fromCsv.status, fromCsv.body.error, fromCsv.body.problems[0].path]).toEqual([422, 'hash-mismatch', 'hash']);
      expect(await catalogues()).toBe(before);
    });

    it('every problem of a file at once', async () => {
      const doc = exported(2024);
      doc.costPerPoint = '0';
      doc.year = 99999;
      doc.groups[1].auxiliary = { '2': '0.5000' };
      const res = await http().post('/api/v1/catalogs/import').send(withoutHash(doc));
      expect(res.status).toBe(422);
      expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual(['year', 'costPerPoint', 'groups[1].auxiliary.2']);
    });

    it('a malformed flag is a 400', async () => {
      const res = await http().post('/api/v1/catalogs/import').query({ acceptUnverified: 'yes' }).send(exported(2029));
      expect(res.status).toBe(400);
    });
  });

  describe('a catalogue without its hash: stored unverified, used only once accepted (audited)', () => {
    it('is stored and shown unverified; activation and a run are refused (409) until the flag accepts it', async () => {
      const tampered = withoutHash(exported(2024));
      tampered.groups[0].score = '3100.0000'; // the change the removed hash would have shown
      const res = await http().post('/api/v1/catalogs/import').send(tampered);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ created: true, unverified: true, accepted: false });
      const id = res.body.catalogueId as string;
      const view = await http().get(`/api/v1/catalogs/${id}`);
      expect(view.body).toMatchObject({ id, unverified: true, unverifiedAcceptedBy: null, unverifiedAcceptedAt: null, active: false });
      expect(await audit('catalogue.import', id)).toEqual([
        { actor: AGENCY, before: null, after: expect.objectContaining({ unverified: true, hash: res.body.hash }) },
      ]);

      const refused = await http().post(`/api/v1/catalogs/${id}/activate`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('unverified-catalogue');
      expect(refused.body.problems).toEqual([{ path: 'hash', reason: expect.stringMatching(/missing/) }]);
      expect(await count('SELECT COUNT(*) AS n FROM catalogue_activation')).toBe(0);
      expect(await audit('catalogue.acceptUnverified', id)).toEqual([]);

      // Named explicitly, a grouping run does not use it either.
      const run = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03', catalogueId: id });
      expect(run.status).toBe(202);
      expect(await finished(run.body.jobId)).toMatchObject({
        status: 'failed',
        error: { code: 'unverified-catalogue', problems: [{ path: 'hash', reason: expect.any(String) }] },
      });
      expect(await count('SELECT COUNT(*) AS n FROM grouping_run')).toBe(0);
      await expect(t.app.get(GroupingService).version(id, 'tester')).rejects.toMatchObject({
        kind: 'conflict',
        code: 'unverified-catalogue',
      });

      const accepted = await http().post(`/api/v1/catalogs/${id}/activate`).query({ acceptUnverified: 'true' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ id, active: true, unverified: true, unverifiedAcceptedBy: AGENCY });
      expect(accepted.body.unverifiedAcceptedAt).toEqual(expect.any(String));
      expect(await audit('catalogue.acceptUnverified', id)).toEqual([
        { actor: AGENCY, before: { unverified: true, accepted: false }, after: { unverified: true, accepted: true, via: 'activate' } },
      ]);
      expect(await audit('catalogue.activate', '370300/2024')).toEqual([
        { actor: AGENCY, before: null, after: { catalogueId: id, unverified: true } },
      ]);

      // Accepted and active, it is what a run uses by default: the engine takes it, and where the
      // workers are built (npm run build) the run over the one case succeeds with it.
      await expect(t.app.get(GroupingService).version(id, 'tester')).resolves.toMatchObject({ catalogueId: id, year: 2024 });
      if (WORKERS_BUILT) {
        const used = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03' });
        expect(await finished(used.body.jobId)).toMatchObject({ status: 'succeeded', result: { catalogueId: id, cases: 1 } });
      }
      // Activating it again needs no flag: it was accepted once.
      expect((await http().post(`/api/v1/catalogs/${id}/activate`)).status).toBe(200);
      expect(await audit('catalogue.acceptUnverified', id)).toHaveLength(1);
    });

    it('the flag on the import accepts it at once (audited); activation then needs none', async () => {
      const res = await http()
        .post('/api/v1/catalogs/import')
        .query({ acceptUnverified: 'true' })
        .send(withoutHash(exported(2025)));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ created: true, unverified: true, accepted: true });
      const id = res.body.catalogueId as string;
      expect(await audit('catalogue.acceptUnverified', id)).toEqual([
        { actor: AGENCY, before: { unverified: true, accepted: false }, after: { unverified: true, accepted: true, via: 'import' } },
      ]);
      const activated = await http().post(`/api/v1/catalogs/${id}/activate`);
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({ active: true, unverified: true, unverifiedAcceptedBy: AGENCY });
    });

    it('a CSV without its #hash line is unverified too; importing it again with the flag accepts the stored version', async () => {
      const file = csv.get(2026)!.replace(/#hash=[0-9a-f]{64}\n/, '');
      const res = await http().post('/api/v1/catalogs/import').set('Content-Type', 'text/csv').send(file);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ created: true, unverified: true, accepted: false });
      const id = res.body.catalogueId as string;
      expect((await http().post(`/api/v1/catalogs/${id}/activate`)).status).toBe(409);
      const again = await http()
        .post('/api/v1/catalogs/import')
        .query({ acceptUnverified: 'true' })
        .set('Content-Type', 'text/csv')
        .send(file);
      expect(again.body).toMatchObject({ created: false, catalogueId: id, unverified: true, accepted: true });
      expect(await audit('catalogue.acceptUnverified', id)).toEqual([
        expect.objectContaining({ after: expect.objectContaining({ via: 'import' }) }),
      ]);
      expect((await http().post(`/api/v1/catalogs/${id}/activate`)).status).toBe(200);
    });

    it('the same content imported later with its hash verifies the stored version (audited)', async () => {
      const first = await http()
        .post('/api/v1/catalogs/import')
        .send(withoutHash(exported(2027)));
      const id = first.body.catalogueId as string;
      expect(first.body).toMatchObject({ unverified: true });
      const verified = await http().post('/api/v1/catalogs/import').send(exported(2027));
      expect(verified.body).toMatchObject({ created: false, catalogueId: id, unverified: false });
      expect((await http().get(`/api/v1/catalogs/${id}`)).body).toMatchObject({ unverified: false, unverifiedAcceptedBy: null });
      expect(await audit('catalogue.verify', id)).toEqual([
        { actor: AGENCY, before: { unverified: true }, after: { unverified: false, by: 'import', hash: json.get(2027)!.hash } },
      ]);
      expect((await http().post(`/api/v1/catalogs/${id}/activate`)).status).toBe(200);
      // A hashless copy of verified content stays verified.
      const copy = await http()
        .post('/api/v1/catalogs/import')
        .send(withoutHash(exported(2027)));
      expect(copy.body).toMatchObject({ created: false, catalogueId: id, unverified: false });
    });

    it('the export of an unverified catalogue has no hash, accepted or not: it arrives unverified elsewhere too', async () => {
      const res = await http()
        .post('/api/v1/catalogs/import')
        .query({ acceptUnverified: 'true' })
        .send(withoutHash(exported(2028)));
      const id = res.body.catalogueId as string;
      const out = await http().get(`/api/v1/catalogs/${id}/export`);
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ ...withoutHash(exported(2028)), id });
      const outCsv = await http().get(`/api/v1/catalogs/${id}/export`).query({ format: 'csv' });
      expect(outCsv.text).not.toContain('#hash');
      // Back at the exporter (where the same content is verified) it is the verified version; in a
      // third place it would be unverified.
      const home = await exporter.http().post('/api/v1/catalogs/import').set('Content-Type', 'text/csv').send(outCsv.text);
      expect(home.body).toMatchObject({ created: false, unverified: false });
      const view = await http().get(`/api/v1/catalogs/${id}`);
      expect(view.body).toMatchObject({ unverified: true, hash: json.get(2028)!.hash });
    });
  });
});
