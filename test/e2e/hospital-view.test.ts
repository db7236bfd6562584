import './quiet-logs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CaseImportService } from '../../src/cases/case-import.service';
import { HospitalViewStore } from '../../src/hospitals/hospital-view.store';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { CASE_HEADER, caseLine, startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { HAND_CASES, seedHandMonth } from '../support/hand-month';
import { jsonCase } from './e2e-helpers';

/**
 * A hospital's view of itself (issue 12), every figure by hand.
 *
 * The hand month (test/support/hand-month.ts; points as in test/integration/settlement-month.test.ts:
 * the SAMPLE catalogue, the shipped scoring, k: H001 1.03, H002 0.76), departments added to four of
 * its cases by a re-import with replace, and five cases more (r = c / (m × k), spec §6):
 *
 *   March 2024        pool      group            score  rule       points    cost        fund        department
 *   C1  H001          employee  K80.1-51.2300    3000   normal     3090      24720.00    17000.00    普外科
 *   C3  H001          employee  K80.1-51.2300    3000   normal     3090      24000.00    16000.00    普外科
 *   C6  H001          employee  K80.1-51.2300    3000   high       6180      74160.00    50000.00    —
 *         r = 74160 / (24000 × 1.03) = 3 → 3000 × 1.03 × (3 − 2 + 1) = 6180
 *   C7  H001          employee  K80.1-51.2300    3000   extreme    12360     148320.00   100000.00   普外科
 *         r = 148320 / 24720 = 6 > 5 → as r = 5: 3000 × 1.03 × (5 − 2 + 1) = 12360
 *   C2  H002          employee  K80.1-CONS        750   normal     570       3000.00     2000.00     中医科
 *   C5  H001          resident  (no-score)        —     no-score   700       8000.00     5000.00     呼吸内科
 *   C8  H001 (JSON)   resident  K80.1-CONS        750   low        77.25     618.00      400.00      呼吸内科
 *         r = 618 / (6000 × 1.03) = 0.1 → 750 × 1.03 × 0.1 = 77.25
 *   C4  H002          resident  Z-K00-K93-S      3750   low        625       5000.00     3000.00     —
 *
 *   February 2024 (settled and finalised)
 *   C9  H001          employee  K80.1-51.2300    3000   normal     3090      24720.00    17000.00    普外科
 *   C10 H002          employee  K80.1-CONS        750   normal     570       6000.00     4000.00     —
 *         r = 6000 / (6000 × 0.76) = 1.3158 → 750 × 0.76 = 570
 *
 * Budgets: employee 3,600,000 → B = 300,000 a month; resident 120,000 → B = 10,000. Total-cost basis.
 *   March employee: C = 185,000 → F = 185,000; Σ points 25,290; Σ nonFund 89,200;
 *                   PV_e = 274,200 / 25,290 = 10.84223013…
 *   March resident: C = 8,400 → F = 8,400; Σ points 1,402.25; Σ nonFund 5,218;
 *                   PV_r = 13,618 / 1,402.25 = 9.71153503…
 *   February employee: C = 21,000 → F = 21,000; Σ points 3,660; Σ nonFund 9,720;
 *                   PV_f = 30,720 / 3,660 = 8.39344262…  (resident: no cases, PV 0)
 */
const HEADER = `${CASE_HEADER},department`;
const line = (department: string, over: Record<string, string>) => `${caseLine(over)},${department}`;
/** The hand cases (the same values as HAND_CASES) with departments on four of them, and C6, C7, C9, C10. */
const WITH_DEPARTMENTS = [
  line('普外科', { caseId: 'C1', totalCost: '24720.00', fundPayment: '17000.00', secondaryDiagnoses: '' }),
  line(' 普外科 ', { caseId: 'C3', otherProcedures: '51.2200', totalCost: '24000.00', fundPayment: '16000.00', secondaryDiagnoses: '' }),
  line('中医科', {
    caseId: 'C2',
    hospitalCode: 'H002',
    principalProcedure: '',
    totalCost: '3000.00',
    fundPayment: '2000.00',
    secondaryDiagnoses: '',
  }),
  line('呼吸内科', {
    caseId: 'C5',
    pool: 'resident',
    principalDiagnosis: 'J18.900',
    principalProcedure: '',
    totalCost: '8000.00',
    fundPayment: '5000.00',
    secondaryDiagnoses: '',
  }),
  line('', {
    caseId: 'C4',
    pool: 'resident',
    hospitalCode: 'H002',
    principalDiagnosis: 'K81.000',
    totalCost: '5000.00',
    fundPayment: '3000.00',
    secondaryDiagnoses: '',
  }),
  line('', { caseId: 'C6', totalCost: '74160.00', fundPayment: '50000.00', secondaryDiagnoses: '' }),
  line('普外科', { caseId: 'C7', totalCost: '148320.00', fundPayment: '100000.00', secondaryDiagnoses: '' }),
  line('普外科', {
    caseId: 'C9',
    admissionDate: '2024-02-01',
    dischargeDate: '2024-02-10',
    totalCost: '24720.00',
    fundPayment: '17000.00',
    secondaryDiagnoses: '',
  }),
  line('', {
    caseId: 'C10',
    hospitalCode: 'H002',
    admissionDate: '2024-02-01',
    dischargeDate: '2024-02-10',
    principalProcedure: '',
    totalCost: '6000.00',
    fundPayment: '4000.00',
    secondaryDiagnoses: '',
  }),
];

const shipped = () => JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
const policyDoc = () => {
  const p = shipped();
  p.budget = { employee: { dipBudget: '3600000.00' }, resident: { dipBudget: '120000.00' } };
  p.settlement.basis = 'totalCost';
  return p;
};

describeEngines('a hospital’s view of itself on %s', (engine) => {
  let t: TestApp;
  let s: SettlementService;
  let march: string;
  let february: string;
  const http = () => t.http();
  const get = (path: string, query: Record<string, string>) => http().get(`/api/v1/hospitals/${path}`).query(query);
  // Cases come in through the import service, the path of every upload (validation, duplicates, the
  // engine's writer: MySQL LOAD DATA, SQLite staging); the views are asked over HTTP.
  const importCsv = async (body: string, replace = false) =>
    (
      await t.app
        .get(CaseImportService)
        .start(Readable.from([body]), { format: 'csv', atomic: false, replace, source: 'hospital-view test', actor: 'tester' })
    ).done;
  const importJson = (cases: Record<string, unknown>[], atomic = false) =>
    t.app.get(CaseImportService).importArray(cases, { atomic, replace: false, source: 'hospital-view test', actor: 'tester' });

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_hospital_view');
    s = t.app.get(SettlementService);
    await seedHandMonth(t, policyDoc());
  });
  afterAll(async () => t?.close());

  describe('the department of a case', () => {
    it('leaves stored cases without one as they were: the hand cases again are skipped (same content hash)', async () => {
      const again = await importCsv([CASE_HEADER, ...HAND_CASES].join('\n'));
      expect(again.status).toBe('committed');
      expect(again.counts).toEqual({ read: 5, inserted: 0, replaced: 0, skipped: 5, rejected: 0 });
      // With an empty department column too.
      const empty = await importCsv([HEADER, ...HAND_CASES.map((l) => `${l},`)].join('\n'));
      expect(empty.counts).toEqual({ read: 5, inserted: 0, replaced: 0, skipped: 5, rejected: 0 });
    });

    it('is new content: without replace a case given a department is rejected; with replace it is replaced', async () => {
      const refused = await importCsv([HEADER, WITH_DEPARTMENTS[0]].join('\n'));
      expect(refused.counts).toMatchObject({ inserted: 0, replaced: 0, rejected: 1 });
      const res = await importCsv([HEADER, ...WITH_DEPARTMENTS].join('\n'), true);
      expect(res.status).toBe('committed');
      // C1, C3, C2, C5 replaced (a department now); C4 skipped (none, as stored); C6, C7, C9, C10 new.
      expect(res.counts).toEqual({ read: 9, inserted: 4, replaced: 4, skipped: 1, rejected: 0 });
      // The replacement's audit entry says what changed.
      const audit = await t.db.execute(`SELECT before_state, after_state FROM audit_log WHERE action = 'case.replace' AND entity_id = ?`, [
        '370300/C1',
      ]);
      expect(audit.rows.map((r) => [JSON.parse(String(r.before_state)).department, JSON.parse(String(r.after_state)).department])).toEqual([
        [null, '普外科'],
      ]);
    });

    it('comes in as JSON too, and a bad one is refused naming the field, never quoting the patientId', async () => {
      const bad = await importJson(
        [
          jsonCase({ caseId: 'C8', department: 'D'.repeat(65) }),
          jsonCase({ caseId: 'C8b', patientId: 'PX\u0001', department: 'PX\u0001' }),
        ],
        true,
      );
      expect(bad.status).toBe('rejected');
      const reasons = bad.rejections.filter((r) => r.field === 'department');
      expect(reasons.map((r) => r.reason)).toEqual([
        'must be at most 64 characters; got 65',
        'must be printable: no tab, line break or other control character; got (a value withheld: it is the patientId)',
      ]);
      expect(JSON.stringify(bad)).not.toContain('PX');

      const ok = await importJson([
        jsonCase({
          caseId: 'C8',
          pool: 'resident',
          principalProcedure: '',
          totalCost: '618.00',
          fundPayment: '400.00',
          secondaryDiagnoses: '',
          department: '呼吸内科',
        }),
      ]);
      expect(ok.status).toBe('committed');
      expect(ok.counts).toMatchObject({ inserted: 1, rejected: 0 });

      // The longest: 64 characters of 4 bytes in UTF-8 (128 UTF-16 units) fit the column on both engines
      // (December 2023: no view below reads it).
      const longest = '𠀀'.repeat(64);
      const d64 = await importJson([
        jsonCase({ caseId: 'D64', admissionDate: '2023-12-01', dischargeDate: '2023-12-05', department: longest }),
      ]);
      expect(d64.counts).toMatchObject({ inserted: 1, rejected: 0 });
      const stored = await t.db.execute('SELECT department FROM dip_case WHERE case_id = ?', ['D64']);
      expect(stored.rows[0].department).toBe(longest);
    });

    it('is stored in its column, trimmed, NULL when none was given', async () => {
      const { rows } = await t.db.execute('SELECT case_id, department FROM dip_case ORDER BY case_id');
      expect(rows.map((r) => [String(r.case_id), r.department === null ? null : String(r.department)])).toEqual([
        ['C1', '普外科'],
        ['C10', null],
        ['C2', '中医科'],
        ['C3', '普外科'],
        ['C4', null],
        ['C5', '呼吸内科'],
        ['C6', null],
        ['C7', '普外科'],
        ['C8', '呼吸内科'],
        ['C9', '普外科'],
        ['D64', '𠀀'.repeat(64)],
      ]);
      expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM case_staging')).rows[0].n)).toBe(0);
    });
  });

  describe('views of the settled months', () => {
    beforeAll(async () => {
      february = (await (await s.start('370300', 'month', '2024-02', 'tester')).done).run.id;
      await s.finalise(february, 'tester');
      march = (await (await s.start('370300', 'month', '2024-03', 'tester')).done).run.id;
      // The settlement itself, as test/integration/settlement-month.test.ts computes it:
      //   March employee: E1 = 24,720 × PV_e − 88,200 = 179,819.93; E2 = 570 × PV_e − 1,000 = 5,180.07 (Σ = F);
      //                   P1 = 179,819.93 × 0.95 = 170,828.93; P2 = min(5,180.07, 2,000) × 0.95 = 1,900.00.
      //   March resident: E1 = 777.25 × PV_r − 3,218 = 4,330.29; E2 = 625 × PV_r − 2,000 = 4,069.71;
      //                   P1 = 4,330.29 × 0.95 = 4,113.78; P2 = min(4,069.71, 3,000) × 0.95 = 2,850.00.
      //   February employee: E1 = 3,090 × PV_f − 7,720 = 18,215.74; E2 = 570 × PV_f − 2,000 = 2,784.26;
      //                   P1 = min(18,215.74, 17,000) × 0.95 = 16,150.00; P2 = 2,784.26 × 0.95 = 2,645.05.
      const report = await s.report(march);
      expect(report.pools.map((p) => [p.pool, p.pointValue, p.hospitals.map((h) => [h.hospitalCode, h.entitlement])])).toEqual([
        [
          'employee',
          '10.842230',
          [
            ['H001', '179819.93'],
            ['H002', '5180.07'],
          ],
        ],
        [
          'resident',
          '9.711535',
          [
            ['H001', '4330.29'],
            ['H002', '4069.71'],
          ],
        ],
      ]);
    });

    it('summarises a month: cases, points, CMI, outliers, entitlement and pre-settlement, the region beside each', async () => {
      const res = await get('H001/summary', { period: '2024-03' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ hospitalCode: 'H001', hospitalName: '第一人民医院', region: '370300', period: '2024-03' });
      expect(res.body.months).toEqual([
        {
          period: '2024-03',
          status: 'draft',
          settlementRun: march,
          groupingRun: expect.any(String),
          basis: 'totalCost',
          pointValues: [
            { pool: 'employee', pointValue: '10.842230' },
            { pool: 'resident', pointValue: '9.711535' },
          ],
        },
      ]);
      const { hospitalCode: _c, hospitalName: _n, region: _r, period: _p, months: _m, ...figures } = res.body;
      expect(figures).toEqual({
        // H001: C1 C3 C6 C7 C5 C8; the region: those and C2, C4.
        cases: { hospital: 6, region: 8 },
        // 3090 + 3090 + 6180 + 12360 + 700 + 77.25 = 25,497.25; + 570 + 625 = 26,692.25.
        points: { hospital: '25497.2500', region: '26692.2500' },
        // C5 has no score. H001: 3000 × 4 + 750 = 12,750 over 5 → 2,550;
        // the region: 12,750 + 750 (C2) + 3750 (C4) = 17,250 over 7 → 2,464.2857…
        scoredCases: { hospital: 5, region: 7 },
        meanScore: { hospital: '2550.0000', region: '2464.2857' },
        // CMI = 2,550 / 2,464.2857… = 12,750 × 7 / (17,250 × 5) = 1.034782… → 1.0348; the region's is 1.
        cmi: { hospital: '1.0348', region: '1.0000' },
        outliers: {
          // H001: C8 low, C6 high, C7 extreme, each 1 of 6 = 0.1667; the region: C8 and C4 low (2 of 8), C6, C7.
          low: { cases: { hospital: 1, region: 2 }, rate: { hospital: '0.1667', region: '0.2500' } },
          high: { cases: { hospital: 1, region: 1 }, rate: { hospital: '0.1667', region: '0.1250' } },
          extreme: { cases: { hospital: 1, region: 1 }, rate: { hospital: '0.1667', region: '0.1250' } },
        },
        pools: [
          {
            pool: 'employee',
            cases: { hospital: 4, region: 5 },
            points: { hospital: '24720.0000', region: '25290.0000' },
            // The region's entitlements are F = 185,000 (residual 0).
            entitlement: { hospital: '179819.93', region: '185000.00' },
            prepay: { hospital: '170828.93', region: '172728.93' },
            // A draft month: nothing counts as paid yet.
            prepayFinal: { hospital: '0.00', region: '0.00' },
          },
          {
            pool: 'resident',
            cases: { hospital: 2, region: 3 },
            points: { hospital: '777.2500', region: '1402.2500' },
            entitlement: { hospital: '4330.29', region: '8400.00' },
            prepay: { hospital: '4113.78', region: '6963.78' },
            prepayFinal: { hospital: '0.00', region: '0.00' },
          },
        ],
      });

      // H002: C2 (750) and C4 (3750): mean 2,250; CMI = 2,250 × 7 / 17,250 = 0.913043… → 0.9130; C4 low (1 of 2).
      const h2 = (await get('H002/summary', { period: '2024-03' })).body;
      expect([h2.cases, h2.cmi, h2.outliers.low]).toEqual([
        { hospital: 2, region: 8 },
        { hospital: '0.9130', region: '1.0000' },
        { cases: { hospital: 1, region: 2 }, rate: { hospital: '0.5000', region: '0.2500' } },
      ]);
    });

    it('adds up a year so far: its settled months (draft or final), prepayFinal only the finalised ones', async () => {
      const res = await get('H001/summary', { period: '2024' });
      expect(res.status).toBe(200);
      expect(
        res.body.months.map((m: { period: string; status: string; settlementRun: string }) => [m.period, m.status, m.settlementRun]),
      ).toEqual([
        ['2024-02', 'final', february],
        ['2024-03', 'draft', march],
      ]);
      expect(res.body.months[0].pointValues).toEqual([
        { pool: 'employee', pointValue: '8.393443' },
        { pool: 'resident', pointValue: '0.000000' },
      ]);
      expect(res.body).toMatchObject({
        period: '2024',
        // + C9 for H001; + C9, C10 for the region.
        cases: { hospital: 7, region: 10 },
        points: { hospital: '28587.2500', region: '30352.2500' },
        // H001: 12,750 + 3000 = 15,750 over 6 → 2,625; the region: 17,250 + 3000 + 750 = 21,000 over 9 → 2,333.3333…;
        // CMI = 2,625 / 2,333.33… = 1.125.
        scoredCases: { hospital: 6, region: 9 },
        meanScore: { hospital: '2625.0000', region: '2333.3333' },
        cmi: { hospital: '1.1250', region: '1.0000' },
        outliers: {
          // 1 of 7 = 0.142857… → 0.1429; the region: 2 of 10, 1 of 10, 1 of 10.
          low: { cases: { hospital: 1, region: 2 }, rate: { hospital: '0.1429', region: '0.2000' } },
          high: { cases: { hospital: 1, region: 1 }, rate: { hospital: '0.1429', region: '0.1000' } },
          extreme: { cases: { hospital: 1, region: 1 }, rate: { hospital: '0.1429', region: '0.1000' } },
        },
      });
      expect(res.body.pools).toEqual([
        {
          pool: 'employee',
          cases: { hospital: 5, region: 7 },
          points: { hospital: '27810.0000', region: '28950.0000' },
          // 179,819.93 + 18,215.74 = 198,035.67; the region: 185,000 + 21,000.
          entitlement: { hospital: '198035.67', region: '206000.00' },
          // 170,828.93 + 16,150.00; the region: + 1,900.00 + 2,645.05.
          prepay: { hospital: '186978.93', region: '191523.98' },
          // February only: 16,150.00; the region 16,150.00 + 2,645.05.
          prepayFinal: { hospital: '16150.00', region: '18795.05' },
        },
        {
          pool: 'resident',
          cases: { hospital: 2, region: 3 },
          points: { hospital: '777.2500', region: '1402.2500' },
          entitlement: { hospital: '4330.29', region: '8400.00' },
          prepay: { hospital: '4113.78', region: '6963.78' },
          prepayFinal: { hospital: '0.00', region: '0.00' },
        },
      ]);
    });

    it('values each group: points × the pool’s point value to the fen, the actual cost and the difference', async () => {
      const res = await get('H001/groups', { period: '2024-03' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ hospitalCode: 'H001', period: '2024-03', sort: 'points', order: 'desc' });
      expect(res.body.items).toEqual([
        // C1 C3 C6 C7: 24,720 × PV_e = 268,019.9288… → 268,019.93 (= E1 + nonFund 88,200: the entitlement
        // is the payment less what the patients paid); cost 24,720 + 24,000 + 74,160 + 148,320 = 271,200.
        {
          group: 'K80.1-51.2300',
          key: 'K80.1|51.2300',
          kind: 'core',
          cases: 4,
          points: '24720.0000',
          estimatedPayment: '268019.93',
          actualCost: '271200.00',
          difference: '-3180.07',
        },
        // C5: 700 × PV_r = 6,798.0745… → 6,798.07; cost 8,000.
        {
          group: null,
          key: null,
          kind: null,
          cases: 1,
          points: '700.0000',
          estimatedPayment: '6798.07',
          actualCost: '8000.00',
          difference: '-1201.93',
        },
        // C8: 77.25 × PV_r = 750.2161… → 750.22; cost 618.
        {
          group: 'K80.1-CONS',
          key: 'K80.1|',
          kind: 'core',
          cases: 1,
          points: '77.2500',
          estimatedPayment: '750.22',
          actualCost: '618.00',
          difference: '132.22',
        },
      ]);
      // The sum of the rows; the points are H001's 25,497.25.
      expect(res.body.total).toEqual({
        cases: 6,
        points: '25497.2500',
        estimatedPayment: '275568.22',
        actualCost: '279818.00',
        difference: '-4249.78',
      });
    });

    it('sorts the groups by any column, either way; ties by code, the no-score row last by code', async () => {
      const order = async (query: Record<string, string>) =>
        (await get('H001/groups', { period: '2024-03', ...query })).body.items.map((r: { group: string | null }) => r.group);
      expect(await order({ sort: 'difference', order: 'asc' })).toEqual(['K80.1-51.2300', null, 'K80.1-CONS']);
      expect(await order({ sort: 'difference', order: 'desc' })).toEqual(['K80.1-CONS', null, 'K80.1-51.2300']);
      expect(await order({ sort: 'estimatedPayment' })).toEqual(['K80.1-51.2300', null, 'K80.1-CONS']);
      expect(await order({ sort: 'actualCost', order: 'asc' })).toEqual(['K80.1-CONS', null, 'K80.1-51.2300']);
      expect(await order({ sort: 'points', order: 'asc' })).toEqual(['K80.1-CONS', null, 'K80.1-51.2300']);
      // 1, 1, 4 cases: the tie of the two single cases goes by code, the no-score row last.
      expect(await order({ sort: 'cases', order: 'asc' })).toEqual(['K80.1-CONS', null, 'K80.1-51.2300']);
      expect(await order({ sort: 'cases', order: 'desc' })).toEqual(['K80.1-51.2300', 'K80.1-CONS', null]);
      // '5' (U+0035) before 'C' (U+0043); null last both ways.
      expect(await order({ sort: 'group', order: 'asc' })).toEqual(['K80.1-51.2300', 'K80.1-CONS', null]);
      expect(await order({ sort: 'group', order: 'desc' })).toEqual(['K80.1-CONS', 'K80.1-51.2300', null]);
    });

    it('values a year’s groups with each month’s point value, rounded once', async () => {
      const res = await get('H001/groups', { period: '2024' });
      expect(res.body.items[0]).toEqual({
        // + C9 in February: 24,720 × PV_e + 3,090 × PV_f = 268,019.9288… + 25,935.7377… = 293,955.6665… → 293,955.67;
        // cost 271,200 + 24,720 = 295,920.
        group: 'K80.1-51.2300',
        key: 'K80.1|51.2300',
        kind: 'core',
        cases: 5,
        points: '27810.0000',
        estimatedPayment: '293955.67',
        actualCost: '295920.00',
        difference: '-1964.33',
      });
    });

    it('shows the departments, cases without one as null, each with its CMI', async () => {
      const res = await get('H001/departments', { period: '2024-03' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sort: 'points', order: 'desc' });
      expect(res.body.items).toEqual([
        // C1 C3 C7: 18,540 × PV_e = 201,014.9466… → 201,014.95; cost 24,720 + 24,000 + 148,320 = 197,040;
        // mean score 3000; CMI 3000 / 2,464.2857… = 1.217391… → 1.2174.
        {
          department: '普外科',
          cases: 3,
          points: '18540.0000',
          estimatedPayment: '201014.95',
          actualCost: '197040.00',
          difference: '3974.95',
          scoredCases: 3,
          meanScore: '3000.0000',
          cmi: '1.2174',
        },
        // C6: 6,180 × PV_e = 67,004.9822… → 67,004.98; cost 74,160.
        {
          department: null,
          cases: 1,
          points: '6180.0000',
          estimatedPayment: '67004.98',
          actualCost: '74160.00',
          difference: '-7155.02',
          scoredCases: 1,
          meanScore: '3000.0000',
          cmi: '1.2174',
        },
        // C5 C8 (resident): 777.25 × PV_r = 7,548.2906… → 7,548.29; cost 8,000 + 618 = 8,618;
        // C5 has no score: mean 750 (C8 alone); CMI 750 / 2,464.2857… = 0.304347… → 0.3043.
        {
          department: '呼吸内科',
          cases: 2,
          points: '777.2500',
          estimatedPayment: '7548.29',
          actualCost: '8618.00',
          difference: '-1069.71',
          scoredCases: 1,
          meanScore: '750.0000',
          cmi: '0.3043',
        },
      ]);
      expect(res.body.total).toEqual({
        cases: 6,
        points: '25497.2500',
        estimatedPayment: '275568.22',
        actualCost: '279818.00',
        difference: '-4249.78',
      });
      // By name: 呼 (U+547C) before 普 (U+666E); null last.
      const byName = await get('H001/departments', { period: '2024-03', sort: 'department', order: 'asc' });
      expect(byName.body.items.map((r: { department: string | null }) => r.department)).toEqual(['呼吸内科', '普外科', null]);
      const byDifference = await get('H001/departments', { period: '2024-03', sort: 'difference', order: 'asc' });
      expect(byDifference.body.items.map((r: { department: string | null }) => r.department)).toEqual([null, '呼吸内科', '普外科']);
      // Another hospital sees its own departments only.
      const h2 = await get('H002/departments', { period: '2024-03', sort: 'department', order: 'asc' });
      expect(h2.body.items.map((r: { department: string | null; cases: number }) => [r.department, r.cases])).toEqual([
        ['中医科', 1],
        [null, 1],
      ]);
    });

    it('a year’s departments add up the months', async () => {
      const res = await get('H001/departments', { period: '2024', sort: 'department', order: 'desc' });
      // 普外科 + C9: 18,540 × PV_e + 3,090 × PV_f = 226,950.68; cost 197,040 + 24,720 = 221,760.
      expect(res.body.items[0]).toMatchObject({
        department: '普外科',
        cases: 4,
        points: '21630.0000',
        estimatedPayment: '226950.68',
        actualCost: '221760.00',
        difference: '5190.68',
        // 3000 / 2,333.33… = 1.2857.
        cmi: '1.2857',
      });
    });

    it('a registered hospital without cases in a settled month gets zeros, and no CMI or rates', async () => {
      await t.app.get(HospitalsService).upsert([{ code: 'H003', name: '空医院', region: '370300', level: 'L1', bonuses: '' }], 'tester');
      const res = await get('H003/summary', { period: '2024-03' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        cases: { hospital: 0, region: 8 },
        points: { hospital: '0.0000', region: '26692.2500' },
        cmi: { hospital: null, region: '1.0000' },
        outliers: { low: { cases: { hospital: 0, region: 2 }, rate: { hospital: null, region: '0.2500' } } },
      });
      const groups = await get('H003/groups', { period: '2024-03' });
      expect(groups.body.items).toEqual([]);
      expect(groups.body.total).toEqual({ cases: 0, points: '0.0000', estimatedPayment: '0.00', actualCost: '0.00', difference: '0.00' });
    });

    it('reads a view again when a month was re-run while it was read; 409 when that goes on', async () => {
      const store = t.app.get(HospitalViewStore);
      const reread = jest.spyOn(store, 'monthRuns');
      const check = jest.spyOn(store, 'monthRunIds').mockResolvedValueOnce(['a-replaced-run']);
      try {
        const res = await get('H001/summary', { period: '2024-03' });
        expect(res.status).toBe(200);
        expect(res.body.cmi.hospital).toBe('1.0348');
        expect([reread.mock.calls.length, check.mock.calls.length]).toEqual([2, 2]);
        check.mockResolvedValue(['a-replaced-run']);
        const busy = await get('H001/groups', { period: '2024-03' });
        expect([busy.status, busy.body.error]).toEqual([409, 'settlement-changing']);
      } finally {
        reread.mockRestore();
        check.mockRestore();
      }
    });

    it('answers 404 for an unknown hospital or a period without a settlement run, 400 for a bad query', async () => {
      for (const path of ['H999/summary', 'H999/groups', 'H999/departments']) {
        const res = await get(path, { period: '2024-03' });
        expect([res.status, res.body.error]).toEqual([404, 'unknown-hospital']);
      }
      for (const period of ['2024-04', '2023', '2024-01']) {
        const res = await get('H001/summary', { period });
        expect([res.status, res.body.error]).toEqual([404, 'no-settlement']);
      }
      // A hospital of a region without runs.
      await t.app.get(HospitalsService).upsert([{ code: 'B001', name: '北京医院', region: '110100', level: 'L1', bonuses: '' }], 'tester');
      const beijing = await t.login({ role: 'agency', region: '110100' });
      expect((await t.http(beijing).get('/api/v1/hospitals/B001/groups').query({ period: '2024-03' })).body.error).toBe('no-settlement');

      const bad: Record<string, string>[] = [
        {},
        { period: '2024-13' },
        { period: '24-03' },
        { period: '2024-03', sort: 'name' },
        { period: '2024', order: 'up' },
      ];
      for (const query of bad) {
        const res = await get('H001/groups', query);
        expect(res.status).toBe(400);
      }
      expect((await get('H001/summary', { period: '2024-03', sort: 'points' })).status).toBe(400);
      expect((await get('H001/departments', { period: '2024-03', sort: 'group' })).status).toBe(400);
    });
  });
});
