import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalogue, CatalogueGroup, groupCode } from '../../src/domain/catalogue/catalogue';
import { SeverityLists } from '../../src/domain/catalogue/severity';
import { TreatmentType } from '../../src/domain/codes';
import {
  compileScoring,
  FACTOR,
  Grouping,
  hospitalCoefficient,
  Points,
  scoreCase,
  ScoringInput,
  ScoringPolicy,
} from '../../src/domain/engine';
import { parsePolicy, Policy } from '../../src/domain/policy';

const SHIPPED = path.resolve(__dirname, '../../catalogs/policies/370300-2024.json');
/** The shipped policy: ratios 0.5 / 2 / 5, national, expert bonus 0.05, no-score 0.7, self-pay limit 0.10. */
const shipped = (): Policy => parsePolicy(JSON.parse(fs.readFileSync(SHIPPED, 'utf8')));
const policyWith = (edit: (p: Policy) => void): Policy => {
  const p = shipped();
  edit(p);
  return parsePolicy(JSON.parse(JSON.stringify(p)));
};

function group(
  key: string,
  score: string,
  avgCost: string,
  auxiliary: CatalogueGroup['auxiliary'] = {},
  kind: 'core' | 'composite' = 'core',
  treatmentType: TreatmentType = 'surgery',
): CatalogueGroup {
  const procs = kind === 'core' ? key.slice(key.indexOf('|') + 1) : '';
  const g: CatalogueGroup = {
    code: '',
    key,
    kind,
    category: key.slice(0, 3),
    treatmentType,
    procedures: procs === '' ? [] : procs.split('+'),
    cases: 100,
    avgCost,
    score,
    auxiliary,
    flags: [],
  };
  g.code = groupCode(g);
  return g;
}

/** s = 3000, m = 24000, severity factor of class 3 = 1.25. */
const CHOLE = group('K80.1|51.2300', '3000.0000', '24000.00', { '3': '1.2500' });
/** On the shipped primary-care list. */
const PNEUMONIA = group('J18.9|', '500.0000', '4000.00', {}, 'core', 'conservative');
/** On the shipped fixed-score list (820, applyCoefficient false). */
const APPENDIX = group('K35.8|47.0900', '900.0000', '7000.00', { '3': '1.5000' });
/** On the shipped day-surgery list (610). */
const CATARACT = group('H25.9|13.4100', '800.0000', '6400.00');
const COMPOSITE = group('K80~surgery', '2000.0000', '16000.00', {}, 'composite');

const CATALOGUE: Pick<Catalogue, 'costPerPoint'> = { costPerPoint: '8.000000' };
const SEVERITY: SeverityLists = { severe: new Set(['J96.000']), moderate: new Set(['E11.900']) };

const grouped = (g: CatalogueGroup | null): Grouping => ({
  group: g,
  rule: g === null ? 'no-score' : g.kind === 'core' ? 'core-exact' : 'composite',
  key: g?.key ?? null,
  treatmentType: g?.treatmentType ?? 'surgery',
});

const kase = (totalCost: string, over: Partial<ScoringInput> = {}): ScoringInput => ({
  totalCost,
  outOfCatalogSelfPay: '0.00',
  daySurgery: false,
  externalExpert: false,
  dischargeMode: '1',
  losDays: 5,
  secondaryDiagnoses: [],
  ...over,
});
/** Severity class 3: LOS ≥ 3 and a secondary diagnosis on the severe list. */
const SEVERE = { secondaryDiagnoses: ['J96.000'] };

const scoring: ScoringPolicy = compileScoring(shipped(), CATALOGUE.costPerPoint);
const score = (g: CatalogueGroup | null, c: ScoringInput, coefficient = '1', sp: ScoringPolicy = scoring): Points =>
  scoreCase(grouped(g), c, { scoring: sp, coefficient, severity: SEVERITY });

describe('scoreCase, normal cases (spec §6.1, §6.3)', () => {
  it('gives base × k: 3000 × 1 × 1 at r = 1', () => {
    expect(score(CHOLE, kase('24000.00'))).toEqual({
      score: '3000.0000',
      auxFactor: '1',
      reference: 'coefficientAdjusted',
      points: '3000.0000',
      rule: 'normal',
      ratio: '1.0000',
      severityClass: 1,
      factors: [
        { name: FACTOR.score, value: '3000.0000' },
        { name: FACTOR.severity, value: '1' },
        { name: FACTOR.coefficient, value: '1' },
      ],
      eligibleForSpecialReview: false,
    });
  });

  it('applies the hospital coefficient: 3000 × 0.93 = 2790', () => {
    // r = 24000 / (24000 × 0.93) = 1.0753 → normal.
    expect(score(CHOLE, kase('24000.00'), '0.93')).toMatchObject({ points: '2790.0000', rule: 'normal', ratio: '1.0753' });
  });

  it('applies the severity factor in the base and in the ratio', () => {
    // Class 3, a = 1.25: base = 3750; r = 30000 / (24000 × 1.25) = 1 → 3750.
    expect(score(CHOLE, kase('30000.00', SEVERE))).toMatchObject({
      points: '3750.0000',
      rule: 'normal',
      ratio: '1.0000',
      severityClass: 3,
    });
    // 14999.99 with a = 1.25: r = 14999.99 / 30000 < 0.5 → low: 3750 × r = 14999.99 / 8 = 1874.99875 → 1874.9988.
    expect(score(CHOLE, kase('14999.99', SEVERE))).toMatchObject({ points: '1874.9988', rule: 'low', ratio: '0.5000' });
    // The same cost in class 1 is normal: r = 14999.99 / 24000 = 0.6250.
    expect(score(CHOLE, kase('14999.99'))).toMatchObject({ points: '3000.0000', rule: 'normal', ratio: '0.6250', severityClass: 1 });
  });

  it('uses 1 for a class without a factor and for every class of a composite group', () => {
    // Died (class 4): CHOLE has no factor 4.
    expect(score(CHOLE, kase('24000.00', { dischargeMode: '5' }))).toMatchObject({ points: '3000.0000', severityClass: 4 });
    // Composite: 2000 at r = 1, class 3.
    expect(score(COMPOSITE, kase('16000.00', SEVERE))).toMatchObject({ points: '2000.0000', severityClass: 3, ratio: '1.0000' });
  });
});

describe('scoreCase, the outlier boundaries (spec §6.2, §6.3)', () => {
  // k = 0.80 (L2_OTHER): m × a × k = 24000 × 1 × 0.8 = 19200; base × k = 2400.
  const k = '0.80';

  it('is normal exactly at r = 0.5 and low just below', () => {
    // 9600.00 / 19200 = 0.5 → normal.
    expect(score(CHOLE, kase('9600.00'), k)).toMatchObject({ points: '2400.0000', rule: 'normal', ratio: '0.5000' });
    // 9599.99 / 19200 = 0.49999947… → low: 2400 × 9599.99 / 19200 = 1199.99875 → 1199.9988.
    // The displayed ratio rounds to 0.5000; the rule compares the exact r.
    const low = score(CHOLE, kase('9599.99'), k);
    expect(low).toMatchObject({ points: '1199.9988', rule: 'low', ratio: '0.5000' });
    expect(low.factors.map((f) => f.name)).toEqual([FACTOR.score, FACTOR.severity, FACTOR.coefficient, FACTOR.low]);
    expect(low.factors[3].value).toBe('0.49999948');
  });

  it('is normal exactly at r = 2 and high just above, by either formula', () => {
    expect(score(CHOLE, kase('38400.00'), k)).toMatchObject({ points: '2400.0000', rule: 'normal', ratio: '2.0000' });
    // national: 2400 × (38400.01 / 19200 − 2 + 1) = 2400 × 19200.01 / 19200 = 2400.00125 → 2400.0013.
    const high = score(CHOLE, kase('38400.01'), k);
    expect(high).toMatchObject({ points: '2400.0013', rule: 'high', eligibleForSpecialReview: false });
    expect(high.factors.slice(2)).toEqual([
      { name: FACTOR.coefficient, value: '0.80' },
      { name: FACTOR.highNational, value: '1.00000052' },
    ]);
    // shandong: 3000 × (38400.01 / 19200 − 2 + 0.8) = 2400 + 3000 × 0.01 / 19200 = 2400.0015625 → 2400.0016.
    const sd = compileScoring(
      policyWith((p) => (p.scoring.highFormula = 'shandong')),
      '8.000000',
    );
    const shandong = score(CHOLE, kase('38400.01'), k, sd);
    expect(shandong).toMatchObject({ points: '2400.0016', rule: 'high' });
    expect(shandong.factors.slice(2)).toEqual([{ name: FACTOR.highShandong, value: '0.80000052' }]);
  });

  it('is high exactly at r = 5 and extreme just above: points as for r = 5, flagged', () => {
    // national: 2400 × (5 − 2 + 1) = 9600; shandong: 3000 × (5 − 2 + 0.8) = 11400.
    const sd = compileScoring(
      policyWith((p) => (p.scoring.highFormula = 'shandong')),
      '8.000000',
    );
    expect(score(CHOLE, kase('96000.00'), k)).toMatchObject({
      points: '9600.0000',
      rule: 'high',
      ratio: '5.0000',
      eligibleForSpecialReview: false,
    });
    expect(score(CHOLE, kase('96000.00'), k, sd)).toMatchObject({ points: '11400.0000', rule: 'high', eligibleForSpecialReview: false });
    const extreme = score(CHOLE, kase('96000.01'), k);
    expect(extreme).toMatchObject({ points: '9600.0000', rule: 'extreme', ratio: '5.0000', eligibleForSpecialReview: true });
    expect(extreme.factors[3]).toEqual({ name: FACTOR.extremeNational, value: '4' });
    expect(score(CHOLE, kase('96000.01'), k, sd)).toMatchObject({ points: '11400.0000', rule: 'extreme', eligibleForSpecialReview: true });
    // Far beyond: still capped. r = 50.
    expect(score(CHOLE, kase('960000.00'), k)).toMatchObject({ points: '9600.0000', rule: 'extreme', ratio: '50.0000' });
  });

  it('gives a high outlier between 2 and 5 by the national and the Shandong formula', () => {
    // r = 57600 / 19200 = 3. national: 2400 × (3 − 2 + 1) = 4800; shandong: 3000 × (3 − 2 + 0.8) = 5400.
    const sd = compileScoring(
      policyWith((p) => (p.scoring.highFormula = 'shandong')),
      '8.000000',
    );
    expect(score(CHOLE, kase('57600.00'), k)).toMatchObject({ points: '4800.0000', rule: 'high', ratio: '3.0000' });
    expect(score(CHOLE, kase('57600.00'), k, sd)).toMatchObject({ points: '5400.0000', rule: 'high' });
  });
});

describe('scoreCase, group kinds of the policy lists (spec §6.1)', () => {
  it('replaces k by the primary-care coefficient in a primary-care group', () => {
    // k passed 0.72 (L1); shipped primaryCareCoefficient 1: 500 × 1, r = 4000 / 4000 = 1.
    const p = score(PNEUMONIA, kase('4000.00'), '0.72');
    expect(p).toMatchObject({ points: '500.0000', rule: 'normal', ratio: '1.0000' });
    expect(p.factors[2]).toEqual({ name: FACTOR.primaryCare, value: '1' });
    // primaryCareCoefficient 0.9: r = 4000 / (4000 × 0.9) = 1.1111; 500 × 0.9 = 450.
    const pc = compileScoring(
      policyWith((q) => (q.scoring.primaryCareCoefficient = '0.9')),
      '8.000000',
    );
    expect(score(PNEUMONIA, kase('4000.00'), '0.72', pc)).toMatchObject({ points: '450.0000', ratio: '1.1111' });
  });

  it('gives a fixed-score group its fixed score: no severity, no outlier rule, k = 1', () => {
    // 100000 would be an extreme outlier (r = 14.3) and class 3 has a factor 1.5: neither applies.
    const p = score(APPENDIX, kase('100000.00', SEVERE), '0.86');
    expect(p).toEqual({
      score: '820',
      auxFactor: null,
      reference: null,
      points: '820.0000',
      rule: 'fixed-score',
      ratio: null,
      severityClass: 3,
      factors: [
        { name: FACTOR.fixedScore, value: '820' },
        { name: FACTOR.fixedCoefficient, value: '1' },
      ],
      eligibleForSpecialReview: false,
    });
  });

  it('applies k to a fixed score when the list says so', () => {
    // 820 × 0.86 = 705.2.
    const fx = compileScoring(
      policyWith((q) => (q.groups.fixedScore[0].applyCoefficient = true)),
      '8.000000',
    );
    const p = score(APPENDIX, kase('100.00'), '0.86', fx);
    expect(p).toMatchObject({ points: '705.2000', rule: 'fixed-score', ratio: null });
    expect(p.factors[1]).toEqual({ name: FACTOR.coefficient, value: '0.86' });
  });

  it('uses the day-surgery score as s and m × dayScore / score as m for a day-surgery case', () => {
    // s = 610, m' = 6400 × 610 / 800 = 4880. 4880.00 → r = 1 → 610.
    const p = score(CATARACT, kase('4880.00', { daySurgery: true }));
    expect(p).toMatchObject({ points: '610.0000', rule: 'normal', ratio: '1.0000' });
    expect(p.factors[0]).toEqual({ name: FACTOR.dayScore, value: '610' });
    // The same cost without the day-surgery flag: s = 800, r = 4880 / 6400 = 0.7625.
    expect(score(CATARACT, kase('4880.00'))).toMatchObject({ points: '800.0000', ratio: '0.7625' });
    // Boundary with m': 2440.00 / 4880 = 0.5 → normal; 2439.99 → low: 610 × 2439.99 / 4880 = 304.99875 → 304.9988.
    expect(score(CATARACT, kase('2440.00', { daySurgery: true }))).toMatchObject({ points: '610.0000', rule: 'normal' });
    expect(score(CATARACT, kase('2439.99', { daySurgery: true }))).toMatchObject({ points: '304.9988', rule: 'low' });
  });

  it('keeps m′ exact when m × dayScore / score does not terminate', () => {
    // Day score 610 in a group s = 900, m = 7000: m' = 7000 × 610 / 900 = 4744.44… (no finite decimal).
    // 2372.22: r = 2372.22 × 900 / (7000 × 610) = 0.4999995… → low: 610 × r = 2372.22 × 9 / 70
    // = 304.999714… → 304.9997. 2372.23: r = 0.50000164… → normal, 610.
    const g = group('H25.9|13.4100', '900.0000', '7000.00');
    expect(score(g, kase('2372.22', { daySurgery: true }))).toMatchObject({ points: '304.9997', rule: 'low' });
    expect(score(g, kase('2372.23', { daySurgery: true }))).toMatchObject({ points: '610.0000', rule: 'normal' });
  });

  it('ignores the day-surgery flag in a group without a day-surgery score', () => {
    expect(score(CHOLE, kase('24000.00', { daySurgery: true })).factors[0]).toEqual({ name: FACTOR.score, value: '3000.0000' });
  });
});

describe('scoreCase, external expert, self-pay and no-score (spec §6.4–6.6)', () => {
  it('adds the external-expert bonus to every kind of case', () => {
    // 3000 × 1.05 = 3150; fixed 820 × 1.05 = 861; no-score 1000 / 8 × 0.7 × 1.05 = 91.875.
    const p = score(CHOLE, kase('24000.00', { externalExpert: true }));
    expect(p.points).toBe('3150.0000');
    expect(p.factors[3]).toEqual({ name: FACTOR.externalExpert, value: '1.05' });
    expect(score(APPENDIX, kase('7000.00', { externalExpert: true })).points).toBe('861.0000');
    expect(score(null, kase('1000.00', { externalExpert: true })).points).toBe('91.8750');
  });

  it('values a no-score case at c / costPerPoint × noScoreFactor, without coefficient', () => {
    // 1000 / 8 × 0.7 = 87.5, whatever k.
    expect(score(null, kase('1000.00'), '0.64')).toEqual({
      score: null,
      auxFactor: null,
      reference: null,
      points: '87.5000',
      rule: 'no-score',
      ratio: null,
      severityClass: 1,
      factors: [
        { name: FACTOR.costPoints, value: '125.00000000' },
        { name: FACTOR.noScore, value: '0.7' },
      ],
      eligibleForSpecialReview: false,
    });
    // 1234.57 / 8 × 0.7 = 108.024875 → 108.0249.
    expect(score(null, kase('1234.57')).points).toBe('108.0249');
  });

  it('reduces the points when out-of-catalogue self-pay is over the limit, not at or under it', () => {
    // c = 24000, limit 0.10 → 2400.00. At the limit and under: no factor.
    expect(score(CHOLE, kase('24000.00', { outOfCatalogSelfPay: '2400.00' })).points).toBe('3000.0000');
    expect(score(CHOLE, kase('24000.00', { outOfCatalogSelfPay: '2399.99' })).points).toBe('3000.0000');
    // Just over: 3000 × (1 − (2400.01 / 24000 − 0.1)) = 3000 × 23999.99 / 24000 = 2999.99875 → 2999.9988.
    const over = score(CHOLE, kase('24000.00', { outOfCatalogSelfPay: '2400.01' }));
    expect(over.points).toBe('2999.9988');
    expect(over.factors[3]).toEqual({ name: FACTOR.selfPay, value: '0.99999958' });
    // q = 0.3: × 0.8 → 2400.
    expect(score(CHOLE, kase('24000.00', { outOfCatalogSelfPay: '7200.00' })).points).toBe('2400.0000');
  });

  it('applies the self-pay factor to fixed-score and no-score cases too, after the expert bonus', () => {
    // q = 0.3 → 0.8. Fixed: 820 × 0.8 = 656. No-score: 1000 / 8 × 0.8 × 0.7 = 70.
    expect(score(APPENDIX, kase('1000.00', { outOfCatalogSelfPay: '300.00' })).points).toBe('656.0000');
    expect(score(null, kase('1000.00', { outOfCatalogSelfPay: '300.00' })).points).toBe('70.0000');
    // Expert and self-pay: 3000 × 1.05 × 0.8 = 2520.
    const p = score(CHOLE, kase('24000.00', { externalExpert: true, outOfCatalogSelfPay: '7200.00' }));
    expect(p.points).toBe('2520.0000');
    expect(p.factors.map((f) => f.name)).toEqual([
      FACTOR.score,
      FACTOR.severity,
      FACTOR.coefficient,
      FACTOR.externalExpert,
      FACTOR.selfPay,
    ]);
  });

  it('orders every factor of a no-score case with expert and self-pay', () => {
    // 1000 / 8 × 1.05 × 0.8 × 0.7 = 73.5.
    const p = score(null, kase('1000.00', { externalExpert: true, outOfCatalogSelfPay: '300.00' }));
    expect(p.points).toBe('73.5000');
    expect(p.factors.map((f) => f.name)).toEqual([FACTOR.costPoints, FACTOR.externalExpert, FACTOR.selfPay, FACTOR.noScore]);
  });

  it('handles a total cost of 0: no self-pay factor, r = 0 is a low outlier with 0 points', () => {
    expect(score(CHOLE, kase('0.00'))).toMatchObject({ points: '0.0000', rule: 'low', ratio: '0.0000' });
    expect(score(null, kase('0.00'))).toMatchObject({ points: '0.0000', rule: 'no-score' });
    expect(score(APPENDIX, kase('0.00'))).toMatchObject({ points: '820.0000', rule: 'fixed-score' });
  });

  it('applies no outlier rule when the group average cost is 0', () => {
    const zero = group('K80.1|51.2300', '0.0000', '0.00');
    expect(score(zero, kase('500.00'), '0.9')).toMatchObject({ points: '0.0000', rule: 'normal', ratio: null });
  });
});

describe('hospital coefficients (spec §7) with the shipped policy', () => {
  it('adds the bonuses to the base of the level', () => {
    // L2A_GENERAL 0.86 + tcm 0.05 + keyDisciplineProvincial 0.02 = 0.93.
    expect(hospitalCoefficient(scoring, { level: 'L2A_GENERAL', bonuses: ['tcm', 'keyDisciplineProvincial'] })).toBe('0.93');
    // L3A_GENERAL 1.00, no bonus.
    expect(hospitalCoefficient(scoring, { level: 'L3A_GENERAL', bonuses: [] })).toBe('1');
    // TOWNSHIP_OTHER 0.64 + primaryCare 0.03 = 0.67; L3_OTHER 0.93 + national 0.03 = 0.96.
    expect(hospitalCoefficient(scoring, { level: 'TOWNSHIP_OTHER', bonuses: ['primaryCare'] })).toBe('0.67');
    expect(hospitalCoefficient(scoring, { level: 'L3_OTHER', bonuses: ['keyDisciplineNational'] })).toBe('0.96');
  });

  it('scores with the coefficient it gives', () => {
    const k = hospitalCoefficient(scoring, { level: 'TOWNSHIP_OTHER', bonuses: ['primaryCare'] });
    // 3000 × 0.67 = 2010; r = 24000 / (24000 × 0.67) = 1.4925.
    expect(score(CHOLE, kase('24000.00'), k)).toMatchObject({ points: '2010.0000', ratio: '1.4925' });
  });
});

describe('the outlier ratio against the average at the hospital level (spec §6.2, levelAverage)', () => {
  // CHOLE with an average of 30,000 at L3A hospitals (and none at L2A): s = 3000, m = 24000.
  const BY_LEVEL = { ...CHOLE, levelAvgCost: { L3A_GENERAL: '30000.00' } };
  const byLevel = compileScoring(
    policyWith((p) => (p.scoring.outlierReference = 'levelAverage')),
    '8.000000',
  );
  const at = (level: 'L3A_GENERAL' | 'L2A_GENERAL' | null, c: ScoringInput, k: string, sp = byLevel) =>
    scoreCase(grouped(BY_LEVEL), c, { scoring: sp, coefficient: k, level, severity: SEVERITY });

  it('measures r against the level average × a, without k, where the group has one', () => {
    // L3A, k 1.03: r = 30000 / 30000 = 1 → normal, 3000 × 1.03 = 3090. (Coefficient-adjusted: 30000 / 24720 = 1.2136.)
    expect(at('L3A_GENERAL', kase('30000.00'), '1.03')).toMatchObject({
      points: '3090.0000',
      rule: 'normal',
      ratio: '1.0000',
      reference: 'levelAverage:L3A_GENERAL',
    });
    // r = 14999.99 / 30000 < 0.5 → low: 3000 × 1.03 × 0.4999996… = 1544.9990 (1544.998970 → 1544.9990).
    expect(at('L3A_GENERAL', kase('14999.99'), '1.03')).toMatchObject({ points: '1544.9990', rule: 'low', ratio: '0.5000' });
    // Severity class 3 (a = 1.25): r = 37500 / (30000 × 1.25) = 1 → 3000 × 1.25 × 1.03 = 3862.5.
    expect(at('L3A_GENERAL', kase('37500.00', SEVERE), '1.03')).toMatchObject({ points: '3862.5000', ratio: '1.0000' });
  });

  it('falls back to m × a × k for a level without an average, an unknown level, and under coefficientAdjusted', () => {
    // L2A, k 0.86: r = 30000 / (24000 × 0.86) = 1.4535 → normal, 3000 × 0.86 = 2580.
    expect(at('L2A_GENERAL', kase('30000.00'), '0.86')).toMatchObject({
      points: '2580.0000',
      ratio: '1.4535',
      reference: 'coefficientAdjusted',
    });
    expect(at(null, kase('30000.00'), '0.86')).toMatchObject({ ratio: '1.4535', reference: 'coefficientAdjusted' });
    expect(at('L3A_GENERAL', kase('30000.00'), '1.03', scoring)).toMatchObject({ ratio: '1.2136', reference: 'coefficientAdjusted' });
  });
});

describe('compileScoring', () => {
  it('refuses a cost per point that is not positive', () => {
    expect(() => compileScoring(shipped(), '0.000000')).toThrow(/costPerPoint/);
  });

  it('refuses a coefficient that is not a plain positive decimal', () => {
    expect(() => score(CHOLE, kase('24000.00'), '1e0')).toThrow(/coefficient/);
    expect(() => score(CHOLE, kase('24000.00'), '0')).toThrow(/coefficient/);
  });
});
