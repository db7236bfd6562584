import { PoliciesService } from '../../src/policies/policies.service';
import { AnnualHospital, MonthlyHospital } from '../../src/domain/settlement/settlement';
import { RecordsService } from '../../src/settlement/records.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { startTestApp, TestApp } from '../support/app';
import { handYearPolicy, seedHandMonth } from '../support/hand-month';
import { describeEngines } from '../support/engines';

/**
 * A year by hand (spec §8.1, §8.4), the five cases of settlement-month.test.ts (employee: H001
 * 6,180 points, non-fund 15,720, bookkeeping 33,000; H002 570, 1,000, 2,000; resident: H001 700,
 * 3,000, 5,000; H002 625, 2,000, 3,000), all in March. Employee budget from revenue: 50,000 −
 * reserve 5,000 − lines 15,000 = 30,000; resident 120,000 given. Every figure below was also
 * checked with Python's decimal module.
 */
const policyDoc = (basis: 'totalCost' | 'fund' = 'totalCost') => ({
  ...handYearPolicy(),
  settlement: { ...handYearPolicy().settlement, basis },
});

describeEngines('annual settlement and clearing on %s', (engine) => {
  let t: TestApp;
  let s: SettlementService;

  beforeAll(async () => {
    t = await startTestApp(engine, 'settle_year');
    s = t.app.get(SettlementService);
    await seedHandMonth(t, policyDoc());
  });
  afterAll(async () => t?.close());

  it('refuses bad records whole, naming row and field', async () => {
    const r = t.app.get(RecordsService);
    await expect(
      r.record(
        'assessment',
        [
          { year: '2024', hospitalCode: 'H001', score: '1.5' },
          { year: '2024', hospitalCode: 'H404', score: '0.5' },
        ],
        'tester',
      ),
    ).rejects.toMatchObject({
      code: 'invalid-records',
      problems: [
        { row: 0, field: 'score' },
        { row: 1, field: 'hospitalCode', reason: 'hospital "H404" is not registered' },
      ],
    });
    await expect(
      r.record('violation', [{ year: '2024', pool: 'employee', hospitalCode: 'H002', amount: 100, reason: 'x' }], 'tester'),
    ).rejects.toMatchObject({ problems: [{ field: 'amount', reason: 'must be a string' }] });
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM assessment')).rows[0].n)).toBe(0);
  });

  it('clears the year to the fen: reserve split, assessment, violations, tiers scaled to J, prepaid months, revolving fund', async () => {
    // March pre-settlement, finalised: employee B = 2,500, PV = 19,220 / 6,750 → E 1,876.98 / 623.02,
    // paid 1,783.13 / 591.87; resident (as in the monthly test) paid 3,674.52 / 2,850.00.
    const month = await (await s.start('370300', 'month', '2024-03', 'tester')).done;
    expect(month.pools.map((p) => (p.hospitals as MonthlyHospital[]).map((h) => h.prepay))).toEqual([
      ['1783.13', '591.87'],
      ['3674.52', '2850.00'],
    ]);
    await s.finalise(month.run.id, 'tester');

    const r = t.app.get(RecordsService);
    await r.record(
      'budgetActual',
      [
        { region: '370300', year: '2024', pool: 'employee', line: 'generalOutpatient', amount: '12000.00' },
        { region: '370300', year: '2024', pool: 'employee', line: 'outpatientChronic', amount: '4000.00' },
      ],
      'tester',
    );
    await r.record('assessment', [{ year: '2024', hospitalCode: 'H001', score: '0.9' }], 'tester');
    await r.record(
      'violation',
      [
        { year: '2024', pool: 'employee', hospitalCode: 'H002', amount: '60.00', reason: 'upcoding' },
        { year: '2024', pool: 'employee', hospitalCode: 'H002', amount: '40.00', reason: 'split stay' },
      ],
      'tester',
    );
    await r.record('revolvingFund', [{ year: '2024', pool: 'employee', hospitalCode: 'H001', amount: '500.00' }], 'tester');

    const y = await (await s.start('370300', 'year', '2024', 'tester')).done;
    expect(y.run).toMatchObject({ kind: 'year', period: '2024', status: 'draft', monthsPrepaid: ['2024-03'] });
    const [emp, res] = y.pools;
    // Shortfall 2,000 (general outpatient) → L = 3,000: 2,100 to the fund, J = 900. F = 32,100.
    // PV = (32,100 + 16,720) / 6,750 = 7.2325925…; E 28,977.42 / 3,122.58.
    expect(emp).toMatchObject({
      pool: 'employee',
      dipBudget: '30000.00',
      reserve: { shortfall: '2000.00', remainder: '3000.00', toDipFund: '2100.00', adjustmentFund: '900.00', uncovered: '0.00' },
      fund: '32100.00',
      pointValue: '7.232593',
      residual: '0.00',
      compensationClaimed: '1448.87',
      compensationScale: '0.621173',
    });
    expect(emp.hospitals).toEqual([
      // H001: overspend 33,000 − 28,977.42 = 4,022.58; claimed 50 % of the part up to 2,897.742 =
      // 1,448.871 > J → 900.00; assessment 28,977.42 × 0.05 × 0.1 = 144.89;
      // final 28,977.42 − 144.89 + 900 = 29,732.53; balance − 1,783.13 − 500 = 27,449.40.
      {
        hospitalCode: 'H001',
        hospitalName: '第一人民医院',
        cases: 2,
        points: '6180.0000',
        nonFund: '15720.00',
        bookkeeping: '33000.00',
        entitlement: '28977.42',
        assessmentDeduction: '144.89',
        violations: '0.00',
        overspend: '4022.58',
        compensation: '900.00',
        final: '29732.53',
        prepaid: '1783.13',
        revolvingFund: '500.00',
        balance: '27449.40',
      },
      // H002: violations 100; final 3,022.58; balance − 591.87 = 2,430.71.
      {
        hospitalCode: 'H002',
        hospitalName: '甲等镇卫生院',
        cases: 1,
        points: '570.0000',
        nonFund: '1000.00',
        bookkeeping: '2000.00',
        entitlement: '3122.58',
        assessmentDeduction: '0.00',
        violations: '100.00',
        overspend: '0.00',
        compensation: '0.00',
        final: '3022.58',
        prepaid: '591.87',
        revolvingFund: '0.00',
        balance: '2430.71',
      },
    ]);
    // Resident: dipBudget given, no reserve; PV = 125,000 / 1,325; E 63,037.74 / 56,962.26;
    // H001 assessment 315.19 → final 62,722.55, balance − 3,674.52 = 59,048.03; H002 54,112.26.
    expect(res).toMatchObject({ pool: 'resident', fund: '120000.00', pointValue: '94.339623', adjustmentFund: '0.00', residual: '0.00' });
    expect(
      (res.hospitals as AnnualHospital[]).map((h) => [h.hospitalCode, h.entitlement, h.assessmentDeduction, h.final, h.prepaid, h.balance]),
    ).toEqual([
      ['H001', '63037.74', '315.19', '62722.55', '3674.52', '59048.03'],
      ['H002', '56962.26', '0.00', '56962.26', '2850.00', '54112.26'],
    ]);
  });

  it('clears the same year to the fen on the fund basis (re-run replaces the draft)', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the newest stored policy wins; datetimes have whole seconds on MySQL
    await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', policyDoc('fund'));
    const y = await (await s.start('370300', 'year', '2024', 'tester')).done;
    expect(Number((await t.db.execute(`SELECT COUNT(*) AS n FROM settlement_run WHERE kind = 'year'`)).rows[0].n)).toBe(1);
    const [emp, res] = y.pools;
    // PV = 32,100 / 6,750 = 4.7555…; E 29,389.33 / 2,710.67. H001 overspend 3,610.67, claimed
    // 50 % of 2,938.933 = 1,469.4665 > J = 900 → 900.00 (scale 900 / 1,469.4665 = 0.612467);
    // assessment 29,389.33 × 0.005 = 146.95; final 30,142.38; balance − 1,783.13 − 500 = 27,859.25.
    // H002: final 2,710.67 − 100 = 2,610.67; balance − 591.87 = 2,018.80. (The March amounts paid
    // were settled on the total-cost basis and stay as paid.)
    expect(emp).toMatchObject({
      fund: '32100.00',
      pointValue: '4.755556',
      residual: '0.00',
      compensationClaimed: '1469.47',
      compensationScale: '0.612467',
    });
    expect(
      (emp.hospitals as AnnualHospital[]).map((h) => [
        h.hospitalCode,
        h.entitlement,
        h.overspend,
        h.compensation,
        h.assessmentDeduction,
        h.violations,
        h.final,
        h.balance,
      ]),
    ).toEqual([
      ['H001', '29389.33', '3610.67', '900.00', '146.95', '0.00', '30142.38', '27859.25'],
      ['H002', '2710.67', '0.00', '0.00', '0.00', '100.00', '2610.67', '2018.80'],
    ]);
    // Resident: PV = 120,000 / 1,325 = 90.566…; E 63,396.23 / 56,603.77; H001 assessment 316.98.
    expect(res).toMatchObject({ fund: '120000.00', pointValue: '90.566038', residual: '0.00' });
    expect(
      (res.hospitals as AnnualHospital[]).map((h) => [h.hospitalCode, h.entitlement, h.assessmentDeduction, h.final, h.balance]),
    ).toEqual([
      ['H001', '63396.23', '316.98', '63079.25', '59404.73'],
      ['H002', '56603.77', '0.00', '56603.77', '53753.77'],
    ]);
  });
});
