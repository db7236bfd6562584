import { Dec } from '../../src/domain/decimal';
import { DipError } from '../../src/domain/errors';
import {
  Breakdown,
  caseMixIndex,
  departmentResult,
  exactPointValue,
  groupResult,
  groupRows,
  hospitalSummary,
  meanScore,
  ResultTally,
  scoreSumOf,
  SettledHospital,
  ViewCase,
  ViewMonth,
} from '../../src/domain/hospital-view';

/** The pure side of a hospital's views (issue 12); every figure by hand. */

const month = (over: Partial<ViewMonth> = {}): ViewMonth => ({
  period: '2024-03',
  settlementRun: 'S3',
  groupingRun: 'G3',
  status: 'draft',
  basis: 'totalCost',
  // PV = (1,000 + 500) / 300 = 5 exactly; resident: (200 + 100) / 90 = 3.333…
  pools: [
    { pool: 'employee', fund: '1000.00', nonFund: '500.00', points: '300.0000', pointValue: '5.000000' },
    { pool: 'resident', fund: '200.00', nonFund: '100.00', points: '90.0000', pointValue: '3.333333' },
  ],
  ...over,
});

const vcase = (over: Partial<ViewCase>): ViewCase => ({
  caseId: 'X',
  pool: 'employee',
  group: 'G1',
  key: 'K|1',
  kind: 'core',
  score: '100.0000',
  points: '100.0000',
  totalCost: '600.00',
  fundPayment: '400.00',
  department: null,
  ...over,
});

describe('exactPointValue (spec §8.2, as the run computed it)', () => {
  it('total-cost basis (F + Σ nonFund) / Σ points, fund basis F / Σ points, 0 without points', () => {
    const p = month().pools[1];
    expect(exactPointValue(p, 'totalCost').toString()).toBe(new Dec(300).div(90).toString());
    expect(exactPointValue(p, 'fund').toString()).toBe(new Dec(200).div(90).toString());
    expect(exactPointValue({ ...p, points: '0.0000' }, 'totalCost').isZero()).toBe(true);
  });
});

describe('scores and the case-mix index', () => {
  const tallies: ResultTally[] = [
    { outlier: 'normal', score: '3000.0000', cases: 4 },
    { outlier: 'low', score: '750', cases: 1 },
    { outlier: 'no-score', score: null, cases: 3 },
  ];

  it('counts only scored cases: no-score cases are in neither the sum nor the count', () => {
    const s = scoreSumOf(tallies);
    expect([s.cases, s.sum.toString()]).toEqual([5, '12750']);
    expect(meanScore(s)).toBe('2550.0000');
    expect(meanScore(scoreSumOf([{ outlier: 'no-score', score: null, cases: 2 }]))).toBeNull();
  });

  it('is the mean ÷ the region mean, rounded once to 4 dp; null without scored cases on either side', () => {
    const region = scoreSumOf([
      ...tallies,
      { outlier: 'normal', score: '750.0000', cases: 1 },
      { outlier: 'low', score: '3750.0000', cases: 1 },
    ]);
    // 2,550 / (17,250 / 7) = 1.0347826… → 1.0348
    expect(caseMixIndex(scoreSumOf(tallies), region)).toBe('1.0348');
    expect(caseMixIndex(region, region)).toBe('1.0000');
    expect(caseMixIndex({ cases: 0, sum: new Dec(0) }, region)).toBeNull();
    expect(caseMixIndex(region, { cases: 0, sum: new Dec(0) })).toBeNull();
    expect(caseMixIndex(region, { cases: 2, sum: new Dec(0) })).toBeNull();
  });

  it('rounds half-up at the fifth decimal', () => {
    // 1 / 8 = 0.125 exactly; 0.00005 above a tie: 1.00005 → 1.0001
    expect(caseMixIndex({ cases: 1, sum: new Dec('1.00005') }, { cases: 1, sum: new Dec(1) })).toBe('1.0001');
    expect(caseMixIndex({ cases: 8, sum: new Dec(1) }, { cases: 1, sum: new Dec(1) })).toBe('0.1250');
  });
});

describe('hospitalSummary', () => {
  const feb = month({ period: '2024-02', settlementRun: 'S2', groupingRun: 'G2', status: 'final' });
  const mar = month();
  const settled: SettledHospital[] = [
    { period: '2024-02', pool: 'employee', hospitalCode: 'H1', cases: 2, points: '100.0000', entitlement: '400.00', prepay: '380.00' },
    { period: '2024-02', pool: 'employee', hospitalCode: 'H2', cases: 1, points: '200.0000', entitlement: '600.00', prepay: '570.01' },
    { period: '2024-03', pool: 'employee', hospitalCode: 'H1', cases: 1, points: '50.5000', entitlement: '10.10', prepay: '9.60' },
    { period: '2024-03', pool: 'resident', hospitalCode: 'H2', cases: 1, points: '90.0000', entitlement: '200.00', prepay: '190.00' },
  ];
  const hospitalResults: ResultTally[] = [
    { outlier: 'normal', score: '100', cases: 1 },
    { outlier: 'low', score: '100', cases: 1 },
    { outlier: 'no-score', score: null, cases: 1 },
  ];
  const regionResults: ResultTally[] = [
    ...hospitalResults,
    { outlier: 'extreme', score: '400', cases: 1 },
    { outlier: 'high', score: '100', cases: 1 },
  ];

  it('adds the months up per pool, exactly; prepayFinal only of the finalised months; the region beside each', () => {
    const s = hospitalSummary({ hospitalCode: 'H1', months: [feb, mar], settled, regionResults, hospitalResults });
    expect(s.cases).toEqual({ hospital: 3, region: 5 });
    expect(s.points).toEqual({ hospital: '150.5000', region: '440.5000' });
    expect(s.pools).toEqual([
      {
        pool: 'employee',
        cases: { hospital: 3, region: 4 },
        points: { hospital: '150.5000', region: '350.5000' },
        entitlement: { hospital: '410.10', region: '1010.10' },
        prepay: { hospital: '389.60', region: '959.61' },
        prepayFinal: { hospital: '380.00', region: '950.01' },
      },
      {
        pool: 'resident',
        cases: { hospital: 0, region: 1 },
        points: { hospital: '0.0000', region: '90.0000' },
        entitlement: { hospital: '0.00', region: '200.00' },
        prepay: { hospital: '0.00', region: '190.00' },
        prepayFinal: { hospital: '0.00', region: '0.00' },
      },
    ]);
  });

  it('counts outliers by class (extreme apart from high) and rates them over all cases', () => {
    const s = hospitalSummary({ hospitalCode: 'H1', months: [feb, mar], settled, regionResults, hospitalResults });
    expect(s.outliers).toEqual({
      low: { cases: { hospital: 1, region: 1 }, rate: { hospital: '0.3333', region: '0.2000' } },
      high: { cases: { hospital: 0, region: 1 }, rate: { hospital: '0.0000', region: '0.2000' } },
      extreme: { cases: { hospital: 0, region: 1 }, rate: { hospital: '0.0000', region: '0.2000' } },
    });
    // H1: 200 / 2 = 100; the region: 700 / 4 = 175; CMI 100 / 175 = 0.571428… → 0.5714.
    expect([s.scoredCases, s.meanScore, s.cmi]).toEqual([
      { hospital: 2, region: 4 },
      { hospital: '100.0000', region: '175.0000' },
      { hospital: '0.5714', region: '1.0000' },
    ]);
  });

  it('a hospital without cases: zeros, and null rates, mean score and CMI', () => {
    const s = hospitalSummary({ hospitalCode: 'H9', months: [mar], settled: settled.slice(2), regionResults, hospitalResults: [] });
    expect(s.cases).toEqual({ hospital: 0, region: 2 });
    expect(s.outliers.low.rate).toEqual({ hospital: null, region: '0.5000' });
    expect([s.meanScore.hospital, s.cmi.hospital]).toEqual([null, null]);
  });
});

describe('Breakdown: groups and departments', () => {
  it('pays points × the exact point value of the month and pool, rounded once per row', () => {
    // Resident PV = 300 / 90 = 3.333…: 1 point each is 3.33 when rounded alone, but three are 10.00.
    const cases = [1, 2, 3].map((i) =>
      vcase({ caseId: `R${i}`, pool: 'resident', points: '1.0000', totalCost: '3.00', fundPayment: '2.00' }),
    );
    const { items, total } = groupRows([month()], [['2024-03', cases]], 'points', 'desc');
    expect(items).toEqual([
      {
        group: 'G1',
        key: 'K|1',
        kind: 'core',
        cases: 3,
        points: '3.0000',
        estimatedPayment: '10.00',
        actualCost: '9.00',
        difference: '1.00',
      },
    ]);
    expect(total).toEqual({ cases: 3, points: '3.0000', estimatedPayment: '10.00', actualCost: '9.00', difference: '1.00' });
  });

  it('on the fund basis adds the non-fund payments, so that the payment is on a total-cost footing too', () => {
    // Fund basis: employee PV = 1,000 / 300 = 3.333…; 30 points → 100.00, + nonFund 600 − 400 = 200 → 300.00.
    const { items } = groupRows([month({ basis: 'fund' })], [['2024-03', [vcase({ points: '30.0000' })]]], 'points', 'desc');
    expect(items[0]).toMatchObject({ estimatedPayment: '300.00', actualCost: '600.00', difference: '-300.00' });
    // Total-cost basis: PV = 5; 30 points → 150.00 (the patients' 200 are inside it).
    const tc = groupRows([month()], [['2024-03', [vcase({ points: '30.0000' })]]], 'points', 'desc');
    expect(tc.items[0]).toMatchObject({ estimatedPayment: '150.00', difference: '-450.00' });
  });

  it('adds a year up over months with their own point values, one rounding for the sum', () => {
    const feb = month({
      period: '2024-02',
      pools: [{ pool: 'employee', fund: '100.00', nonFund: '0.00', points: '30.0000', pointValue: '3.333333' }],
    });
    // G1: 1 point in February (PV 100 / 30 = 3.333…) and 1 resident point in March (PV 300 / 90 = 3.333…):
    // 6.666… → 6.67, where rounding each month would give 3.33 + 3.33 = 6.66.
    // G2: 2 points in February and 1 employee point in March (PV 5): 6.666… + 5 = 11.666… → 11.67.
    const b = new Breakdown([feb, month()], (c) => c.group);
    b.add('2024-02', [vcase({ points: '1.0000' }), vcase({ group: 'G2', points: '2.0000' })]);
    b.add('2024-03', [vcase({ pool: 'resident', points: '1.0000' }), vcase({ group: 'G2', points: '1.0000' })]);
    const { items, total } = groupResult(b, 'group', 'asc');
    expect(items.map((r) => [r.group, r.cases, r.points, r.estimatedPayment])).toEqual([
      ['G1', 2, '2.0000', '6.67'],
      ['G2', 2, '3.0000', '11.67'],
    ]);
    // The total is the sum of the rows as shown.
    expect(total).toMatchObject({ cases: 4, points: '5.0000', estimatedPayment: '18.34', actualCost: '2400.00', difference: '-2381.66' });
  });

  it('sorts by a figure either way, ties and null names last; by name in code-point order', () => {
    const cases = [
      vcase({ caseId: 'a', department: 'B', points: '10.0000', totalCost: '100.00' }),
      vcase({ caseId: 'b', department: null, points: '10.0000', totalCost: '10.00' }),
      vcase({ caseId: 'c', department: 'A', points: '10.0000', totalCost: '1000.00' }),
      vcase({ caseId: 'd', department: 'a', points: '5.0000', totalCost: '1.00' }),
    ];
    const region = scoreSumOf([{ outlier: 'normal', score: '50', cases: 2 }]);
    const rows = (sort: Parameters<typeof departmentResult>[2], order: 'asc' | 'desc') => {
      const b = new Breakdown([month()], (c) => c.department);
      b.add('2024-03', cases);
      return departmentResult(b, region, sort, order).items.map((r) => r.department);
    };
    expect(rows('points', 'desc')).toEqual(['A', 'B', null, 'a']);
    expect(rows('points', 'asc')).toEqual(['a', 'A', 'B', null]);
    expect(rows('actualCost', 'desc')).toEqual(['A', 'B', null, 'a']);
    // Payments 10 × 5 = 50 and 5 × 5 = 25: differences −950 (A), −50 (B), 24 (a), 40 (null).
    expect(rows('difference', 'asc')).toEqual(['A', 'B', 'a', null]);
    expect(rows('department', 'asc')).toEqual(['A', 'B', 'a', null]);
    expect(rows('department', 'desc')).toEqual(['a', 'B', 'A', null]);
    const b = new Breakdown([month()], (c) => c.department);
    b.add('2024-03', cases);
    // Each department's mean score 100 ÷ the region's 50.
    expect(departmentResult(b, region, 'cases', 'desc').items[0]).toMatchObject({ scoredCases: 1, meanScore: '100.0000', cmi: '2.0000' });
  });

  it('refuses a case whose pool the month did not settle (replaced after its run), and a month not in the view', () => {
    const only = month({ pools: [month().pools[0]] });
    const b = new Breakdown([only], (c) => c.group);
    let error: unknown;
    try {
      b.add('2024-03', [vcase({ caseId: 'Z1', pool: 'resident' })]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DipError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'stale-settlement' });
    expect(() => b.add('2024-04', [])).toThrow(/no settled month 2024-04/);
  });
});
