import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';
import { jsonCase } from './e2e-helpers';

/**
 * Five cases against the hand-written SAMPLE catalogue and the shipped policy, every figure by
 * hand. k (spec §7): H001 = L3A 1.00 + national key discipline 0.03 = 1.03; H002 = township A
 * 0.68 + primary care 0.03 + TCM 0.05 = 0.76. No severity lists are loaded: every case is class 1.
 */
const CASES = [
  // r = 24720 / (24000 × 1.03) = 1 → normal: 3000 × 1.03.
  {
    caseId: 'C1',
    hospitalCode: 'H001',
    totalCost: '24720.00',
    points: '3090.0000',
    rule: 'core-exact',
    outlier: 'normal',
    ratio: '1.0000',
  },
  // K80.1| (the policy's primary-care list does not name it): r = 3000 / (6000 × 0.76) = 0.6579 → 750 × 0.76.
  {
    caseId: 'C2',
    hospitalCode: 'H002',
    principalProcedure: '',
    totalCost: '3000.00',
    points: '570.0000',
    rule: 'core-exact',
    outlier: 'normal',
    ratio: '0.6579',
  },
  // Key K80.1|51.2200+51.2300 is not core; K80.1|51.2300 is its subset: r = 24000 / 24720 = 0.9709 → 3090.
  {
    caseId: 'C3',
    hospitalCode: 'H001',
    otherProcedures: '51.2200',
    totalCost: '24000.00',
    points: '3090.0000',
    rule: 'core-subset',
    outlier: 'normal',
    ratio: '0.9709',
  },
  // K81.0: no core group, no K81 composite, no block table → the chapter group K00-K93~surgery;
  // r = 5000 / (30000 × 0.76) = 0.2193 → low: 3750 × 0.76 × r = 3750 × 5000 / 30000 = 625.
  {
    caseId: 'C4',
    hospitalCode: 'H002',
    principalDiagnosis: 'K81.000',
    totalCost: '5000.00',
    points: '625.0000',
    rule: 'composite-chapter',
    outlier: 'low',
    ratio: '0.2193',
  },
  // J18.9: no group at any level → no-score: 8000 / 8 × 0.7.
  {
    caseId: 'C5',
    hospitalCode: 'H001',
    principalDiagnosis: 'J18.900',
    principalProcedure: '',
    totalCost: '8000.00',
    points: '700.0000',
    rule: 'no-score',
    outlier: 'no-score',
    ratio: null,
  },
];

describeEngines('grouping runs over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_groupings');
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    const cases = CASES.map(({ points: _p, rule: _r, outlier: _o, ratio: _x, ...c }) =>
      jsonCase({ ...c, fundPayment: '1000.00', secondaryDiagnoses: '' }),
    );
    expect((await http().post('/api/v1/cases').send(cases)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  async function finished(jobId: string): Promise<Record<string, any>> {
    for (let i = 0; i < 600; i++) {
      const job = await http().get(`/api/v1/jobs/${jobId}`);
      if (job.body.status !== 'running') return job.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job still running');
  }

  it('refuses a bad period with 400 and a run without an active catalogue as a failed job', async () => {
    const bad = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-3', to: '2024-03' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/from must be a month/);
    const started = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03' });
    expect(started.status).toBe(202);
    expect(await finished(started.body.jobId)).toMatchObject({ status: 'failed', error: { code: 'no-active-catalogue' } });
  });

  it('groups and scores the stored cases, stores each result, and explains any one', async () => {
    const doc = catalogueToJson(SAMPLE, 'x', catalogueHash(SAMPLE));
    const { catalogueId } = (await http().post('/api/v1/catalogs/import').send(doc)).body;
    expect((await http().post(`/api/v1/catalogs/${catalogueId}/activate`)).status).toBe(200);

    const started = await http().post('/api/v1/groupings').send({ region: '370300', from: '2024-03', to: '2024-03' });
    expect(started.status).toBe(202);
    const job = await finished(started.body.jobId);
    expect(job).toMatchObject({ status: 'succeeded', kind: 'grouping.run' });
    const runId = job.result.id;

    const run = await http().get(`/api/v1/groupings/${runId}`);
    // 3090 + 570 + 3090 + 625 + 700 = 8075.
    expect(run.body).toMatchObject({
      region: '370300',
      from: '2024-03',
      to: '2024-03',
      catalogueId,
      cases: 5,
      noScoreCases: 1,
      specialReviewCases: 0,
      points: '8075.0000',
    });

    const page = await http().get(`/api/v1/groupings/${runId}/cases`);
    expect(page.body.total).toBe(5);
    expect(
      page.body.items.map((r: Record<string, unknown>) => ({
        caseId: r.caseId,
        hospitalCode: r.hospitalCode,
        points: r.points,
        rule: r.rule,
        outlier: r.outlier,
        ratio: r.ratio,
      })),
    ).toEqual(
      CASES.map((c) => ({
        caseId: c.caseId,
        hospitalCode: c.hospitalCode,
        points: c.points,
        rule: c.rule,
        outlier: c.outlier,
        ratio: c.ratio,
      })),
    );
    expect(page.body.items[0]).toMatchObject({
      group: 'K80.1-51.2300',
      key: 'K80.1|51.2300',
      kind: 'core',
      score: '3000.0000',
      auxFactor: '1',
      coefficient: '1.03',
      caseKey: 'K80.1|51.2300',
      treatmentType: 'surgery',
    });
    expect(page.body.items[4]).toMatchObject({ group: null, key: null, kind: null, score: null, auxFactor: null });

    const h2 = await http().get(`/api/v1/groupings/${runId}/cases`).query({ hospital: 'H002' });
    expect(h2.body.items.map((r: { caseId: string }) => r.caseId)).toEqual(['C2', 'C4']);

    const why = await http().get(`/api/v1/groupings/${runId}/cases/C4`);
    expect(why.status).toBe(200);
    expect(why.body.changedSinceRun).toBe(false);
    expect(why.body.explanation.grouping).toMatchObject({ rule: 'composite-chapter', key: 'K81.0|51.2300', treatmentType: 'surgery' });
    expect(why.body.explanation.points.factors.map((f: { name: string; value: string }) => [f.name, f.value])).toEqual([
      ['score', '3750.0000'],
      ['severity factor a', '1'],
      ['hospital coefficient k', '0.76'],
      ['low outlier: r', '0.21929825'],
    ]);

    expect((await http().get(`/api/v1/groupings/${runId}/cases/NOPE`)).status).toBe(404);
    expect((await http().get('/api/v1/groupings/00000000-0000-4000-8000-000000000000')).body).toMatchObject({
      statusCode: 404,
      error: 'unknown-grouping',
    });
  });
});
