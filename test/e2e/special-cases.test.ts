import './quiet-logs';
import request from 'supertest';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { settledRun } from './e2e-helpers';
import { describeEngines } from '../support/engines';
import { startTestApp, TestApp } from '../support/app';
import { handYearPolicy, seedHandMonth } from '../support/hand-month';

/**
 * Special cases over HTTP (spec §9, issue 13), from the application to the changed annual
 * figure. The five hand cases of test/support/hand-month.ts, all of March 2024: employee H001
 * C1 3,090 + C3 3,090 points (non-fund 15,720, bookkeeping 33,000), H002 C2 570 (1,000,
 * 2,000); resident C5 (H001), C4 (H002). The employee budget: revenue 50,000 − reserve 5,000 −
 * lines 15,000 = 30,000; no actuals recorded, so the whole reserve L = 5,000 is left: 3,500 to
 * the fund (F = 33,500) and J = 1,500. No assessments, violations, prepaid months or revolving
 * funds. Discharges of 2024: H001 3, H002 2, so each hospital's cap is max(1, floor(n × 0.005)) = 1.
 * Experts: X1 of H001, X2 of H002, X3 and X7 of H003, X4 of H004, X5 of H005, X6 of H006.
 */
const policyDoc = () => ({
  ...handYearPolicy(),
  specialCases: { cap: '0.005', panelSize: 3, longStayDays: 60, decisionDays: 10 },
});

/** The user id inside an access token (its `sub` claim). */
const idOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;

describeEngines('special cases over HTTP on %s', (engine) => {
  let t: TestApp;
  let h1: string;
  let h2: string;
  const x: Record<string, string> = {};
  const id: Record<string, string> = {};
  let c2: string;
  let c1: string;

  const as = (token: string) => t.http(token);

  async function runYear(): Promise<request.Response> {
    const started = await t.http().post('/api/v1/settlements').send({ region: '370300', kind: 'year', period: '2024' });
    expect(started.status).toBe(202);
    const res = await settledRun(t, started.body.id);
    expect(res.status).toBe(200);
    return res;
  }

  const employeeOf = (report: request.Response) => report.body.pools.find((p: { pool: string }) => p.pool === 'employee');

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_special');
    await seedHandMonth(t, policyDoc());
    await t.app.get(HospitalsService).upsert(
      ['H003', 'H004', 'H005', 'H006'].map((code) => ({ code, name: `医院${code}`, region: '370300', level: 'L2_OTHER', bonuses: '' })),
      'tester',
    );
    // March's results: what an application is checked against.
    const month = await (await t.app.get(SettlementService).start('370300', 'month', '2024-03', 'tester')).done;
    expect(month.run.status).toBe('draft');
    h1 = await t.login({ role: 'hospital', hospital: 'H001' });
    h2 = await t.login({ role: 'hospital', hospital: 'H002' });
    for (const [name, hospital] of [
      ['X1', 'H001'],
      ['X2', 'H002'],
      ['X3', 'H003'],
      ['X4', 'H004'],
      ['X5', 'H005'],
      ['X6', 'H006'],
      ['X7', 'H003'],
    ]) {
      x[name] = await t.login({ role: 'expert', hospital });
      id[name] = idOf(x[name]);
    }
  });
  afterAll(async () => t?.close());

  it('checks objective reasons against the stored result, with the figures', async () => {
    const res = await as(h1).post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'longStay', statement: 'long' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'reason-not-met' });
    expect(res.body.message).toMatch(/its length of stay is \d+ days, not above longStayDays 60/);
    const extreme = await as(h1).post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'extremeCost', statement: 'costly' });
    expect(extreme.status).toBe(422);
    expect(extreme.body.message).toMatch(/its cost ratio r is \d+\.\d{4}, not above extremeRatio 5/);
    const tech = await as(h1).post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'newTechnology', statement: 'new' });
    expect(tech.body).toMatchObject({ statusCode: 422, message: expect.stringContaining('not flagged newTechnology') });
    // Another hospital's case is unknown to it; a JSON number is no statement.
    expect((await as(h1).post('/api/v1/special-cases').send({ caseId: 'C2', reason: 'other', statement: 'x' })).status).toBe(404);
    expect((await as(h1).post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'other', statement: 5 })).status).toBe(400);
    expect((await t.http().post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'other', statement: 'x' })).status).toBe(403);
  });

  it('gives the last place under the cap to one of two racing applications, and refuses the cap + 1 with the numbers', async () => {
    const [a, b] = await Promise.all(
      ['C2', 'C4'].map((caseId) => as(h2).post('/api/v1/special-cases').send({ caseId, reason: 'complexCritical', statement: 'race' })),
    );
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const won = a.status === 201 ? a : b;
    expect((a.status === 409 ? a : b).body).toMatchObject({ error: 'special-case-cap' });
    const withdrawn = await as(h2).post(`/api/v1/special-cases/${won.body.id}/withdraw`);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });

    const applied = await as(h2)
      .post('/api/v1/special-cases')
      .send({ caseId: 'C2', reason: 'complexCritical', statement: '多器官功能衰竭, 抢救', evidence: ['病案 2024-0311', '会诊记录'] });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({
      region: '370300',
      year: 2024,
      hospitalCode: 'H002',
      caseId: 'C2',
      status: 'pending',
      round: 1,
      evidence: ['病案 2024-0311', '会诊记录'],
      facts: { points: '570.0000', catalogueId: expect.any(String), groupingRun: expect.any(String) },
      panels: [],
    });
    c2 = applied.body.id;
    const over = await as(h2).post('/api/v1/special-cases').send({ caseId: 'C4', reason: 'other', statement: 'one more' });
    expect(over.status).toBe(409);
    expect(over.body.message).toBe(
      'hospital H002 has 1 special-case application(s) of 2024 pending or approved; at most 1 = max(1, floor(2 discharges × 0.005))',
    );
    expect((await as(h2).post('/api/v1/special-cases').send({ caseId: 'C2', reason: 'other', statement: 'again' })).body).toMatchObject({
      statusCode: 409,
      error: 'already-applied',
    });
    c1 = (await as(h1).post('/api/v1/special-cases').send({ caseId: 'C1', reason: 'other', statement: '罕见并发症' })).body.id;
  });

  it("shows each its own: a hospital never sees another hospital's application, nor an agency another region's", async () => {
    expect((await as(h1).get(`/api/v1/special-cases/${c2}`)).status).toBe(404);
    expect((await as(h1).post(`/api/v1/special-cases/${c2}/withdraw`)).status).toBe(404);
    const own = await as(h1).get('/api/v1/special-cases');
    expect(own.body.items.map((a: { caseId: string }) => a.caseId)).toEqual(['C1']);
    const other = await t.login({ role: 'agency', region: '370400' });
    expect((await as(other).get(`/api/v1/special-cases/${c2}`)).status).toBe(404);
    expect((await as(other).get('/api/v1/special-cases')).body.total).toBe(0);
    const region = await t.http().get('/api/v1/special-cases').query({ status: 'pending' });
    expect(region.body.items.map((a: { caseId: string }) => a.caseId).sort()).toEqual(['C1', 'C2']);
    expect((await as(x.X1).get('/api/v1/special-cases')).status).toBe(403);
  });

  it('seats panels without conflicts: the affiliated expert refused by name, the suggestion the least loaded', async () => {
    const bad = await t
      .http()
      .post(`/api/v1/special-cases/${c2}/panel`)
      .send({ experts: [id.X2, id.X3, id.X3] });
    expect(bad.status).toBe(422);
    expect(bad.body.problems).toEqual(
      expect.arrayContaining([
        { field: 'experts', reason: 'an expert is named twice' },
        { field: 'experts[0]', reason: expect.stringContaining('is affiliated with hospital H002, whose case this is') },
      ]),
    );
    const seated = await t
      .http()
      .post(`/api/v1/special-cases/${c2}/panel`)
      .send({ experts: [id.X1, id.X3, id.X4] });
    expect(seated.status).toBe(200);
    const [panel] = seated.body.panels;
    expect(panel.votes.map((v: { expert: { id: string } }) => v.expert.id).sort()).toEqual([id.X1, id.X3, id.X4].sort());
    // The deadline: decisionDays (10) after seating.
    expect(Date.parse(panel.dueAt) - Date.now()).toBeGreaterThan(10 * 86_400_000 - 60_000);
    expect(Date.parse(panel.dueAt) - Date.now()).toBeLessThanOrEqual(10 * 86_400_000);
    expect((await t.http().post(`/api/v1/special-cases/${c2}/panel`).send({})).body).toMatchObject({
      statusCode: 409,
      error: 'panel-assigned',
    });

    // C1 is H001's: X1 is out; X3 and X4 sit on an undecided panel now; X2, X5, X6 and X7 on none:
    // three of those four, in username order (the tie-break).
    const suggestion = await t.http().get(`/api/v1/special-cases/${c1}/panel-suggestion`);
    const free = [id.X2, id.X5, id.X6, id.X7];
    expect(suggestion.body).toHaveLength(3);
    for (const e of suggestion.body) expect(free).toContain(e.userId);
    expect(suggestion.body.map((e: { open: number }) => e.open)).toEqual([0, 0, 0]);
    const names = suggestion.body.map((e: { username: string }) => e.username);
    expect(names).toEqual([...names].sort());
    const c1Panel = await t
      .http()
      .post(`/api/v1/special-cases/${c1}/panel`)
      .send({ experts: [id.X2, id.X5, id.X6] });
    expect(c1Panel.body.panels[0].votes.map((v: { expert: { id: string } }) => v.expert.id).sort()).toEqual([id.X2, id.X5, id.X6].sort());
    // With X2, X5 and X6 seated, X7 is the only unloaded expert left for a suggestion.
    const next = await t.http().get(`/api/v1/special-cases/${c2}/panel-suggestion`);
    expect(next.body[0]).toMatchObject({ userId: id.X7, open: 0 });
    // A hospital sees votes, not who cast them.
    expect((await as(h1).get(`/api/v1/special-cases/${c1}`)).body.panels[0].votes[0]).not.toHaveProperty('expert');
  });

  it('lets an expert read and vote only on what is assigned to them, once, with a reason; the median of an even number of approvals', async () => {
    expect((await as(x.X5).get(`/api/v1/admin/special-cases/${c2}`)).status).toBe(404);
    expect((await as(x.X5).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'reject', reason: 'no' })).status).toBe(404);
    expect((await as(x.X2).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'reject', reason: 'own' })).status).toBe(404);
    expect((await as(h2).get(`/api/v1/admin/special-cases/${c2}`)).status).toBe(403);

    const review = await as(x.X1).get(`/api/v1/admin/special-cases/${c2}`);
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({
      caseId: 'C2',
      hospitalCode: 'H002',
      reason: 'complexCritical',
      statement: '多器官功能衰竭, 抢救',
      explanation: { result: { caseId: 'C2', points: '570.0000' }, valuation: expect.any(Object) },
      seats: [{ round: 1, current: true, vote: null }],
    });
    expect(JSON.stringify(review.body)).not.toMatch(/patientId/);
    expect(review.body).not.toHaveProperty('appliedBy');
    const mine = await as(x.X1).get('/api/v1/admin/special-cases');
    expect(mine.body.map((a: { caseId: string }) => a.caseId)).toEqual(['C2']);

    expect((await as(x.X1).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'approve', reason: 'x' })).body).toMatchObject({
      statusCode: 422,
      error: 'bad-vote',
    });
    expect(
      (await as(x.X1).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'approve', points: 900, reason: 'x' })).status,
    ).toBe(400);
    expect((await as(x.X1).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'approve', points: '900' })).status).toBe(400);
    const first = await as(x.X1)
      .post(`/api/v1/admin/special-cases/${c2}/vote`)
      .send({ decision: 'approve', points: '900', reason: '抢救合理' });
    expect(first.body).toMatchObject({ vote: { decision: 'approve', points: '900' }, decided: false, status: 'pending' });
    expect(
      (await as(x.X1).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'reject', reason: 'changed my mind' })).body,
    ).toMatchObject({
      statusCode: 409,
      error: 'voted',
    });
    // 5,000.00 yuan at the SAMPLE catalogue's 8 yuan a point = 625 points.
    const second = await as(x.X3)
      .post(`/api/v1/admin/special-cases/${c2}/vote`)
      .send({ decision: 'approve', cost: '5000.00', reason: '按实际费用' });
    expect(second.body.vote).toEqual({ decision: 'approve', points: '625.0000', cost: '5000.00', costPerPoint: '8.000000' });
    const third = await as(x.X4).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'reject', reason: '不符合' });
    // Two approvals of three: approved at the median of 900 and 625 = 762.5.
    expect(third.body).toMatchObject({ decided: true, status: 'approved', approvedPoints: '762.5000' });
    const seen = await as(h2).get(`/api/v1/special-cases/${c2}`);
    expect(seen.body).toMatchObject({ status: 'approved', approvedPoints: '762.5000', decidedAt: expect.any(String) });
    expect(seen.body.panels[0].votes.map((v: { vote: string }) => v.vote).sort()).toEqual(['approve', 'approve', 'reject']);
  });

  it('takes one appeal after a rejection, to experts who did not vote before', async () => {
    for (const e of ['X2', 'X5', 'X6'])
      await as(x[e]).post(`/api/v1/admin/special-cases/${c1}/vote`).send({ decision: 'reject', reason: '资料不足' }).expect(200);
    expect((await as(h1).get(`/api/v1/special-cases/${c1}`)).body).toMatchObject({ status: 'rejected', approvedPoints: null });
    expect((await as(h1).post(`/api/v1/special-cases/${c1}/withdraw`)).body).toMatchObject({ statusCode: 409, error: 'not-pending' });
    const appealed = await as(h1).post(`/api/v1/special-cases/${c1}/appeal`).send({ statement: '补充了手术记录' });
    expect(appealed.body).toMatchObject({ status: 'pending', round: 2, appealStatement: '补充了手术记录' });
    // Not H001's X1, not the round-1 voters X2, X5, X6: exactly X3, X4 and X7.
    const suggestion = await t.http().get(`/api/v1/special-cases/${c1}/panel-suggestion`);
    expect(suggestion.body.map((e: { userId: string }) => e.userId).sort()).toEqual([id.X3, id.X4, id.X7].sort());
    const earlier = await t
      .http()
      .post(`/api/v1/special-cases/${c1}/panel`)
      .send({ experts: [id.X2, id.X3, id.X4] });
    expect(earlier.body.problems).toEqual([{ field: 'experts[0]', reason: expect.stringContaining('voted on this case before') }]);
    await t
      .http()
      .post(`/api/v1/special-cases/${c1}/panel`)
      .send({ experts: [id.X3, id.X4, id.X7] })
      .expect(200);
    // A round-1 voter sees the case in their history, but may not vote in round 2.
    expect((await as(x.X2).get(`/api/v1/admin/special-cases/${c1}`)).body.seats).toEqual([
      expect.objectContaining({ round: 1, current: false, vote: 'reject' }),
    ]);
    expect(
      (await as(x.X2).post(`/api/v1/admin/special-cases/${c1}/vote`).send({ decision: 'approve', points: '1', reason: 'x' })).body,
    ).toMatchObject({
      error: 'not-on-panel',
    });
  });

  it('reports a panel past its deadline to the agency', async () => {
    expect((await t.http().get('/api/v1/special-cases').query({ overdue: 'true' })).body.total).toBe(0);
    // Eleven days later, as far as the deadline is concerned.
    await t.db.execute('UPDATE special_case_panel SET due_at = ? WHERE application_id = ? AND round = 2', [
      new Date(Date.now() - 86_400_000),
      c1,
    ]);
    const overdue = await t.http().get('/api/v1/special-cases').query({ overdue: 'true' });
    expect(overdue.body.items.map((a: { caseId: string }) => a.caseId)).toEqual(['C1']);
    expect(overdue.body.items[0].panels[1]).toMatchObject({ round: 2, overdue: true });
  });

  it('replaces the approved case points in the annual settlement, to the fen; the finalise waits for pending and changed decisions, then locks them', async () => {
    const draft = await runYear();
    expect(draft.body.run.specialCases).toEqual({ revision: 1, applied: 1, notInRun: [] });
    // H002: 570 − 570 + 762.5 = 762.5 points; Σ 6,942.5. PV = (33,500 + 16,720) / 6,942.5 = 7.2337054…
    // E: H001 6,180 × PV − 15,720 = 28,984.30; H002 762.5 × PV − 1,000 = 4,515.70 (Σ 33,500.00).
    // H001 overspends 33,000 − 28,984.30 = 4,015.70: 50 % of the part up to 10 % of E (2,898.43) = 1,449.215 → 1,449.22 ≤ J;
    // final 28,984.30 + 1,449.22 = 30,433.52.
    expect(employeeOf(draft)).toMatchObject({ fund: '33500.00', points: '6942.5000', pointValue: '7.233705', residual: '0.00' });
    expect(
      employeeOf(draft).hospitals.map((h: Record<string, unknown>) => [
        h.hospitalCode,
        h.points,
        h.entitlement,
        h.compensation,
        h.final,
        h.specialCases,
      ]),
    ).toEqual([
      ['H001', '6180.0000', '28984.30', '1449.22', '30433.52', undefined],
      ['H002', '762.5000', '4515.70', '0.00', '4515.70', { cases: 1, rulePoints: '570.0000', approvedPoints: '762.5000' }],
    ]);
    const csv = await t.http().get(`/api/v1/settlements/${draft.body.run.id}/report`).query({ format: 'csv' });
    expect(csv.text.split('\n')[0]).toMatch(/,balance,specialCases\.cases,specialCases\.rulePoints,specialCases\.approvedPoints$/);
    expect(csv.text).toContain(',4515.70,1,570.0000,762.5000\n');

    // C1's appeal panel has not decided: nothing is decided silently.
    const pending = await t.http().post(`/api/v1/settlements/${draft.body.run.id}/finalise`);
    expect(pending.body).toMatchObject({ statusCode: 409, error: 'special-cases-pending' });
    expect(pending.body.message).toContain(c1);

    // Round 2 approves C1 at the median of 3,500, 3,600 and 4,000 = 3,600.
    for (const [e, points] of [
      ['X3', '3500'],
      ['X4', '3600'],
      ['X7', '4000.0000'],
    ])
      await as(x[e])
        .post(`/api/v1/admin/special-cases/${c1}/vote`)
        .send({ decision: 'approve', points, reason: '手术记录充分' })
        .expect(200);
    expect((await as(h1).get(`/api/v1/special-cases/${c1}`)).body).toMatchObject({
      status: 'approved',
      round: 2,
      approvedPoints: '3600.0000',
    });
    expect((await as(h1).post(`/api/v1/special-cases/${c1}/appeal`).send({ statement: 'more' })).body).toMatchObject({
      error: 'not-rejected',
    });

    // The draft applied revision 1; the approved set is at revision 2 now.
    const changed = await t.http().post(`/api/v1/settlements/${draft.body.run.id}/finalise`);
    expect(changed.body).toMatchObject({ statusCode: 409, error: 'special-cases-changed' });

    const year = await runYear();
    expect(year.body.run.specialCases).toEqual({ revision: 2, applied: 2, notInRun: [] });
    // H001: 6,180 − 3,090 + 3,600 = 6,690 points; Σ 7,452.5; PV = 50,220 / 7,452.5 = 6.7386782…
    // E: H001 6,690 × PV − 15,720 = 29,361.76; H002 762.5 × PV − 1,000 = 4,138.24.
    // H001 overspends 3,638.24: 50 % of 10 % of E (2,936.176) = 1,468.088 → 1,468.09 ≤ J; final 29,361.76 + 1,468.09 = 30,829.85.
    expect(employeeOf(year)).toMatchObject({ points: '7452.5000', pointValue: '6.738678', residual: '0.00' });
    expect(
      employeeOf(year).hospitals.map((h: Record<string, unknown>) => [
        h.hospitalCode,
        h.points,
        h.entitlement,
        h.final,
        h.balance,
        h.specialCases,
      ]),
    ).toEqual([
      ['H001', '6690.0000', '29361.76', '30829.85', '30829.85', { cases: 1, rulePoints: '3090.0000', approvedPoints: '3600.0000' }],
      ['H002', '762.5000', '4138.24', '4138.24', '4138.24', { cases: 1, rulePoints: '570.0000', approvedPoints: '762.5000' }],
    ]);
    const final = await t.http().post(`/api/v1/settlements/${year.body.run.id}/finalise`);
    expect(final.status).toBe(200);

    // Locked: any change of the year's special cases is refused.
    const locked = { statusCode: 409, error: 'special-cases-locked' };
    expect((await as(h1).post('/api/v1/special-cases').send({ caseId: 'C3', reason: 'other', statement: 'late' })).body).toMatchObject(
      locked,
    );
    expect((await as(h2).post(`/api/v1/special-cases/${c2}/withdraw`)).body).toMatchObject(locked);
    expect((await as(x.X1).post(`/api/v1/admin/special-cases/${c2}/vote`).send({ decision: 'reject', reason: 'late' })).body).toMatchObject(
      locked,
    );
    expect((await t.http().post(`/api/v1/special-cases/${c1}/panel`).send({})).body).toMatchObject(locked);
  });

  it('keeps every step in the audit log, per case and per hospital, with who, when, before and after', async () => {
    const trail = await t.http().get(`/api/v1/special-cases/${c2}/audit`);
    expect(trail.body.map((e: { action: string }) => e.action)).toEqual([
      'specialCase.apply',
      'specialCase.assign',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.decide',
    ]);
    expect(trail.body[0]).toMatchObject({
      actor: expect.stringMatching(/^hospital:/),
      before: null,
      after: { status: 'pending', round: 1 },
    });
    expect(trail.body[1]).toMatchObject({
      actor: expect.stringMatching(/^agency:/),
      after: { panel: expect.any(Array), dueAt: expect.any(String) },
    });
    expect(trail.body[5]).toMatchObject({
      actor: expect.stringMatching(/^expert:/),
      before: { status: 'pending', approvedPoints: null },
      after: { status: 'approved', approvedPoints: '762.5000', votes: 3 },
    });
    expect(JSON.stringify(trail.body)).not.toMatch(/patientId/);
    const h1Trail = await t.http().get('/api/v1/special-cases/audit').query({ hospital: 'H001', year: 2024 });
    expect(h1Trail.body.map((e: { action: string }) => e.action)).toEqual([
      'specialCase.apply',
      'specialCase.assign',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.decide',
      'specialCase.appeal',
      'specialCase.assign',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.vote',
      'specialCase.decide',
    ]);
    const lock = await t.db.execute(`SELECT actor, after_state FROM audit_log WHERE action = 'specialCase.lock'`);
    expect(lock.rows).toHaveLength(1);
    expect(JSON.parse(String(lock.rows[0].after_state))).toEqual({ locked: true, revision: 2 });
    expect((await as(h1).get('/api/v1/special-cases/audit')).status).toBe(403);
  });
});
