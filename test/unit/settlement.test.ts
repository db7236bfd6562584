import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePolicy, Policy } from '../../src/domain/policy';
import { annualPool, HospitalTotals, monthlyPool, poolBudget, yearEndReserve } from '../../src/domain/settlement/settlement';

const policy = parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));
const settlement = (over: Partial<Policy['settlement']> = {}): Policy['settlement'] => ({ ...policy.settlement, ...over });
const h = (hospitalCode: string, points: string, nonFund: string, bookkeeping: string, cases = 1): HospitalTotals => ({
  hospitalCode,
  cases,
  points,
  nonFund,
  bookkeeping,
});
const none = () => ({ assessmentScore: '1', violations: '0', prepaid: '0', revolvingFund: '0' });

describe('the DIP budget (spec §8.1)', () => {
  const budget = poolBudget('employee', {
    revenue: '1000000.00',
    reserveRatio: '0.10',
    lines: {
      generalOutpatient: '200000.00',
      outpatientChronic: '100000.00',
      outOfRegion: '50000.00',
      otherMethods: '30000.00',
      criticalIllness: '20000.00',
    },
  });

  it('is revenue − reserve − the budget lines', () => {
    // 1,000,000 − 100,000 − 400,000
    expect(budget).toMatchObject({ revenue: '1000000.00', reserve: '100000.00', dipBudget: '500000.00' });
    expect(poolBudget('resident', { dipBudget: '2300000000' }).dipBudget).toBe('2300000000.00');
  });

  it('splits what the reserve keeps after covering lines 1–4 (critical illness is not covered) 70 / 30', () => {
    // Overspent: general outpatient 30,000 and out-of-region 10,000; critical illness 30,000 (not covered).
    const r = yearEndReserve(
      budget,
      {
        generalOutpatient: '230000.00',
        outpatientChronic: '90000.00',
        outOfRegion: '60000.00',
        otherMethods: '30000.00',
        criticalIllness: '50000.00',
      },
      policy.settlement.reserveSplit,
    );
    expect(r).toEqual({
      shortfall: '40000.00',
      remainder: '60000.00',
      toDipFund: '42000.00',
      adjustmentFund: '18000.00',
      uncovered: '0.00',
    });
  });

  it('adds nothing when the reserve is exhausted, and reports the shortfall it could not cover', () => {
    const r = yearEndReserve(budget, { generalOutpatient: '350000.00' }, policy.settlement.reserveSplit);
    expect(r).toEqual({ shortfall: '150000.00', remainder: '0.00', toDipFund: '0.00', adjustmentFund: '0.00', uncovered: '50000.00' });
  });

  it('refuses a budget whose lines exceed the revenue', () => {
    expect(() => poolBudget('employee', { revenue: '100.00', reserveRatio: '0.10', lines: { generalOutpatient: '95.00' } })).toThrow(
      /negative/,
    );
  });
});

describe('monthly pre-settlement (spec §8.2, §8.3)', () => {
  // dipBudget 180,000 → B_m = 15,000; C_m = 10,000 + 3,000 = 13,000 → F_m = 13,000.
  const hospitals = [h('H1', '3000.0000', '2000.00', '10000.00', 2), h('H2', '1000.0000', '500.00', '3000.00')];

  it('total-cost basis: PV = (F + Σ nonFund) / Σ points, E = points × PV − nonFund, capped prepay', () => {
    const m = monthlyPool('employee', '180000.00', hospitals, settlement());
    // PV = 15,500 / 4,000 = 3.875; E1 = 11,625 − 2,000 = 9,625; E2 = 3,875 − 500 = 3,375.
    // P1 = min(9,625, 10,000) × 0.95 = 9,143.75; P2 = min(3,375, 3,000) × 0.95 = 2,850.
    expect(m).toMatchObject({
      monthlyBudget: '15000.00',
      cityBookkeeping: '13000.00',
      fund: '13000.00',
      points: '4000.0000',
      nonFund: '2500.00',
      pointValue: '3.875000',
      residual: '0.00',
    });
    expect(m.hospitals).toEqual([
      {
        hospitalCode: 'H1',
        cases: 2,
        points: '3000.0000',
        nonFund: '2000.00',
        bookkeeping: '10000.00',
        entitlement: '9625.00',
        prepay: '9143.75',
      },
      {
        hospitalCode: 'H2',
        cases: 1,
        points: '1000.0000',
        nonFund: '500.00',
        bookkeeping: '3000.00',
        entitlement: '3375.00',
        prepay: '2850.00',
      },
    ]);
  });

  it('fund basis: PV = F / Σ points, E = points × PV', () => {
    const m = monthlyPool('employee', '180000.00', hospitals, settlement({ basis: 'fund' }));
    // PV = 3.25; E1 = 9,750 → P1 = 9,750 × 0.95 = 9,262.50; E2 = 3,250, capped at 3,000 → 2,850.
    expect(m.pointValue).toBe('3.250000');
    expect(m.hospitals.map((x) => [x.entitlement, x.prepay])).toEqual([
      ['9750.00', '9262.50'],
      ['3250.00', '2850.00'],
    ]);
  });

  it('takes the monthly budget when the bookkeeping is larger, and the cap can be switched off', () => {
    // dipBudget 120,000 → B_m = 10,000 < 13,000. Fund basis: PV = 2.5; E1 = 7,500, E2 = 2,500.
    const m = monthlyPool('employee', '120000.00', hospitals, settlement({ basis: 'fund', capAtHospitalBookkeeping: false }));
    expect(m.fund).toBe('10000.00');
    // Uncapped: P2 = 2,500 × 0.95 = 2,375 (2,500 is under its 3,000 anyway); P1 = 7,125.
    expect(m.hospitals.map((x) => x.prepay)).toEqual(['7125.00', '2375.00']);
  });

  it('leaves Σ entitlement = fund up to the rounding residual', () => {
    // Fund basis, F = 100.00 over three equal hospitals: PV = 33.333…, E = 33.33 each, residual 0.01.
    const m = monthlyPool(
      'resident',
      '1200.00',
      [h('A', '1.0000', '0', '100.00'), h('B', '1.0000', '0', '0.00'), h('C', '1.0000', '0', '0.00')],
      settlement({ basis: 'fund' }),
    );
    expect(m).toMatchObject({ fund: '100.00', pointValue: '33.333333', residual: '0.01' });
    expect(m.hospitals.map((x) => x.entitlement)).toEqual(['33.33', '33.33', '33.33']);
  });

  it('pays 0 to a hospital whose entitlement is below its non-fund payments', () => {
    // F = 1,000; PV = (1,000 + 5,000) / 1,000 = 6; E3 = 60 − 5,000 = −4,940 → P3 = 0; E4 = 5,940 → min(5,940, 900) × 0.95 = 855.
    const m = monthlyPool(
      'employee',
      '12000.00',
      [h('H3', '10.0000', '5000.00', '100.00'), h('H4', '990.0000', '0.00', '900.00')],
      settlement(),
    );
    expect(m.fund).toBe('1000.00');
    expect(m.hospitals.map((x) => [x.entitlement, x.prepay])).toEqual([
      ['-4940.00', '0.00'],
      ['5940.00', '855.00'],
    ]);
    expect(m.residual).toBe('0.00');
  });
});

describe('annual settlement and clearing (spec §8.4)', () => {
  const budget = poolBudget('employee', { dipBudget: '500000.00' });
  const reserve = { shortfall: '0.00', remainder: '60000.00', toDipFund: '42000.00', adjustmentFund: '18000.00', uncovered: '0.00' };

  it('computes entitlement, assessment, violations, compensation, final amount and balance', () => {
    const hospitals = [h('A', '100000.0000', '60000.00', '400000.00', 40), h('B', '50000.0000', '40000.00', '100000.00', 20)];
    const records = (code: string) =>
      code === 'A'
        ? { assessmentScore: '0.9', violations: '1000.00', prepaid: '300000.00', revolvingFund: '20000.00' }
        : { assessmentScore: '1', violations: '0', prepaid: '180000.00', revolvingFund: '0' };
    const y = annualPool('employee', budget, reserve, hospitals, records, settlement());
    // F = 500,000 + 42,000; PV = (542,000 + 100,000) / 150,000 = 4.28.
    expect(y).toMatchObject({
      fund: '542000.00',
      pointValue: '4.280000',
      residual: '0.00',
      adjustmentFund: '18000.00',
      compensationClaimed: '16000.00',
      compensationScale: '1.000000',
    });
    // A: E = 428,000 − 60,000 = 368,000; assessment 368,000 × 0.05 × 0.1 = 1,840; overspend 32,000,
    // all within 10 % of E (36,800) → 50 % = 16,000; final 368,000 − 1,840 − 1,000 + 16,000 = 381,160;
    // balance 381,160 − 300,000 − 20,000 = 61,160. B: E = 174,000; no overspend; repays 6,000.
    expect(y.hospitals).toEqual([
      {
        hospitalCode: 'A',
        cases: 40,
        points: '100000.0000',
        nonFund: '60000.00',
        bookkeeping: '400000.00',
        entitlement: '368000.00',
        assessmentDeduction: '1840.00',
        violations: '1000.00',
        overspend: '32000.00',
        compensation: '16000.00',
        final: '381160.00',
        prepaid: '300000.00',
        revolvingFund: '20000.00',
        balance: '61160.00',
      },
      {
        hospitalCode: 'B',
        cases: 20,
        points: '50000.0000',
        nonFund: '40000.00',
        bookkeeping: '100000.00',
        entitlement: '174000.00',
        assessmentDeduction: '0.00',
        violations: '0.00',
        overspend: '0.00',
        compensation: '0.00',
        final: '174000.00',
        prepaid: '180000.00',
        revolvingFund: '0.00',
        balance: '-6000.00',
      },
    ]);
  });

  it('scales every compensation pro rata when the adjustment fund is too small', () => {
    // F = 1,000 + 70 = 1,070, fund basis: PV = 10.7, E = 535 each. Overspends 465 and 265 both
    // exceed 10 % of E (53.5): claimed 26.75 each, Σ 53.50 > J = 30 → scale 30 / 53.5 → 15.00 each.
    const small = annualPool(
      'employee',
      poolBudget('employee', { dipBudget: '1000.00' }),
      { ...reserve, toDipFund: '70.00', adjustmentFund: '30.00' },
      [h('X', '50.0000', '0', '1000.00'), h('Y', '50.0000', '0', '800.00')],
      none,
      settlement({ basis: 'fund' }),
    );
    expect(small).toMatchObject({ fund: '1070.00', pointValue: '10.700000', compensationClaimed: '53.50', compensationScale: '0.560748' });
    expect(small.hospitals.map((x) => [x.entitlement, x.overspend, x.compensation, x.final])).toEqual([
      ['535.00', '465.00', '15.00', '550.00'],
      ['535.00', '265.00', '15.00', '550.00'],
    ]);
  });

  it('shares each tier of the overspend at its own rate', () => {
    // E = 535, overspend 465: 53.5 × 0.5 + 53.5 × 0.3 + the rest × 0 = 26.75 + 16.05 = 42.80.
    const tiers = [
      { upTo: '0.10', fundShare: '0.50' },
      { upTo: '0.20', fundShare: '0.30' },
      { upTo: null, fundShare: '0' },
    ];
    const y = annualPool(
      'employee',
      poolBudget('employee', { dipBudget: '1000.00' }),
      { ...reserve, toDipFund: '70.00', adjustmentFund: '1000.00' },
      [h('X', '50.0000', '0', '1000.00'), h('Y', '50.0000', '0', '535.00')],
      none,
      settlement({ basis: 'fund', overspendTiers: tiers }),
    );
    expect(y.hospitals.map((x) => x.compensation)).toEqual(['42.80', '0.00']);
  });
});
