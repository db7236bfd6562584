import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DipError } from '../../src/domain/errors';
import { GroupFigures, medicalGroupScheme, MedicalGroupPolicy } from '../../src/domain/schemes/medical-group';
import { InputRow, SchemeInputs } from '../../src/domain/schemes/scheme';
import { readTable, tableSpec } from '../../src/domain/schemes/scheme-input';
import { schemeOf, SCHEMES } from '../../src/domain/schemes';

const DIR = resolve(__dirname, '../../catalogs/schemes/medical-group');
const policy: MedicalGroupPolicy = medicalGroupScheme.parsePolicy(JSON.parse(readFileSync(resolve(DIR, '441502-2024.json'), 'utf8')));

/** Rows as readTable gives them, from plain objects of strings (the way a CSV reads). */
function table(name: string, rows: Record<string, string>[]): InputRow[] {
  return readTable(tableSpec(medicalGroupScheme.tables, name), rows, (i) => ({ row: i }));
}

/**
 * One group G1 (lead H1, member H2) whose history totals 1,000,000.00, 1,100,000.00 and
 * 1,200,000.00 for 2021–2023: mean 1,100,000; × 1.05 = A = 1,155,000.00; advance
 * round2(1,155,000 / 12 = 96,250) = 96,250.00. Claims 100,000.00 a month = 1,200,000.00.
 */
/** Overrides of the default inputs: a few cells by name, or whole tables by table name. */
type Overrides = { firstSchemeYear?: string; outpatient?: string; inpatient?: string; itemPaid?: string } & {
  [table: string]: string | Record<string, string>[] | undefined;
};

function inputs(over: Overrides = {}): SchemeInputs {
  const t: Record<string, InputRow[]> = {
    groups: table('groups', [
      {
        groupCode: 'G1',
        name: 'Group one',
        leadHospitalCode: 'H1',
        firstSchemeYear: (over.firstSchemeYear as string | undefined) ?? '2022',
      },
    ]),
    members: table('members', [
      { groupCode: 'G1', institutionCode: 'H1', name: 'Lead', kind: 'lead' },
      { groupCode: 'G1', institutionCode: 'H2', name: 'Township', kind: 'township' },
    ]),
    history: table('history', [
      { groupCode: 'G1', year: '2021', outpatientFund: '300000.00', inpatientFund: '700000.00' },
      { groupCode: 'G1', year: '2022', outpatientFund: '350000.00', inpatientFund: '750000.00' },
      { groupCode: 'G1', year: '2023', outpatientFund: '400000.00', inpatientFund: '800000.00' },
    ]),
    claims: table(
      'claims',
      Array.from({ length: 12 }, (_, m) => ({ groupCode: 'G1', month: String(m + 1), auditedClaims: '100000.00' })),
    ),
    actuals: table('actuals', [
      {
        groupCode: 'G1',
        outpatientFund: (over.outpatient as string | undefined) ?? '400000.00',
        inpatientFund: (over.inpatient as string | undefined) ?? '855000.37',
        itemPaid: (over.itemPaid as string | undefined) ?? '0',
      },
    ]),
  };
  for (const [k, v] of Object.entries(over)) if (Array.isArray(v)) t[k] = table(k, v);
  return t;
}
const run = (i: SchemeInputs, p: MedicalGroupPolicy = policy) => medicalGroupScheme.run(p, i, 2024);
const group = (i: SchemeInputs, p?: MedicalGroupPolicy): GroupFigures => run(i, p).providers[0].figures as unknown as GroupFigures;

describe('medical-group scheme (SCHEMES.md B, seed 002)', () => {
  it('forms the allowance from the plain mean of three years, grown, plus the agreed room', () => {
    const g = group(inputs());
    expect(g.history.years.map((y) => [y.year, y.total])).toEqual([
      [2021, '1000000.00'],
      [2022, '1100000.00'],
      [2023, '1200000.00'],
    ]);
    expect(g.history.mean).toBe('1100000');
    expect(g).toMatchObject({ grownBase: '1155000.00', extra: '0.00', allowance: '1155000.00', advance: '96250.00' });
    expect(g.claims.total).toBe('1200000.00');
  });

  it('rounds the grown mean when it is formed, not the mean', () => {
    // History 1,000,000.00 + 1,100,000.00 + 1,200,000.01 = 3,300,000.01; mean 1,100,000.00333…;
    // × 1.05 = 1,155,000.0035 → 1,155,000.00. Extras 20,000.00 + 5,000.50 → A = 1,180,000.50;
    // advance round2(98,333.375) = 98,333.38.
    const i = inputs({
      history: [
        { groupCode: 'G1', year: '2021', outpatientFund: '300000.00', inpatientFund: '700000.00' },
        { groupCode: 'G1', year: '2022', outpatientFund: '350000.00', inpatientFund: '750000.00' },
        { groupCode: 'G1', year: '2023', outpatientFund: '400000.00', inpatientFund: '800000.01' },
        { groupCode: 'G1', year: '2019', outpatientFund: '1.00', inpatientFund: '1.00' },
      ],
      extras: [
        { groupCode: 'G1', reason: 'typhoon', amount: '20000.00' },
        { groupCode: 'G1', reason: 'policy change', amount: '5000.50' },
      ],
    });
    const g = group(i);
    expect(g.history.mean).toBe('1100000.003333333333333333333333333333333');
    expect(g).toMatchObject({ grownBase: '1155000.00', extra: '25000.50', allowance: '1180000.50', advance: '98333.38' });
  });

  // S = 400,000.00 + 855,000.37 = 1,255,000.37; O = 1,255,000.37 − 1,155,000.00 = 100,000.37.
  it('shares an overspend in scheme year 1 (the group’s first year): 5 / 22 / 73, the fund taking the remainder', () => {
    // group 5,000.0185 → 5,000.02; finance 22,000.0814 → 22,000.08; fund 100,000.37 − 27,000.10 = 73,000.27.
    // P = 1,155,000.00 + 0 + 73,000.27 = 1,228,000.27; balance = P − 96,250.00 − 1,200,000.00 = −68,249.73.
    const g = group(inputs({ firstSchemeYear: '2024' }));
    expect(g.schemeYear).toBe(1);
    expect(g.shares).toEqual({ group: '0.05', finance: '0.22', fund: '0.73' });
    expect(g.reconciliation.overspend).toBe('100000.37');
    expect(g.reconciliation.parts).toEqual({ group: '5000.02', finance: '22000.08', fund: '73000.27' });
    expect(g).toMatchObject({ groupPart: '5000.02', financePart: '22000.08', paymentByFund: '1228000.27', balance: '-68249.73' });
  });

  it('shares it in scheme year 2: 7 / 21 / 72', () => {
    // group 7,000.0259 → 7,000.03; finance 21,000.0777 → 21,000.08; fund 100,000.37 − 28,000.11 =
    // 72,000.26 (its own rounding, 72,000.2664 → .27, would overshoot O by a fen). P = 1,227,000.26.
    const g = group(inputs({ firstSchemeYear: '2023' }));
    expect(g.schemeYear).toBe(2);
    expect(g.reconciliation.partsUnrounded.fund).toBe('72000.2664');
    expect(g.reconciliation.parts).toEqual({ group: '7000.03', finance: '21000.08', fund: '72000.26' });
    expect(g.paymentByFund).toBe('1227000.26');
  });

  it('shares it in scheme year 3 and later: 10 / 20 / 70', () => {
    // group 10,000.037 → 10,000.04; finance 20,000.074 → 20,000.07; fund 100,000.37 − 30,000.11 = 70,000.26.
    // P = 1,225,000.26; balance 1,225,000.26 − 96,250.00 − 1,200,000.00 = −71,249.74.
    for (const first of ['2022', '2019']) {
      const g = group(inputs({ firstSchemeYear: first }));
      expect(g.shares).toEqual({ group: '0.1', finance: '0.2', fund: '0.7' });
      expect(g.reconciliation.parts).toEqual({ group: '10000.04', finance: '20000.07', fund: '70000.26' });
      expect(g).toMatchObject({ paymentByFund: '1225000.26', balance: '-71249.74' });
    }
    expect(group(inputs({ firstSchemeYear: '2019' })).schemeYear).toBe(6);
  });

  it('with S = A has no surplus and no overspend: P = A', () => {
    const g = group(inputs({ inpatient: '755000.00' }));
    expect(g.reconciliation).toMatchObject({ surplus: '0.00', overspend: '0.00', retained: '0.00', paymentByFund: '1155000.00' });
    expect(g.reconciliation.parts).toEqual({ group: '0.00', finance: '0.00', fund: '0.00' });
    // balance 1,155,000.00 − 96,250.00 − 1,200,000.00 = −141,250.00.
    expect(g.balance).toBe('-141250.00');
  });

  it('lets a group that passes keep its whole surplus, and one that fails keep none', () => {
    // S = 400,000 + 700,000 = 1,100,000.00; U = 55,000.00. Passed: retained 55,000.00, P = 1,155,000.00.
    const passed = group(inputs({ inpatient: '700000.00' }));
    expect(passed.reconciliation).toMatchObject({
      surplus: '55000.00',
      retained: '55000.00',
      fundKeeps: '0.00',
      paymentByFund: '1155000.00',
    });
    expect(passed.assessment).toEqual({ score: '1', passed: true, recorded: false });
    const failed = group(inputs({ inpatient: '700000.00', assessment: [{ groupCode: 'G1', score: '0.5', passed: 'false' }] }));
    expect(failed.reconciliation).toMatchObject({ retained: '0.00', fundKeeps: '55000.00', paymentByFund: '1100000.00' });
  });

  it('puts the whole overspend on a group that fails its assessment', () => {
    // O = 100,000.37, all the group's; P = 1,155,000.00 + 0 + 0.
    const g = group(inputs({ assessment: [{ groupCode: 'G1', score: '0.4', passed: '否' }] }));
    expect(g.reconciliation.parts).toEqual({ group: '100000.37', finance: '0.00', fund: '0.00' });
    expect(g.paymentByFund).toBe('1155000.00');
  });

  it('leaves the cases paid by item out of S', () => {
    // S = 400,000.00 + 855,000.37 − 100,000.37 = 1,155,000.00 = A.
    const g = group(inputs({ itemPaid: '100000.37' }));
    expect(g.spending).toEqual({ outpatientFund: '400000.00', inpatientFund: '855000.37', itemPaid: '100000.37', spending: '1155000.00' });
    expect(g.reconciliation.overspend).toBe('0.00');
  });

  it('forms the 2 % incentive reserve beside the allowance and pays it by the assessment score', () => {
    // Base 1,234,567.89 × 0.02 = 24,691.3578 → 24,691.36; × 0.85 = 20,987.656 → 20,987.66; the fund
    // keeps 3,703.70. Year 3: dueFromFund = balance −71,249.74 + 20,987.66 = −50,262.08.
    const g = group(
      inputs({
        reserveBase: [{ groupCode: 'G1', lastYearFundUse: '1234567.89' }],
        assessment: [{ groupCode: 'G1', score: '0.85', passed: 'true' }],
      }),
    );
    expect(g.reserve).toEqual({
      base: '1234567.89',
      baseSource: 'reserveBase',
      ratio: '0.02',
      pot: '24691.36',
      payment: '20987.66',
      fundKeeps: '3703.70',
    });
    expect(g.dueFromFund).toBe('-50262.08');
    // No reserveBase row: last year's history total 1,200,000.00 × 0.02 = 24,000.00, score 1 → all paid.
    expect(group(inputs()).reserve).toMatchObject({ base: '1200000.00', baseSource: 'history', pot: '24000.00', payment: '24000.00' });
  });

  it('is visible to the lead hospital and every member', () => {
    const out = run(inputs());
    expect(out.providers[0]).toMatchObject({ provider: 'G1', name: 'Group one', visibleTo: ['H1', 'H2'] });
    expect(out.region).toMatchObject({
      groups: 1,
      allowance: '1155000.00',
      overspend: '100000.37',
      financePart: '20000.07',
      reservePot: '24000.00',
    });
  });

  it('refuses inputs that do not fit together, naming table, row and field', () => {
    const bad = inputs({
      members: [{ groupCode: 'G9', institutionCode: 'H9', name: 'Stray', kind: 'community' }],
      history: [{ groupCode: 'G1', year: '2023', outpatientFund: '1.00', inpatientFund: '1.00' }],
    });
    try {
      run(bad);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DipError);
      expect((e as DipError).code).toBe('invalid-inputs');
      expect((e as DipError).problems).toEqual(
        expect.arrayContaining([
          { row: 1, field: 'members.groupCode', reason: 'no group "G9" in the groups table' },
          expect.objectContaining({ field: 'history.year', reason: expect.stringContaining('no history for 2021') }),
        ]),
      );
    }
    expect(() => run(inputs({ firstSchemeYear: '2025' }))).toThrow(DipError);
    const { actuals: _drop, ...noActuals } = inputs();
    expect(() => run(noActuals)).toThrow(/needs the actuals table/);
  });

  it('runs the shipped Shanwei policy on its example inputs', () => {
    // History 59,850,000 + 62,500,000 + 65,220,000 = 187,570,000; × 1.05 / 3 = A = 65,649,500.00;
    // advance round2(5,470,791.666…) = 5,470,791.67. S = 21,400,000 + 47,300,000 − 860,000 = 67,840,000.00;
    // O = 2,190,500.00, scheme year 3 (first 2022): group 219,050.00, finance 438,100.00, fund 1,533,350.00.
    // P = 65,649,500 + 1,533,350 = 67,182,850.00; claims 67,840,000.00; balance 67,182,850.00 −
    // 5,470,791.67 − 67,840,000.00 = −6,127,941.67. Reserve 71,800,000 × 0.02 = 1,436,000.00, × 0.92 =
    // 1,321,120.00; due from the fund −6,127,941.67 + 1,321,120.00 = −4,806,821.67.
    const dir = resolve(DIR, 'example');
    const example: Record<string, InputRow[]> = {};
    for (const file of readdirSync(dir)) {
      const [header, ...lines] = readFileSync(resolve(dir, file), 'utf8').trim().split('\n');
      const cols = header.split(',');
      const raws = lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v])));
      example[file.replace(/\.csv$/, '')] = readTable(tableSpec(medicalGroupScheme.tables, file.replace(/\.csv$/, '')), raws, (i) => ({
        line: i + 2,
      }));
    }
    const out = medicalGroupScheme.run(policy, example, 2024);
    const g = out.providers[0].figures as unknown as GroupFigures;
    expect(out.providers[0].visibleTo).toHaveLength(8);
    expect(g).toMatchObject({ allowance: '65649500.00', advance: '5470791.67', schemeYear: 3 });
    expect(g.spending.spending).toBe('67840000.00');
    expect(g.reconciliation.parts).toEqual({ group: '219050.00', finance: '438100.00', fund: '1533350.00' });
    expect(g).toMatchObject({ paymentByFund: '67182850.00', balance: '-6127941.67', dueFromFund: '-4806821.67' });
    expect(g.reserve).toMatchObject({ pot: '1436000.00', payment: '1321120.00' });
  });
});

describe('the medical-group policy', () => {
  it('is parsed with every problem by path', () => {
    const doc = JSON.parse(readFileSync(resolve(DIR, '441502-2024.json'), 'utf8'));
    doc.overspendShares[1].shares.fund = '0.73';
    doc.growth = 0.05;
    doc.extra = 'x';
    try {
      medicalGroupScheme.parsePolicy(doc);
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as DipError).code).toBe('invalid-policy');
      expect((e as DipError).problems).toEqual(
        expect.arrayContaining([
          { path: 'extra', reason: 'unknown key' },
          { path: 'growth', reason: 'must be a decimal string such as "0.5"' },
          { path: 'overspendShares[1].shares', reason: 'must add up to 1; they add up to 1.01' },
        ]),
      );
    }
  });
});

describe('the schemes', () => {
  it('are found by id, and an unknown id is not found', () => {
    expect(Object.keys(SCHEMES)).toEqual(['medical-group', 'zibo-budget', 'disease-capitation', 'diabetes-capitation', 'chronic-package']);
    expect(schemeOf('medical-group')).toBe(medicalGroupScheme);
    expect(() => schemeOf('drg')).toThrow(expect.objectContaining({ kind: 'not-found', code: 'unknown-scheme' }));
  });
});
