import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { CODES } from '../support/paths';
import { jsonCase } from './e2e-helpers';

/** Distinct first words of the non-blank lines of a shipped file: what a table of it holds. */
const distinctCodes = (file: string, skip: (fields: string[]) => boolean = () => false) =>
  new Set(
    readFileSync(join(CODES, file), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[0] !== '' && !skip(f))
      .map((f) => f[0]),
  ).size;

/** A region registered for the first time starts with the shipped 医保版 2.0 tables (DEFAULT_CODE_TABLES=shipped, the default). */
describeEngines('default code tables of a new region on %s', (engine) => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_default_codes', { DEFAULT_CODE_TABLES: 'shipped' });
    expect(
      (
        await http()
          .post('/api/v1/hospitals')
          .send([{ code: 'H001', name: '第一人民医院', region: '370300', level: 'L3A_GENERAL', bonuses: [] }])
      ).status,
    ).toBe(201);
  });
  afterAll(async () => t?.close());

  it('loads the five shipped tables with every code of their files, audited, in the registration', async () => {
    const res = await http().get('/api/v1/regions/370300/code-tables');
    expect(res.status).toBe(200);
    const byKind = Object.fromEntries(
      res.body.map((i: { kind: string; entries: number; source: string }) => [i.kind, [i.entries, i.source]]),
    );
    expect(byKind).toEqual({
      diagnosis: [distinctCodes('icd10-yb2.dat'), 'catalogs/codes/icd10-yb2.dat'],
      procedure: [distinctCodes('icd9cm3-yb2.dat'), 'catalogs/codes/icd9cm3-yb2.dat'],
      severeSecondary: [distinctCodes('severe-secondary-dx.txt'), 'catalogs/codes/severe-secondary-dx.txt'],
      moderateSecondary: [distinctCodes('moderate-secondary-dx.txt'), 'catalogs/codes/moderate-secondary-dx.txt'],
      // Blocks (level 2) only: the header line and the chapters (level 1) are not blocks.
      icdBlocks: [expect.any(Number), 'catalogs/codes/icd10-blocks.tsv'],
    });
    expect(byKind.diagnosis[0]).toBe(33304);
    expect(byKind.icdBlocks[0]).toBeGreaterThan(150);
    const audit = await t.db.execute(`SELECT entity_id FROM audit_log WHERE action = 'codeTable.load' ORDER BY entity_id`);
    expect(audit.rows.map((r) => r.entity_id)).toEqual([
      '370300/diagnosis',
      '370300/icdBlocks',
      '370300/moderateSecondary',
      '370300/procedure',
      '370300/severeSecondary',
    ]);
  });

  it('checks principal diagnoses against the shipped table from then on', async () => {
    const res = await http()
      .post('/api/v1/cases')
      .send([jsonCase({ caseId: 'OK1', principalDiagnosis: 'A00.000' }), jsonCase({ caseId: 'NO1', principalDiagnosis: 'K80.999' })]);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(res.body.rejections).toEqual([
      { line: 1, caseId: 'NO1', field: 'principalDiagnosis', reason: expect.stringContaining('K80.999') },
    ]);
  });

  it('does not load them again for a region that has them (a second hospital)', async () => {
    expect(
      (
        await http()
          .post('/api/v1/hospitals')
          .send([{ code: 'H002', name: '第二人民医院', region: '370300', level: 'L2A_GENERAL', bonuses: [] }])
      ).status,
    ).toBe(201);
    expect(Number((await t.db.execute(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'codeTable.load'`)).rows[0].n)).toBe(5);
  });
});
