import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, parsePolicy, Policy, PolicyError, policyHash } from '../../src/domain/policy';

const SHIPPED = path.resolve(__dirname, '../../catalogs/policies/370300-2024.json');

/** A fresh, mutable copy of the shipped Zibo-style policy document. */
type Doc = Record<string, any>;
const shipped = (): Doc => JSON.parse(fs.readFileSync(SHIPPED, 'utf8')) as Doc;

/** The shipped document changed by `edit`. */
function edited(edit: (d: Doc) => void): Doc {
  const d = shipped();
  edit(d);
  return d;
}

/** The problems parsePolicy reports for `doc` (fails the test when it parses). */
function problemsOf(doc: unknown): PolicyError['problems'] {
  try {
    parsePolicy(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).problems;
  }
  throw new Error('expected the policy to be rejected');
}

/** The same JSON value with the keys of every object in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .reverse()
        .map((k) => [k, reversedKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

describe('parsePolicy: the shipped 370300-2024 policy', () => {
  it('parses, with every decimal back as a plain string', () => {
    const expected: Policy = {
      region: '370300',
      year: 2024,
      name: shipped().name as string,
      catalog: {
        lookbackYears: 3,
        yearWeights: ['1', '2', '7'],
        coreThreshold: '15',
        compositeMinCases: '15',
        trim: { method: 'percentile', lower: '2.5', upper: '97.5', minCases: 25 },
        reference: { type: 'allCases' },
        scoreScale: '1000',
        auxiliary: { minCases: 5 },
      },
      scoring: {
        lowRatio: '0.5',
        highRatio: '2',
        extremeRatio: '5',
        highFormula: 'national',
        outlierReference: 'coefficientAdjusted',
        primaryCareCoefficient: '1',
        externalExpertBonus: '0.05',
        noScoreFactor: '0.7',
        selfPayLimit: '0.1', // written "0.10"
      },
      groups: {
        primaryCare: ['J18.9|'],
        fixedScore: [{ key: 'K35.8|47.0900', score: '820', applyCoefficient: false }],
        daySurgery: [{ key: 'H25.9|13.4100', score: '610' }],
      },
      hospitalLevels: {
        L3A_GENERAL: '1', // written "1.00"
        L3_OTHER: '0.93',
        L2A_GENERAL: '0.86',
        L2_OTHER: '0.8', // written "0.80"
        L1: '0.72',
        TOWNSHIP_A: '0.68',
        TOWNSHIP_OTHER: '0.64',
      },
      bonuses: { primaryCare: '0.03', tcm: '0.05', keyDisciplineNational: '0.03', keyDisciplineProvincial: '0.02' },
      budget: {
        employee: {
          revenue: '5200000000',
          reserveRatio: '0.1',
          lines: {
            generalOutpatient: '620000000',
            outpatientChronic: '410000000',
            outOfRegion: '350000000',
            otherMethods: '260000000',
            criticalIllness: '180000000',
          },
        },
        resident: { dipBudget: '2300000000' },
      },
      settlement: {
        basis: 'totalCost',
        monthlyPrepayRatio: '0.95',
        capAtHospitalBookkeeping: true,
        qualityWithholdRatio: '0.05',
        reserveSplit: { dip: '0.7', adjustment: '0.3' },
        overspendTiers: [
          { upTo: '0.1', fundShare: '0.5' },
          { upTo: null, fundShare: '0' },
        ],
        revolvingFundMonths: 1,
      },
      specialCases: { cap: '0.005', panelSize: 3, longStayDays: 60 },
    };
    expect(parsePolicy(shipped())).toEqual(expected);
  });

  it('gives strings, never numbers, for the decimals written as JSON numbers', () => {
    const p = parsePolicy(shipped());
    expect(p.catalog.yearWeights).toEqual(['1', '2', '7']);
    expect(p.catalog.trim.lower).toBe('2.5');
    expect(typeof p.catalog.coreThreshold).toBe('string');
    expect(typeof p.catalog.scoreScale).toBe('string');
  });

  it('takes groups and budget as optional', () => {
    const p = parsePolicy(
      edited((d) => {
        delete d.groups;
        delete d.budget;
      }),
    );
    expect(p.budget).toEqual({});
    expect(p.groups).toEqual({ primaryCare: [], fixedScore: [], daySurgery: [] });
  });

  it('takes specialCases.decisionDays as optional: absent, the policy and its hash are as before', () => {
    const without = parsePolicy(shipped());
    expect(without.specialCases).toEqual({ cap: '0.005', panelSize: 3, longStayDays: 60 });
    const withDays = parsePolicy(edited((d) => (d.specialCases.decisionDays = 15)));
    expect(withDays.specialCases.decisionDays).toBe(15);
    expect(policyHash(withDays)).not.toBe(policyHash(without));
    expect(problemsOf(edited((d) => (d.specialCases.decisionDays = 0)))).toEqual([
      { path: 'specialCases.decisionDays', reason: 'must be between 1 and 366' },
    ]);
  });

  it('reads a benchmark reference', () => {
    const p = parsePolicy(edited((d) => (d.catalog.reference = { type: 'benchmark', key: 'K80.1|51.2300', score: '1000' })));
    expect(p.catalog.reference).toEqual({ type: 'benchmark', key: 'K80.1|51.2300', score: '1000' });
  });
});

describe('policyHash and canonicalJson', () => {
  it('writes canonical JSON with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, 2] })).toBe('{"a":[{"c":"x","d":null},2],"b":1}');
  });

  it('is the SHA-256 of the canonical JSON', () => {
    const p = parsePolicy(shipped());
    expect(policyHash(p)).toBe(createHash('sha256').update(canonicalJson(p)).digest('hex'));
    expect(policyHash(p)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable: the same document, parsed twice or with its keys reordered, has the same hash', () => {
    const hash = policyHash(parsePolicy(shipped()));
    expect(policyHash(parsePolicy(shipped()))).toBe(hash);
    const reordered = reversedKeys(shipped()) as Doc;
    expect(Object.keys(reordered)[0]).toBe('specialCases');
    expect(policyHash(parsePolicy(reordered))).toBe(hash);
  });

  it('is the same when a decimal is written with trailing zeros (same value)', () => {
    const hash = policyHash(parsePolicy(shipped()));
    expect(policyHash(parsePolicy(edited((d) => (d.scoring.lowRatio = '0.50'))))).toBe(hash);
  });

  it.each<[string, (d: Doc) => void]>([
    ['scoring.lowRatio', (d) => (d.scoring.lowRatio = '0.4')],
    ['year', (d) => (d.year = 2025)],
    ['catalog.yearWeights', (d) => (d.catalog.yearWeights = [1, 3, 6])],
    ['hospitalLevels.L1', (d) => (d.hospitalLevels.L1 = '0.73')],
    ['settlement.capAtHospitalBookkeeping', (d) => (d.settlement.capAtHospitalBookkeeping = false)],
    ['groups.primaryCare', (d) => d.groups.primaryCare.push('I10.x|')],
  ])('changes when %s changes', (_, edit) => {
    expect(policyHash(parsePolicy(edited(edit)))).not.toBe(policyHash(parsePolicy(shipped())));
  });
});

describe('parsePolicy: problems name their path', () => {
  it('rejects a document that is not an object', () => {
    expect(problemsOf([])).toEqual([{ path: '', reason: 'must be an object' }]);
    expect(problemsOf(null)).toEqual([{ path: '', reason: 'must be an object' }]);
  });

  it.each<[string, (d: Doc) => void]>([
    ['foo', (d) => (d.foo = 1)],
    ['scoring.foo', (d) => (d.scoring.foo = '1')],
    ['catalog.trim.foo', (d) => (d.catalog.trim.foo = 1)],
    ['settlement.reserveSplit.foo', (d) => (d.settlement.reserveSplit.foo = '0')],
    ['groups.fixedScore[0].foo', (d) => (d.groups.fixedScore[0].foo = true)],
    ['budget.employee.lines.foo', (d) => (d.budget.employee.lines.foo = '1')],
  ])('rejects the unknown key %s', (at, edit) => {
    expect(problemsOf(edited(edit))).toEqual([{ path: at, reason: 'unknown key' }]);
  });

  it('rejects a decimal given as a JSON number where a string is required', () => {
    expect(problemsOf(edited((d) => (d.scoring.lowRatio = 0.5)))).toEqual([
      { path: 'scoring.lowRatio', reason: 'must be a decimal string such as "0.5"' },
    ]);
    expect(problemsOf(edited((d) => (d.hospitalLevels.L1 = 0.72)))).toEqual([
      { path: 'hospitalLevels.L1', reason: 'must be a decimal string such as "0.5"' },
    ]);
  });

  it.each<[string, (d: Doc) => void, RegExp]>([
    ['year', (d) => (d.year = '2024'), /whole number/],
    ['year', (d) => (d.year = 2024.5), /whole number/],
    ['region', (d) => (d.region = '3703'), /6-digit region code/],
    ['name', (d) => (d.name = 7), /must be a string/],
    ['catalog.lookbackYears', (d) => (d.catalog.lookbackYears = '3'), /whole number/],
    ['catalog.trim.method', (d) => (d.catalog.trim.method = 'iqr'), /one of percentile, none/],
    ['scoring.highFormula', (d) => (d.scoring.highFormula = 'zibo'), /one of national, shandong/],
    ['settlement.capAtHospitalBookkeeping', (d) => (d.settlement.capAtHospitalBookkeeping = 'true'), /true or false/],
    ['settlement.revolvingFundMonths', (d) => (d.settlement.revolvingFundMonths = 13), /between 0 and 12/],
    ['specialCases.panelSize', (d) => (d.specialCases.panelSize = 0), /between 1 and 99/],
    ['groups.primaryCare[0]', (d) => (d.groups.primaryCare = ['J18.9']), /combination key/],
    ['groups.fixedScore[0].key', (d) => (d.groups.fixedScore[0].key = 'K35.8-47.0900'), /combination key/],
    ['scoring', (d) => (d.scoring = '0.5'), /must be an object/],
  ])('rejects a wrong %s', (at, edit, reason) => {
    expect(problemsOf(edited(edit))).toEqual([{ path: at, reason: expect.stringMatching(reason) }]);
  });

  it.each<[string, unknown]>([
    ['0', 0],
    ['-1', -1],
    ['"0"', '0'],
    ['"-1"', '-1'],
  ])('rejects coreThreshold %s', (_, value) => {
    expect(problemsOf(edited((d) => (d.catalog.coreThreshold = value)))).toEqual([
      { path: 'catalog.coreThreshold', reason: expect.stringMatching(/greater than 0/) },
    ]);
  });

  it('rejects a hospital level coefficient of 0 and a negative bonus', () => {
    expect(problemsOf(edited((d) => (d.hospitalLevels.L1 = '0')))).toEqual([
      { path: 'hospitalLevels.L1', reason: expect.stringMatching(/greater than 0/) },
    ]);
    expect(problemsOf(edited((d) => (d.bonuses.tcm = '-0.01')))).toEqual([
      { path: 'bonuses.tcm', reason: expect.stringMatching(/below the minimum 0/) },
    ]);
  });

  it.each<[number[], number]>([
    [[1, 2], 3],
    [[1, 2, 7], 2],
    [[1, 2, 7], 4],
  ])('rejects yearWeights %j for lookbackYears %i', (weights, years) => {
    const problems = problemsOf(
      edited((d) => {
        d.catalog.yearWeights = weights;
        d.catalog.lookbackYears = years;
      }),
    );
    expect(problems).toEqual([{ path: 'catalog.yearWeights', reason: `has ${weights.length} weights for ${years} look-back years` }]);
  });

  it('rejects a yearWeight of 0', () => {
    expect(problemsOf(edited((d) => (d.catalog.yearWeights = [0, 2, 7])))).toEqual([
      { path: 'catalog.yearWeights[0]', reason: expect.stringMatching(/greater than 0/) },
    ]);
  });

  it.each<[string, string, string]>([
    ['2', '2', '5'],
    ['3', '2', '5'],
    ['0.5', '5', '5'],
    ['0.5', '6', '5'],
  ])('rejects lowRatio %s, highRatio %s, extremeRatio %s', (lowRatio, highRatio, extremeRatio) => {
    const problems = problemsOf(edited((d) => Object.assign(d.scoring, { lowRatio, highRatio, extremeRatio })));
    expect(problems).toEqual([{ path: 'scoring', reason: 'ratios must satisfy lowRatio < highRatio < extremeRatio' }]);
  });

  it('rejects a trim whose lower bound is not below the upper', () => {
    expect(problemsOf(edited((d) => (d.catalog.trim.lower = 97.5)))).toEqual([
      { path: 'catalog.trim', reason: 'lower must be below upper' },
    ]);
  });

  it.each<[string, string]>([
    ['0.7', '0.2'],
    ['0.7', '0.31'],
    ['1', '0.01'],
  ])('rejects reserveSplit dip %s + adjustment %s ≠ 1', (dip, adjustment) => {
    expect(problemsOf(edited((d) => (d.settlement.reserveSplit = { dip, adjustment })))).toEqual([
      { path: 'settlement.reserveSplit', reason: 'dip + adjustment must be 1' },
    ]);
  });

  it('accepts a reserveSplit of 1 and 0', () => {
    expect(parsePolicy(edited((d) => (d.settlement.reserveSplit = { dip: '1', adjustment: '0' }))).settlement.reserveSplit).toEqual({
      dip: '1',
      adjustment: '0',
    });
  });

  it('accepts three increasing overspend tiers', () => {
    const tiers = [
      { upTo: '0.05', fundShare: '0.7' },
      { upTo: '0.10', fundShare: '0.5' },
      { upTo: null, fundShare: '0' },
    ];
    expect(parsePolicy(edited((d) => (d.settlement.overspendTiers = tiers))).settlement.overspendTiers).toEqual([
      { upTo: '0.05', fundShare: '0.7' },
      { upTo: '0.1', fundShare: '0.5' },
      { upTo: null, fundShare: '0' },
    ]);
  });

  it.each<[string, string]>([
    ['decreasing', '0.05'],
    ['equal', '0.10'],
  ])('rejects overspend tiers that are not increasing (%s)', (_, second) => {
    const tiers = [
      { upTo: '0.10', fundShare: '0.7' },
      { upTo: second, fundShare: '0.5' },
      { upTo: null, fundShare: '0' },
    ];
    expect(problemsOf(edited((d) => (d.settlement.overspendTiers = tiers)))).toEqual([
      { path: 'settlement.overspendTiers[1].upTo', reason: 'tiers must be increasing' },
    ]);
  });

  it('rejects overspend tiers whose last tier is not open', () => {
    const tiers = [
      { upTo: '0.10', fundShare: '0.5' },
      { upTo: '0.20', fundShare: '0' },
    ];
    expect(problemsOf(edited((d) => (d.settlement.overspendTiers = tiers)))).toEqual([
      { path: 'settlement.overspendTiers[1].upTo', reason: 'the last tier must be open (null)' },
    ]);
  });

  it('rejects an open tier before the last', () => {
    const tiers = [
      { upTo: null, fundShare: '0.5' },
      { upTo: null, fundShare: '0' },
    ];
    expect(problemsOf(edited((d) => (d.settlement.overspendTiers = tiers)))).toEqual([
      { path: 'settlement.overspendTiers[0].upTo', reason: 'only the last tier may be open (null)' },
    ]);
  });

  it('rejects an empty list of overspend tiers', () => {
    expect(problemsOf(edited((d) => (d.settlement.overspendTiers = [])))).toEqual([
      { path: 'settlement.overspendTiers', reason: 'needs at least one tier' },
    ]);
  });

  it.each<[string, (d: Doc) => void]>([
    ['scoring.selfPayLimit', (d) => (d.scoring.selfPayLimit = '1e-1')],
    ['scoring.highRatio', (d) => (d.scoring.highRatio = '2E0')],
    ['catalog.coreThreshold', (d) => (d.catalog.coreThreshold = '1.5e1')],
    ['settlement.overspendTiers[0].upTo', (d) => (d.settlement.overspendTiers[0].upTo = '1e-1')],
  ])('rejects exponent notation in %s', (at, edit) => {
    expect(problemsOf(edited(edit))).toEqual([{ path: at, reason: expect.stringMatching(/exponent notation/) }]);
  });

  it.each(['', ' 0.5', '0.5 ', '.5', '0,5', '1/2'])('rejects the decimal text %j', (text) => {
    expect(problemsOf(edited((d) => (d.scoring.noScoreFactor = text)))).toEqual([
      { path: 'scoring.noScoreFactor', reason: expect.stringMatching(/not a decimal number/) },
    ]);
  });

  it('rejects a selfPayLimit above 1', () => {
    expect(problemsOf(edited((d) => (d.scoring.selfPayLimit = '1.01')))).toEqual([
      { path: 'scoring.selfPayLimit', reason: expect.stringMatching(/above the maximum 1/) },
    ]);
  });

  it('rejects duplicate fixed-score keys', () => {
    const problems = problemsOf(edited((d) => d.groups.fixedScore.push({ key: 'K35.8|47.0900', score: '900' })));
    expect(problems).toEqual([{ path: 'groups.fixedScore[1].key', reason: 'duplicates key "K35.8|47.0900"' }]);
  });

  it('reports a missing required key by its path', () => {
    const problems = problemsOf(edited((d) => delete d.specialCases));
    expect(problems).toContainEqual({ path: 'specialCases', reason: 'is required' });
    expect(problems.every((p) => p.path === 'specialCases')).toBe(true);
  });
});

describe('PolicyError', () => {
  it('lists every problem at once', () => {
    const doc = edited((d) => {
      d.scoring.foo = 1; // unknown key
      d.catalog.coreThreshold = 0; // not positive
      d.settlement.reserveSplit = { dip: '0.6', adjustment: '0.3' }; // sums to 0.9
    });
    let error: unknown;
    try {
      parsePolicy(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const problems = (error as PolicyError).problems;
    expect(problems).toHaveLength(3);
    expect([...problems].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'catalog.coreThreshold', reason: 'must be greater than 0; got "0"' },
      { path: 'scoring.foo', reason: 'unknown key' },
      { path: 'settlement.reserveSplit', reason: 'dip + adjustment must be 1' },
    ]);
    const message = (error as PolicyError).message;
    expect(message).toMatch(/^invalid policy: /);
    for (const p of ['catalog.coreThreshold', 'scoring.foo', 'settlement.reserveSplit']) expect(message).toContain(p);
  });
});
