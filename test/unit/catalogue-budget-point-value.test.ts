import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { budgetPointValue } from '../../src/domain/catalogue/budget-point-value';
import { Catalogue } from '../../src/domain/catalogue/catalogue';
import { compileEngine, EngineCase, valueOneCase } from '../../src/domain/engine/batch';
import { parsePolicy } from '../../src/domain/policy';

const policy = parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));
const catalogue: Catalogue = {
  region: '370300',
  year: 2024,
  window: [2022, 2023],
  reference: { type: 'allCases', cost: '8000.00' },
  costPerPoint: '8.000000',
  pvBudget: '0',
  groups: [
    {
      code: 'K80.1-51.2300',
      key: 'K80.1|51.2300',
      kind: 'core',
      category: 'K80',
      treatmentType: 'surgery',
      procedures: ['51.2300'],
      cases: 3,
      avgCost: '24000.00',
      score: '3000.0000',
      auxiliary: {},
      flags: [],
    },
  ],
};
const engine = compileEngine({
  catalogue,
  policy,
  ranges: { chapters: [{ lower: 'K00', upper: 'K93' }], blocks: [] },
  severe: [],
  moderate: [],
  procedureTypes: [],
  procedureNames: [],
});
const gallstone = (totalCost: string): EngineCase => ({
  caseId: 'c',
  hospitalCode: 'H',
  coefficient: '1',
  level: null,
  principalDiagnosis: 'K80.100',
  principalProcedure: '51.2300',
  otherProcedures: [],
  secondaryDiagnoses: [],
  losDays: 6,
  dischargeMode: '1',
  totalCost,
  outOfCatalogSelfPay: '0.00',
  daySurgery: false,
  externalExpert: false,
  pool: 'employee',
  fundPayment: '0.00',
});
const tenThousandths = (points: string) => BigInt(points.replace('.', ''));

describe('budget point value (spec §4.9)', () => {
  it('weights each year’s total cost and points by the year weights present (2022: 2, 2023: 7)', () => {
    // The engine at k = 1: r = 1 → 3000; r = 0.5, the low boundary, still normal → 3000;
    // r = 2.5, high (national) → 3000 × (2.5 − 2 + 1) = 4500.
    expect([gallstone('24000.00'), gallstone('12000.00'), gallstone('60000.00')].map((c) => valueOneCase(engine, c).points)).toEqual([
      '3000.0000',
      '3000.0000',
      '4500.0000',
    ]);
    const years = new Map([
      [2022, { costFen: 2_400_000n, points: tenThousandths('3000.0000') }],
      [2023, { costFen: 7_200_000n, points: tenThousandths('7500.0000') }],
    ]);
    // (2 × 24000 + 7 × 72000) / (2 × 3000 + 7 × 7500) = 552000 / 58500 = 9.4358974… → 9.435897
    expect(budgetPointValue(years, 2024, policy)).toBe('9.435897');
  });

  it('renormalises over the years present: one year alone is its own cost per point', () => {
    // 2023 only: 72000 / 7500 = 9.6
    expect(budgetPointValue(new Map([[2023, { costFen: 7_200_000n, points: 75_000_000n }]]), 2024, policy)).toBe('9.600000');
  });

  it('is 0.000000 when no case of the window scored', () => {
    expect(budgetPointValue(new Map(), 2024, policy)).toBe('0.000000');
  });

  it('refuses a year outside the window', () => {
    expect(() => budgetPointValue(new Map([[2020, { costFen: 1n, points: 1n }]]), 2024, policy)).toThrow(/outside the look-back window/);
  });
});
