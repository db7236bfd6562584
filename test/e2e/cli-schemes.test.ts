import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeEngines, freshDatabase } from '../support/engines';
import { dip } from './e2e-helpers';

/**
 * `dip generate --scheme` through the built CLI (dist/: `npx nest build`, as npm test does
 * first), and the generated data set through the rest of the scheme commands: policy, import of
 * every table, run, a refused file, finalise, a refused re-run (docs/schemes.md, issue 15).
 */

const MEDICAL_GROUP_TABLES = ['groups', 'members', 'history', 'claims', 'actuals', 'assessment', 'extras', 'reserveBase'];
const ZIBO_TABLES = ['pools', 'lastYear', 'signed', 'actuals'];

/** A CSV file of the data set as records (the generated files hold no quoted fields). */
function records(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

/** Money text → fen (BigInt), digit by digit. */
function fen(text: string): bigint {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not money with 2 decimals: ${text}`);
  return BigInt(m[1] + m[2]);
}

/** A rate such as "0.05" or "-0.01" in ten-thousandths (BigInt). */
function tenThousandths(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) throw new Error(`not a rate: ${text}`);
  const n = BigInt(m[2]) * 10_000n + BigInt((m[3] ?? '').padEnd(4, '0'));
  return m[1] === '-' ? -n : n;
}

/** round half-up of n / d for n ≥ 0, d > 0. */
const divHalfUp = (n: bigint, d: bigint): bigint => n / d + ((n % d) * 2n >= d ? 1n : 0n);

describeEngines('dip generate --scheme and the scheme commands through the built CLI on %s', (engine) => {
  let t: { env: Record<string, string> };
  let drop: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(resolve(__dirname, '../../dist/cli/main.js'))) throw new Error('build the CLI first: npx nest build');
    const db = await freshDatabase(engine, 'e2e_cli_schemes');
    drop = db.drop;
    t = { env: { ...db.env, LOG_LEVEL: 'silent', DEFAULT_CODE_TABLES: 'none' } };
    dir = mkdtempSync(join(tmpdir(), 'dip-cli-schemes-'));
    const migrated = await dip(t, ['migrate']);
    expect(migrated.code).toBe(0);
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await drop?.();
  });

  it('generates a medical-group year that imports, runs to the test’s own allowance, refuses a bad file, finalises and then refuses a run', async () => {
    const out = join(dir, 'medical-group');
    const [region, year] = ['441502', '2024'];
    const generated = await dip(t, ['generate', '--scheme', 'medical-group', '--groups', '4', '--seed', '21', '--out', out]);
    expect(generated).toMatchObject({ code: 0, stderr: '' });
    expect(generated.stdout).toContain(`medical-group, seed 21, region ${region}, year ${year}, 4 groups`);
    expect(readdirSync(out).sort()).toEqual([...MEDICAL_GROUP_TABLES.map((x) => `${x}.csv`), 'policy.json'].sort());
    for (const table of MEDICAL_GROUP_TABLES) expect(generated.stdout).toContain(join(out, `${table}.csv`));
    // The same seed again: byte-identical files.
    const again = await dip(t, ['generate', '--scheme', 'medical-group', '--groups', '4', '--seed', '21', '--out', join(dir, 'again')]);
    expect(again.code).toBe(0);
    for (const f of readdirSync(out)) expect(readFileSync(join(dir, 'again', f))).toEqual(readFileSync(join(out, f)));

    const policy = await dip(t, ['scheme', 'policy', 'medical-group', join(out, 'policy.json')]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toMatch(new RegExp(`^policy [0-9a-f]{64} for ${region} ${year}\\n$`));
    for (const table of MEDICAL_GROUP_TABLES) {
      const r = await dip(t, ['scheme', 'import', 'medical-group', table, join(out, `${table}.csv`), '--region', region, '--year', year]);
      expect([table, r.code, r.stderr]).toEqual([table, 0, '']);
      expect(r.stdout).toMatch(new RegExp(`^${table}: ${records(join(out, `${table}.csv`)).length} row\\(s\\), sha256 [0-9a-f]{64}\\n$`));
    }

    const reports = join(dir, 'reports');
    const run = await dip(t, ['scheme', 'run', 'medical-group', '--region', region, '--year', year, '--out', reports]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`medical-group ${region} ${year}: run `);
    const files = readdirSync(reports).sort();
    expect(files).toEqual([
      `scheme-medical-group-${region}-${year}-draft.csv`,
      `scheme-medical-group-${region}-${year}-draft.json`,
      `scheme-medical-group-${region}-${year}-draft.xlsx`,
    ]);
    const report = JSON.parse(readFileSync(join(reports, files[1]), 'utf8'));
    expect(report.run).toMatchObject({ scheme: 'medical-group', region, year: 2024, status: 'draft' });

    // The test's own allowance of every group, from the generated files: A = round2(Σ three years × (1 + growth) / 3) + extras.
    const growth = tenThousandths(JSON.parse(readFileSync(join(out, 'policy.json'), 'utf8')).growth);
    const history = records(join(out, 'history.csv'));
    const extras = records(join(out, 'extras.csv'));
    const groups = records(join(out, 'groups.csv')).map((g) => g.groupCode);
    expect(report.providers.map((p: { provider: string }) => p.provider)).toEqual(groups);
    let total = 0n;
    for (const code of groups) {
      const years = history.filter((h) => h.groupCode === code);
      expect(years.map((h) => h.year)).toEqual(['2021', '2022', '2023']);
      const sum = years.reduce((s, h) => s + fen(h.outpatientFund) + fen(h.inpatientFund), 0n);
      const extra = extras.filter((e) => e.groupCode === code).reduce((s, e) => s + fen(e.amount), 0n);
      const allowance = divHalfUp(sum * (10_000n + growth), 30_000n) + extra;
      total += allowance;
      const figures = report.providers.find((p: { provider: string }) => p.provider === code).figures;
      expect([code, fen(figures.allowance)]).toEqual([code, allowance]);
    }
    expect(fen(report.region.allowance)).toBe(total);
    // The generated mix: an overspend, a surplus, a group in its first scheme year.
    const byCode = (i: number) => report.providers[i].figures;
    expect(fen(byCode(0).reconciliation.overspend)).toBeGreaterThan(0n);
    expect(fen(byCode(1).reconciliation.surplus)).toBeGreaterThan(0n);
    expect(byCode(2).schemeYear).toBe(1);

    // A bad file: exit 2, the problem by line and field, nothing stored (else the finalise below would be refused: inputs-changed).
    const bad = join(dir, 'bad-history.csv');
    const lines = readFileSync(join(out, 'history.csv'), 'utf8').trimEnd().split('\n');
    lines[2] = lines[2].replace(/,(\d+\.\d{2}),/, (_, amount: string) => `,${amount}5,`);
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const refused = await dip(t, ['scheme', 'import', 'medical-group', 'history', bad, '--region', region, '--year', year]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('(invalid-rows)');
    expect(refused.stderr).toMatch(/line 3: outpatientFund: "\d+\.\d{3}" has 3 decimal places; at most 2 allowed/);

    const id = report.run.id as string;
    const finalised = await dip(t, ['scheme', 'finalise', id]);
    expect([finalised.code, finalised.stdout]).toEqual([0, `medical-group ${region} ${year}: run ${id} final\n`]);
    const rerun = await dip(t, ['scheme', 'run', 'medical-group', '--region', region, '--year', year, '--out', reports]);
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toContain('(finalised)');
    const reimport = await dip(t, [
      'scheme',
      'import',
      'medical-group',
      'history',
      join(out, 'history.csv'),
      '--region',
      region,
      '--year',
      year,
    ]);
    expect(reimport.code).toBe(2);
    expect(reimport.stderr).toContain('(finalised)');
  });

  it('generates a zibo-budget year that imports and runs, its tree adding up and line 1 as the test computes it', async () => {
    const out = join(dir, 'zibo-budget');
    const [region, year] = ['370300', '2025'];
    const generated = await dip(t, ['generate', '--scheme', 'zibo-budget', '--institutions', '6', '--year', year, '--out', out]);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain(`zibo-budget, seed 1, region ${region}, year ${year}, 6 institutions`);
    expect((await dip(t, ['scheme', 'policy', 'zibo-budget', join(out, 'policy.json')])).code).toBe(0);
    for (const table of ZIBO_TABLES) {
      const r = await dip(t, ['scheme', 'import', 'zibo-budget', table, join(out, `${table}.csv`), '--region', region, '--year', year]);
      expect([table, r.code, r.stderr]).toEqual([table, 0, '']);
    }
    const run = await dip(t, [
      'scheme',
      'run',
      'zibo-budget',
      '--region',
      region,
      '--year',
      year,
      '--json',
      '--out',
      join(dir, 'zibo-reports'),
    ]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const report = JSON.parse(run.stdout);
    expect(report.region.addsUp).toBe(true);
    const policy = JSON.parse(readFileSync(join(out, 'policy.json'), 'utf8'));
    const signed = records(join(out, 'signed.csv'));
    for (const pool of ['employee', 'resident']) {
      const persons = signed
        .filter((s) => s.pool === pool && s.line === 'generalOutpatient')
        .reduce((n, s) => n + BigInt(s.signedPersons), 0n);
      const line = report.region.pools[pool].lines.generalOutpatient;
      expect([pool, fen(line.budget)]).toEqual([pool, fen(policy.pools[pool].generalOutpatient.perCapitaQuota) * persons]);
      expect(line.actual).toMatch(/^\d+\.\d{2}$/);
    }
    expect(report.providers).toHaveLength(6);
  });

  it('generates a diabetes per-head year that runs and writes every patient’s figures beside the report', async () => {
    const out = join(dir, 'diabetes');
    expect((await dip(t, ['generate', '--scheme', 'diabetes-capitation', '--persons', '500', '--seed', '7', '--out', out])).code).toBe(0);
    expect((await dip(t, ['scheme', 'policy', 'diabetes-capitation', join(out, 'policy.json')])).code).toBe(0);
    const tables = readdirSync(out).filter((f) => f.endsWith('.csv'));
    for (const f of tables) {
      const r = await dip(t, [
        'scheme',
        'import',
        'diabetes-capitation',
        f.replace(/\.csv$/, ''),
        join(out, f),
        '--region',
        '120000',
        '--year',
        '2022',
      ]);
      expect(r.code).toBe(0);
    }
    const reports = join(dir, 'diabetes-reports');
    const run = await dip(t, ['scheme', 'run', 'diabetes-capitation', '--region', '120000', '--year', '2022', '--out', reports]);
    expect(run.code).toBe(0);
    const persons = readdirSync(reports).find((f) => f.endsWith('-persons.csv'))!;
    expect(persons).toBe('scheme-diabetes-capitation-120000-2022-draft-persons.csv');
    // One line per patient of the patients table, under their institution.
    const patients = records(join(out, 'patients.csv'));
    const lines = records(join(reports, persons));
    expect(lines).toHaveLength(patients.length);
    const byPerson = new Map(lines.map((l) => [l.person, l]));
    for (const p of patients) expect(byPerson.get(p.person)?.provider).toBe(p.institutionCode);
    // A new patient counts newPatientAverage × months / 12, unclamped; the test's own arithmetic.
    const average = fen(JSON.parse(readFileSync(join(out, 'policy.json'), 'utf8')).newPatientAverage as string);
    const fresh = patients.find((p) => p.newPatient === 'true')!;
    const contribution = divHalfUp(average * BigInt(fresh.months), 12n);
    expect(fen(byPerson.get(fresh.person)!.contribution)).toBe(contribution);
  });
});
