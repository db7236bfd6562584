import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DipError } from '../../src/domain/errors';
import { parsePolicy } from '../../src/domain/policy';
import { annualPool, poolBudget, yearEndReserve } from '../../src/domain/settlement/settlement';
import {
  balance,
  monthlyInstalments,
  OverspendTier,
  reconcile,
  reconcileExact,
  splitByWeights,
} from '../../src/domain/schemes/reconciliation';

/** SCHEMES.md A's corridor: 10 % shared 40/60, beyond it the hospital's. */
const TWO_TIERS: OverspendTier[] = [
  { upTo: '0.10', shares: { fund: '0.40', hospital: '0.60' } },
  { upTo: null, shares: { fund: '0', hospital: '1' } },
];
const FH = ['fund', 'hospital'];

describe('reconcile (SCHEMES.md, the shared reconciliation)', () => {
  it('lets the provider retain its share of a surplus, rounded to the fen, the fund keeping the rest', () => {
    // U = 1,000.00 − 876.54 = 123.46; retained = round2(123.46 × 0.80 = 98.768) = 98.77;
    // fund keeps 123.46 − 98.77 = 24.69; P = min(S, A) 876.54 + 98.77 + 0 = 975.31.
    const r = reconcile({ allowance: '1000.00', spending: '876.54', retentionRatio: '0.80', tiers: TWO_TIERS, parties: FH });
    expect(r).toMatchObject({
      surplus: '123.46',
      overspend: '0.00',
      retained: '98.77',
      fundKeeps: '24.69',
      parts: { fund: '0.00', hospital: '0.00' },
      paymentByFund: '975.31',
      otherParties: { hospital: '0.00' },
    });
    expect(r.bands.map((b) => b.amount)).toEqual(['0', '0']);
  });

  it('with S = A has neither surplus nor overspend: P = A', () => {
    const r = reconcile({ allowance: '5000.00', spending: '5000.00', retentionRatio: '1', tiers: TWO_TIERS, parties: FH });
    expect(r).toMatchObject({ surplus: '0.00', overspend: '0.00', retained: '0.00', fundKeeps: '0.00', paymentByFund: '5000.00' });
    expect(r.parts).toEqual({ fund: '0.00', hospital: '0.00' });
  });

  it('cuts the overspend into marginal bands: a larger overspend never changes an earlier band', () => {
    // A = 1,000, O = 250: band 1 = [0, 100] → 100 (fund 40, hospital 60); band 2 = [100, ∞) → 150 (hospital).
    // Fund 40.00, hospital 60 + 150 = 210.00; P = 1,000 + 0 + 40 = 1,040.00.
    const r = reconcile({ allowance: '1000.00', spending: '1250.00', retentionRatio: '0.80', tiers: TWO_TIERS, parties: FH });
    expect(r.overspend).toBe('250.00');
    expect(r.bands).toEqual([
      { tier: 1, from: '0', to: '100', amount: '100', shares: { fund: '0.4', hospital: '0.6' }, parts: { fund: '40', hospital: '60' } },
      { tier: 2, from: '100', to: null, amount: '150', shares: { fund: '0', hospital: '1' }, parts: { fund: '0', hospital: '150' } },
    ]);
    expect(r.parts).toEqual({ fund: '40.00', hospital: '210.00' });
    expect(r.paymentByFund).toBe('1040.00');
    // O = 400: band 1 is still 100 → fund still 40.00; hospital 60 + 300 = 360.00.
    const more = reconcile({ allowance: '1000.00', spending: '1400.00', retentionRatio: '0.80', tiers: TWO_TIERS, parties: FH });
    expect(more.bands[0].amount).toBe('100');
    expect(more.parts).toEqual({ fund: '40.00', hospital: '360.00' });
  });

  it('puts an overspend of exactly 10 % of A wholly in the first tier', () => {
    // A = 1,234.50, S = 1,357.95: O = 123.45 = 0.10 × 1,234.50 exactly. Band 1 = 123.45, band 2 = 0.
    // Fund 123.45 × 0.40 = 49.38; hospital 123.45 − 49.38 = 74.07; P = 1,234.50 + 49.38 = 1,283.88.
    const r = reconcile({ allowance: '1234.50', spending: '1357.95', retentionRatio: '0.80', tiers: TWO_TIERS, parties: FH });
    expect(r.bands.map((b) => [b.from, b.to, b.amount])).toEqual([
      ['0', '123.45', '123.45'],
      ['123.45', null, '0'],
    ]);
    expect(r.parts).toEqual({ fund: '49.38', hospital: '74.07' });
    expect(r.paymentByFund).toBe('1283.88');
  });

  it('keeps the band limits exact (upTo × A is not rounded) and reports the unrounded parts', () => {
    // A = 1,234.57: limit 0.10 × A = 123.457. S = 1,434.57, O = 200.00: band 1 = 123.457, band 2 = 76.543.
    // DIP's tiers (fund 0.50 then 0): fund 61.7285 unrounded → 61.73; hospital 200.00 − 61.73 = 138.27
    // (unrounded 61.7285 + 76.543 = 138.2715). P = 1,234.57 + 61.73 = 1,296.30.
    const r = reconcile({
      allowance: '1234.57',
      spending: '1434.57',
      retentionRatio: '1',
      tiers: [
        { upTo: '0.10', shares: { fund: '0.50', hospital: '0.50' } },
        { upTo: null, shares: { fund: '0', hospital: '1' } },
      ],
      parties: FH,
    });
    expect(r.bands.map((b) => [b.from, b.to, b.amount])).toEqual([
      ['0', '123.457', '123.457'],
      ['123.457', null, '76.543'],
    ]);
    expect(r.partsUnrounded).toEqual({ fund: '61.7285', hospital: '138.2715' });
    expect(r.parts).toEqual({ fund: '61.73', hospital: '138.27' });
    expect(r.paymentByFund).toBe('1296.30');
  });

  it('rounds each party in listed order and gives the last the remainder, so the parts add up to O', () => {
    // O = 0.30 shared 5 / 22 / 73 %: group 0.015 → 0.02, finance 0.066 → 0.07, fund 0.219 would round
    // to 0.22 (Σ 0.31); as the last it takes 0.30 − 0.09 = 0.21.
    const r = reconcile({
      allowance: '100.00',
      spending: '100.30',
      retentionRatio: '1',
      tiers: [{ upTo: null, shares: { group: '0.05', finance: '0.22', fund: '0.73' } }],
      parties: ['group', 'finance', 'fund'],
    });
    expect(r.partsUnrounded).toEqual({ group: '0.015', finance: '0.066', fund: '0.219' });
    expect(r.parts).toEqual({ group: '0.02', finance: '0.07', fund: '0.21' });
    expect(r.otherParties).toEqual({ group: '0.02', finance: '0.07' });
    // P = 100.00 + 0 + 0.21.
    expect(r.paymentByFund).toBe('100.21');
  });

  it('puts the whole overspend in the open tier when the allowance is 0 or negative', () => {
    const r = reconcileExact({ allowance: '-10.00', spending: '20.00', retentionRatio: '1', tiers: TWO_TIERS, parties: FH });
    // O = 30; limit 0.10 × max(0, −10) = 0: band 1 = 0, band 2 = 30 (hospital).
    expect(r.bands.map((b) => b.amount.toString())).toEqual(['0', '30']);
    expect(r.partsUnrounded.get('fund')!.toString()).toBe('0');
  });

  it('refuses tiers that do not add up, are not increasing, do not end open, or parties without the fund', () => {
    const bad =
      (tiers: OverspendTier[], parties = FH) =>
      () =>
        reconcile({ allowance: '1.00', spending: '2.00', retentionRatio: '1', tiers, parties });
    expect(bad([{ upTo: null, shares: { fund: '0.5', hospital: '0.4' } }])).toThrow(
      /tiers\[0\]\.shares: must add up to 1; they add up to 0.9/,
    );
    expect(
      bad([
        { upTo: '0.2', shares: { fund: '1' } },
        { upTo: '0.1', shares: { fund: '1' } },
        { upTo: null, shares: { fund: '1' } },
      ]),
    ).toThrow(/tiers\[1\]\.upTo: tiers must be increasing/);
    expect(bad([{ upTo: '0.1', shares: { fund: '1' } }])).toThrow(/the last tier must be open/);
    expect(bad([{ upTo: null, shares: { hospital: '1' } }], ['hospital'])).toThrow(/parties: must include "fund"/);
    expect(bad([{ upTo: null, shares: { fund: '0.5', other: '0.5' } }])).toThrow(/is not one of the parties/);
    try {
      bad([])();
    } catch (e) {
      expect(e).toBeInstanceOf(DipError);
      expect((e as DipError).code).toBe('invalid-tiers');
    }
    expect(() => reconcile({ allowance: '1.001', spending: '2.00', retentionRatio: '1', tiers: TWO_TIERS, parties: FH })).toThrow(
      /must be money to the fen/,
    );
  });
});

describe('splitByWeights', () => {
  it('rounds each part and gives the last the remainder', () => {
    // 100.01 / 3 = 33.3366… → 33.34, 33.34, last 100.01 − 66.68 = 33.33.
    expect(splitByWeights('100.01', ['1', '1', '1'])).toEqual(['33.34', '33.34', '33.33']);
    // 5 : 3 : 2 of 1,000.00 = 500.00, 300.00, 200.00.
    expect(splitByWeights('1000.00', ['5', '3', '2'])).toEqual(['500.00', '300.00', '200.00']);
  });

  it('splits equally when every weight is 0', () => {
    // 10.00 / 3 = 3.333… → 3.33, 3.33, last 10.00 − 6.66 = 3.34.
    expect(splitByWeights('10.00', ['0', '0', '0'])).toEqual(['3.33', '3.33', '3.34']);
  });

  it('splits a negative amount (an overspend to recover) the same way, half away from zero', () => {
    // −10.00 × 1/3 = −3.333… → −3.33; last −10.00 + 3.33 = −6.67.
    expect(splitByWeights('-10.00', ['1', '2'])).toEqual(['-3.33', '-6.67']);
  });

  it('refuses no parts and negative weights', () => {
    expect(() => splitByWeights('1.00', [])).toThrow(DipError);
    expect(() => splitByWeights('1.00', ['1', '-1'])).toThrow(/0 or more/);
  });
});

describe('monthlyInstalments', () => {
  it('gives each month round2(A / 12) and December the remainder', () => {
    // 100,000.00 / 12 = 8,333.333… → 8,333.33; December 100,000.00 − 11 × 8,333.33 = 8,333.37.
    const m = monthlyInstalments('100000.00');
    expect(m).toHaveLength(12);
    expect(m[0]).toEqual({ month: 1, allowance: '8333.33', instalment: '8333.33' });
    expect(m[11]).toEqual({ month: 12, allowance: '8333.37', instalment: '8333.37' });
  });

  it('pays each month at a ratio, rounded to the fen', () => {
    // 8,333.33 × 0.95 = 7,916.6635 → 7,916.66; December 8,333.37 × 0.95 = 7,916.7015 → 7,916.70.
    const m = monthlyInstalments('100000.00', '0.95');
    expect(m[0].instalment).toBe('7916.66');
    expect(m[11].instalment).toBe('7916.70');
  });
});

describe('balance', () => {
  it('is P − everything paid during the year; negative when the provider repays', () => {
    expect(balance('100.00', ['30.00', '80.50'])).toBe('-10.50');
    expect(balance('1228000.27', '96250.00')).toBe('1131750.27');
  });
});

describe('DIP §8.4 through the shared mechanism', () => {
  it("takes K_h as the fund's unrounded part, scaled by J / Σ K and only then rounded", () => {
    // R = 2,000.00, reserve 200.00, no lines: dipBudget 1,800.00; no actuals: L = 200.00, toDipFund
    // 140.00, J = 60.00; F = 1,940.00. Fund basis, two hospitals of 1 point: E = 970.00 each.
    // H1: C = 1,100.00, O = 130.00; band 1 up to 97.00 at 0.50 = 48.50, the rest at 0. H2: O = 30.00 → 15.00.
    // Σ K = 63.50 > J: scale 60 / 63.5 = 0.944882 (6 dp); K1 = round2(45.8267…) = 45.83, K2 = round2(14.1732…) = 14.17.
    const policy = parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));
    const s = { ...policy.settlement, basis: 'fund' as const };
    const budget = poolBudget('employee', { revenue: '2000.00', reserveRatio: '0.10', lines: {} });
    const reserve = yearEndReserve(budget, {}, s.reserveSplit);
    const h = (code: string, bookkeeping: string) => ({ hospitalCode: code, cases: 1, points: '1.0000', nonFund: '0.00', bookkeeping });
    const none = () => ({ assessmentScore: '1', violations: '0', prepaid: '0', revolvingFund: '0' });
    const y = annualPool('employee', budget, reserve, [h('H1', '1100.00'), h('H2', '1000.00')], none, s);
    expect(y).toMatchObject({ fund: '1940.00', adjustmentFund: '60.00', compensationClaimed: '63.50', compensationScale: '0.944882' });
    expect(y.hospitals.map((x) => [x.entitlement, x.overspend, x.compensation, x.final])).toEqual([
      ['970.00', '130.00', '45.83', '1015.83'],
      ['970.00', '30.00', '14.17', '984.17'],
    ]);
    // The shipped policy's tiers, [{ upTo 0.10, fundShare 0.50 }, { upTo null, fundShare 0 }], as SCHEMES.md writes them.
    expect(s.overspendTiers).toEqual([
      { upTo: '0.1', fundShare: '0.5' },
      { upTo: null, fundShare: '0' },
    ]);
    const tiers = [
      { upTo: '0.10', shares: { fund: '0.50', hospital: '0.50' } },
      { upTo: null, shares: { fund: '0', hospital: '1' } },
    ];
    expect(reconcile({ allowance: '970.00', spending: '1100.00', retentionRatio: '1', tiers, parties: FH }).partsUnrounded.fund).toBe(
      '48.5',
    );
  });
});
