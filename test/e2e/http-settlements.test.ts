import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PoliciesService } from '../../src/policies/policies.service';
import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';
import { jsonCase, settledRun } from './e2e-helpers';

/** The month of test/integration/settlement-month.test.ts, over HTTP (employee figures by hand there). */
describeEngines('settlements over HTTP on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_settlements');
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    const cases = [
      jsonCase({ caseId: 'C1', totalCost: '24720.00', fundPayment: '17000.00', secondaryDiagnoses: '' }),
      jsonCase({ caseId: 'C3', otherProcedures: '51.2200', totalCost: '24000.00', fundPayment: '16000.00', secondaryDiagnoses: '' }),
      jsonCase({
        caseId: 'C2',
        hospitalCode: 'H002',
        principalProcedure: '',
        totalCost: '3000.00',
        fundPayment: '2000.00',
        secondaryDiagnoses: '',
      }),
    ];
    expect((await http().post('/api/v1/cases').send(cases)).status).toBe(201);
    const { catalogueId } = (
      await http()
        .post('/api/v1/catalogs/import')
        .send(catalogueToJson(SAMPLE, 'x', catalogueHash(SAMPLE)))
    ).body;
    await http().post(`/api/v1/catalogs/${catalogueId}/activate`);
    const policy = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
    policy.budget = { employee: { dipBudget: '360000.00' }, resident: { dipBudget: '120000.00' } };
    // Over HTTP a policy arrives with a catalogue build; here it is stored directly.
    await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', policy);
  });
  afterAll(async () => t?.close());

  const settled = (id: string) => settledRun(t, id);

  it('runs a month as a job, refuses a second run of it while it runs, reports JSON, CSV and XLSX', async () => {
    const bad = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-13' });
    expect(bad.status).toBe(400);
    const [a, b] = await Promise.all([
      http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' }),
      http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const started = a.status === 202 ? a : b;
    expect((a.status === 409 ? a : b).body).toMatchObject({ statusCode: 409, error: 'run-in-progress' });

    const res = await settled(started.body.id);
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ id: started.body.id, status: 'draft', kind: 'month', period: '2024-03' });
    const employee = res.body.pools.find((p: { pool: string }) => p.pool === 'employee');
    expect(employee).toMatchObject({ fund: '30000.00', cityBookkeeping: '35000.00', pointValue: '6.921481', residual: '0.00' });
    expect(employee.hospitals.map((h: Record<string, string>) => [h.hospitalCode, h.entitlement, h.prepay])).toEqual([
      ['H001', '27054.76', '25702.02'],
      ['H002', '2945.24', '1900.00'],
    ]);

    const csv = await http().get(`/api/v1/settlements/${started.body.id}/report`).query({ format: 'csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    // One plain table (the run's parameters are in the JSON and on the workbook's parameters sheet).
    expect(csv.text.split('\n')[0]).toBe('pool,hospitalCode,hospitalName,cases,points,nonFund,bookkeeping,entitlement,prepay');
    expect(csv.text).not.toMatch(/^#/m);
    expect(csv.text).toContain('employee,H001,第一人民医院,2,6180.0000,15720.00,33000.00,27054.76,25702.02');

    const xlsx = await http()
      .get(`/api/v1/settlements/${started.body.id}/report`)
      .query({ format: 'xlsx' })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    // Figures as numbers; the whole layout is checked in http-report-xlsx.test.ts.
    const sheet = book.getWorksheet('职工医保 employee')!;
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      'hospitalCode',
      'hospitalName',
      'cases',
      'points',
      'nonFund',
      'bookkeeping',
      'entitlement',
      'prepay',
    ]);
    expect(sheet.getRow(3).getCell(7).value).toBe(27054.76);
  });

  it('finalises a month: a re-run is refused with 409 from then on', async () => {
    const started = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    expect(started.status).toBe(202);
    await settled(started.body.id);
    const fin = await http().post(`/api/v1/settlements/${started.body.id}/finalise`);
    expect(fin.status).toBe(200);
    expect(fin.body.run.status).toBe('final');
    const again = await http().post('/api/v1/settlements').send({ region: '370300', kind: 'month', period: '2024-03' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'finalised' });
    expect((await http().post(`/api/v1/settlements/${started.body.id}/finalise`)).status).toBe(409);
  });

  it('records for the annual settlement over HTTP, all or nothing', async () => {
    const csv = 'year,hospitalCode,score\n2024,H001,0.95\n2024,H002,0.8\n';
    const ok = await http().post('/api/v1/settlement-records/assessment').set('Content-Type', 'text/csv').send(csv);
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ kind: 'assessment', recorded: 2 });
    const bad = await http()
      .post('/api/v1/settlement-records/violation')
      .send([{ year: '2024', pool: 'nobody', hospitalCode: 'H001', amount: '10.001', reason: 'x' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.problems.map((p: { field: string }) => p.field)).toEqual(['pool', 'amount']);
    expect((await http().post('/api/v1/settlement-records/bonus').send([])).status).toBe(400);
  });
});
