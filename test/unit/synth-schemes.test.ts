import { Command } from 'commander';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { registerGenerate } from '../../src/cli/commands/generate';
import {
  GroupFigures,
  InputRow,
  MEDICAL_GROUP_TABLES,
  medicalGroupScheme,
  readTable,
  SchemeInputs,
  tableSpec,
  ZIBO_BUDGET_TABLES,
  ziboBudgetScheme,
  ZiboRegionFigures,
} from '../../src/domain/schemes';
import { generateMedicalGroupData, generateZiboBudgetData, SchemeDataSet } from '../../src/synth';
import { ROOT } from '../support/paths';

/** Money text → fen, digit by digit (independent of the generator and of decimal.js). */
function fen(text: unknown): bigint {
  const m = /^(\d+)\.(\d{2})$/.exec(String(text));
  if (!m) throw new Error(`not money with 2 decimals: ${String(text)}`);
  return BigInt(m[1] + m[2]);
}

/** Every table of a data set read as an import reads it (Papa with a header, then readTable). */
function inputsOf(data: SchemeDataSet): SchemeInputs {
  const tables = data.scheme === 'medical-group' ? MEDICAL_GROUP_TABLES : ZIBO_BUDGET_TABLES;
  return Object.fromEntries(
    data.tables.map((t) => {
      const spec = tableSpec(tables, t.table);
      const parsed = Papa.parse<Record<string, string>>(t.csv, { header: true, skipEmptyLines: 'greedy' });
      expect(parsed.errors).toEqual([]);
      expect(parsed.meta.fields).toEqual(spec.columns.map((c) => c.name));
      const rows = readTable(spec, parsed.data, (i) => ({ line: i + 2 }));
      expect(rows).toHaveLength(t.rows);
      return [t.table, rows];
    }),
  );
}

const shipped = (scheme: string, file: string) => JSON.parse(readFileSync(path.join(ROOT, 'catalogs/schemes', scheme, file), 'utf8'));
const withoutHeader = ({ name: _n, region: _r, year: _y, ...rest }: Record<string, unknown>) => rest;
const MONEY = /^(0|[1-9]\d*)\.\d{2}$/;

describe('the medical-group demo data set', () => {
  const options = { seed: 7, region: '441502', year: 2024, groups: 5 };
  const data = generateMedicalGroupData(options);
  const inputs = inputsOf(data);
  const policy = medicalGroupScheme.parsePolicy(data.policy);
  const outcome = medicalGroupScheme.run(policy, inputs, 2024);
  const figures = outcome.providers.map((p) => p.figures as unknown as GroupFigures);
  const rowsOf = (table: string, group: string): InputRow[] => inputs[table].filter((r) => r.groupCode === group);

  it('is the same for the same seed, and another for another seed', () => {
    expect(generateMedicalGroupData(options)).toEqual(data);
    const other = generateMedicalGroupData({ ...options, seed: 8 });
    expect(other.tables.map((t) => t.table)).toEqual(data.tables.map((t) => t.table));
    for (const t of other.tables) expect(t.csv).not.toBe(data.tables.find((x) => x.table === t.table)!.csv);
    // A group is its own stream: the first groups are the same whatever the number of groups.
    const fewer = generateMedicalGroupData({ ...options, groups: 3 });
    const firstLines = (d: SchemeDataSet, table: string, n: number) =>
      d.tables
        .find((t) => t.table === table)!
        .csv.split('\n')
        .slice(0, n + 1);
    expect(firstLines(fewer, 'history', 9)).toEqual(firstLines(data, 'history', 9));
  });

  it('has every table of the scheme, every row read by its kinds, money as 2-dp text', () => {
    expect(data.tables.map((t) => t.table)).toEqual(MEDICAL_GROUP_TABLES.map((t) => t.name));
    expect(inputs.groups).toHaveLength(5);
    expect(inputs.history).toHaveLength(15);
    expect(inputs.claims).toHaveLength(60);
    for (const g of inputs.groups) expect(rowsOf('members', String(g.groupCode)).length).toBeGreaterThanOrEqual(4);
    for (const t of data.tables) {
      const spec = tableSpec(MEDICAL_GROUP_TABLES, t.table);
      const money = spec.columns.filter((c) => c.kind === 'money').map((c) => c.name);
      const parsed = Papa.parse<Record<string, string>>(t.csv, { header: true, skipEmptyLines: 'greedy' }).data;
      for (const row of parsed) for (const m of money) expect(row[m]).toMatch(MONEY);
    }
    expect(data.tables.find((t) => t.table === 'history')!.csv.split('\n')[1]).toMatch(/^G44150201,2021,\d+\.\d{2},\d+\.\d{2}$/);
  });

  it('runs: one group overspends in its third year, one keeps a surplus, one is in its first year, one fails the assessment', () => {
    expect(outcome.providers.map((p) => p.provider)).toEqual(['G44150201', 'G44150202', 'G44150203', 'G44150204', 'G44150205']);
    const [first, second, third, , fifth] = figures;
    expect(first.schemeYear).toBe(3);
    expect(first.shares).toEqual({ group: '0.1', finance: '0.2', fund: '0.7' });
    expect(fen(first.reconciliation.overspend)).toBeGreaterThan(0n);
    expect(second.schemeYear).toBe(2);
    expect(fen(second.reconciliation.surplus)).toBeGreaterThan(0n);
    expect(fen(second.extra)).toBeGreaterThan(0n);
    expect(third.schemeYear).toBe(1);
    expect(third.shares).toEqual({ group: '0.05', finance: '0.22', fund: '0.73' });
    expect(fen(third.reconciliation.overspend)).toBeGreaterThan(0n);
    expect(fifth.assessment.passed).toBe(false);
    expect(fifth.shares).toEqual({ group: '1', finance: '0', fund: '0' });
    for (const g of figures) {
      expect(g.reserve.baseSource).toBe('reserveBase');
      // Plausible: the history grows, the spending within 8 % of the allowance.
      const totals = g.history.years.map((y) => fen(y.total));
      expect(totals[1] > totals[0] && totals[2] > totals[1]).toBe(true);
      const off = Number(fen(g.spending.spending) - fen(g.allowance)) / Number(fen(g.allowance));
      expect(Math.abs(off)).toBeGreaterThanOrEqual(0.009);
      expect(Math.abs(off)).toBeLessThanOrEqual(0.081);
    }
  });

  it("adds each group's twelve months of claims up to its actuals' S = outpatient + inpatient − itemPaid, to the fen", () => {
    for (const g of inputs.groups) {
      const code = String(g.groupCode);
      const claims = rowsOf('claims', code);
      expect(claims.map((c) => c.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const [a] = rowsOf('actuals', code);
      const s = fen(a.outpatientFund) + fen(a.inpatientFund) - fen(a.itemPaid);
      expect(claims.reduce((t, c) => t + fen(c.auditedClaims), 0n)).toBe(s);
    }
    for (const g of figures) expect(g.claims.total).toBe(g.spending.spending);
  });

  it('computes the allowance the test computes: round half-up of Σ three years × (1 + growth) / 3, plus the extras', () => {
    for (const g of figures) {
      const sum = rowsOf('history', g.groupCode).reduce((t, h) => t + fen(h.outpatientFund) + fen(h.inpatientFund), 0n);
      const x = sum * 10_500n; // growth 0.05
      const grown = x / 30_000n + ((x % 30_000n) * 2n >= 30_000n ? 1n : 0n);
      const extra = rowsOf('extras', g.groupCode).reduce((t, e) => t + fen(e.amount), 0n);
      expect(fen(g.allowance)).toBe(grown + extra);
    }
  });

  it("carries the shipped policy's parameters with the data set's region and year", () => {
    expect(withoutHeader(data.policy)).toEqual(withoutHeader(shipped('medical-group', '441502-2024.json')));
    expect(policy).toMatchObject({ scheme: 'medical-group', region: '441502', year: 2024 });
    const elsewhere = generateMedicalGroupData({ seed: 1, region: '441521', year: 2026, groups: 1 });
    expect(elsewhere.policy).toMatchObject({ region: '441521', year: 2026 });
    // One group: no extras table (an import refuses a table without rows); it still runs.
    expect(elsewhere.tables.map((t) => t.table)).not.toContain('extras');
    expect(medicalGroupScheme.run(medicalGroupScheme.parsePolicy(elsewhere.policy), inputsOf(elsewhere), 2026).providers).toHaveLength(1);
  });

  it('refuses options out of range', () => {
    expect(() => generateMedicalGroupData({ ...options, groups: 0 })).toThrow('groups must be 1–99');
    expect(() => generateMedicalGroupData({ ...options, region: '4415' })).toThrow('6-digit');
  });
});

describe('the zibo-budget demo data set', () => {
  const options = { seed: 3, region: '370300', year: 2024, institutions: 7 };
  const data = generateZiboBudgetData(options);
  const inputs = inputsOf(data);
  const outcome = ziboBudgetScheme.run(ziboBudgetScheme.parsePolicy(data.policy), inputs, 2024);
  const region = outcome.region as unknown as ZiboRegionFigures;

  it('is the same for the same seed, and another for another seed', () => {
    expect(generateZiboBudgetData(options)).toEqual(data);
    const other = generateZiboBudgetData({ ...options, seed: 4 });
    for (const t of ['pools', 'lastYear', 'actuals'])
      expect(other.tables.find((x) => x.table === t)!.csv).not.toBe(data.tables.find((x) => x.table === t)!.csv);
  });

  it('has both pools, every last-year item, signed persons for both capitation lines, and the five lines’ actuals', () => {
    expect(data.tables.map((t) => [t.table, t.rows])).toEqual([
      ['pools', 2],
      ['lastYear', 14],
      ['signed', 2 * (5 + 4)], // ⌈2·7/3⌉ = 5 institutions for general outpatient, ⌈7/2⌉ = 4 for chronic disease, per pool
      ['actuals', 10],
    ]);
    // Every institution signs persons in some pool.
    expect(new Set(inputs.signed.map((s) => s.institutionCode)).size).toBe(7);
    expect(outcome.providers).toHaveLength(7);
  });

  it('runs: each pool’s tree adds up to its revenue, with lines over and under budget', () => {
    expect(region.addsUp).toBe(true);
    for (const pool of ['employee', 'resident'] as const) {
      const tree = region.pools[pool]!;
      expect(fen(tree.dipBudget)).toBeGreaterThan(0n);
      expect(tree.yearEnd.actualsRecorded).toHaveLength(5);
      const variances = Object.values(tree.lines).map((l) => fen(l.actual) - fen(l.budget));
      expect(variances.slice(0, 4).some((v) => v > 0n)).toBe(true);
      expect(variances.slice(0, 4).some((v) => v < 0n)).toBe(true);
      expect(fen(tree.yearEnd.shortfall)).toBeGreaterThan(0n);
      expect(fen(tree.yearEnd.uncovered)).toBe(0n);
      // The test's own line 1: the quota × Σ signed persons of the pool.
      const signed = inputs.signed
        .filter((s) => s.pool === pool && s.line === 'generalOutpatient')
        .reduce((t, s) => t + BigInt(s.signedPersons as number), 0n);
      const quota = pool === 'employee' ? 40_000n : 18_000n;
      expect(fen(tree.lines.generalOutpatient.budget)).toBe(quota * signed);
    }
  });

  it("carries the shipped policy's parameters", () => {
    expect(withoutHeader(data.policy)).toEqual(withoutHeader(shipped('zibo-budget', '370300-2024.json')));
    expect(() => generateZiboBudgetData({ ...options, institutions: 1 })).toThrow('institutions must be 2–999');
  });
});

describe('dip generate --scheme', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  async function generate(...args: string[]): Promise<{ out: string; printed: string }> {
    const out = mkdtempSync(path.join(tmpdir(), 'dip-generate-scheme-'));
    dirs.push(out);
    const program = new Command('dip').exitOverride().configureOutput({ writeErr: () => undefined });
    registerGenerate(program);
    let printed = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
      printed += String(s);
      return true;
    });
    try {
      await program.parseAsync(['node', 'dip', 'generate', '--out', out, ...args]);
    } finally {
      stdout.mockRestore();
    }
    return { out, printed };
  }

  it('writes <table>.csv for each table and policy.json, the data set of the options, and says so', async () => {
    const { out, printed } = await generate('--scheme', 'medical-group', '--groups', '3', '--seed', '11', '--year', '2025');
    const data = generateMedicalGroupData({ seed: 11, region: '441502', year: 2025, groups: 3 });
    expect(readdirSync(out).sort()).toEqual([...data.tables.map((t) => `${t.table}.csv`), 'policy.json'].sort());
    for (const t of data.tables) expect(readFileSync(path.join(out, `${t.table}.csv`), 'utf8')).toBe(t.csv);
    expect(JSON.parse(readFileSync(path.join(out, 'policy.json'), 'utf8'))).toEqual(data.policy);
    expect(printed).toContain('dip generate: medical-group, seed 11, region 441502, year 2025, 3 groups');
    expect(printed).toContain(`${path.join(out, 'claims.csv')}  36 rows`);

    const zibo = await generate('--scheme', 'zibo-budget', '--region', '370300', '--institutions', '4');
    expect(readdirSync(zibo.out).sort()).toEqual(['actuals.csv', 'lastYear.csv', 'policy.json', 'pools.csv', 'signed.csv']);
    expect(zibo.printed).toContain('zibo-budget, seed 1, region 370300, year 2024, 4 institutions');
  });

  it('refuses options that do not go with the scheme', async () => {
    await expect(generate('--scheme', 'zibo-budget', '--groups', '3')).rejects.toThrow("'--groups <n>' goes with --scheme medical-group");
    await expect(generate('--scheme', 'medical-group', '--cases', '10')).rejects.toThrow(/cannot be used with option '--cases/);
    await expect(generate('--scheme', 'dip')).rejects.toThrow(/Allowed choices are medical-group, zibo-budget/);
    await expect(generate('--year', '2024')).rejects.toThrow("'--year <year>' goes with --scheme");
  });
});
