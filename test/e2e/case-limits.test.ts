import './quiet-logs';
import { CaseStore } from '../../src/cases/case.store';
import { caseContentHash, MAX_LIST_CODES, validateCase } from '../../src/domain/case-record';
import { startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { jsonCase, storedIds } from './e2e-helpers';

/** Longest codes of each shape (domain/codes.ts): 21 and 11 characters. */
const LONG_DIAGNOSIS = 'A01.000x0005+J17.000*';
const LONG_PROCEDURE = '86.700x0013';
const codes = (code: string, n: number) => Array.from({ length: n }, () => code);

/**
 * Issue 11 items 1 and 7: every field's limit holds the same on both engines, a value beyond it
 * is a rejected row naming the field (never a silently shortened value), and dates are sane.
 */
describeEngines('case limits on %s', (engine) => {
  let t: TestApp;
  const post = (cases: unknown[]) => t.http().post('/api/v1/cases').send(cases);

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_case_limits');
    expect((await t.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a case at every limit round-trips exactly; one code more is rejected with the field and the count', async () => {
    const atLimit = jsonCase({
      caseId: `L${'界'.repeat(63)}`, // 64 characters, three bytes each in UTF-8
      patientId: `P${'x'.repeat(63)}`,
      secondaryDiagnoses: codes(LONG_DIAGNOSIS, MAX_LIST_CODES),
      otherProcedures: codes(LONG_PROCEDURE, MAX_LIST_CODES),
      totalCost: '9999999999999.99',
      fundPayment: '9999999999999.99',
    });
    const beyond = jsonCase({ caseId: 'L-beyond', secondaryDiagnoses: codes(LONG_DIAGNOSIS, MAX_LIST_CODES + 1) });
    // The case of the issue: 300 secondary diagnoses, 3,599 characters.
    const issue = jsonCase({ caseId: 'L-300', secondaryDiagnoses: codes('K80.100x001', 300) });
    expect((issue.secondaryDiagnoses as string[]).join('|')).toHaveLength(3599);
    const res = await post([atLimit, beyond, issue]);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ read: 3, inserted: 1, rejected: 2 });
    expect(res.body.rejections).toEqual([
      { line: 1, caseId: 'L-beyond', field: 'secondaryDiagnoses', reason: `holds ${MAX_LIST_CODES + 1} codes; at most ${MAX_LIST_CODES}` },
      { line: 2, caseId: 'L-300', field: 'secondaryDiagnoses', reason: `holds 300 codes; at most ${MAX_LIST_CODES}` },
    ]);
    const { rows } = await t.db.execute(
      'SELECT case_id, patient_id, secondary_diagnoses, other_procedures, total_cost FROM dip_case WHERE case_id LIKE ?',
      ['L%'],
    );
    expect(rows).toHaveLength(1);
    const stored = rows[0];
    expect(String(stored.case_id)).toBe(atLimit.caseId);
    expect(String(stored.patient_id)).toBe(atLimit.patientId);
    // 80 × 21 + 79 separators = 1,759 characters; 80 × 11 + 79 = 959.
    expect(String(stored.secondary_diagnoses)).toBe(codes(LONG_DIAGNOSIS, 80).join('|'));
    expect(String(stored.secondary_diagnoses)).toHaveLength(1759);
    expect(String(stored.other_procedures)).toBe(codes(LONG_PROCEDURE, 80).join('|'));
    expect(String(stored.total_cost)).toBe('9999999999999.99');
  });

  it('a caseId or patientId of 65 characters is rejected, not cut', async () => {
    const res = await post([jsonCase({ caseId: 'M'.repeat(65) }), jsonCase({ caseId: 'M65p', patientId: 'P'.repeat(65) })]);
    expect(res.body.rejections.map((r: { field: string; reason: string }) => [r.field, r.reason])).toEqual([
      ['caseId', 'must be 1–64 printable characters'],
      ['patientId', 'must be at most 64 characters'],
    ]);
    expect(await storedIds(t, 'M')).toEqual([]);
  });

  it('dates out of range, control characters in patientId, spaces around caseId and a float age are rejected with the true reason', async () => {
    const res = await post([
      jsonCase({ caseId: 'D1', admissionDate: '0001-01-01', dischargeDate: '0001-01-05' }),
      jsonCase({ caseId: 'D2', admissionDate: '2099-01-01', dischargeDate: '2099-01-05' }),
      jsonCase({ caseId: 'D3', patientId: 'P\u0000NUL' }),
      jsonCase({ caseId: 'D4', patientId: 'P\tTAB' }),
      jsonCase({ caseId: 'D5', patientId: 'P\nLF' }),
      jsonCase({ caseId: ' D6 ' }),
      jsonCase({ caseId: 'D7', age: 54.5 }),
    ]);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ read: 7, inserted: 0, rejected: 7 });
    expect(res.body.rejections.map((r: { line: number; field: string; reason: string }) => [r.line, r.field, r.reason])).toEqual([
      [0, 'admissionDate', '0001-01-01 is before 1998-01-01, when the basic medical insurance began'],
      [1, 'dischargeDate', '2099-01-05 is in the future'],
      [2, 'patientId', 'must be printable: no NUL, tab, line break or other control character'],
      [3, 'patientId', 'must be printable: no NUL, tab, line break or other control character'],
      [4, 'patientId', 'must be printable: no NUL, tab, line break or other control character'],
      [5, 'caseId', 'must not begin or end with spaces (a case is known by its id exactly)'],
      [6, 'age', 'must be a whole number; got 54.5'],
    ]);
    expect(await storedIds(t, 'D')).toEqual([]);
    expect(await storedIds(t, ' D')).toEqual([]);
  });

  (engine === 'mysql' ? it : it.skip)('MySQL: a bulk load that would change a value (a warning) fails and stores nothing', async () => {
    // Past validation on purpose: the writer's own guard, for a value the validator let through by mistake.
    const valid = validateCase(jsonCase({ caseId: 'W1' }), { hasHospital: () => true });
    if (!('record' in valid)) throw new Error('the base case must be valid');
    const record = { ...valid.record, secondaryDiagnoses: codes(LONG_DIAGNOSIS, 120) }; // 2,639 characters > 2,000
    const writer = await t.app.get(CaseStore).openWriter('00000000-0000-4000-8000-000000000001', 'test');
    await writer.write([{ line: 1, region: '370300', caseId: 'W1', record, hash: caseContentHash(record) }], []);
    await expect(writer.commit({ inserted: 1, replaced: 0, skipped: 0, rejected: 0 })).rejects.toThrow(
      /bulk load refused: 1 warning\(s\) would change stored values: Data (too long|truncated) for column 'secondary_diagnoses'/,
    );
    expect(await storedIds(t, 'W')).toEqual([]);
  });
});
