import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DipError } from '../../src/domain/errors';
import { InputRow, SchemeInputs } from '../../src/domain/schemes/scheme';
import { readTable, tableSpec } from '../../src/domain/schemes/scheme-input';
import { dipBudgetInputs, ZiboBudgetPolicy, ziboBudgetScheme, ZiboPoolTree, ZiboRegionFigures } from '../../src/domain/schemes/zibo-budget';
import { poolBudget, yearEndReserve } from '../../src/domain/settlement/settlement';

const DIR = resolve(__dirname, '../../catalogs/schemes/zibo-budget');
const shipped = JSON.parse(readFileSync(resolve(DIR, '370300-2024.json'), 'utf8'));
const policy: ZiboBudgetPolicy = ziboBudgetScheme.parsePolicy(shipped);

const table = (name: string, rows: Record<string, string>[]): InputRow[] =>
  readTable(tableSpec(ziboBudgetScheme.tables, name), rows, (i) => ({ row: i }));

function example(): Record<string, InputRow[]> {
  const dir = resolve(DIR, 'example');
  const out: Record<string, InputRow[]> = {};
  for (const file of readdirSync(dir)) {
    const [header, ...lines] = readFileSync(resolve(dir, file), 'utf8').trim().split('\n');
    const cols = header.split(',');
    out[file.replace(/\.csv$/, '')] = readTable(
      tableSpec(ziboBudgetScheme.tables, file.replace(/\.csv$/, '')),
      lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v]))),
      (i) => ({ line: i + 2 }),
    );
  }
  return out;
}

/**
 * A pool with odd fen everywhere, so that every rounding shows. Policy: reserve 0.10; general
 * outpatient 12.34 a head; chronic from last year × 1.033 × 0.987, quota 100.50; out-of-region
 * × 1.045; other methods 1.05, 1.05, 1.03, 1.04, 1.10; critical illness 65.43 a person.
 */
const oddPolicy: ZiboBudgetPolicy = ziboBudgetScheme.parsePolicy({
  ...shipped,
  pools: {
    employee: {
      generalOutpatient: { perCapitaQuota: '12.34' },
      outpatientChronic: { averageCostGrowth: '0.033', incidenceChange: '-0.013', perCapitaQuota: '100.50' },
      outOfRegion: { growth: '0.045' },
      otherMethods: { haemodialysis: '0.05', peritonealDialysis: '0.05', singleDisease: '0.03', psychiatry: '0.04', hospice: '0.10' },
      criticalIllness: { fundingStandard: '65.43' },
    },
  },
});
function oddInputs(actuals?: Record<string, string>): SchemeInputs {
  return {
    pools: table('pools', [{ pool: 'employee', revenue: '1000000.07', insuredPersons: '777' }]),
    lastYear: table(
      'lastYear',
      Object.entries({
        outpatientChronic: '20000.01',
        outOfRegion: '30000.03',
        haemodialysis: '5000.05',
        peritonealDialysis: '1000.01',
        singleDisease: '3333.33',
        psychiatry: '2222.22',
        hospice: '999.99',
      }).map(([item, amount]) => ({ pool: 'employee', item, amount })),
    ),
    signed: table('signed', [
      { pool: 'employee', line: 'generalOutpatient', institutionCode: 'HA', name: 'Hospital A', signedPersons: '600' },
      { pool: 'employee', line: 'generalOutpatient', institutionCode: 'HB', name: 'Hospital B', signedPersons: '401' },
      { pool: 'employee', line: 'outpatientChronic', institutionCode: 'HC', name: 'Clinic C', signedPersons: '3' },
    ]),
    ...(actuals
      ? {
          actuals: table(
            'actuals',
            Object.entries(actuals).map(([line, amount]) => ({ pool: 'employee', line, amount })),
          ),
        }
      : {}),
  };
}
const tree = (out: { region: Record<string, unknown> }, pool: 'employee' | 'resident' = 'employee'): ZiboPoolTree =>
  (out.region as unknown as ZiboRegionFigures).pools[pool]!;

describe('zibo-budget scheme (SCHEMES.md E, seed 001)', () => {
  it('forms the reserve, every line and the DIP budget, adding up to R to the fen', () => {
    // reserve round2(1,000,000.07 × 0.10 = 100,000.007) = 100,000.01.
    // 1 general outpatient 12.34 × (600 + 401) = 12,352.34.
    // 2 chronic 20,000.01 × 1.033 = 20,660.01033, × 0.987 = 20,391.43019571 → 20,391.43.
    // 3 out-of-region 30,000.03 × 1.045 = 31,350.03135 → 31,350.03.
    // 4 haemodialysis 5,000.05 × 1.05 = 5,250.0525 → 5,250.05; peritoneal 1,000.01 × 1.05 = 1,050.0105 →
    //   1,050.01; single disease 3,333.33 × 1.03 = 3,433.3299 → 3,433.33; psychiatry 2,222.22 × 1.04 =
    //   2,311.1088 → 2,311.11; hospice 999.99 × 1.10 = 1,099.989 → 1,099.99; Σ 13,144.49.
    // 5 critical illness 65.43 × 777 = 50,839.11.
    // Σ lines 128,077.40; DIP = 1,000,000.07 − 100,000.01 − 128,077.40 = 771,922.66;
    // check 100,000.01 + 128,077.40 + 771,922.66 = 1,000,000.07.
    const t = tree(ziboBudgetScheme.run(oddPolicy, oddInputs(), 2024));
    expect(t.reserve).toBe('100000.01');
    expect(Object.fromEntries(Object.entries(t.lines).map(([k, v]) => [k, v.budget]))).toEqual({
      generalOutpatient: '12352.34',
      outpatientChronic: '20391.43',
      outOfRegion: '31350.03',
      otherMethods: '13144.49',
      criticalIllness: '50839.11',
    });
    expect(t.lines.otherMethods.basis).toEqual({
      methods: {
        haemodialysis: { lastYear: '5000.05', growth: '0.05', budget: '5250.05' },
        peritonealDialysis: { lastYear: '1000.01', growth: '0.05', budget: '1050.01' },
        singleDisease: { lastYear: '3333.33', growth: '0.03', budget: '3433.33' },
        psychiatry: { lastYear: '2222.22', growth: '0.04', budget: '2311.11' },
        hospice: { lastYear: '999.99', growth: '0.1', budget: '1099.99' },
      },
    });
    expect(t).toMatchObject({ linesTotal: '128077.40', dipBudget: '771922.66' });
    expect(t.check).toEqual({ budgetSide: '1000000.07', reserveSide: '100000.01', addsUp: true });
    // No actuals yet: no shortfall, L = the reserve; toDipFund round2(70,000.007) = 70,000.01, J = 30,000.00.
    expect(t.yearEnd).toMatchObject({
      actualsRecorded: [],
      shortfall: '0.00',
      remainder: '100000.01',
      toDipFund: '70000.01',
      adjustmentFund: '30000.00',
    });
  });

  it('covers the shortfall of lines 1–4 line by line from the reserve and splits what remains 70 / 30', () => {
    // Variances: general outpatient 12,400.00 − 12,352.34 = 47.66; chronic 20,000.00 − 20,391.43 =
    // −391.43 (offsets nothing); out-of-region 31,400.05 − 31,350.03 = 50.02; other 13,200.00 −
    // 13,144.49 = 55.51; critical illness 60,000.00 − 50,839.11 = 9,160.89 (not covered).
    // Shortfall 47.66 + 50.02 + 55.51 = 153.19; L = 100,000.01 − 153.19 = 99,846.82;
    // toDipFund round2(69,892.774) = 69,892.77; J = 99,846.82 − 69,892.77 = 29,954.05;
    // check 153.19 + 69,892.77 + 29,954.05 = 100,000.01.
    const t = tree(
      ziboBudgetScheme.run(
        oddPolicy,
        oddInputs({
          generalOutpatient: '12400.00',
          outpatientChronic: '20000.00',
          outOfRegion: '31400.05',
          otherMethods: '13200.00',
          criticalIllness: '60000.00',
        }),
        2024,
      ),
    );
    expect(Object.values(t.lines).map((l) => l.variance)).toEqual(['47.66', '-391.43', '50.02', '55.51', '9160.89']);
    expect(t.yearEnd).toMatchObject({
      shortfall: '153.19',
      coveredByReserve: '153.19',
      remainder: '99846.82',
      toDipFund: '69892.77',
      adjustmentFund: '29954.05',
      uncovered: '0.00',
    });
    expect(t.check.addsUp).toBe(true);
  });

  it('reports the shortfall the reserve cannot cover', () => {
    // General outpatient over by 112,400.00 − 12,352.34 = 100,047.66, with 50.02 and 55.51: shortfall
    // 100,153.19 > reserve 100,000.01: L = 0, toDipFund 0, J 0, uncovered 153.18.
    const t = tree(
      ziboBudgetScheme.run(
        oddPolicy,
        oddInputs({ generalOutpatient: '112400.00', outOfRegion: '31400.05', otherMethods: '13200.00' }),
        2024,
      ),
    );
    expect(t.yearEnd).toMatchObject({
      shortfall: '100153.19',
      coveredByReserve: '100000.01',
      remainder: '0.00',
      toDipFund: '0.00',
      adjustmentFund: '0.00',
      uncovered: '153.18',
    });
    expect(t.check.addsUp).toBe(true);
  });

  it('settles the capitation lines per institution: quota × signed persons, visible to the institution', () => {
    // HA 12.34 × 600 = 7,404.00; HB 12.34 × 401 = 4,948.34; HC chronic 100.50 × 3 = 301.50.
    const out = ziboBudgetScheme.run(oddPolicy, oddInputs(), 2024);
    expect(out.providers.map((p) => [p.provider, p.visibleTo, (p.figures as { total: string }).total])).toEqual([
      ['HA', ['HA'], '7404.00'],
      ['HB', ['HB'], '4948.34'],
      ['HC', ['HC'], '301.50'],
    ]);
    expect(out.providers[2].figures).toMatchObject({
      capitation: [{ pool: 'employee', line: 'outpatientChronic', perCapitaQuota: '100.50', signedPersons: 3, amount: '301.50' }],
    });
  });

  it('takes the chronic line as given when the policy gives it', () => {
    const given = ziboBudgetScheme.parsePolicy({
      ...shipped,
      pools: { employee: { ...shipped.pools.employee, outpatientChronic: { budget: '20000.00', perCapitaQuota: '100.50' } } },
    });
    const t = tree(
      ziboBudgetScheme.run(
        given,
        { ...oddInputs(), pools: table('pools', [{ pool: 'employee', revenue: '9000000000.00', insuredPersons: '1' }]) },
        2024,
      ),
    );
    expect(t.lines.outpatientChronic).toMatchObject({ budget: '20000.00', basis: { given: true } });
  });

  it('runs the shipped Zibo policy on its example inputs, both pools adding up to R', () => {
    // Employee: reserve 520,000,000.00; lines 400 × 1,550,000 = 620,000,000.00; 380,000,000 × 1.05 × 1.02 =
    // 406,980,000.00; 330,000,000 × 1.06 = 349,800,000.00; 126,000,000 + 18,900,000 + 61,800,000 +
    // 43,680,000 + 9,350,000 = 259,730,000.00; 138 × 1,300,000 = 179,400,000.00; Σ 1,815,910,000.00;
    // DIP 5,200,000,000 − 520,000,000 − 1,815,910,000 = 2,864,090,000.00. Year end: shortfall
    // 11,500,000 + 12,650,000 = 24,150,000.00; L 495,850,000.00; toDip 347,095,000.00; J 148,755,000.00.
    // Resident: reserve 360,000,000.00; 180 × 2,400,000 = 432,000,000.00; 210,000,000 × 1.04 × 0.99 =
    // 216,216,000.00; 157,500,000.00; 73,500,000 + 9,450,000 + 30,900,000 + 37,440,000 + 4,400,000 =
    // 155,690,000.00; 65 × 2,900,000 = 188,500,000.00; DIP 3,600,000,000 − 360,000,000 − 1,149,906,000 =
    // 2,090,094,000.00. Shortfall 4,800,000 + 3,000,000 = 7,800,000.00; L 352,200,000.00;
    // toDip 246,540,000.00; J 105,660,000.00.
    const out = ziboBudgetScheme.run(policy, example(), 2024);
    const emp = tree(out);
    const res = tree(out, 'resident');
    expect(emp).toMatchObject({ reserve: '520000000.00', linesTotal: '1815910000.00', dipBudget: '2864090000.00' });
    expect(emp.yearEnd).toMatchObject({
      shortfall: '24150000.00',
      remainder: '495850000.00',
      toDipFund: '347095000.00',
      adjustmentFund: '148755000.00',
    });
    expect(res).toMatchObject({ reserve: '360000000.00', linesTotal: '1149906000.00', dipBudget: '2090094000.00' });
    expect(res.yearEnd).toMatchObject({
      shortfall: '7800000.00',
      remainder: '352200000.00',
      toDipFund: '246540000.00',
      adjustmentFund: '105660000.00',
    });
    expect((out.region as unknown as ZiboRegionFigures).addsUp).toBe(true);
    expect(out.providers.map((p) => p.provider)).toEqual(['H370300001', 'H370300002', 'H370300003', 'H370300004', 'H370300005']);
  });

  it('gives the DIP annual settlement the same budget and reserve split through poolBudget / yearEndReserve', () => {
    const out = ziboBudgetScheme.run(policy, example(), 2024);
    const { budget, actuals, reserveSplit } = dipBudgetInputs(out, 'employee');
    expect(budget).toEqual({
      revenue: '5200000000.00',
      reserveRatio: '0.1',
      lines: {
        generalOutpatient: '620000000.00',
        outpatientChronic: '406980000.00',
        outOfRegion: '349800000.00',
        otherMethods: '259730000.00',
        criticalIllness: '179400000.00',
      },
    });
    expect(actuals).toContainEqual({ pool: 'employee', line: 'outOfRegion', amount: '362450000.00' });
    const b = poolBudget('employee', budget);
    const y = yearEndReserve(b, Object.fromEntries(actuals.map((a) => [a.line, a.amount])), reserveSplit);
    expect(b.dipBudget).toBe('2864090000.00');
    expect([y.toDipFund, y.adjustmentFund]).toEqual(['347095000.00', '148755000.00']);
    expect(() => dipBudgetInputs({ region: { pools: {} } }, 'resident')).toThrow(expect.objectContaining({ code: 'no-pool-budget' }));
  });

  it('refuses a DIP budget below zero and inputs that do not fit', () => {
    const poor = { ...oddInputs(), pools: table('pools', [{ pool: 'employee', revenue: '1000.00', insuredPersons: '777' }]) };
    expect(() => ziboBudgetScheme.run(oddPolicy, poor, 2024)).toThrow(expect.objectContaining({ code: 'bad-budget' }));
    const stray = { ...oddInputs(), pools: table('pools', [{ pool: 'other', revenue: '1000.00', insuredPersons: '1' }]) };
    try {
      ziboBudgetScheme.run(oddPolicy, stray, 2024);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DipError);
      expect((e as DipError).problems).toContainEqual({
        row: 1,
        field: 'pools.pool',
        reason: 'must be one of employee, resident; got "other"',
      });
    }
  });

  it('parses its policy with every problem by path', () => {
    expect(() =>
      ziboBudgetScheme.parsePolicy({
        ...shipped,
        reserveSplit: { dip: '0.7', adjustment: '0.2' },
        pools: { employee: { ...shipped.pools.employee, outpatientChronic: { perCapitaQuota: '1' } } },
      }),
    ).toThrow(
      /reserveSplit: dip \+ adjustment must be 1.*pools\.employee\.outpatientChronic: needs averageCostGrowth and incidenceChange, or the budget given/,
    );
    expect(() => ziboBudgetScheme.parsePolicy({ ...shipped, scheme: 'medical-group' })).toThrow(/scheme: must be "zibo-budget"/);
  });
});
