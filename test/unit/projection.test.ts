import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Catalogue } from '../../src/domain/catalogue/catalogue';
import { parseRangeTable } from '../../src/domain/catalogue/ranges';
import { procedureTyper } from '../../src/domain/codes';
import { CatalogueIndex, compileScoring, groupCase } from '../../src/domain/engine';
import { parsePolicy } from '../../src/domain/policy';
import {
  alternativesOf,
  choosePointValue,
  estimatedPayment,
  pointsDifference,
  reachableGroups,
  validateProjectionCase,
} from '../../src/domain/projection';
import { SAMPLE } from '../support/sample-catalogue';

const chapters = parseRangeTable(readFileSync(resolve(__dirname, '../../catalogs/icd10-chapters.tsv'), 'utf8'));
const index = (c: Catalogue) => new CatalogueIndex(c, { chapters, blocks: [] });
const typeOf = procedureTyper(new Map());

describe('projection: the estimate', () => {
  it('is points × point value rounded half-up to the fen once', () => {
    expect(estimatedPayment('3090.0000', '7.950000')).toBe('24565.50');
    expect(estimatedPayment('3090.0000', '6.921481')).toBe('21387.38'); // 21,387.37629
    expect(estimatedPayment('3862.5000', '7.950000')).toBe('30706.88'); // 30,706.875: the half goes up
    expect(estimatedPayment('0.0001', '0.000050')).toBe('0.00');
    expect(estimatedPayment('0.0000', '12.000000')).toBe('0.00');
    expect(estimatedPayment('99999999.9999', '999.999999')).toBe('99999999899.90'); // 99,999,999,899.9000000001: exact, no float
  });

  it('says the difference of two groups in points, signed', () => {
    expect(pointsDifference('2317.5000', '3090.0000')).toBe('-772.5000');
    expect(pointsDifference('3862.5000', '3090.0000')).toBe('772.5000');
  });
});

describe('projection: the point value', () => {
  const catalogue = { id: 'cat', pvBudget: '7.950000' };
  const run = (runId: string, period: string, pools: { pool: 'employee' | 'resident'; pointValue: string; points: string }[]) => ({
    runId,
    period,
    status: 'draft',
    pools,
  });

  it("takes the pool's point value of the latest run that settled the pool with points", () => {
    const runs = [
      run('r4', '2024-04', [{ pool: 'employee', pointValue: '0.000000', points: '0.0000' }]),
      run('r3', '2024-03', [
        { pool: 'employee', pointValue: '6.921481', points: '6750.0000' },
        { pool: 'resident', pointValue: '9.811321', points: '1325.0000' },
      ]),
    ];
    expect(choosePointValue(runs, 'employee', catalogue)).toEqual({
      value: '6.921481',
      source: 'monthly-run',
      runId: 'r3',
      period: '2024-03',
      status: 'draft',
    });
    expect(choosePointValue(runs, 'resident', catalogue)).toMatchObject({ value: '9.811321', runId: 'r3' });
  });

  it("falls back to the catalogue's budget point value", () => {
    expect(choosePointValue([], 'employee', catalogue)).toEqual({ value: '7.950000', source: 'catalogue-budget', catalogueId: 'cat' });
    expect(
      choosePointValue([run('r1', '2024-01', [{ pool: 'resident', pointValue: '9.1', points: '10.0000' }])], 'employee', catalogue),
    ).toMatchObject({ source: 'catalogue-budget' });
  });
});

describe('projection: reachable groups and alternatives', () => {
  it('lists the core groups of the subcategory and the composites some coding reaches', () => {
    // K80.1 has a conservative core group: a conservative or diagnostic case always has it as a
    // candidate, so K80~diagnostic is out of reach; a surgical case past every core key goes to
    // K80~surgery, merged into the chapter group.
    expect(reachableGroups(index(SAMPLE), 'K80.100').map((r) => [r.group.key, r.rule, r.keyProcedures, r.treatmentType])).toEqual([
      ['K80.1|', 'core-exact', [], 'conservative'],
      ['K80.1|51.2300', 'core-exact', ['51.2300'], 'surgery'],
      ['K00-K93~surgery', 'composite-chapter', [], 'surgery'],
    ]);
    // Without the conservative core group, the diagnostic composite is reachable.
    const noConservative = { ...SAMPLE, groups: SAMPLE.groups.filter((g) => g.key !== 'K80.1|') };
    expect(reachableGroups(index(noConservative), 'K80.100').map((r) => r.group.key)).toEqual([
      'K80.1|51.2300',
      'K80~diagnostic',
      'K00-K93~surgery',
    ]);
    // K81: no core group; only the chapter's surgical composite exists.
    expect(reachableGroups(index(SAMPLE), 'K81.000').map((r) => [r.group.key, r.rule])).toEqual([['K00-K93~surgery', 'composite-chapter']]);
    // A diagnosis outside every range and group: nothing.
    expect(reachableGroups(index(SAMPLE), 'J18.900')).toEqual([]);
  });

  it('values each other group for the same case, highest points first', () => {
    const policy = parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));
    const idx = index(SAMPLE);
    const c = {
      principalDiagnosis: 'K80.100',
      principalProcedure: '51.2300',
      otherProcedures: [],
      secondaryDiagnoses: [],
      totalCost: '24720.00',
      outOfCatalogSelfPay: '0.00',
      daySurgery: false,
      externalExpert: false,
      dischargeMode: '1',
      losDays: 7,
    };
    const own = groupCase(idx, c, typeOf);
    const ctx = {
      scoring: compileScoring(policy, SAMPLE.costPerPoint),
      coefficient: '1.03',
      severity: { severe: new Set<string>(), moderate: new Set<string>() },
    };
    expect(alternativesOf(idx, c, own, ctx).map((a) => [a.group.key, a.points.rule, a.points.points])).toEqual([
      ['K00-K93~surgery', 'normal', '3862.5000'], // r = 0.8: 3,750 × 1.03
      ['K80.1|', 'high', '2317.5000'], // r = 4: 750 × 1.03 × 3
    ]);
  });
});

describe('projection: validation', () => {
  const raw = {
    caseId: 'P1',
    hospitalCode: 'H001',
    pool: 'employee',
    patientId: 'X',
    sex: 'M',
    age: 54,
    admissionDate: '2024-03-01',
    dischargeDate: '2024-03-08',
    dischargeMode: '1',
    principalDiagnosis: 'K80.100',
    totalCost: '100.00',
  };
  const ctx = { hasHospital: () => true };

  it('takes a case without a patientId: a projection values no patient', () => {
    const { patientId: _p, ...anonymous } = raw as Record<string, unknown>;
    expect(validateProjectionCase(anonymous as typeof raw, ctx)).toMatchObject({ record: { caseId: raw.caseId } });
    expect(validateProjectionCase({ ...raw, patientId: '' }, ctx)).toMatchObject({ record: { caseId: raw.caseId } });
  });

  it('takes a case without fundPayment and checks the self-pay against totalCost', () => {
    expect(validateProjectionCase(raw, ctx)).toMatchObject({ fundPaymentGiven: false, record: { fundPayment: '0.00' } });
    expect(validateProjectionCase({ ...raw, fundPayment: '60.00' }, ctx)).toMatchObject({ fundPaymentGiven: true });
    expect(validateProjectionCase({ ...raw, outOfCatalogSelfPay: '100.01' }, ctx)).toEqual({
      errors: [{ field: 'outOfCatalogSelfPay', reason: expect.stringContaining('exceeds') }],
    });
  });

  it('still requires totalCost and checks a fundPayment given', () => {
    const { totalCost: _t, ...noCost } = raw;
    expect(validateProjectionCase(noCost, ctx)).toEqual({ errors: [{ field: 'totalCost', reason: 'is required' }] });
    expect(validateProjectionCase({ ...raw, fundPayment: '100.01' }, ctx)).toEqual({
      errors: [{ field: 'fundPayment', reason: expect.stringContaining('exceeds totalCost') }],
    });
  });
});
