import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_CASES_PER_REQUEST } from '../../src/cases/case-import.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { seedHandMonth } from '../support/hand-month';
import { jsonCase } from './e2e-helpers';

/**
 * Projections (issue 12) by hand. The SAMPLE catalogue (test/support/sample-catalogue.ts:
 * K80.1|51.2300 m 24,000 s 3,000; K80.1| m 6,000 s 750; K80~diagnostic m 5,200 s 650;
 * K00-K93~surgery m 30,000 s 3,750; pvBudget 7.950000), the shipped scoring with the budgets of
 * test/integration/settlement-month.test.ts, k: H001 1.03, H002 0.76, no severity lists (class 1).
 * The five stored cases of March 2024 (test/support/hand-month.ts) are what a monthly run settles;
 * the projected cases are not stored.
 *
 * P1 (H001, employee, K80.100 + 51.2300, 24,720.00, no fundPayment): core-exact K80.1|51.2300,
 *    r = 24,720 / (24,000 × 1.03) = 1 → normal: 3,000 × 1.03 = 3,090 points.
 * P3 (H002, resident, K81.000 + 51.2300, 5,000.00): no K81 core or composite → K00-K93~surgery,
 *    r = 5,000 / (30,000 × 0.76) = 0.2193 → low: 3,750 × 0.76 × r = 625 points.
 */
const shipped = () => JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
const policy = () => ({ ...shipped(), budget: { employee: { dipBudget: '360000.00' }, resident: { dipBudget: '120000.00' } } });

const { fundPayment: _fund, ...P1 } = jsonCase({
  caseId: 'P1',
  patientId: 'PSEUDONYM-0042',
  totalCost: '24720.00',
  secondaryDiagnoses: '',
});
const P3 = jsonCase({
  caseId: 'P3',
  pool: 'resident',
  hospitalCode: 'H002',
  principalDiagnosis: 'K81.000',
  totalCost: '5000.00',
  fundPayment: '3000.00',
  secondaryDiagnoses: '',
});
const BAD = jsonCase({ caseId: 'P2', totalCost: undefined, dischargeDate: '2024-02-30' });

describeEngines('projections over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();
  let catalogueId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_projections');
    await seedHandMonth(t, policy());
    catalogueId = String((await t.db.execute('SELECT catalogue_id FROM catalogue_activation')).rows[0].catalogue_id);
  });
  afterAll(async () => t?.close());

  it('projects one case by hand at the catalogue budget point value, then at the monthly run’s', async () => {
    const before = await http().post('/api/v1/projections').send(P1);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      caseId: 'P1',
      hospitalCode: 'H001',
      pool: 'employee',
      region: '370300',
      catalogueId,
      group: 'K80.1-51.2300',
      key: 'K80.1|51.2300',
      kind: 'core',
      rule: 'core-exact',
      score: '3000.0000',
      auxFactor: '1',
      severityClass: 1,
      coefficient: '1.03',
      ratio: '1.0000',
      reference: 'coefficientAdjusted',
      outlier: 'normal',
      points: '3090.0000',
      specialReview: false,
      // No monthly run yet: the catalogue's budget point value. 3,090 × 7.95 = 24,565.50.
      pointValue: { value: '7.950000', source: 'catalogue-budget', catalogueId },
      estimatedPayment: '24565.50',
    });
    expect(before.body.factors).toEqual([
      { name: 'score', value: '3000.0000' },
      { name: 'severity factor a', value: '1' },
      { name: 'hospital coefficient k', value: '1.03' },
    ]);
    expect(before.body.alternatives).toBeUndefined();
    expect(JSON.stringify(before.body)).not.toContain('PSEUDONYM-0042');

    const month = await (await t.app.get(SettlementService).start('370300', 'month', '2024-03', 'tester')).done;
    // The run of test/integration/settlement-month.test.ts: employee PV = (30,000 + 16,720) / 6,750 = 6.921481 (6 dp).
    expect(month.pools.find((p) => p.pool === 'employee')?.pointValue).toBe('6.921481');
    const after = await http().post('/api/v1/projections').send(P1);
    expect(after.status).toBe(200);
    // 3,090 × 6.921481 = 21,387.37629 → 21,387.38 (half-up to the fen).
    expect(after.body).toMatchObject({
      points: '3090.0000',
      pointValue: { value: '6.921481', source: 'monthly-run', runId: month.run.id, period: '2024-03', status: 'draft' },
      estimatedPayment: '21387.38',
    });
  });

  it('projects a batch: one answer per case in order, the invalid one with its fields and reasons', async () => {
    const res = await http()
      .post('/api/v1/projections/batch')
      .send([P1, { ...BAD }, P3]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ projected: 2, rejected: 1 });
    const [p1, bad, p3] = res.body.items;
    // Employee at the month's PV, as above.
    expect(p1).toMatchObject({
      index: 0,
      caseId: 'P1',
      projection: { group: 'K80.1-51.2300', rule: 'core-exact', points: '3090.0000', estimatedPayment: '21387.38' },
    });
    expect(p1.projection.pointValue).toMatchObject({ source: 'monthly-run', value: '6.921481' });
    expect(bad).toEqual({
      index: 1,
      caseId: 'P2',
      errors: expect.arrayContaining([
        { field: 'totalCost', reason: 'is required' },
        { field: 'dischargeDate', reason: expect.stringContaining('calendar date') },
      ]),
    });
    // Resident PV = (8,000 + 5,000) / 1,325 = 9.811321; 625 × 9.811321 = 6,132.075625 → 6,132.08.
    expect(p3).toMatchObject({
      index: 2,
      caseId: 'P3',
      projection: {
        pool: 'resident',
        group: 'Z-K00-K93-S',
        kind: 'composite',
        rule: 'composite-chapter',
        coefficient: '0.76',
        ratio: '0.2193',
        outlier: 'low',
        points: '625.0000',
        pointValue: { source: 'monthly-run', value: '9.811321', period: '2024-03' },
        estimatedPayment: '6132.08',
      },
    });
  });

  it('lists the alternatives of a case with their points for it', async () => {
    const res = await http().post('/api/v1/projections?alternatives=true').send(P1);
    expect(res.status).toBe(200);
    expect(res.body.points).toBe('3090.0000');
    // K80.1 reaches its two core groups (the case is in one) and, coded with a surgery that no core
    // key holds, the surgical composite of its category, merged into K00-K93~surgery. The
    // diagnostic composite K80~diagnostic is out of reach: a diagnostic K80.1 case always has the
    // conservative core group K80.1| as a candidate (spec §5.2).
    //   K00-K93~surgery: r = 24,720 / (30,000 × 1.03) = 0.8 → normal: 3,750 × 1.03 = 3,862.5;
    //     3,862.5 × 6.921481 = 26,734.22036 → 26,734.22.
    //   K80.1|: r = 24,720 / (6,000 × 1.03) = 4 → high: 750 × 1.03 × (4 − 2 + 1) = 2,317.5;
    //     2,317.5 × 6.921481 = 16,040.53222 → 16,040.53.
    expect(res.body.alternatives).toEqual([
      {
        group: 'Z-K00-K93-S',
        key: 'K00-K93~surgery',
        kind: 'composite',
        treatmentType: 'surgery',
        rule: 'composite-chapter',
        keyProcedures: [],
        score: '3750.0000',
        auxFactor: '1',
        ratio: '0.8000',
        outlier: 'normal',
        points: '3862.5000',
        pointsDifference: '772.5000',
        estimatedPayment: '26734.22',
      },
      {
        group: 'K80.1-CONS',
        key: 'K80.1|',
        kind: 'core',
        treatmentType: 'conservative',
        rule: 'core-exact',
        keyProcedures: [],
        score: '750.0000',
        auxFactor: '1',
        ratio: '4.0000',
        outlier: 'high',
        points: '2317.5000',
        pointsDifference: '-772.5000',
        estimatedPayment: '16040.53',
      },
    ]);
  });

  it('refuses an invalid case with 422 and every problem, and a case of a year without a catalogue with 404', async () => {
    const bad = await http().post('/api/v1/projections').send(BAD);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: 'invalid-case' });
    expect(bad.body.problems).toEqual(expect.arrayContaining([{ field: 'totalCost', reason: 'is required' }]));
    const notObject = await http().post('/api/v1/projections').send([P1]);
    expect(notObject.status).toBe(400);
    const later = await http()
      .post('/api/v1/projections')
      .send({ ...P1, admissionDate: '2025-03-01', dischargeDate: '2025-03-08' });
    expect(later.status).toBe(404);
    expect(later.body.error).toBe('no-active-catalogue');
    // In a batch, the same is that case's error.
    const batch = await http()
      .post('/api/v1/projections/batch')
      .send([P1, { ...P1, caseId: 'P9', admissionDate: '2025-03-01', dischargeDate: '2025-03-08' }]);
    expect(batch.status).toBe(200);
    expect(batch.body.items[1]).toEqual({
      index: 1,
      caseId: 'P9',
      errors: [{ field: 'dischargeDate', reason: expect.stringContaining('2025') }],
    });
  });

  it(`refuses a batch of ${MAX_CASES_PER_REQUEST + 1} cases with 413, and an empty one with 400`, async () => {
    const res = await http()
      .post('/api/v1/projections/batch')
      .send(Array.from({ length: MAX_CASES_PER_REQUEST + 1 }, () => P1));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('too-many-cases');
    expect((await http().post('/api/v1/projections/batch').send([])).status).toBe(400);
    expect((await http().post('/api/v1/projections/batch').send({})).status).toBe(400);
  });
});
