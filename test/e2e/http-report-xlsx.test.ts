import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { PoliciesService } from '../../src/policies/policies.service';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { HAND_CASES, handYearPolicy } from '../support/hand-month';
import { SAMPLE } from '../support/sample-catalogue';
import { csvBody, settledRun } from './e2e-helpers';

/**
 * The settlement report's workbook as an analyst opens it (docs/settlement-report.md): a real
 * monthly and annual settlement over HTTP of the hand-computed cases (test/support/hand-month.ts),
 * the XLSX downloaded and read back with exceljs, and every figure checked against the JSON report
 * of the same run; the totals are summed here, independently, with decimal.js.
 */

/** The documented columns of a pool sheet: JSON field names (header row 2) and the Chinese terms (row 1). */
const COLUMNS = {
  month: [
    ['hospitalCode', '医院编码'],
    ['hospitalName', '医院名称'],
    ['cases', '病例数'],
    ['points', '总点数'],
    ['nonFund', '非统筹基金支付费用'],
    ['bookkeeping', '统筹基金记账金额'],
    ['entitlement', '应得统筹基金'],
    ['prepay', '月度预结算金额'],
  ],
  year: [
    ['hospitalCode', '医院编码'],
    ['hospitalName', '医院名称'],
    ['cases', '病例数'],
    ['points', '总点数'],
    ['nonFund', '非统筹基金支付费用'],
    ['bookkeeping', '统筹基金记账金额'],
    ['entitlement', '应得统筹基金'],
    ['assessmentDeduction', '考核扣减'],
    ['violations', '违规扣款'],
    ['overspend', '合理超支金额'],
    ['compensation', '超支分担补偿'],
    ['final', '年度结算金额'],
    ['prepaid', '已预结算金额'],
    ['revolvingFund', '周转金'],
    ['balance', '年终清算应拨(负数应退)'],
  ],
} as const;

/** Number format and decimals of a column: counts whole, points 4 dp, everything else money. */
const format = (field: string): { numFmt: string; dp: number } =>
  field === 'cases' ? { numFmt: '#,##0', dp: 0 } : field === 'points' ? { numFmt: '0.0000', dp: 4 } : { numFmt: '#,##0.00', dp: 2 };

type Report = {
  run: Record<string, unknown> & { id: string; kind: 'month' | 'year' };
  pools: (Record<string, unknown> & { pool: string; pointValue: string; fund: string; hospitals: Record<string, string | number>[] })[];
};

const values = (row: ExcelJS.Row, n: number) => Array.from({ length: n }, (_, i) => row.getCell(i + 1).value);

describeEngines('the settlement report as an analyst workbook on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_report_xlsx');
    expect((await http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    expect(
      (
        await http()
          .post('/api/v1/cases/import')
          .set('Content-Type', 'text/csv')
          .send(csvBody(...HAND_CASES))
      ).status,
    ).toBe(201);
    const catalogue = await http()
      .post('/api/v1/catalogs/import')
      .send(catalogueToJson(SAMPLE, 'x', catalogueHash(SAMPLE)));
    expect((await http().post(`/api/v1/catalogs/${catalogue.body.catalogueId}/activate`)).status).toBeLessThan(300);
    // Over HTTP a policy arrives with a catalogue build; here it is stored directly.
    await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', handYearPolicy());
  });
  afterAll(async () => t?.close());

  /** Starts a run over HTTP and waits for its stored report (JSON). */
  async function settle(kind: 'month' | 'year', period: string): Promise<Report> {
    const started = await http().post('/api/v1/settlements').send({ region: '370300', kind, period });
    expect(started.status).toBe(202);
    const res = await settledRun(t, started.body.id);
    expect(res.body.run.status).toBe('draft');
    return res.body as Report;
  }

  async function workbook(id: string): Promise<ExcelJS.Workbook> {
    const res = await http()
      .get(`/api/v1/settlements/${id}/report`)
      .query({ format: 'xlsx' })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as unknown as ArrayBuffer);
    return book;
  }

  /** Every check of the workbook against the JSON report of the same run. */
  async function checkWorkbook(report: Report): Promise<void> {
    const book = await workbook(report.run.id);
    expect(book.worksheets.map((s) => s.name)).toEqual(['参数 Parameters', '职工医保 employee', '居民医保 resident']);

    // The parameters: key/value rows under two frozen header rows.
    const params = book.getWorksheet('参数 Parameters')!;
    expect(values(params.getRow(1), 3)).toEqual(['项目', '字段', '值']);
    expect(values(params.getRow(2), 3)).toEqual(['item', 'field', 'value']);
    expect(params.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const byField = new Map<string, ExcelJS.Row>();
    params.eachRow((row, n) => n > 2 && byField.set(String(row.getCell(2).value), row));
    expect(byField.get('run.id')!.getCell(3).value).toBe(report.run.id);
    for (const key of ['region', 'kind', 'period', 'catalogueId', 'status', 'createdAt'])
      expect(byField.get(`run.${key}`)!.getCell(3).value).toBe(report.run[key]);
    for (const p of report.pools) {
      const pv = byField.get(`${p.pool}.pointValue`)!.getCell(3);
      expect(pv.type).toBe(ExcelJS.ValueType.Number);
      expect(pv.value).toBe(Number(p.pointValue));
      expect(new Decimal(pv.value as number).toFixed(6)).toBe(p.pointValue);
      expect(pv.numFmt).toBe('0.000000');
      const fund = byField.get(`${p.pool}.fund`)!.getCell(3);
      expect([fund.value, fund.numFmt]).toEqual([Number(p.fund), '#,##0.00']);
    }

    // One sheet per pool: hospitals, then the totals row.
    const columns = COLUMNS[report.run.kind];
    const fields = columns.map(([field]) => field);
    for (const p of report.pools) {
      const sheet = book.getWorksheet(`${p.pool === 'employee' ? '职工医保' : '居民医保'} ${p.pool}`)!;
      expect(values(sheet.getRow(1), columns.length)).toEqual(columns.map(([, zh]) => zh));
      expect(values(sheet.getRow(2), columns.length)).toEqual(fields);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      expect(p.hospitals.length).toBeGreaterThan(0);
      p.hospitals.forEach((h, i) => {
        const row = sheet.getRow(3 + i);
        expect(row.getCell(1).value).toBe(h.hospitalCode);
        expect(row.getCell(2).value).toBe(TEST_HOSPITALS.find((x) => x.code === h.hospitalCode)!.name);
        fields.slice(2).forEach((field, j) => {
          const cell = row.getCell(3 + j);
          expect({ field, type: cell.type, numFmt: cell.numFmt }).toEqual({
            field,
            type: ExcelJS.ValueType.Number,
            numFmt: format(field).numFmt,
          });
          expect(cell.value).toBe(Number(h[field]));
        });
      });
      const totals = sheet.getRow(3 + p.hospitals.length);
      expect(totals.getCell(1).value).toBe('合计 Total');
      fields.slice(2).forEach((field, j) => {
        const { numFmt, dp } = format(field);
        const sum = p.hospitals.reduce((s, h) => s.plus(String(h[field])), new Decimal(0)).toFixed(dp);
        const cell = totals.getCell(3 + j);
        expect({ field, value: cell.value, numFmt: cell.numFmt }).toEqual({ field, value: Number(sum), numFmt });
        expect(new Decimal(cell.value as number).toFixed(dp)).toBe(sum);
      });
      expect(sheet.rowCount).toBe(3 + p.hospitals.length);
    }
    // Points add up to the pool's own figure.
    for (const p of report.pools) {
      const sheet = book.getWorksheet(`${p.pool === 'employee' ? '职工医保' : '居民医保'} ${p.pool}`)!;
      expect(sheet.getRow(3 + p.hospitals.length).getCell(4).value).toBe(Number(p.points));
    }
  }

  it('a month: numbers with their formats, names beside codes, totals per pool, parameters on their own sheet; the CSV one plain table', async () => {
    const report = await settle('month', '2024-03');
    expect(report.pools.flatMap((p) => p.hospitals.map((h) => [p.pool, h.hospitalCode, h.hospitalName]))).toEqual([
      ['employee', 'H001', '第一人民医院'],
      ['employee', 'H002', '甲等镇卫生院'],
      ['resident', 'H001', '第一人民医院'],
      ['resident', 'H002', '甲等镇卫生院'],
    ]);
    await checkWorkbook(report);

    const csv = await http().get(`/api/v1/settlements/${report.run.id}/report`).query({ format: 'csv' });
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe(['pool', ...COLUMNS.month.map(([f]) => f)].join(','));
    expect(lines.filter((l) => l.startsWith('#'))).toEqual([]);
    expect(lines).toHaveLength(1 + 4);
    const employeeH001 = report.pools[0].hospitals[0];
    expect(lines[1]).toBe(['employee', ...COLUMNS.month.map(([f]) => employeeH001[f])].join(','));
  });

  it('a year: every money column totalled exactly, the reserve and compensation figures among the parameters', async () => {
    const month = await settle('month', '2024-03');
    expect((await http().post(`/api/v1/settlements/${month.run.id}/finalise`)).status).toBe(200);
    const records = [
      ['violation', [{ year: '2024', pool: 'employee', hospitalCode: 'H002', amount: '100.00', reason: 'upcoding' }]],
      ['revolvingFund', [{ year: '2024', pool: 'employee', hospitalCode: 'H001', amount: '500.00' }]],
      ['assessment', [{ year: '2024', hospitalCode: 'H001', score: '0.9' }]],
    ] as const;
    for (const [kind, body] of records) expect((await http().post(`/api/v1/settlement-records/${kind}`).send(body)).status).toBe(201);

    const report = await settle('year', '2024');
    expect(report.run.monthsPrepaid).toEqual(['2024-03']);
    await checkWorkbook(report);

    const book = await workbook(report.run.id);
    const params = new Map<string, ExcelJS.Cell>();
    book.getWorksheet('参数 Parameters')!.eachRow((row) => params.set(String(row.getCell(2).value), row.getCell(3)));
    expect(params.get('run.monthsPrepaid')!.value).toBe('2024-03');
    const employee = report.pools.find((p) => p.pool === 'employee')! as unknown as {
      reserve: Record<string, string>;
      compensationScale: string;
    };
    for (const [k, v] of Object.entries(employee.reserve)) expect([k, params.get(`employee.reserve.${k}`)!.value]).toEqual([k, Number(v)]);
    expect(params.get('employee.compensationScale')!.value).toBe(Number(employee.compensationScale));
  });
});
