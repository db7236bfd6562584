import {
  applicationCap,
  checkCap,
  checkPanel,
  checkReason,
  medianPoints,
  panelOutcome,
  pointsOfCost,
  specialCaseLines,
  suggestPanel,
} from '../../src/domain/special-case';
import { hospitalTotalsByPool } from '../../src/domain/settlement/pools';

describe('special cases (spec §9): the pure rules', () => {
  it('caps pending + approved at max(1, floor(discharges × cap))', () => {
    expect(applicationCap(0, '0.005')).toBe(1);
    expect(applicationCap(399, '0.005')).toBe(1); // 1.995
    expect(applicationCap(400, '0.005')).toBe(2);
    expect(applicationCap(12_345, '0.005')).toBe(61); // 61.725
    expect(() => checkCap('H9', 2024, 400, '0.005', 1)).not.toThrow();
    expect(() => checkCap('H9', 2024, 400, '0.005', 2)).toThrow(
      'hospital H9 has 2 special-case application(s) of 2024 pending or approved; at most 2 = max(1, floor(400 discharges × 0.005))',
    );
  });

  it('checks the objective reasons against the facts, naming the figures', () => {
    const limits = { extremeRatio: '5', longStayDays: 60 };
    const facts = { ratio: '5.0000', eligibleForSpecialReview: false, losDays: 60, newTechnology: false };
    expect(() => checkReason('extremeCost', facts, limits)).toThrow('its cost ratio r is 5.0000, not above extremeRatio 5');
    expect(() => checkReason('extremeCost', { ...facts, ratio: null }, limits)).toThrow('r is not defined (no group average)');
    // r stored as 5.0000 may be just above 5: the engine's exact flag decides.
    expect(() => checkReason('extremeCost', { ...facts, eligibleForSpecialReview: true }, limits)).not.toThrow();
    expect(() => checkReason('longStay', facts, limits)).toThrow('its length of stay is 60 days, not above longStayDays 60');
    expect(() => checkReason('longStay', { ...facts, losDays: 61 }, limits)).not.toThrow();
    expect(() => checkReason('newTechnology', facts, limits)).toThrow('not flagged newTechnology');
    for (const r of ['complexCritical', 'other'] as const) expect(() => checkReason(r, facts, limits)).not.toThrow();
  });

  it('converts an approved cost with the cost per point, to 4 dp half-up', () => {
    expect(pointsOfCost('5000.00', '8.000000')).toBe('625.0000');
    // 100 / 3 = 33.3333…; 0.01 / 0.000016 = 625
    expect(pointsOfCost('100.00', '3.000000')).toBe('33.3333');
    expect(pointsOfCost('0.01', '0.000016')).toBe('625.0000');
    // 0.05 / 12 = 0.0041666… → 0.0042
    expect(pointsOfCost('0.05', '12.000000')).toBe('0.0042');
  });

  it('takes the median of the approved points: the middle one, or the mean of the middle two to 4 dp half-up', () => {
    expect(medianPoints(['900'])).toBe('900.0000');
    expect(medianPoints(['4000.0000', '3500', '3600'])).toBe('3600.0000');
    expect(medianPoints(['900', '625.0000'])).toBe('762.5000');
    // (0.0001 + 0.0002) / 2 = 0.00015 → 0.0002 (half-up)
    expect(medianPoints(['0.0002', '0.0001'])).toBe('0.0002');
    expect(medianPoints(['10', '1', '7', '3'])).toBe('5.0000');
  });

  it('decides once the whole panel has voted: a majority approves at the median, a tie rejects', () => {
    const approve = (points: string) => ({ decision: 'approve' as const, points });
    const reject = { decision: 'reject' as const, points: null };
    expect(panelOutcome([approve('1'), approve('2')], 3)).toEqual({ status: 'pending' });
    expect(panelOutcome([approve('900'), approve('625'), reject], 3)).toEqual({ status: 'approved', points: '762.5000' });
    expect(panelOutcome([approve('900'), reject, reject], 3)).toEqual({ status: 'rejected' });
    expect(panelOutcome([approve('900'), approve('800'), reject, reject], 4)).toEqual({ status: 'rejected' });
    expect(panelOutcome([approve('1'), approve('2'), approve('4'), reject], 4)).toEqual({ status: 'approved', points: '2.0000' });
  });

  it('suggests the least loaded experts without conflicts, and checks a chosen panel field by field', () => {
    const experts = [
      { userId: 'a', username: 'li', hospital: 'H1', open: 0 },
      { userId: 'b', username: 'wang', hospital: 'H2', open: 2 },
      { userId: 'c', username: 'zhang', hospital: 'H3', open: 0 },
      { userId: 'd', username: 'chen', hospital: 'H4', open: 1 },
      { userId: 'e', username: 'zhao', hospital: 'H5', open: 0 },
    ];
    expect(suggestPanel(experts, 'H1', new Set(), 3).map((e) => e.userId)).toEqual(['c', 'e', 'd']);
    expect(suggestPanel(experts, 'H1', new Set(['c']), 3).map((e) => e.userId)).toEqual(['e', 'd', 'b']);
    expect(() => suggestPanel(experts, 'H1', new Set(['c', 'e']), 3)).toThrow(
      'a panel needs 3 experts not affiliated with hospital H1 and not voting on this case before; the region has 2',
    );
    const byId = new Map(experts.map((e) => [e.userId, e]));
    expect(() => checkPanel(['c', 'e', 'd'], byId, 'H1', new Set(), 3)).not.toThrow();
    try {
      checkPanel(['a', 'c', 'x', 'c'], byId, 'H1', new Set(['c']), 3);
      throw new Error('accepted');
    } catch (err) {
      expect((err as { problems: unknown }).problems).toEqual([
        { field: 'experts', reason: "a panel has 3 experts (the policy's panelSize); got 4" },
        { field: 'experts', reason: 'an expert is named twice' },
        { field: 'experts[0]', reason: 'li is affiliated with hospital H1, whose case this is' },
        { field: 'experts[1]', reason: 'zhang voted on this case before (an appeal goes to other experts)' },
        { field: 'experts[2]', reason: 'not an active expert of this region' },
        { field: 'experts[3]', reason: 'zhang voted on this case before (an appeal goes to other experts)' },
      ]);
    }
  });

  it("replaces the rules' points of approved cases in the hospital totals, with the line that says so", () => {
    const decisions = [
      { caseId: 'A', hospitalCode: 'H1', pool: 'employee', rulePoints: '100.1234', approvedPoints: '250.0000' },
      { caseId: 'B', hospitalCode: 'H1', pool: 'employee', rulePoints: '50.0000', approvedPoints: '40.5000' },
      { caseId: 'C', hospitalCode: 'H1', pool: 'resident', rulePoints: '10.0000', approvedPoints: '12.0000' },
    ];
    expect(specialCaseLines(decisions).get('employee/H1')).toEqual({
      cases: 2,
      rulePoints: '150.1234',
      approvedPoints: '290.5000',
      delta: 1_403_766n, // 140.3766 points in 1/10,000
    });
    const sums = (pool: 'employee' | 'resident', hospitalCode: string, points: bigint) => ({
      pool,
      hospitalCode,
      cases: 3,
      points,
      costFen: 100_000n,
      fundFen: 60_000n,
    });
    const totals = hospitalTotalsByPool(
      [sums('employee', 'H1', 10_000_000n), sums('employee', 'H2', 5_000_000n), sums('resident', 'H1', 1_000_000n)],
      decisions,
    );
    expect(totals.get('employee')).toEqual([
      {
        hospitalCode: 'H1',
        cases: 3,
        points: '1140.3766', // 1,000 − 150.1234 + 290.5
        nonFund: '400.00',
        bookkeeping: '600.00',
        specialCases: { cases: 2, rulePoints: '150.1234', approvedPoints: '290.5000' },
      },
      { hospitalCode: 'H2', cases: 3, points: '500.0000', nonFund: '400.00', bookkeeping: '600.00' },
    ]);
    expect(totals.get('resident')![0]).toMatchObject({ points: '102.0000', specialCases: { cases: 1 } });
  });
});
