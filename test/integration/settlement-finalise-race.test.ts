import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { SettlementService } from '../../src/settlement/settlement.service';
import { SettlementStore } from '../../src/settlement/settlement.store';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { seedHandMonth } from '../support/hand-month';

const policy = () => {
  const p = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
  p.budget = { employee: { dipBudget: '360000.00' }, resident: { dipBudget: '120000.00' } };
  return p;
};

/**
 * Issue 11 item 11: a finalise that commits while a re-run's final transaction waits must be
 * seen by it (refused, 409 finalised), not deleted with the draft it replaces. On MySQL the
 * check is a locking read; a plain read would see the transaction's older snapshot.
 */
describeEngines('a finalise racing a re-run on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, 'settle_race');
    await seedHandMonth(t, policy());
  });
  afterAll(async () => t?.close());

  (engine === 'mysql' ? it : it.skip)('the re-run waits for the finalising transaction, then sees final and stores nothing', async () => {
    const draft = await (await t.app.get(SettlementService).start('370300', 'month', '2024-03', 'tester')).done;
    const store = t.app.get(SettlementStore);
    // A second run of the period, holding its lock, about to store the same figures.
    const rerun = { ...draft, run: { ...draft.run, id: randomUUID() } };
    await t.db.execute('INSERT INTO settlement_lock (region_code, kind, period, run_id, heartbeat_at) VALUES (?, ?, ?, ?, ?)', [
      '370300',
      'month',
      '2024-03',
      rerun.run.id,
      new Date(),
    ]);

    // Another session starts finalising the draft and holds its row …
    const other = await createConnection({ uri: t.env.DATABASE_URL, dateStrings: true });
    await other.query('START TRANSACTION');
    await other.query(`SELECT id FROM settlement_run WHERE id = ? FOR UPDATE`, [draft.run.id]);
    // … while the re-run's final transaction starts (its snapshot is taken now) and waits for that row.
    let settledAt = 0;
    const storing = store.replaceDraft(rerun, new Date()).then(
      () => ((settledAt = Date.now()), 'stored'),
      (err: { code?: string }) => ((settledAt = Date.now()), err.code ?? 'error'),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(settledAt).toBe(0); // still waiting for the row
    await other.query(`UPDATE settlement_run SET status = 'final', finalised_by = 'other', finalised_at = NOW() WHERE id = ?`, [
      draft.run.id,
    ]);
    await other.query('COMMIT');
    await other.end();

    expect(await storing).toBe('finalised');
    const { rows } = await t.db.execute(`SELECT id, status FROM settlement_run WHERE region_code = '370300' AND period = '2024-03'`);
    expect(rows.map((r) => [String(r.id), String(r.status)])).toEqual([[draft.run.id, 'final']]);
  });
});
