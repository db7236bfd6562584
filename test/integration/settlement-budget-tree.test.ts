import { SchemesService } from '../../src/schemes/schemes.service';
import { RecordsService } from '../../src/settlement/records.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { describeEngines } from '../support/engines';
import { startTestApp, TestApp } from '../support/app';
import { handYearPolicy, seedHandMonth } from '../support/hand-month';

/**
 * Zibo's budget lines feeding DIP (SCHEMES.md §E → DIP.md §8.1): a final zibo-budget run of the
 * year gives the DIP run its pools' budgets and line actuals. The tree below is the hand year's
 * employee budget of settlement-year.test.ts, built as lines: revenue 50,000, reserve 10 % =
 * 5,000, general outpatient 100.00 × 100 signed = 10,000, outpatient chronic given 5,000, the
 * other lines 0 → DIP budget 30,000; actuals 12,000 and 4,000 → shortfall 2,000, L = 3,000,
 * 2,100 to the DIP fund, J = 900; F = 32,100, PV = (32,100 + 16,720) / 6,750 = 7.2325925…,
 * E 28,977.42 / 3,122.58 — the figures settlement-year.test.ts checks by hand from the policy's
 * lines. The DIP policy here says otherwise (a DIP budget of 99,999 given directly) and a
 * budgetActual record disagrees, so that the figures can only come from the tree.
 */
const ZERO_ITEMS = ['outOfRegion', 'haemodialysis', 'peritonealDialysis', 'singleDisease', 'psychiatry', 'hospice'];

describeEngines('a DIP year budgeted by its zibo-budget run on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, 'budget_tree');
    const policy = handYearPolicy();
    policy.budget.employee = { dipBudget: '99999.00' };
    await seedHandMonth(t, policy);
    await t.app
      .get(RecordsService)
      .record(
        'budgetActual',
        [{ region: '370300', year: '2024', pool: 'employee', line: 'generalOutpatient', amount: '99999.00' }],
        'tester',
      );
  });
  afterAll(async () => t?.close());

  it("uses the tree's budget and actuals once the zibo-budget run is final, and says so", async () => {
    const schemes = t.app.get(SchemesService);
    const zero = { haemodialysis: '0', peritonealDialysis: '0', singleDisease: '0', psychiatry: '0', hospice: '0' };
    await schemes.givePolicy(
      'zibo-budget',
      {
        scheme: 'zibo-budget',
        region: '370300',
        year: 2024,
        name: 'hand tree',
        reserveRatio: '0.10',
        reserveSplit: { dip: '0.70', adjustment: '0.30' },
        pools: {
          employee: {
            generalOutpatient: { perCapitaQuota: '100.00' },
            outpatientChronic: { budget: '5000.00', perCapitaQuota: '50.00' },
            outOfRegion: { growth: '0' },
            otherMethods: zero,
            criticalIllness: { fundingStandard: '0.00' },
          },
        },
      },
      'tester',
      null,
    );
    const put = (table: string, rows: Record<string, string>[]) => schemes.importRows('zibo-budget', table, '370300', 2024, rows, 'tester');
    await put('pools', [{ pool: 'employee', revenue: '50000.00', insuredPersons: '100' }]);
    await put(
      'lastYear',
      ZERO_ITEMS.map((item) => ({ pool: 'employee', item, amount: '0.00' })),
    );
    await put('signed', [{ pool: 'employee', line: 'generalOutpatient', institutionCode: 'H001', signedPersons: '100' }]);
    await put('actuals', [
      { pool: 'employee', line: 'generalOutpatient', amount: '12000.00' },
      { pool: 'employee', line: 'outpatientChronic', amount: '4000.00' },
    ]);
    const tree = await schemes.run('zibo-budget', '370300', 2024, 'tester');
    expect(tree.region).toMatchObject({ pools: { employee: { dipBudget: '30000.00' } } });

    const s = t.app.get(SettlementService);
    // A draft tree is not the year's account yet: the DIP policy's budget and the records count.
    const before = await (await s.start('370300', 'year', '2024', 'tester')).done;
    expect(before.run.budgetFrom).toBeUndefined();
    expect(before.pools[0]).toMatchObject({ pool: 'employee', dipBudget: '99999.00', reserve: { shortfall: '0.00', toDipFund: '0.00' } });

    await schemes.finalise(tree.run.id, 'tester', null);
    const year = await (await s.start('370300', 'year', '2024', 'tester')).done;
    expect(year.run.budgetFrom).toEqual({
      scheme: 'zibo-budget',
      runId: tree.run.id,
      inputsHash: tree.run.inputsHash,
      pools: ['employee'],
    });
    const [emp, res] = year.pools;
    expect(emp).toMatchObject({
      pool: 'employee',
      dipBudget: '30000.00',
      reserve: { shortfall: '2000.00', remainder: '3000.00', toDipFund: '2100.00', adjustmentFund: '900.00', uncovered: '0.00' },
      fund: '32100.00',
      pointValue: '7.232593',
    });
    expect(emp.hospitals.map((h) => h.entitlement)).toEqual(['28977.42', '3122.58']);
    // The resident pool is not in the tree: the policy's 120,000 given directly.
    expect(res).toMatchObject({ pool: 'resident', fund: '120000.00', pointValue: '94.339623' });
    // Stored and read back with its source.
    expect((await s.report(year.run.id)).run.budgetFrom?.runId).toBe(tree.run.id);
  });
});
