import './quiet-logs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spoolPath, sweepOrphanSpools } from '../../src/io/spool';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { csvBody, storedIds } from './e2e-helpers';
import { caseLine } from '../support/app';
import { authorize, sendChunked } from './upload-helpers';

const LIMIT = 20_000;
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
/** This process's spool files in the temp folder (other test workers have their own pids). */
const mySpools = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`dip-import-${process.pid}-`));

describe('spool files of background uploads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dip-spools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the sweep deletes the spool files of dead processes and keeps live ones', async () => {
    const orphan = join(dir, `dip-import-${deadPid()}-${randomUUID()}`);
    const live = spoolPath(dir);
    const other = join(dir, 'dip-import-notes.txt');
    for (const f of [orphan, live, other]) writeFileSync(f, 'x');
    expect(await sweepOrphanSpools(dir)).toBe(1);
    expect([existsSync(orphan), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
  });
});

describeEngines('background uploads on %s', (engine) => {
  let t: TestApp;
  let port = 0;

  beforeAll(async () => {
    // A killed server's spool file, in the real temp folder: the start-up sweep must delete it.
    const orphan = join(tmpdir(), `dip-import-${deadPid()}-${randomUUID()}`);
    writeFileSync(orphan, 'caseId\n');
    t = await startTestApp(engine, 'e2e_spool', { MAX_UPLOAD_BYTES: String(LIMIT) });
    expect(existsSync(orphan)).toBe(false);
    expect((await t.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    authorize(port, t.token);
  });
  afterAll(async () => t?.close());

  it('a chunked ?async=true upload over the limit is refused while it streams (413), and leaves no spool file', async () => {
    const body = Buffer.from(csvBody(...Array.from({ length: 1000 }, (_, i) => caseLine({ caseId: `S${i}` }))));
    expect(body.length).toBeGreaterThan(5 * LIMIT);
    const before = mySpools();
    const res = await sendChunked(port, 'POST', '/api/v1/cases/import?async=true', 'text/csv', body, 4096);
    expect([res.status, res.body.error]).toEqual([413, 'too-large']);
    expect(mySpools()).toEqual(before);
    expect(await storedIds(t, 'S')).toEqual([]);
  });

  it('an upload aborted by its client leaves no spool file', async () => {
    const before = mySpools();
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/cases/import?async=true',
      headers: { 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${t.token}` },
    });
    req.on('error', () => undefined);
    req.write(csvBody(caseLine({ caseId: 'S-aborted' })));
    for (let i = 0; i < 100 && mySpools().length === before.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(mySpools().length).toBe(before.length + 1); // receiving
    req.destroy();
    for (let i = 0; i < 200 && mySpools().length > before.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(mySpools()).toEqual(before);
    expect(await storedIds(t, 'S-aborted')).toEqual([]);
  });

  it('a background upload within the limit is imported and its spool file deleted', async () => {
    const before = mySpools();
    const res = await sendChunked(
      port,
      'POST',
      '/api/v1/cases/import?async=true',
      'text/csv',
      Buffer.from(csvBody(caseLine({ caseId: 'S-ok' }))),
      100,
    );
    expect(res.status).toBe(202);
    for (let i = 0; i < 100 && (await storedIds(t, 'S-ok')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await storedIds(t, 'S-ok')).toEqual(['S-ok']);
    for (let i = 0; i < 100 && mySpools().length > before.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mySpools()).toEqual(before);
  });
});
