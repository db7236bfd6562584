import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PoliciesService } from '../../src/policies/policies.service';
import { MonthlyHospital } from '../../src/domain/settlement/settlement';
import { GroupingService } from '../../src/grouping/grouping.service';
import { GONE_AFTER_MS } from '../../src/liveness/liveness.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { startTestApp, TestApp } from '../support/app';
import { seedHandMonth } from '../support/hand-month';
import { describeEngines } from '../support/engines';

/**
 * A month by hand (spec §8.2–8.3). Points per case as in test/e2e/http-groupings.test.ts (the
 * SAMPLE catalogue, the shipped scoring; k: H001 1.03, H002 0.76):
 *   employee  C1 H001 24720.00 → 3090 points, fund 17000; C3 H001 24000.00 → 3090, fund 16000;
 *             C2 H002  3000.00 →  570, fund 2000;
 *   resident  C5 H001  8000.00 →  700 (no-score), fund 5000; C4 H002 5000.00 → 625, fund 3000.
 * Budgets: employee 360,000 → B = 30,000; resident 120,000 → B = 10,000.
 */
const shipped = () => JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
const policyDoc = (basis: 'totalCost' | 'fund') => {
  const p = shipped();
  p.budget = { employee: { dipBudget: '360000.00' }, resident: { dipBudget: '120000.00' } };
  p.settlement.basis = basis;
  return p;
};
const figures = (r: Awaited<ReturnType<SettlementService['report']>>) =>
  r.pools.map((p) => ({
    pool: p.pool,
    fund: p.fund,
    city: p.cityBookkeeping,
    pv: p.pointValue,
    residual: p.residual,
    hospitals: (p.hospitals as MonthlyHospital[]).map((h) => [h.hospitalCode, h.points, h.nonFund, h.bookkeeping, h.entitlement, h.prepay]),
  }));

describeEngines('monthly pre-settlement on %s', (engine) => {
  let t: TestApp;
  let s: SettlementService;
  const month = async () => (await s.start('370300', 'month', '2024-03', 'tester')).done;

  beforeAll(async () => {
    t = await startTestApp(engine, 'settle_month');
    s = t.app.get(SettlementService);
    await seedHandMonth(t, policyDoc('totalCost'));
  });
  afterAll(async () => t?.close());

  it('settles a month to the fen on the total-cost basis', async () => {
    const r = await month();
    expect(r.run).toMatchObject({ region: '370300', period: '2024-03', kind: 'month', status: 'draft', createdBy: 'tester' });
    expect(figures(r)).toEqual([
      // F = min(30,000, 35,000); PV = (30,000 + 16,720) / 6,750 = 6.9214814…
      // E1 = 6,180 × PV − 15,720 = 27,054.76; E2 = 570 × PV − 1,000 = 2,945.24 (Σ = F);
      // P1 = 27,054.76 × 0.95 = 25,702.02; P2 = min(2,945.24, 2,000) × 0.95 = 1,900.
      {
        pool: 'employee',
        fund: '30000.00',
        city: '35000.00',
        pv: '6.921481',
        residual: '0.00',
        hospitals: [
          ['H001', '6180.0000', '15720.00', '33000.00', '27054.76', '25702.02'],
          ['H002', '570.0000', '1000.00', '2000.00', '2945.24', '1900.00'],
        ],
      },
      // F = min(10,000, 8,000); PV = (8,000 + 5,000) / 1,325 = 9.8113207…
      // E1 = 700 × PV − 3,000 = 3,867.92; E2 = 625 × PV − 2,000 = 4,132.08;
      // P1 = 3,867.92 × 0.95 = 3,674.52; P2 = min(4,132.08, 3,000) × 0.95 = 2,850.
      {
        pool: 'resident',
        fund: '8000.00',
        city: '8000.00',
        pv: '9.811321',
        residual: '0.00',
        hospitals: [
          ['H001', '700.0000', '3000.00', '5000.00', '3867.92', '3674.52'],
          ['H002', '625.0000', '2000.00', '3000.00', '4132.08', '2850.00'],
        ],
      },
    ]);
    const grouped = await t.app.get(GroupingService).get(r.run.groupingRun);
    expect(grouped).toMatchObject({ cases: 5, points: '8075.0000', catalogueId: r.run.catalogueId });
  });

  it('re-running replaces the draft with the same figures; on the fund basis the figures follow it', async () => {
    const first = await month();
    const again = await month();
    expect(again.run.id).not.toBe(first.run.id);
    expect(figures(again)).toEqual(figures(first));
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM settlement_run')).rows[0].n)).toBe(1);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM settlement_hospital')).rows[0].n)).toBe(4);

    await new Promise((r) => setTimeout(r, 1100)); // the newest stored policy wins; datetimes have whole seconds on MySQL
    await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', policyDoc('fund'));
    const fund = await month();
    expect(figures(fund)).toEqual([
      // PV = 30,000 / 6,750 = 4.444…; E1 = 27,466.67, E2 = 2,533.33; P1 = 26,093.34, P2 = 1,900.
      {
        pool: 'employee',
        fund: '30000.00',
        city: '35000.00',
        pv: '4.444444',
        residual: '0.00',
        hospitals: [
          ['H001', '6180.0000', '15720.00', '33000.00', '27466.67', '26093.34'],
          ['H002', '570.0000', '1000.00', '2000.00', '2533.33', '1900.00'],
        ],
      },
      // PV = 8,000 / 1,325 = 6.0377358…; E1 = 4,226.42, E2 = 3,773.58; P1 = 4,015.10, P2 = 2,850.
      {
        pool: 'resident',
        fund: '8000.00',
        city: '8000.00',
        pv: '6.037736',
        residual: '0.00',
        hospitals: [
          ['H001', '700.0000', '3000.00', '5000.00', '4226.42', '4015.10'],
          ['H002', '625.0000', '2000.00', '3000.00', '3773.58', '2850.00'],
        ],
      },
    ]);
  });

  it('lets one run of a period go at a time; a run whose process stopped beating loses its lock to the next', async () => {
    // A run of another process (on another machine) holds the period's lock; the process beats.
    const first = '00000000-0000-4000-8000-000000000001';
    const owner = '00000000-0000-4000-8000-0000000000aa';
    const now = new Date();
    await t.db.execute('INSERT INTO dip_process (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)', [
      owner,
      'elsewhere',
      7,
      now,
      now,
    ]);
    await t.db.execute('INSERT INTO settlement_lock (region_code, kind, period, run_id, owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)', [
      '370300',
      'month',
      '2024-03',
      first,
      owner,
      now,
    ]);
    await expect(month()).rejects.toMatchObject({ kind: 'conflict', code: 'run-in-progress' });
    // The process "dies": its beats stop. After GONE_AFTER_MS the period can be run again.
    await t.db.execute('UPDATE dip_process SET heartbeat_at = ? WHERE id = ?', [new Date(Date.now() - GONE_AFTER_MS - 1000), owner]);
    const started = await s.start('370300', 'month', '2024-03', 'tester');
    const r = await started.done;
    expect(r.run.id).toBe(started.id);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM settlement_lock')).rows[0].n)).toBe(0);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM dip_process WHERE id = ?', [owner])).rows[0].n)).toBe(0);
  });

  it('leaves nothing of a run that fails half-way, and the previous draft stays', async () => {
    const before = await t.db.execute('SELECT id FROM settlement_run');
    const spy = jest.spyOn(t.app.get(GroupingService), 'run').mockRejectedValueOnce(new Error('killed'));
    await expect(month()).rejects.toThrow('killed');
    spy.mockRestore();
    expect((await t.db.execute('SELECT id FROM settlement_run')).rows).toEqual(before.rows);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM settlement_lock')).rows[0].n)).toBe(0);
  });

  it('freezes a finalised period: a re-run is refused with 409, audited', async () => {
    const r = await month();
    const final = await s.finalise(r.run.id, 'tester');
    expect(final.run.status).toBe('final');
    expect(final.run.finalisedAt).not.toBeNull();
    await expect(month()).rejects.toMatchObject({ kind: 'conflict', code: 'finalised' });
    await expect(s.finalise(r.run.id, 'tester')).rejects.toMatchObject({ kind: 'conflict', code: 'finalised' });
    const audit = await t.db.execute(`SELECT action FROM audit_log WHERE entity = 'settlement' ORDER BY id`);
    expect(audit.rows.map((a) => a.action)).toContain('settlement.finalise');
    expect(figures(await s.report(r.run.id))).toEqual(figures(r));
  });
});
