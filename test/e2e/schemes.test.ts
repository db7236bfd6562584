import './quiet-logs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as XLSX from 'exceljs';
import { describeEngines } from '../support/engines';
import { startTestApp, TestApp } from '../support/app';
import { countRows } from './e2e-helpers';

/**
 * The schemes besides DIP over HTTP (issue 15), on the example inputs the product ships
 * (catalogs/schemes/<scheme>/example, the seeds' numbers where they give them).
 *
 * medical-group, Shanwei 城区 2024 (seed 002), group SWCQ01, first scheme year 2022 → year 3:
 * history 59,850,000 / 62,500,000 / 65,220,000, mean 62,523,333.33…, × 1.05 = 65,649,500.00 = A;
 * S = 21,400,000 + 47,300,000 − 860,000 (paid by item) = 67,840,000.00; O = 2,190,500.00;
 * year-3 shares 10 / 20 / 70: group 219,050.00, local finance 438,100.00, fund 1,533,350.00;
 * P = 65,649,500 + 0 + 1,533,350 = 67,182,850.00; advance round2(A / 12) = 5,470,791.67;
 * claims Σ 67,840,000.00 (summed below from the file); balance = P − advance − claims
 * = −6,127,941.67; reserve 2 % × 71,800,000 = 1,436,000.00, paid × 0.92 = 1,321,120.00.
 *
 * zibo-budget, 370300 2024 (seed 001), employee pool: R 5,200,000,000, reserve 10 % 520,000,000;
 * general outpatient 400 × 1,550,000 signed = 620,000,000; chronic 380,000,000 × 1.05 × 1.02 =
 * 406,980,000; out-of-region 330,000,000 × 1.06 = 349,800,000; other methods 126,000,000 +
 * 18,900,000 + 61,800,000 + 43,680,000 + 9,350,000 = 259,730,000; critical illness 138 × 1,300,000
 * = 179,400,000; DIP budget 5,200,000,000 − 520,000,000 − 1,815,910,000 = 2,864,090,000.00.
 * Year end: shortfall 11,500,000 (general outpatient) + 12,650,000 (out-of-region) = 24,150,000;
 * L = 495,850,000; to the DIP fund 70 % = 347,095,000.00; J = 148,755,000.00.
 */

const EXAMPLE = (scheme: string, table: string) =>
  readFileSync(resolve(__dirname, `../../catalogs/schemes/${scheme}/example/${table}.csv`), 'utf8');
const GROUP_TABLES = ['groups', 'members', 'history', 'claims', 'actuals', 'assessment', 'reserveBase'];
const ZIBO_TABLES = ['pools', 'lastYear', 'signed', 'actuals'];

/** Σ of a money column of a CSV, in fen, with BigInt: the test's own sum. */
function sumColumn(csv: string, column: string): bigint {
  const [header, ...lines] = csv.trim().split('\n');
  const i = header.split(',').indexOf(column);
  return lines.reduce((s, l) => s + BigInt(l.split(',')[i].replace('.', '')), 0n);
}

describeEngines('payment schemes over HTTP on %s', (engine) => {
  let t: TestApp;
  let shanwei: string;

  /** POST a run, wait for its job, and answer what GET /schemes/runs/:id says (or the start's refusal, or the failed job). */
  const runYear = async (token: string, scheme: string, year: number) => {
    const start = await t.http(token).post(`/api/v1/schemes/${scheme}/runs`).send({ year });
    if (start.status !== 202) return start;
    expect(start.headers.location).toBe(`/api/v1/schemes/runs/${start.body.id}`);
    for (let i = 0; i < 600; i++) {
      const job = await t.http(token).get(start.body.statusUrl);
      if (job.body.status === 'failed') return { status: 'failed', body: job.body.error };
      if (job.body.status === 'succeeded') return t.http(token).get(start.body.runUrl);
      await new Promise((done) => setTimeout(done, 20));
    }
    throw new Error('scheme run still running');
  };
  const importCsv = (token: string, scheme: string, table: string, body: string, year = 2024) =>
    t.http(token).post(`/api/v1/schemes/${scheme}/inputs/${table}`).query({ year }).set('Content-Type', 'text/csv').send(body);

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_schemes');
    shanwei = await t.login({ role: 'agency', region: '441502' });
    // Two of the group's institutions and one outside it, registered so that their users exist.
    const hospitals = [
      { code: 'H441502003', name: '红草镇卫生院', region: '441502', level: 'TOWNSHIP_OTHER' },
      { code: 'H441502099', name: '城区外医院', region: '441502', level: 'L2_OTHER' },
    ];
    for (const { code, ...h } of hospitals)
      expect((await t.http(shanwei).put(`/api/v1/hospitals/${code}`).send(h)).status).toBeLessThan(300);
  });
  afterAll(async () => t?.close());

  it('lists the schemes with their input tables', async () => {
    const res = await t.http().get('/api/v1/schemes');
    expect(res.status).toBe(200);
    expect(res.body.map((d: { id: string }) => d.id)).toEqual([
      'medical-group',
      'zibo-budget',
      'disease-capitation',
      'diabetes-capitation',
      'chronic-package',
    ]);
    const groups = res.body[0].tables.find((x: { name: string }) => x.name === 'groups');
    expect(groups.key).toEqual(['groupCode']);
  });

  it('refuses a bad table whole with line, field and reason; nothing stored', async () => {
    const before = await countRows(t, 'scheme_input');
    const bad =
      'groupCode,year,outpatientFund,inpatientFund\nSWCQ01,2021,18600000.00,41250000.00\nSWCQ01,2022,19400000.123,x\nSWCQ01,2021,1.00,1.00\n';
    const res = await importCsv(shanwei, 'medical-group', 'history', bad);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'invalid-rows' });
    expect(res.body.problems).toEqual([
      { line: 3, field: 'outpatientFund', reason: expect.stringContaining('at most 2 allowed') },
      { line: 3, field: 'inpatientFund', reason: expect.stringContaining('not a decimal') },
      { line: 4, field: 'groupCode+year', reason: 'the same groupCode + year as line 2' },
    ]);
    const header = await importCsv(shanwei, 'medical-group', 'history', 'groupCode,year,outpatient\nSWCQ01,2021,1.00\n');
    expect(header.status).toBe(422);
    expect(header.body.error).toBe('header');
    // Money as a JSON number has been through a binary float: refused.
    const json = await t
      .http(shanwei)
      .post('/api/v1/schemes/medical-group/inputs/assessment')
      .query({ year: 2024 })
      .send([{ groupCode: 'G', score: 0.5, passed: true }]);
    expect(json.status).toBe(422);
    expect(json.body.problems).toEqual([{ row: 0, field: 'score', reason: expect.stringContaining('string') }]);
    expect((await t.http(shanwei).post('/api/v1/schemes/medical-group/inputs/nope').query({ year: 2024 }).send([])).status).toBe(404);
    expect((await t.http(shanwei).post('/api/v1/schemes/other/inputs/groups').query({ year: 2024 }).send([])).status).toBe(400);
    expect(await countRows(t, 'scheme_input')).toBe(before);
  });

  it('runs a medical group year to the fen, the same again, and scopes it to the group', async () => {
    const expert = await t.login({ role: 'expert', hospital: 'H441502003' });
    expect((await t.http(expert).get('/api/v1/schemes/runs')).status).toBe(403);
    const missing = await runYear(shanwei, 'medical-group', 2024);
    expect(missing.status).toBe(422);
    expect(missing.body.error).toBe('missing-input');
    for (const table of GROUP_TABLES)
      expect((await importCsv(shanwei, 'medical-group', table, EXAMPLE('medical-group', table))).status).toBe(201);
    // The same table as JSON has the same hash (the hash is of the rows as read).
    const inputs = (await t.http(shanwei).get('/api/v1/schemes/medical-group/inputs').query({ year: 2024 })).body;
    const asJson = await t
      .http(shanwei)
      .post('/api/v1/schemes/medical-group/inputs/groups')
      .query({ year: 2024 })
      .send([{ groupCode: 'SWCQ01', name: '汕尾市城区医疗集团', leadHospitalCode: 'H441502001', firstSchemeYear: '2022' }]);
    expect(asJson.status).toBe(201);
    expect(asJson.body.sha256).toBe(inputs.find((i: { table: string }) => i.table === 'groups').sha256);

    const run = await runYear(shanwei, 'medical-group', 2024);
    expect(run.status).toBe(200);
    const g = run.body.providers[0];
    expect(g.provider).toBe('SWCQ01');
    const claims = sumColumn(EXAMPLE('medical-group', 'claims'), 'auditedClaims');
    expect(claims).toBe(6_784_000_000n);
    expect(g.figures).toMatchObject({
      allowance: '65649500.00',
      advance: '5470791.67',
      schemeYear: 3,
      claims: { total: '67840000.00' },
      spending: { spending: '67840000.00' },
      reconciliation: { overspend: '2190500.00', surplus: '0.00', parts: { group: '219050.00', finance: '438100.00', fund: '1533350.00' } },
      paymentByFund: '67182850.00',
      balance: '-6127941.67',
      reserve: { pot: '1436000.00', payment: '1321120.00' },
    });
    expect(g.visibleTo).toContain('H441502003');
    expect(run.body.run).toMatchObject({ scheme: 'medical-group', region: '441502', year: 2024, status: 'draft' });
    expect(run.body.run.inputs).toHaveLength(GROUP_TABLES.length);

    // Again: the same figures and inputs hash, a new run replacing the draft.
    const again = await runYear(shanwei, 'medical-group', 2024);
    expect(again.body.run.inputsHash).toBe(run.body.run.inputsHash);
    expect(again.body.providers).toEqual(run.body.providers);
    expect(again.body.run.id).not.toBe(run.body.run.id);
    expect((await t.http(shanwei).get(`/api/v1/schemes/runs/${run.body.run.id}`)).status).toBe(404);
    const id = again.body.run.id as string;

    // A member institution reads its group's row, not the region's figures; others nothing.
    const member = await t.login({ role: 'hospital', hospital: 'H441502003' });
    const mine = await t.http(member).get(`/api/v1/schemes/runs/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.region).toBeNull();
    expect(mine.body.providers.map((p: { provider: string }) => p.provider)).toEqual(['SWCQ01']);
    expect((await t.http(member).get('/api/v1/schemes/runs')).body.map((r: { id: string }) => r.id)).toEqual([id]);
    const outsider = await t.login({ role: 'hospital', hospital: 'H441502099' });
    expect((await t.http(outsider).get(`/api/v1/schemes/runs/${id}`)).status).toBe(404);
    expect((await t.http(outsider).get('/api/v1/schemes/runs')).body).toEqual([]);
    expect((await t.http().get(`/api/v1/schemes/runs/${id}`)).status).toBe(404); // the agency of another region
    expect((await t.http(member).post('/api/v1/schemes/medical-group/runs').send({ year: 2024 })).status).toBe(403);

    // Reports: CSV a line per group, XLSX with the figures as numbers.
    const csv = await t.http(shanwei).get(`/api/v1/schemes/runs/${id}`).query({ format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toContain('scheme-medical-group-441502-2024-draft.csv');
    const [head, line] = csv.text.trim().split('\n');
    const col = (name: string) => line.split(',')[head.split(',').indexOf(name)];
    expect(col('allowance')).toBe('65649500.00');
    expect(col('reconciliation.parts.fund')).toBe('1533350.00');
    const xlsx = await t
      .http(shanwei)
      .get(`/api/v1/schemes/runs/${id}`)
      .query({ format: 'xlsx' })
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const book = new XLSX.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('单位 Providers')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(sheet.getRow(2).getCell(headers.indexOf('balance') + 1).value).toBe(-6127941.67);

    // Finalise: then imports and runs of the year are refused; the audit has each step.
    const fin = await t.http(shanwei).post(`/api/v1/schemes/runs/${id}/finalise`);
    expect(fin.status).toBe(200);
    expect(fin.body.run.status).toBe('final');
    expect((await importCsv(shanwei, 'medical-group', 'claims', EXAMPLE('medical-group', 'claims'))).status).toBe(409);
    const rerun = await runYear(shanwei, 'medical-group', 2024);
    expect(rerun.status).toBe(409);
    expect(rerun.body.error).toBe('finalised');
    expect((await t.http(shanwei).post(`/api/v1/schemes/runs/${id}/finalise`)).status).toBe(409);
    const audit = (await t.db.execute("SELECT action FROM audit_log WHERE entity = 'scheme' ORDER BY id")).rows.map((r) => r.action);
    expect(audit.filter((a) => a === 'scheme.input')).toHaveLength(GROUP_TABLES.length + 1);
    expect(audit.slice(-3)).toEqual(['scheme.run', 'scheme.run', 'scheme.finalise']);
  });

  it('refuses to finalise a run older than the latest import', async () => {
    for (const table of GROUP_TABLES) await importCsv(shanwei, 'medical-group', table, EXAMPLE('medical-group', table), 2025);
    const run = await runYear(shanwei, 'medical-group', 2025);
    // 2025 has no shipped policy: given by the agency first.
    expect(run.status).toBe(404);
    expect(run.body.error).toBe('no-policy');
    const policy = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/schemes/medical-group/441502-2024.json'), 'utf8'));
    const history =
      'groupCode,year,outpatientFund,inpatientFund\nSWCQ01,2022,19400000.00,43100000.00\nSWCQ01,2023,20350000.00,44870000.00\nSWCQ01,2024,21400000.00,47300000.00\n';
    expect(
      (
        await t
          .http(shanwei)
          .put('/api/v1/schemes/medical-group/policy')
          .send({ ...policy, year: 2025 })
      ).status,
    ).toBe(200);
    expect((await importCsv(shanwei, 'medical-group', 'history', history, 2025)).status).toBe(201);
    const ok = await runYear(shanwei, 'medical-group', 2025);
    expect(ok.status).toBe(200);
    // 2025: mean (62,500,000 + 65,220,000 + 68,700,000) / 3 = 65,473,333.33… × 1.05 = 68,747,000.00; year 4 → 10/20/70.
    expect(ok.body.providers[0].figures).toMatchObject({ allowance: '68747000.00', schemeYear: 4 });
    expect((await importCsv(shanwei, 'medical-group', 'assessment', 'groupCode,score,passed\nSWCQ01,0.80,true\n', 2025)).status).toBe(201);
    // Withdrawing a table also makes the run stale; a required one then refuses the next run.
    const gone = await t.http(shanwei).delete('/api/v1/schemes/medical-group/inputs/reserveBase').query({ year: 2025 });
    expect(gone.status).toBe(200);
    expect((await t.http(shanwei).delete('/api/v1/schemes/medical-group/inputs/reserveBase').query({ year: 2025 })).status).toBe(404);
    expect((await t.http(shanwei).delete('/api/v1/schemes/medical-group/inputs/history').query({ year: 2025 })).status).toBe(200);
    expect((await runYear(shanwei, 'medical-group', 2025)).body).toMatchObject({ error: 'missing-input' });
    const stale = await t.http(shanwei).post(`/api/v1/schemes/runs/${ok.body.run.id}/finalise`);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('inputs-changed');
    const bad = await t
      .http(shanwei)
      .put('/api/v1/schemes/medical-group/policy')
      .send({ ...policy, growth: 0.05 });
    expect(bad.status).toBe(422);
    expect(bad.body.problems).toEqual([expect.objectContaining({ path: 'growth' })]);
  });

  it("builds Zibo's budget tree to the fen, adding up to the revenue", async () => {
    for (const table of ZIBO_TABLES)
      expect((await importCsv(t.token, 'zibo-budget', table, EXAMPLE('zibo-budget', table))).status).toBe(201);
    const run = await runYear(t.token, 'zibo-budget', 2024);
    expect(run.status).toBe(200);
    const emp = run.body.region.pools.employee;
    expect(emp).toMatchObject({
      revenue: '5200000000.00',
      reserve: '520000000.00',
      lines: {
        generalOutpatient: { budget: '620000000.00', actual: '631500000.00' },
        outpatientChronic: { budget: '406980000.00' },
        outOfRegion: { budget: '349800000.00' },
        otherMethods: { budget: '259730000.00' },
        criticalIllness: { budget: '179400000.00' },
      },
      dipBudget: '2864090000.00',
      yearEnd: {
        shortfall: '24150000.00',
        remainder: '495850000.00',
        toDipFund: '347095000.00',
        adjustmentFund: '148755000.00',
        uncovered: '0.00',
      },
    });
    // The tree adds up: reserve + lines + DIP budget = R, checked here with BigInt fen.
    const fen = (s: string) => BigInt(s.replace('.', ''));
    const lines = Object.values(emp.lines as Record<string, { budget: string }>).reduce((s, l) => s + fen(l.budget), 0n);
    expect(fen(emp.reserve) + lines + fen(emp.dipBudget)).toBe(fen(emp.revenue));
    // Institutions by capitation: H370300001 400 × 520,000 + 2,600 × 62,000 = 369,200,000.00, its row only to itself.
    const h1 = run.body.providers.find((p: { provider: string }) => p.provider === 'H370300001');
    expect(h1.figures.total).toBe('369200000.00');
    expect(h1.visibleTo).toEqual(['H370300001']);
  });

  it("keeps a per-head scheme's figures per person, read by provider and within the hospital's scope", async () => {
    // Scheme A's worked example (test/unit/scheme-disease-capitation.test.ts): employee λ = 21,000 / 19,943.479,
    // s(M03900) = round2(1,264.57 × λ) = 1,331.56; PZ0001 is 70 (ρ 1.2) at H51040001.
    const panzhihua = await t.login({ role: 'agency', region: '510400' });
    expect(
      (
        await t
          .http(panzhihua)
          .put('/api/v1/hospitals/H51040001')
          .send({ name: '攀枝花市中心医院', region: '510400', level: 'L3A_GENERAL' })
      ).status,
    ).toBeLessThan(300);
    for (const table of ['budgets', 'diseaseCosts', 'hospitals', 'consortia', 'enrolments', 'spending', 'familyDoctors'])
      expect((await importCsv(panzhihua, 'disease-capitation', table, EXAMPLE('disease-capitation', table), 2021)).status).toBe(201);
    const run = await runYear(panzhihua, 'disease-capitation', 2021);
    expect(run.status).toBe(200);
    const id = run.body.run.id as string;
    const persons = await t.http(panzhihua).get(`/api/v1/schemes/runs/${id}/persons`).query({ provider: 'H51040001' });
    expect(persons.status).toBe(200);
    const p1 = persons.body.find(
      (x: { person: string; figures: { disease: string } }) => x.person === 'PZ0001' && x.figures.disease === 'M03900',
    );
    expect(p1).toMatchObject({ provider: 'H51040001', figures: { pool: 'employee', rho: '1.2', standard: '1331.56' } });
    expect(persons.body.every((x: { provider: string }) => x.provider === 'H51040001')).toBe(true);
    const csv = await t.http(panzhihua).get(`/api/v1/schemes/runs/${id}/persons`).query({ format: 'csv' });
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0].startsWith('provider,person,')).toBe(true);
    const enrolments = EXAMPLE('disease-capitation', 'enrolments').trim().split('\n').length - 1;
    expect(lines).toHaveLength(enrolments + 1);
    expect((await t.http(panzhihua).get(`/api/v1/schemes/runs/${id}/persons`)).status).toBe(400);

    const h1 = await t.login({ role: 'hospital', hospital: 'H51040001' });
    expect((await t.http(h1).get(`/api/v1/schemes/runs/${id}/persons`).query({ provider: 'H51040001' })).body).toEqual(persons.body);
    expect((await t.http(h1).get(`/api/v1/schemes/runs/${id}/persons`).query({ provider: 'H51040002' })).status).toBe(404);
    expect((await t.http(h1).get(`/api/v1/schemes/runs/${id}/persons`).query({ format: 'csv' })).status).toBe(400);
    expect((await t.http(shanwei).get(`/api/v1/schemes/runs/${id}/persons`).query({ provider: 'H51040001' })).status).toBe(404);
  });
});
