import { Command } from 'commander';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerGenerate } from '../../src/cli/commands/generate';
import { CASE_FIELDS, CaseField, epochDay, validateCase } from '../../src/domain/case-record';
import { combinationOf, groupingCode, procedureTyper } from '../../src/domain/codes';
import { Hospital, HOSPITAL_BONUSES, HOSPITAL_LEVELS } from '../../src/domain/hospital';
import { parsePolicy, Policy } from '../../src/domain/policy';
import {
  CodeEntry,
  codeUniverseFromTables,
  CodeUniverse,
  fenToYuan,
  generateCases,
  generateHospitals,
  generatePolicy,
  GenerationTally,
  syntheticCodeUniverse,
  yuanToFen,
} from '../../src/synth';
import { CODES } from '../support/paths';

const col = Object.fromEntries(CASE_FIELDS.map((f, i) => [f, i])) as Record<CaseField, number>;
const list = (cell: string): string[] => (cell === '' ? [] : cell.split('|'));
const MONEY = /^(0|[1-9]\d*)\.\d{2}$/;

function lines(file: string): string[] {
  return readFileSync(path.join(CODES, file), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
const entries = (file: string): CodeEntry[] =>
  lines(file).map((l) => {
    const i = l.indexOf(' ');
    return { code: l.slice(0, i), name: l.slice(i + 1) };
  });

/** Money in fen, read digit by digit (independent of the generator's own parser). */
const fen = (text: string): bigint => BigInt(text.replace('.', ''));

const tableUniverse: CodeUniverse = codeUniverseFromTables({
  diagnoses: entries('icd10-yb2.dat'),
  procedures: entries('icd9cm3-yb2.dat'),
  severeSecondary: lines('severe-secondary-dx.txt'),
  moderateSecondary: lines('moderate-secondary-dx.txt'),
});
const hospitals = generateHospitals({ seed: 1, region: '370300', count: 130 });
const rows = (seed: number, year: number, cases: number, universe: CodeUniverse, hs: readonly Hospital[] = hospitals): string[][] => [
  ...generateCases({ seed, year, cases }, universe, hs),
];
const toRaw = (row: readonly string[]) => Object.fromEntries(CASE_FIELDS.map((f, i) => [f, row[i]]));

describe('generateHospitals', () => {
  it('spreads about 130 hospitals over the seven levels with region codes and bonuses', () => {
    expect(hospitals).toHaveLength(130);
    expect(new Set(hospitals.map((h) => h.level))).toEqual(new Set(HOSPITAL_LEVELS));
    expect(hospitals.every((h) => /^H370300\d{3}$/.test(h.code) && h.region === '370300')).toBe(true);
    expect(new Set(hospitals.map((h) => h.code)).size).toBe(130);
    expect(new Set(hospitals.map((h) => h.name)).size).toBe(130);
    for (const bonus of HOSPITAL_BONUSES) expect(hospitals.some((h) => h.bonuses.includes(bonus))).toBe(true);
    // 基层 bonus only for community and township providers.
    expect(
      hospitals.filter((h) => h.bonuses.includes('primaryCare')).every((h) => ['L1', 'TOWNSHIP_A', 'TOWNSHIP_OTHER'].includes(h.level)),
    ).toBe(true);
    expect(hospitals.filter((h) => h.level === 'L3A_GENERAL').length).toBeLessThan(hospitals.filter((h) => h.level === 'L2_OTHER').length);
  });

  it('is deterministic by seed and honours region and count', () => {
    expect(generateHospitals({ seed: 1, region: '370300', count: 130 })).toEqual(hospitals);
    const other = generateHospitals({ seed: 2, region: '110100', count: 40 });
    expect(other).toHaveLength(40);
    expect(other[0].code).toBe('H110100001');
    expect(other.map((h) => h.bonuses)).not.toEqual(hospitals.slice(0, 40).map((h) => h.bonuses));
    expect(() => generateHospitals({ seed: 1, region: '3703', count: 130 })).toThrow(/6-digit/);
  });
});

describe('money strings', () => {
  it('are built from whole fen', () => {
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(1234560)).toBe('12345.60');
    expect(yuanToFen('12345.60')).toBe(1234560);
    expect(() => fenToYuan(12.5)).toThrow();
    expect(() => fenToYuan(-1)).toThrow();
  });
});

describe('generateCases', () => {
  const synthetic = syntheticCodeUniverse(1);

  it('gives identical rows for the same seed and different rows for another', () => {
    const a = rows(7, 2022, 3000, synthetic);
    expect(rows(7, 2022, 3000, synthetic)).toEqual(a);
    const b = rows(8, 2022, 3000, synthetic);
    const same = a.filter((r, i) => r.slice(1).join() === b[i].slice(1).join()).length;
    expect(same).toBe(0);
    // A year does not depend on which other years are generated, nor on the count asked for.
    expect(rows(7, 2022, 1000, synthetic)).toEqual(a.slice(0, 1000));
    expect(syntheticCodeUniverse(1)).toEqual(synthetic);
  });

  it('writes rows that pass validateCase, with dates, stays and ages that agree', () => {
    const codes = new Set(hospitals.map((h) => h.code));
    const sample = [...rows(3, 2023, 3000, synthetic), ...rows(3, 2024, 3000, tableUniverse)];
    const diagnoses = new Set(entries('icd10-yb2.dat').map((e) => e.code));
    let previousYearAdmissions = 0;
    for (const row of sample) {
      expect(row).toHaveLength(CASE_FIELDS.length);
      const fromTable = row[col.dischargeDate].startsWith('2024');
      const result = validateCase(toRaw(row), {
        hasHospital: (c) => codes.has(c),
        hasDiagnosis: fromTable ? (c) => diagnoses.has(c) : undefined,
      });
      if ('errors' in result) throw new Error(`${row[col.caseId]}: ${JSON.stringify(result.errors)}`);
      const r = result.record;
      expect(r.losDays).toBe(epochDay(r.dischargeDate)! - epochDay(r.admissionDate)!);
      expect(r.dischargeDate.slice(0, 4)).toBe(fromTable ? '2024' : '2023');
      if (r.admissionDate.slice(0, 4) < r.dischargeDate.slice(0, 4)) previousYearAdmissions++;
      expect(r.ageDays === null).toBe(r.age !== 0);
      // Normalised values are what was written: codes, money and flags round-trip.
      expect([r.principalDiagnosis, r.totalCost, r.fundPayment, r.outOfCatalogSelfPay, String(r.daySurgery)]).toEqual([
        row[col.principalDiagnosis],
        row[col.totalCost],
        row[col.fundPayment],
        row[col.outOfCatalogSelfPay],
        row[col.daySurgery],
      ]);
    }
    expect(previousYearAdmissions).toBeGreaterThan(0);
    expect(new Set(sample.map((r) => r[col.caseId])).size).toBe(sample.length);
  });

  it('writes money as exact 2-dp yuan with fund ≤ total and self-pay ≤ total − fund', () => {
    for (const row of rows(11, 2021, 5000, synthetic)) {
      const [total, fund, selfPay] = [row[col.totalCost], row[col.fundPayment], row[col.outOfCatalogSelfPay]];
      expect([total, fund, selfPay].every((m) => MONEY.test(m))).toBe(true);
      expect(fen(fund)).toBeLessThanOrEqual(fen(total));
      expect(fen(selfPay)).toBeLessThanOrEqual(fen(total) - fen(fund));
    }
  });

  it('takes codes from the code table, dagger and x-extension codes included', () => {
    const diagnoses = new Set(entries('icd10-yb2.dat').map((e) => e.code));
    const procedures = new Set(entries('icd9cm3-yb2.dat').map((e) => e.code));
    const sample = rows(5, 2023, 20000, tableUniverse);
    for (const row of sample) {
      expect(diagnoses.has(row[col.principalDiagnosis])).toBe(true);
      for (const c of list(row[col.secondaryDiagnoses])) expect(diagnoses.has(c)).toBe(true);
      for (const p of [...list(row[col.principalProcedure]), ...list(row[col.otherProcedures])]) expect(procedures.has(p)).toBe(true);
    }
    const principal = sample.map((r) => r[col.principalDiagnosis]);
    const daggers = principal.filter((c) => c.includes('+'));
    expect(daggers.length).toBeGreaterThan(20);
    expect(daggers.every((c) => c.endsWith('*'))).toBe(true);
    expect(principal.filter((c) => /x\d{3}/.test(groupingCode(c))).length).toBeGreaterThan(1000);
    expect(principal.some((c) => /^[V-Y]/.test(c))).toBe(false);
  });

  it('makes ICD-shaped codes without a table', () => {
    const sample = rows(5, 2023, 2000, synthetic);
    expect(sample.every((r) => /^[A-Z]\d{2}\.[0-9x]00(x\d{3})?(\+[A-Z]\d{2}\.\d\*)?$/.test(r[col.principalDiagnosis]))).toBe(true);
    expect(
      sample.filter((r) => r[col.principalProcedure] !== '').every((r) => /^\d{2}\.\d{4}(x\d{3})?$/.test(r[col.principalProcedure])),
    ).toBe(true);
  });
});

/**
 * The shape of one year of 200,000 cases, computed here from the rows alone: combination keys
 * with combinationOf (spec §3), severity classes (spec §4.8), cost ratios to the group median.
 */
describe('the shape of a generated year', () => {
  const N = 200_000;
  const typeOf = procedureTyper(new Map(), tableUniverse.procedureNames);
  const severe = new Set(tableUniverse.severeSecondary);
  const moderate = new Set(tableUniverse.moderateSecondary);
  const level = new Map(hospitals.map((h) => [h.code, h.level]));
  const coefficient = {
    L3A_GENERAL: 1,
    L3_OTHER: 0.93,
    L2A_GENERAL: 0.86,
    L2_OTHER: 0.8,
    L1: 0.72,
    TOWNSHIP_A: 0.68,
    TOWNSHIP_OTHER: 0.64,
  };
  const keyCases = new Map<string, number>();
  const keyCosts = new Map<string, number[]>();
  const subcategoryCases = new Map<string, number>();
  const count = {
    noKey: 0,
    deaths: 0,
    class2: 0,
    class3: 0,
    employee: 0,
    selfPayZero: 0,
    selfPayOver10: 0,
    day: 0,
    dayLong: 0,
    surgery: 0,
    expert: 0,
    newTech: 0,
  };
  const modes = new Set<string>();
  /** Per case: its (category, treatment type) pair and its combination key. */
  const caseKeys: [pair: string, key: string | null][] = [];
  let totalFen = 0;
  let fundFen = 0;
  const costs: number[] = [];
  const tally = new GenerationTally(hospitals, tableUniverse.procedureNames);
  let policy: Policy;

  beforeAll(() => {
    for (const row of generateCases({ seed: 1, year: 2023, cases: N }, tableUniverse, hospitals)) {
      tally.add(row);
      const cost = Number(row[col.totalCost]);
      costs.push(cost);
      totalFen += Number(fen(row[col.totalCost]));
      fundFen += Number(fen(row[col.fundPayment]));
      const c = combinationOf(row[col.principalDiagnosis], row[col.principalProcedure] || null, list(row[col.otherProcedures]), typeOf);
      caseKeys.push([`${row[col.principalDiagnosis].slice(0, 3)}/${c.treatmentType}`, c.key]);
      const sub = row[col.principalDiagnosis].slice(0, 5);
      subcategoryCases.set(sub, (subcategoryCases.get(sub) ?? 0) + 1);
      if (c.key === null) count.noKey++;
      else {
        keyCases.set(c.key, (keyCases.get(c.key) ?? 0) + 1);
        const k = keyCosts.get(c.key) ?? [];
        k.push(cost / coefficient[level.get(row[col.hospitalCode])!]);
        keyCosts.set(c.key, k);
      }
      const los = Number(row[col.losDays]);
      const secondaries = list(row[col.secondaryDiagnoses]).map(groupingCode);
      modes.add(row[col.dischargeMode]);
      if (row[col.dischargeMode] === '5') count.deaths++;
      else if (los >= 3 && secondaries.some((s) => severe.has(s))) count.class3++;
      else if (los >= 3 && secondaries.some((s) => moderate.has(s))) count.class2++;
      if (row[col.pool] === 'employee') count.employee++;
      const selfPay = Number(row[col.outOfCatalogSelfPay]);
      if (selfPay === 0) count.selfPayZero++;
      if (selfPay > 0.1 * cost) count.selfPayOver10++;
      if (row[col.daySurgery] === 'true') {
        count.day++;
        if (los > 1 || typeOf(row[col.principalProcedure]) !== 'surgery') count.dayLong++;
      }
      if (c.treatmentType === 'surgery') {
        count.surgery++;
        if (row[col.externalExpert] === 'true') count.expert++;
      }
      if (row[col.newTechnology] === 'true') count.newTech++;
    }
    policy = generatePolicy({ region: '370300', seed: 1 }, tally);
  }, 120_000);

  it('has a few thousand core keys (≥ 15 cases) and a long tail of rare keys for the composite groups', () => {
    const core = [...keyCases.values()].filter((n) => n >= 15).length;
    const rare = keyCases.size - core;
    expect(core).toBeGreaterThan(1200);
    expect(core).toBeLessThan(2100);
    expect(rare).toBeGreaterThan(15000);
    // Cases without a key (therapeutic procedures only, no principal one) go straight to a composite group.
    expect(count.noKey / N).toBeGreaterThan(0.003);
    expect(count.noKey / N).toBeLessThan(0.05);
    // Non-core cases pool into composite groups by (category, treatment type), spec §4.3.
    const compositePairs = new Set(caseKeys.filter(([, key]) => key === null || keyCases.get(key)! < 15).map(([pair]) => pair));
    expect(compositePairs.size).toBeGreaterThan(2000);
    expect(compositePairs.size).toBeLessThan(6000);
  });

  it('has Zipf-like popularity of subcategories and of procedure combinations within one', () => {
    const bySize = [...subcategoryCases.values()].sort((a, b) => b - a);
    expect(bySize[0] / N).toBeGreaterThan(0.01);
    expect(bySize[0] / N).toBeLessThan(0.06);
    expect(bySize.slice(0, 10).reduce((a, b) => a + b) / N).toBeGreaterThan(0.1);
    expect(subcategoryCases.size).toBeGreaterThan(5000);
    // Rank-frequency of surgical keys inside each subcategory, summed over subcategories.
    const ranks = [0, 0, 0, 0];
    const surgicalBySub = new Map<string, number[]>();
    for (const [key, n] of keyCases) {
      if (!key.endsWith('|')) surgicalBySub.set(key.slice(0, 5), [...(surgicalBySub.get(key.slice(0, 5)) ?? []), n]);
    }
    for (const counts of surgicalBySub.values()) {
      if (counts.length < 4) continue;
      counts
        .sort((a, b) => b - a)
        .slice(0, 4)
        .forEach((n, i) => (ranks[i] += n));
    }
    expect(ranks[0]).toBeGreaterThan(1.5 * ranks[1]);
    expect(ranks[1]).toBeGreaterThan(1.2 * ranks[3]);
  });

  it('has deaths, severity classes 2 and 3, and the other discharge modes', () => {
    expect(count.deaths / N).toBeGreaterThan(0.005);
    expect(count.deaths / N).toBeLessThan(0.03);
    expect(count.class3 / N).toBeGreaterThan(0.03);
    expect(count.class3 / N).toBeLessThan(0.12);
    expect(count.class2 / N).toBeGreaterThan(0.1);
    expect(count.class2 / N).toBeLessThan(0.3);
    expect([...modes].sort()).toEqual(['1', '2', '3', '4', '5', '9']);
  });

  it('has a few per cent cost outliers both ways around the group medians, some beyond five times', () => {
    let cases = 0;
    let low = 0;
    let high = 0;
    let extreme = 0;
    for (const groupCosts of keyCosts.values()) {
      if (groupCosts.length < 15) continue;
      const sorted = [...groupCosts].sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1];
      for (const c of groupCosts) {
        cases++;
        if (c < 0.5 * median) low++;
        if (c > 2 * median) high++;
        if (c > 5 * median) extreme++;
      }
    }
    // The bounds sit above what the natural log-normal spread alone gives (about 1.2 % low, 0.25 % beyond 5×).
    expect(low / cases).toBeGreaterThan(0.015);
    expect(low / cases).toBeLessThan(0.08);
    expect(high / cases).toBeGreaterThan(0.01);
    expect(high / cases).toBeLessThan(0.08);
    expect(extreme / cases).toBeGreaterThan(0.0035);
    expect(extreme / cases).toBeLessThan(0.01);
  });

  it('has realistic costs, pools, fund shares, self-pay and flags', () => {
    costs.sort((a, b) => a - b);
    expect(costs[Math.floor(0.01 * N)]).toBeGreaterThan(300);
    expect(costs[N >> 1]).toBeGreaterThan(3000);
    expect(costs[N >> 1]).toBeLessThan(20000);
    expect(costs[Math.floor(0.999 * N)]).toBeGreaterThan(80000);
    expect(count.employee / N).toBeGreaterThan(0.4);
    expect(count.employee / N).toBeLessThan(0.5);
    expect(fundFen / totalFen).toBeGreaterThan(0.55);
    expect(fundFen / totalFen).toBeLessThan(0.8);
    expect(count.selfPayZero / N).toBeGreaterThan(0.55);
    expect(count.selfPayOver10 / N).toBeGreaterThan(0.005);
    expect(count.selfPayOver10 / N).toBeLessThan(0.03);
    expect(count.day).toBeGreaterThan(0);
    expect(count.dayLong).toBe(0);
    expect(count.expert / count.surgery).toBeGreaterThan(0.002);
    expect(count.expert / count.surgery).toBeLessThan(0.012);
    expect(count.newTech / N).toBeGreaterThan(0.001);
    expect(count.newTech / N).toBeLessThan(0.004);
  });

  it('writes a valid policy for the next year whose groups are frequent keys and whose budget is about a year of fund payments', () => {
    expect(parsePolicy(policy)).toBeDefined();
    expect(policy.year).toBe(2024);
    expect(policy.groups.primaryCare.length).toBeGreaterThan(5);
    for (const key of policy.groups.primaryCare) {
      expect(key.endsWith('|')).toBe(true);
      expect(keyCases.get(key)).toBeGreaterThanOrEqual(100);
    }
    for (const { key } of policy.groups.fixedScore) expect(keyCases.get(key)).toBeGreaterThanOrEqual(15);
    expect(policy.groups.daySurgery.length).toBeGreaterThan(0);
    for (const { key } of policy.groups.daySurgery) expect(tally.keys.get(key)!.dayCases).toBeGreaterThan(0);

    const poolFund = (pool: 'employee' | 'resident') => Number(tally.fundPaymentFen(2023, pool)) / 100;
    const resident = policy.budget.resident as { dipBudget: string };
    expect(Number(resident.dipBudget) / poolFund('resident')).toBeCloseTo(1.03, 2);
    const employee = policy.budget.employee as { revenue: string; reserveRatio: string; lines: Record<string, string> };
    const revenue = Number(employee.revenue);
    const dipBudget = revenue * (1 - Number(employee.reserveRatio)) - Object.values(employee.lines).reduce((a, b) => a + Number(b), 0);
    expect(dipBudget / poolFund('employee')).toBeCloseTo(1.03, 2);
  });
});

describe('dip generate', () => {
  async function run(out: string, ...args: string[]): Promise<void> {
    const program = new Command('dip').exitOverride().configureOutput({ writeErr: () => undefined });
    registerGenerate(program);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'dip', 'generate', '--out', out, ...args]);
    } finally {
      stdout.mockRestore();
    }
  }
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'dip-generate-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes hospitals, one case file per year and the policy, byte-identical for the same seed', async () => {
    const [a, b] = [tmp(), tmp()];
    const args = ['--seed', '5', '--cases', '400', '--years', '2022,2023', '--hospitals', '30', '--codes', CODES];
    await run(a, ...args);
    await run(b, ...args);
    const files = readdirSync(a).sort();
    expect(files).toEqual(['cases-2022.csv', 'cases-2023.csv', 'hospitals.csv', 'policy-370300-2024.json']);
    for (const f of files) expect(readFileSync(path.join(b, f))).toEqual(readFileSync(path.join(a, f)));

    const cases = readFileSync(path.join(a, 'cases-2023.csv'), 'utf8').trimEnd().split('\n');
    expect(cases[0]).toBe(CASE_FIELDS.join(','));
    expect(cases).toHaveLength(401);
    expect(cases.slice(1)).toEqual(
      rows(5, 2023, 400, tableUniverse, generateHospitals({ seed: 5, region: '370300', count: 30 })).map((r) => r.join(',')),
    );
    const hospitalLines = readFileSync(path.join(a, 'hospitals.csv'), 'utf8').trimEnd().split('\n');
    expect(hospitalLines[0]).toBe('code,name,region,level,bonuses');
    expect(hospitalLines).toHaveLength(31);
    const policy = parsePolicy(JSON.parse(readFileSync(path.join(a, 'policy-370300-2024.json'), 'utf8')));
    expect(policy.region).toBe('370300');
  });

  it('reads the shipped code tables by default, makes up codes with --no-codes, and rejects bad options', async () => {
    const caseRows = (dir: string, year: number) =>
      readFileSync(path.join(dir, `cases-${year}.csv`), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1);
    const shipped = tmp();
    await run(shipped, '--cases', '50', '--years', '2020', '--hospitals', '30');
    expect(caseRows(shipped, 2020)).toEqual(
      rows(1, 2020, 50, tableUniverse, generateHospitals({ seed: 1, region: '370300', count: 30 })).map((r) => r.join(',')),
    );

    const a = tmp();
    await run(a, '--cases', '50', '--years', '2020', '--region', '110100', '--no-codes');
    expect(readdirSync(a).sort()).toEqual(['cases-2020.csv', 'hospitals.csv', 'policy-110100-2021.json']);
    expect(caseRows(a, 2020)).toEqual(
      rows(1, 2020, 50, syntheticCodeUniverse(1), generateHospitals({ seed: 1, region: '110100', count: 130 })).map((r) => r.join(',')),
    );
    await expect(run(tmp(), '--years', '2023-2021')).rejects.toThrow(/backwards/);
    await expect(run(tmp(), '--region', '37030')).rejects.toThrow(/6-digit/);
  });
});
