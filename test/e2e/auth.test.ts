import './quiet-logs';
import { ModulesContainer } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { SESSION_CACHE_MS } from '../../src/auth/session-cache';
import { ACCESS_POLICY } from '../../src/http/access.decorators';
import { HAND_CASES, seedHandMonth } from '../support/hand-month';
import { CASE_HEADER, startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { settledRun } from './e2e-helpers';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const policy = () => {
  const p = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
  p.budget = { employee: { dipBudget: '360000.00' }, resident: { dipBudget: '120000.00' } };
  return p;
};

/** The hand cases as JSON objects (the CSV lines of test/support/hand-month.ts by their header). */
const HAND_CASES_JSON = HAND_CASES.map((line) => {
  const values = line.split(',');
  return Object.fromEntries(CASE_HEADER.split(',').map((f, i) => [f, values[i]]));
});

/** Every route of the application with its handler and controller (from Nest's own registry). */
function routes(t: TestApp): { route: string; handler: object; controller: object }[] {
  const out: { route: string; handler: object; controller: object }[] = [];
  for (const mod of t.app.get(ModulesContainer).values())
    for (const wrapper of mod.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        out.push({ route: `${String(Reflect.getMetadata(PATH_METADATA, controller))} ${name}`, handler, controller });
      }
    }
  return out;
}

/**
 * Issue 12: identity, roles and scopes over HTTP. Region 370300 has H001 and H002 with the five
 * hand cases of March 2024 settled; region 370500 has its own agency user.
 */
describeEngines('identity and access on %s', (engine) => {
  let t: TestApp;
  let h001: string;
  let h002: string;
  let expert: string;
  let otherAgency: string;
  let runId: string;
  let groupingRun: string;

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_auth');
    await seedHandMonth(t, policy());
    h001 = await t.login({ role: 'hospital', hospital: 'H001' });
    h002 = await t.login({ role: 'hospital', hospital: 'H002' });
    expert = await t.login({ role: 'expert', hospital: 'H001' });
    otherAgency = await t.login({ role: 'agency', region: '370500' });
    const started = await t.http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    expect(started.status).toBe(202);
    runId = started.body.id;
    groupingRun = (await settledRun(t, runId)).body.run.groupingRun;
    expect(groupingRun).toBeDefined();
  });
  afterAll(async () => t?.close());

  it('every route of the application declares who may call it', () => {
    const all = routes(t);
    expect(all.length).toBeGreaterThan(30);
    const undeclared = all.filter(
      (r) => !Reflect.getMetadata(ACCESS_POLICY, r.handler) && !Reflect.getMetadata(ACCESS_POLICY, r.controller),
    );
    expect(undeclared.map((r) => r.route)).toEqual([]);
  });

  it('without a token, every route but health and login is refused (401), cross-site forms and text/plain posts included', async () => {
    const anon = request(t.app.getHttpServer());
    expect((await anon.get('/health')).status).toBe(200);
    expect((await anon.get('/api/v1/hospitals')).status).toBe(401);
    const form = await anon.post(`/api/v1/settlements/${runId}/finalise`).type('form').send('confirm=1');
    expect([form.status, form.body.error]).toEqual([401, 'unauthenticated']);
    const text = await anon.post('/api/v1/cases/import?format=csv').set('Content-Type', 'text/plain').send('caseId\nX');
    expect(text.status).toBe(401);
    expect((await t.http().get(`/api/v1/settlements/${runId}`)).body.run.status).toBe('draft');
  });

  it('security headers are set and X-Powered-By is not', async () => {
    const res = await request(t.app.getHttpServer()).get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('expired, tampered and revoked tokens are refused', async () => {
    const key = String((await t.db.execute(`SELECT secret FROM auth_key WHERE id = 'access-token'`)).rows[0].secret);
    const claims = JSON.parse(Buffer.from(t.token.split('.')[1], 'base64url').toString());
    const expired = sign({ ...claims, iat: 1_700_000_000, exp: 1_700_000_900 }, key, { algorithm: 'HS256' });
    expect((await t.http(expired).get('/api/v1/hospitals')).body).toMatchObject({
      error: 'unauthenticated',
      message: expect.stringMatching(/expired/),
    });
    const [head, , sig] = t.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, region: '370500' })).toString('base64url');
    expect((await t.http(`${head}.${forged}.${sig}`).get('/api/v1/hospitals')).status).toBe(401);
    const other = sign(claims, 'not-the-key', { algorithm: 'HS256' });
    expect((await t.http(other).get('/api/v1/hospitals')).status).toBe(401);

    const mine = await t.login({ role: 'agency', region: '370300' });
    expect((await t.http(mine).get('/api/v1/auth/me')).body).toMatchObject({ role: 'agency', region: '370300' });
    expect((await t.http(mine).post('/api/v1/auth/logout')).status).toBe(204);
    expect((await t.http(mine).get('/api/v1/auth/me')).body.error).toBe('unauthenticated');
  });

  it('a token checked moments ago is refused at once after its logout in this process, in-flight requests too', async () => {
    const mine = await t.login({ role: 'agency', region: '370300' });
    // Checked once, then answered from the session cache.
    for (let i = 0; i < 3; i++) expect((await t.http(mine).get('/api/v1/auth/me')).status).toBe(200);
    const [during, out] = await Promise.all([t.http(mine).get('/api/v1/auth/me'), t.http(mine).post('/api/v1/auth/logout')]);
    expect(out.status).toBe(204);
    expect([200, 401]).toContain(during.status); // sent alongside the logout: either
    expect((await t.http(mine).get('/api/v1/auth/me')).body.error).toBe('unauthenticated');
    expect((await t.http(mine).get('/api/v1/hospitals')).status).toBe(401);
    expect((await t.http(mine).post('/api/v1/projections').send(HAND_CASES_JSON[0])).status).toBe(401);
  });

  it('a revocation made by another process (here: straight in the database) is seen within SESSION_CACHE_MS', async () => {
    const mine = await t.login({ role: 'agency', region: '370300' });
    expect((await t.http(mine).get('/api/v1/auth/me')).status).toBe(200);
    const { sid } = JSON.parse(Buffer.from(mine.split('.')[1], 'base64url').toString()) as { sid: string };
    await t.db.execute('UPDATE auth_session SET revoked_at = ? WHERE id = ?', [new Date(), sid]);
    await new Promise((done) => setTimeout(done, SESSION_CACHE_MS + 200));
    expect((await t.http(mine).get('/api/v1/auth/me')).body.error).toBe('unauthenticated');
  });

  it('login, refresh (rotated, good once: a reuse revokes the session) and wrong passwords', async () => {
    const anon = () => request(t.app.getHttpServer());
    const created = await t
      .http()
      .post('/api/v1/users')
      .send({ username: 'finance-h001', password: 'a-long-password-1', role: 'hospital', hospital: 'H001' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'finance-h001',
      role: 'hospital',
      region: '370300',
      hospital: 'H001',
      createdBy: expect.stringMatching(/^agency:/),
    });
    expect(JSON.stringify(created.body)).not.toContain('a-long-password-1');
    expect((await anon().post('/api/v1/auth/login').send({ username: 'finance-h001', password: 'wrong-password-1' })).status).toBe(401);
    expect((await anon().post('/api/v1/auth/login').send({ username: 'nobody', password: 'wrong-password-1' })).body.message).toBe(
      'unknown username or wrong password',
    );
    const login = await anon().post('/api/v1/auth/login').send({ username: 'finance-h001', password: 'a-long-password-1' });
    expect(login.status).toBe(200);
    const first = login.body.refreshToken;
    const refreshed = await anon().post('/api/v1/auth/refresh').send({ refreshToken: first });
    expect(refreshed.status).toBe(200);
    expect((await t.http(refreshed.body.accessToken).get('/api/v1/auth/me')).body.username).toBe('finance-h001');
    expect((await anon().post('/api/v1/auth/refresh').send({ refreshToken: first })).status).toBe(401); // reused
    expect((await t.http(refreshed.body.accessToken).get('/api/v1/auth/me')).status).toBe(401); // its session is revoked
    const row = await t.db.execute(`SELECT password_hash FROM app_user WHERE username = 'finance-h001'`);
    expect(String(row.rows[0].password_hash)).toMatch(/^\$argon2id\$/);
  });

  it('an agency user manages the users of its region only; a deactivated user is out at once', async () => {
    expect(
      (
        await t
          .http(otherAgency)
          .post('/api/v1/users')
          .send({ username: 'x-h001', password: 'a-long-password-1', role: 'hospital', hospital: 'H001' })
      ).status,
    ).toBe(403);
    const list = await t.http().get('/api/v1/users');
    expect(list.body.every((u: { region: string }) => u.region === '370300')).toBe(true);
    const victim = list.body.find((u: { username: string }) => u.username.startsWith('hospital-H002'));
    expect((await t.http(otherAgency).delete(`/api/v1/users/${victim.id}`)).status).toBe(404);
    const token = await t.login({ role: 'hospital', hospital: 'H002' });
    const me = (await t.http(token).get('/api/v1/auth/me')).body;
    expect((await t.http().delete(`/api/v1/users/${me.userId}`)).body.active).toBe(false);
    expect((await t.http(token).get('/api/v1/auth/me')).status).toBe(401);
    const audit = await t.db.execute(`SELECT actor FROM audit_log WHERE action = 'user.deactivate'`);
    expect(audit.rows.map((r) => String(r.actor))).toEqual([expect.stringMatching(/^agency:agency-370300-/)]);
  });

  it("a hospital sees its own: its hospital, its results, its row of the report; another's are not found", async () => {
    expect((await t.http(h001).get('/api/v1/hospitals')).body.map((h: { code: string }) => h.code)).toEqual(['H001']);
    expect((await t.http(h001).get('/api/v1/hospitals/H002')).status).toBe(404);
    const cases = await t.http(h001).get(`/api/v1/groupings/${groupingRun}/cases`);
    expect(cases.body.items.map((c: { hospitalCode: string }) => c.hospitalCode).every((h: string) => h === 'H001')).toBe(true);
    expect(cases.body.total).toBe(3); // C1, C3, C5
    expect((await t.http(h001).get(`/api/v1/groupings/${groupingRun}/cases?hospital=H002`)).status).toBe(404);
    expect((await t.http(h001).get(`/api/v1/groupings/${groupingRun}/cases/C2`)).status).toBe(404); // C2 is H002's
    expect((await t.http(h002).get(`/api/v1/groupings/${groupingRun}/cases/C2`)).status).toBe(200);
    const report = (await t.http(h002).get(`/api/v1/settlements/${runId}`)).body;
    expect(report.pools.flatMap((p: { hospitals: { hospitalCode: string }[] }) => p.hospitals.map((h) => h.hospitalCode))).toEqual([
      'H002',
      'H002',
    ]);
    // The pools' own figures (published) are the agency's, whole.
    const full = (await t.http().get(`/api/v1/settlements/${runId}`)).body;
    expect(report.pools.map((p: { pointValue: string }) => p.pointValue)).toEqual(
      full.pools.map((p: { pointValue: string }) => p.pointValue),
    );
    expect(full.pools.flatMap((p: { hospitals: unknown[] }) => p.hospitals).length).toBe(4);
    // A hospital changes nothing.
    expect((await t.http(h001).post(`/api/v1/settlements/${runId}/finalise`)).status).toBe(403);
    expect((await t.http(h001).post('/api/v1/cases').send([])).status).toBe(403);
  });

  it("a hospital's summary, groups and projections are its own: another hospital's are not found", async () => {
    expect((await t.http(h001).get('/api/v1/hospitals/H001/summary').query({ period: '2024-03' })).status).toBe(200);
    for (const view of ['summary', 'groups', 'departments']) {
      const res = await t.http(h001).get(`/api/v1/hospitals/H002/${view}`).query({ period: '2024-03' });
      expect([view, res.status, res.body.error]).toEqual([view, 404, 'unknown-hospital']);
    }
    const mine = { ...HAND_CASES_JSON[0], caseId: 'PRJ1' };
    expect((await t.http(h001).post('/api/v1/projections').send(mine)).status).toBe(200);
    const theirs = await t
      .http(h001)
      .post('/api/v1/projections?alternatives=true')
      .send({ ...mine, hospitalCode: 'H002' });
    expect([theirs.status, theirs.body.problems]).toEqual([422, [{ field: 'hospitalCode', reason: 'hospital "H002" is not registered' }]]);
    const batch = await t
      .http(h001)
      .post('/api/v1/projections/batch')
      .send([mine, { ...mine, hospitalCode: 'H002' }]);
    expect(batch.body).toMatchObject({ projected: 1, rejected: 1 });
    expect((await t.http(otherAgency).post('/api/v1/projections').send(mine)).status).toBe(422);
  });

  it('an expert has no access to agency or hospital data (their special cases come with issue 13)', async () => {
    expect((await t.http(expert).get('/api/v1/hospitals')).status).toBe(403);
    expect((await t.http(expert).get(`/api/v1/settlements/${runId}`)).status).toBe(403);
    expect((await t.http(expert).get('/api/v1/auth/me')).body).toMatchObject({ role: 'expert', hospital: 'H001' });
  });

  it("an agency user of another region neither sees nor changes this region's runs, catalogues, cases or hospitals", async () => {
    const x = () => t.http(otherAgency);
    expect((await x().get(`/api/v1/settlements/${runId}`)).status).toBe(404);
    expect((await x().get(`/api/v1/settlements/${runId}/report`)).status).toBe(404);
    expect((await x().post(`/api/v1/settlements/${runId}/finalise`)).status).toBe(404);
    expect((await x().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' })).status).toBe(403);
    expect((await x().get(`/api/v1/groupings/${groupingRun}`)).status).toBe(404);
    expect((await x().get('/api/v1/hospitals')).body).toEqual([]);
    expect((await x().get('/api/v1/regions/370300/code-tables')).status).toBe(403);
    expect((await x().delete('/api/v1/settlement-locks/370300/month/2024-03')).status).toBe(403);
    const moved = await x().post('/api/v1/hospitals').send({ code: 'H001', name: '搬走', region: '370500', level: 'L1', bonuses: [] });
    expect([moved.status, moved.body.problems]).toEqual([422, [{ line: 0, field: 'code', reason: 'is registered in another region' }]]);
    const cases = await x()
      .post('/api/v1/cases')
      .send([{ caseId: 'X1', hospitalCode: 'H001' }]);
    expect(cases.body.rejections).toContainEqual(
      expect.objectContaining({ field: 'hospitalCode', reason: 'hospital "H001" is not registered' }),
    );
  });

  it('the audit log names the real user', async () => {
    await t.http().post('/api/v1/hospitals').send({ code: 'H009', name: '审计医院', region: '370300', level: 'L1', bonuses: [] });
    const { rows } = await t.db.execute(`SELECT actor FROM audit_log WHERE action LIKE 'hospital%' AND entity_id = 'H009'`);
    expect(rows.map((r) => String(r.actor))).toEqual([expect.stringMatching(/^agency:agency-370300-\d+$/)]);
  });

  it('logins are limited to 10 a minute per client', async () => {
    const anon = () => request(t.app.getHttpServer());
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await anon().post('/api/v1/auth/login').send({ username: 'nobody', password: 'x' })).status);
    expect(statuses.slice(-1)).toEqual([429]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  });
});

describeEngines('per-user rate limit on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_rate', { RATE_LIMIT_PER_MINUTE: '5', LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t?.close());

  it('takes the login limit from LOGIN_RATE_LIMIT_PER_MINUTE', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await request(t.app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'nobody', password: 'x' })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('a user over RATE_LIMIT_PER_MINUTE gets 429 (with the X-RateLimit headers); another user is not slowed by them', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await t.http().get('/api/v1/hospitals'));
    const statuses = answers.map((a) => a.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(answers[1].headers).toMatchObject({
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '3',
      'x-ratelimit-reset': expect.stringMatching(/^\d+$/),
    });
    expect(answers[5].headers['retry-after']).toMatch(/^\d+$/);
    const other = await t.login({ role: 'agency', region: '370300' });
    expect((await t.http(other).get('/api/v1/hospitals')).status).toBe(200);
  });
});
