import { Readable } from 'node:stream';
import { Table } from 'typeorm';
import { CaseImportService, FileImportOptions } from '../../src/cases/case-import.service';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { columnKit } from '../../src/persistence/migrations/1732400000000-foundation';
import { CASE_HEADER, caseLine, startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';

const csv = (...lines: string[]) => Readable.from([[CASE_HEADER, ...lines].join('\n') + '\n']);
const opts = (o: Partial<FileImportOptions> = {}): FileImportOptions => ({
  format: 'csv',
  atomic: false,
  replace: false,
  source: 'test',
  actor: 'tester',
  ...o,
});

describeEngines('case ingestion on %s', (engine) => {
  let t: TestApp;
  let imports: CaseImportService;

  beforeAll(async () => {
    t = await startTestApp(engine, 'ingest');
    imports = t.app.get(CaseImportService);
    await t.app.get(HospitalsService).upsert(TEST_HOSPITALS, 'tester');
  });
  afterAll(async () => t?.close());
  beforeEach(async () => {
    for (const table of ['dip_case', 'case_staging', 'import_rejection', 'import_batch', 'audit_log'])
      await t.db.execute(`DELETE FROM ${table}`);
  });

  const run = async (input: Readable, o: Partial<FileImportOptions> = {}) => (await imports.start(input, opts(o))).done;
  const stored = async () =>
    (await t.db.execute('SELECT case_id, total_cost, fund_payment, los_days, settlement_month FROM dip_case ORDER BY case_id')).rows;

  it('stores decimals exactly: 9999999999999.99 in DECIMAL(15,2) and 0.0001 in DECIMAL(18,4)', async () => {
    const qr = t.db.dataSource.createQueryRunner();
    const k = columnKit(qr);
    await qr.createTable(
      new Table({ name: 't_exact', columns: [k.str('id', 4, { isPrimary: true }), k.decimal('money', 15, 2), k.decimal('points', 18, 4)] }),
      true,
    );
    await qr.release();
    await t.db.execute('DELETE FROM t_exact');
    await t.db.execute('INSERT INTO t_exact (id, money, points) VALUES (?, ?, ?), (?, ?, ?)', [
      'a',
      '9999999999999.99',
      '0.0001',
      'b',
      '0.10',
      '99999999999999.9999',
    ]);
    const rows = (await t.db.execute('SELECT id, money, points FROM t_exact ORDER BY id')).rows;
    expect(rows.map((r) => [String(r.money), String(r.points)])).toEqual([
      ['9999999999999.99', '0.0001'],
      ['0.10', '99999999999999.9999'],
    ]);
  });

  it('stores the valid rows, reports each rejected row with its line, field and reason', async () => {
    const r = await run(
      csv(
        caseLine({ caseId: 'A' }),
        caseLine({ caseId: 'B', fundPayment: '30000.00' }),
        caseLine({ caseId: 'C', totalCost: '9999999999999.99', fundPayment: '0.01' }),
      ),
    );
    expect(r.status).toBe('committed');
    expect(r.counts).toEqual({ read: 3, inserted: 2, replaced: 0, skipped: 0, rejected: 1 });
    expect(r.rejections).toEqual([{ line: 3, caseId: 'B', field: 'fundPayment', reason: '30000.00 exceeds totalCost 23456.78' }]);
    expect(await stored()).toEqual(
      [
        { case_id: 'A', total_cost: '23456.78', fund_payment: '16000.00', los_days: 7, settlement_month: '2024-03' },
        { case_id: 'C', total_cost: '9999999999999.99', fund_payment: '0.01', los_days: 7, settlement_month: '2024-03' },
      ].map((x) => ({ ...x, los_days: expect.anything() })),
    );
    expect((await stored()).map((x) => Number(x.los_days))).toEqual([7, 7]);
  });

  it('atomic mode stores nothing when one row is bad, and keeps the report', async () => {
    const r = await run(csv(caseLine({ caseId: 'A' }), caseLine({ caseId: 'B', dischargeDate: '2024-02-28' })), { atomic: true });
    expect(r.status).toBe('rejected');
    expect(r.counts.rejected).toBe(1);
    expect(r.rejections[0]).toMatchObject({ line: 3, field: 'dischargeDate' });
    expect(await stored()).toEqual([]);
    expect((await t.db.execute('SELECT COUNT(*) AS n FROM case_staging')).rows[0].n).toEqual(engine === 'mysql' ? '0' : 0);
  });

  it('skips an identical re-import, rejects changed content, and replaces it (audited) on request', async () => {
    await run(csv(caseLine({ caseId: 'A' }), caseLine({ caseId: 'B' })));
    const again = await run(csv(caseLine({ caseId: 'A' }), caseLine({ caseId: 'B' })));
    expect(again.counts).toMatchObject({ inserted: 0, skipped: 2, rejected: 0 });

    const changed = await run(csv(caseLine({ caseId: 'A', totalCost: '25000.00' })));
    expect(changed.counts).toMatchObject({ inserted: 0, replaced: 0, rejected: 1 });
    expect(changed.rejections[0]).toMatchObject({ line: 2, caseId: 'A', field: 'caseId' });
    expect((await stored()).find((x) => x.case_id === 'A')!.total_cost).toBe('23456.78');

    const replaced = await run(csv(caseLine({ caseId: 'A', totalCost: '25000.00' })), { replace: true });
    expect({ ...replaced.counts, status: replaced.status, error: replaced.error }).toEqual({
      read: 1,
      inserted: 0,
      replaced: 1,
      skipped: 0,
      rejected: 0,
      status: 'committed',
      error: null,
    });
    expect((await stored()).find((x) => x.case_id === 'A')!.total_cost).toBe('25000.00');
    const audit = (
      await t.db.execute(`SELECT actor, action, entity_id, before_state, after_state FROM audit_log WHERE action = 'case.replace'`)
    ).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'tester', entity_id: '370300/A' });
    expect(JSON.parse(String(audit[0].before_state)).totalCost).toBe('23456.78');
    expect(JSON.parse(String(audit[0].after_state)).totalCost).toBe('25000.00');
    expect(String(audit[0].before_state)).not.toContain('P1'); // the patient pseudonym stays out of the audit
  });

  it('treats a caseId repeated in one file: identical → skipped, different → rejected naming the first line', async () => {
    const r = await run(
      csv(caseLine({ caseId: 'A' }), caseLine({ caseId: 'A' }), caseLine({ caseId: 'B' }), caseLine({ caseId: 'B', age: '60' })),
    );
    expect(r.counts).toMatchObject({ read: 4, inserted: 2, skipped: 1, rejected: 1 });
    expect(r.rejections).toEqual([{ line: 5, caseId: 'B', field: 'caseId', reason: 'repeats line 4 of this file with different content' }]);
  });

  it('two concurrent imports of the same file store each case once', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => caseLine({ caseId: `K${i}` }));
    const [a, b] = await Promise.all([run(csv(...lines)), run(csv(...lines))]);
    expect(a.counts.inserted + b.counts.inserted).toBe(300);
    expect(a.counts.skipped + b.counts.skipped).toBe(300);
    expect((await stored()).length).toBe(300);
  });

  it('a source that breaks half-way leaves nothing visible and the batch failed', async () => {
    async function* broken() {
      yield [CASE_HEADER, caseLine({ caseId: 'A' }), caseLine({ caseId: 'B' })].join('\n') + '\n';
      throw new Error('connection reset');
    }
    const r = await run(Readable.from(broken()));
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('internal');
    expect(await stored()).toEqual([]);
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM case_staging')).rows[0].n)).toBe(0);
  });

  it('marks an import whose process died as failed and drops its staged rows', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    await t.db.execute(
      `INSERT INTO import_batch (id, kind, source, format, mode, replace_existing, status, actor, started_at, heartbeat_at) VALUES (?, 'cases', 'x', 'csv', 'default', ?, 'running', 'x', ?, ?)`,
      ['00000000-0000-4000-8000-000000000001', false, old, old],
    );
    await t.db.execute(
      `INSERT INTO case_staging (batch_id, line, region_code, case_id, hospital_code, pool, patient_id, sex, age, admission_date, discharge_date, settlement_month, los_days, discharge_mode, principal_diagnosis, secondary_diagnoses, other_procedures, total_cost, fund_payment, out_of_catalog_self_pay, day_surgery, external_expert, new_technology, content_hash) VALUES (?, 2, '370300', 'Z', 'H001', 'employee', 'p', 'M', 1, '2024-01-01', '2024-01-02', '2024-01', 1, '1', 'K80.100', '', '', '1.00', '0.00', '0.00', 0, 0, 0, 'h')`,
      ['00000000-0000-4000-8000-000000000001'],
    );
    expect(await imports.failInterrupted()).toBe(1);
    const r = await imports.report('00000000-0000-4000-8000-000000000001');
    expect(r).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
    expect(Number((await t.db.execute('SELECT COUNT(*) AS n FROM case_staging')).rows[0].n)).toBe(0);
  });

  it('reads JSON lines, rejecting a broken line by number', async () => {
    const good = {
      caseId: 'J1',
      hospitalCode: 'H002',
      pool: 'resident',
      patientId: 'p',
      sex: 'F',
      age: 0,
      ageDays: 12,
      admissionDate: '2024-05-01',
      dischargeDate: '2024-05-03',
      dischargeMode: '1',
      principalDiagnosis: 'P07.300',
      secondaryDiagnoses: [],
      otherProcedures: [],
      totalCost: '5000.00',
      fundPayment: '3000.00',
    };
    const r = await run(
      Readable.from([`${JSON.stringify(good)}\n{"caseId": "J2",\n\n${JSON.stringify({ ...good, caseId: 'J3', totalCost: 5000 })}\n`]),
      { format: 'jsonl' },
    );
    expect(r.counts).toMatchObject({ read: 3, inserted: 1, rejected: 2 });
    expect(r.rejections.map((x) => [x.line, x.field])).toEqual([
      [2, '*'],
      [4, 'totalCost'],
    ]);
  });

  it.each([
    ['a missing column', 'caseId,hospitalCode\nA,H001\n', 'header'],
    ['a broken quote', `${CASE_HEADER}\n"A,H001\n`, 'syntax'],
    ['an empty file', '', 'empty'],
    ['a header without rows', `${CASE_HEADER}\n`, 'no-rows'],
  ])('refuses %s as a whole', async (_what, body, code) => {
    const r = await run(Readable.from([body]));
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe(code);
    expect(await stored()).toEqual([]);
  });

  it('refuses a file that is not UTF-8 and stores none of it', async () => {
    const gbk = Buffer.concat([
      Buffer.from(`${CASE_HEADER}\n${caseLine({ caseId: 'A' })}\n`),
      Buffer.from([0xd6, 0xd0, 0xce, 0xc4]),
      Buffer.from(`${caseLine({ caseId: 'B' }).slice(1)}\n`),
    ]);
    const r = await run(Readable.from([gbk]));
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('encoding');
    expect(await stored()).toEqual([]);
  });
});
