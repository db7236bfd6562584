import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { budgetPointValue, ScorableHistoryCase } from '../../src/domain/catalog/budget-point-value';
import { Catalogue } from '../../src/domain/catalog/catalogue';
import { NO_SEVERITY_LISTS } from '../../src/domain/catalog/severity';
import { procedureTyper } from '../../src/domain/codes';
import { parsePolicy } from '../../src/domain/policy';

const policy = parsePolicy(JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8')));
const catalogue: Omit<Catalogue, 'pvBudget'> = {
  region: '370300',
  year: 2024,
  window: [2022, 2023],
  reference: { type: 'allCases', cost: '8000.00' },
  costPerPoint: '8.000000',
  groups: [{ code: 'K80.1-51.2300', key: 'K80.1|51.2300', kind: 'core', category: 'K80', treatmentType: 'surgery', procedures: ['51.2300'], cases: 3, avgCost: '24000.00', score: '3000.0000', auxiliary: {}, flags: [] }],
};
const ranges = { chapters: [{ lower: 'K00', upper: 'K93' }], blocks: [] };
const gallstone = (year: number, totalCost: string): ScorableHistoryCase => ({
  year,
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
});

describe('budget point value (spec §4.9)', () => {
  it('weights each year’s total cost and points by the year weights present (2022: 2, 2023: 7)', () => {
    const pv = budgetPointValue(catalogue, policy, ranges, NO_SEVERITY_LISTS, procedureTyper(new Map()));
    // 2022: one normal case, r = 24000 / 24000 = 1 → 3000 points.
    pv.add(gallstone(2022, '24000.00'));
    // 2023: r = 12000 / 24000 = 0.5, the low boundary, still normal → 3000 points;
    //       r = 60000 / 24000 = 2.5, high (national) → 3000 × (2.5 − 2 + 1) = 4500 points.
    pv.add(gallstone(2023, '12000.00'));
    pv.add(gallstone(2023, '60000.00'));
    // A case outside the window does not count.
    pv.add(gallstone(2021, '99999.00'));
    // (2 × 24000 + 7 × 72000) / (2 × 3000 + 7 × 7500) = 552000 / 58500 = 9.4358974… → 9.435897
    expect(pv.value()).toBe('9.435897');
  });

  it('is 0.000000 when no case of the window scored', () => {
    const pv = budgetPointValue(catalogue, policy, ranges, NO_SEVERITY_LISTS, procedureTyper(new Map()));
    expect(pv.value()).toBe('0.000000');
  });
});
