import { MIGRATIONS } from '../../src/persistence/migrations';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASE_HEADER, caseLine, startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines, freshDatabase } from '../support/engines';
import { countRows, dip } from './e2e-helpers';

/** Exit codes and messages that say what happened (issue 11 item 9), and bounded paging (item 8). */
describeEngines('the CLI says what happened, paging is bounded, on %s', (engine) => {
  let t: TestApp;
  let dir: string;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_cli');
    dir = mkdtempSync(join(tmpdir(), 'dip-cli-'));
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('migrate on an empty database says which migrations it applied, then that it is up to date', async () => {
    const empty = await freshDatabase(engine, 'cli_migrate');
    try {
      const env = { env: { ...empty.env, LOG_LEVEL: 'silent' } };
      const first = await dip(env, ['migrate']);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        new RegExp(`^database \\(${engine}\\): applied ${MIGRATIONS.length} migration\\(s\\): Foundation1732400000000, `),
      );
      const again = await dip(env, ['migrate']);
      expect(again.stdout).toBe(`database (${engine}) is up to date\n`);
    } finally {
      await empty.drop();
    }
  });

  it('an import whose every row is rejected exits 2 and says that nothing was stored', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      [CASE_HEADER, caseLine({ caseId: 'X1', totalCost: 'abc' }), caseLine({ caseId: 'X2', hospitalCode: 'H404' })].join('\n') + '\n',
    );
    const r = await dip(t, ['import', 'cases', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('committed — 2 rows read, 0 inserted');
    expect(r.stderr).toContain('import stored nothing: all 2 rows were rejected');
    // One good row among bad ones is stored: that import succeeded (its rejections are listed).
    writeFileSync(file, [CASE_HEADER, caseLine({ caseId: 'X3' }), caseLine({ caseId: 'X4', totalCost: 'abc' })].join('\n') + '\n');
    const mixed = await dip(t, ['import', 'cases', file]);
    expect(mixed.code).toBe(0);
    expect(mixed.stderr).toContain('line 3 (X4): totalCost');
  });

  it('refuses an --out that is a file before running, storing no run', async () => {
    const file = join(dir, 'report.txt');
    writeFileSync(file, 'not a folder');
    const runs = await countRows(t, 'settlement_run');
    const jobs = await countRows(t, 'job');
    const r = await dip(t, ['settle', 'month', '--region', '370300', '--period', '2024-03', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${file} is a file; give a folder`);
    expect(await countRows(t, 'settlement_run')).toBe(runs);
    expect(await countRows(t, 'job')).toBe(jobs);
  });

  it('answers 400, not 500, for a paging offset beyond an integer', async () => {
    const imports = (await http().get('/api/v1/imports')).body;
    expect(imports.length).toBeGreaterThan(0);
    for (const offset of ['99999999999999999999', '2147483648', '-1', '1.5']) {
      const res = await http().get(`/api/v1/imports/${imports[0].batchId}/rejections`).query({ offset });
      expect([offset, res.status, res.body.error]).toEqual([offset, 400, 'bad-request']);
    }
    const ok = await http().get(`/api/v1/imports/${imports[0].batchId}/rejections`).query({ offset: '2147483647' });
    expect(ok.status).toBe(200);
    const groups = await http().get('/api/v1/catalogs/00000000-0000-4000-8000-000000000000').query({ offset: '1e30' });
    expect(groups.status).toBe(400);
  });
});
