import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DipError } from '../../src/domain/errors';
import {
  ChronicPackagePolicy,
  chronicPackageScheme,
  ChronicPersonFigures,
  ConsortiumFigures,
  InstitutionFigures,
} from '../../src/domain/schemes/chronic-package';
import { InputRow, SchemeInputs, SchemeOutcome } from '../../src/domain/schemes/scheme';
import { personRows } from '../../src/domain/schemes/person-table';
import { readTable, tableSpec } from '../../src/domain/schemes/scheme-input';
import { CHRONIC_PACKAGE_POLICY_PARAMETERS, generateChronicPackageDemo } from '../../src/synth/chronic-package';

const DIR = resolve(__dirname, '../../catalogs/schemes/chronic-package');
const policyDoc = () => JSON.parse(readFileSync(resolve(DIR, '341021-2025.json'), 'utf8'));
const policy: ChronicPackagePolicy = chronicPackageScheme.parsePolicy(policyDoc());

/** A CSV text (no quoted fields) as readTable reads it. */
function csvRows(name: string, csv: string): InputRow[] {
  const [head, ...lines] = csv.trim().split('\n');
  const cols = head.split(',');
  const raws = lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v])));
  return readTable(tableSpec(chronicPackageScheme.tables, name), raws, (i) => ({ line: i + 2 }));
}
function table(name: string, rows: Record<string, string>[]): InputRow[] {
  return readTable(tableSpec(chronicPackageScheme.tables, name), rows, (i) => ({ row: i }));
}

/** The shipped example (catalogs/schemes/chronic-package/example), optionally with tables replaced. */
function example(over: Record<string, string> = {}): Record<string, InputRow[]> {
  const out: Record<string, InputRow[]> = {};
  for (const file of readdirSync(resolve(DIR, 'example'))) {
    const name = file.replace(/\.csv$/, '');
    out[name] = csvRows(name, over[name] ?? readFileSync(resolve(DIR, 'example', file), 'utf8'));
  }
  return out;
}
const exampleText = (name: string) => readFileSync(resolve(DIR, 'example', `${name}.csv`), 'utf8');

const run = (i: SchemeInputs, p: ChronicPackagePolicy = policy, year = 2025): SchemeOutcome => chronicPackageScheme.run(p, i, year);
const consortiumOf = (o: SchemeOutcome) => o.providers[0].figures as unknown as ConsortiumFigures;
const inst = (o: SchemeOutcome, code: string) => o.providers.find((p) => p.provider === code)!.figures as unknown as InstitutionFigures;
const person = (o: SchemeOutcome, id: string) => personRows(o.persons!).find((p) => p.person === id)!;

const LEAD = 'H341021001';
const COUNTY = 'H341021002';
const T1 = 'H341021101';
const T2 = 'H341021102';
const V1 = 'H341021201';

/*
 * The example, year 2025 (the seed's year), base year 2024. Ten persons insured in Shexian:
 *   P01 resident, M03900 since 2021, claimed by T1 (郑村)        → certified
 *   P02 resident, M01600 + M03911, T1                            → certified
 *   P03 resident, M04600 since 2023 and once M00501 (2019–2020), T2 → excluded: held an exclusion certificate once
 *   P04 resident, M05300 and M07803 since 2024, V1               → excluded: holds both
 *   P05 resident, M04800 since 2024, V1, no 2024 payment record  → certified, budget by the per capita
 *   P06 resident, M04300 first held in 2025, V1                  → no qualifying certificate last year
 *   P07 employee scheme, M03900, T1                              → not in the resident scheme
 *   P08 resident, M03900, unclaimed                              → certified (the consortium's row)
 *   P09 resident, M01617 since 2023, T2, a maternity stay in 2024 and essential drugs
 *   P10 resident, M03900 2018–2023 (expired before 2024), T1     → no qualifying certificate last year
 * plus P99 (not insured in the county) with a certificate and a payment, and a 2023 payment of P01.
 *
 * Counted payments (outpatient + inpatient − maternity + essential drugs), 2024 → 2025:
 *   P01 600.00 + 400.00 = 1,000.00        → 700.00 + 500.00 = 1,200.00
 *   P02 1,234.56 + 1,111.11 = 2,345.67    → 1,000.00
 *   P05 (none)                            → 800.00
 *   P08 0.00 + 3,000.00 = 3,000.00        → 500.00 + 3,000.00 = 3,500.00
 *   P09 300.00 + 5,000.00 − 5,000.00 + 120.50 = 420.50 → 400.00 + 2,000.00 + 130.25 = 2,530.25
 * Last year 6,766.17 over 4 persons with a record; this year 9,030.25.
 * Budget = round2(6,766.17 × 1.04 = 7,036.8168) = 7,036.82; perCapita = round2(6,766.17 / 4 = 1,691.5425) = 1,691.54.
 * Result = 7,036.82 − 9,030.25 = −1,993.43: an overspend of 1,993.43, all the consortium's.
 *
 * Institution budgets B_i = round2((Σ last year + n_i × perCapita) × 1.04):
 *   T1: (1,000.00 + 2,345.67) × 1.04 = 3,479.4968 → 3,479.50; S = 2,200.00; own surplus 1,279.50
 *   T2: 420.50 × 1.04 = 437.32;                               S = 2,530.25; own −2,092.93
 *   V1: (0 + 1 × 1,691.54) × 1.04 = 1,759.2016 → 1,759.20;    S = 800.00;   own surplus 959.20
 *   LEAD, COUNTY: nobody claimed: B = 0.00, S = 0.00.
 * Scores Σ weight × part / 10:
 *   LEAD (90, 80, 100, 70): (450 + 240 + 100 + 70) / 10 = 86;  COUNTY (80 × 4): 80;
 *   T1 (100, 90, 80, 60): (500 + 270 + 80 + 60) / 10 = 91;    T2 (70, 60, 50, 90): (350 + 180 + 50 + 90) / 10 = 67;
 *   V1 (85, 95, 75, 65): (425 + 285 + 75 + 65) / 10 = 85;     consortium (88, 92, 90, 95): (440 + 276 + 90 + 95) / 10 = 90.1.
 * Rewards in the county overspend (ratio 0.5):
 *   T1: round2(1,279.50 × 0.5 × 91 / 100 = 582.1725) = 582.17;  V1: round2(959.20 × 0.5 × 0.85 = 407.66) = 407.66; Σ 989.83.
 * Amount split = −(1,993.43 + 989.83) = −2,983.26, 5 : 3 : 2:
 *   lead round2(−1,491.63) = −1,491.63; township round2(−894.978) = −894.98; village the rest −596.65.
 * Within a tier by 100 − score:
 *   lead: LEAD 14, COUNTY 20 (Σ 34): LEAD round2(−1,491.63 × 14 / 34 = −614.2006) = −614.20; COUNTY −877.43.
 *   township: T1 9, T2 33 (Σ 42): T1 round2(−894.98 × 9 / 42 = −191.7814) = −191.78; T2 −703.20.
 *   village: V1 alone −596.65.
 * Net = share + reward: LEAD −614.20, COUNTY −877.43, T1 −191.78 + 582.17 = 390.39, T2 −703.20,
 *   V1 −596.65 + 407.66 = −188.99; Σ = −1,993.43 = −overspend: the fund recovers exactly the overspend.
 */
describe('chronic-package scheme (SCHEMES.md D, seed 004 Shexian)', () => {
  const out = run(example());
  const c = consortiumOf(out);

  it('fixes the population from last year’s certificates, minus anyone who ever held an exclusion certificate', () => {
    expect(c.population).toEqual({
      insured: 10,
      included: 5,
      notResidentScheme: 1,
      noQualifyingCertificate: 2,
      exclusionCertificate: 2,
      withLastYearRecord: 4,
      withoutLastYearRecord: 1,
      unclaimed: 1,
    });
    const f = (id: string) => person(out, id).figures as unknown as ChronicPersonFigures;
    // Excluded by a certificate held once (2019–2020), though qualifying last year.
    expect(f('P03')).toMatchObject({ included: false, status: 'exclusionCertificate', qualifying: ['M04600'], excluding: ['M00501'] });
    // Holding both a qualifying and an excluding certificate now.
    expect(f('P04')).toMatchObject({ included: false, status: 'exclusionCertificate', qualifying: ['M05300'], excluding: ['M07803'] });
    expect(f('P04')).toMatchObject({ lastYear: '3000.00', thisYear: '4000.00', budgetBase: null, claimedBy: V1 });
    expect(f('P06')).toMatchObject({ included: false, status: 'noQualifyingCertificate', qualifying: [] });
    expect(f('P07')).toMatchObject({ included: false, status: 'notResidentScheme', qualifying: ['M03900'] });
    expect(f('P10')).toMatchObject({ included: false, status: 'noQualifyingCertificate', qualifying: [], lastYear: '200.00' });
    expect(f('P02')).toEqual({
      included: true,
      status: 'certified',
      qualifying: ['M01600', 'M03911'],
      excluding: [],
      claimedBy: T1,
      lastYear: '2345.67',
      thisYear: '1000.00',
      budgetBase: '2345.67',
    });
    // Without a last-year record: the county per capita enters the institution budget.
    expect(f('P05')).toMatchObject({ included: true, lastYear: null, thisYear: '800.00', budgetBase: '1691.54' });
    expect(f('P09')).toMatchObject({ lastYear: '420.50', thisYear: '2530.25' });
    expect(f('P08')).toMatchObject({ included: true, claimedBy: null, budgetBase: null });
    expect(c.notCounted).toEqual({ certificatesOfOthers: 1, paymentsOfOthers: 1, paymentsOfOtherYears: 1 });
  });

  it('forms the budget from last year’s payments × 1.04, maternity stays out, essential drugs in', () => {
    // Last year: outpatient 600 + 1,234.56 + 0 + 300 = 2,134.56; inpatient 400 + 1,111.11 + 3,000 + 5,000 = 9,511.11.
    expect(c.lastYear).toEqual({
      outpatientFund: '2134.56',
      inpatientFund: '9511.11',
      maternityInpatientFund: '5000.00',
      essentialDrugsFund: '120.50',
      total: '6766.17',
    });
    // This year: outpatient 700 + 1,000 + 800 + 500 + 400 = 3,400.00; inpatient 500 + 3,000 + 2,000 = 5,500.00.
    expect(c.thisYear).toEqual({
      outpatientFund: '3400.00',
      inpatientFund: '5500.00',
      maternityInpatientFund: '0.00',
      essentialDrugsFund: '130.25',
      total: '9030.25',
    });
    expect(c).toMatchObject({ budget: '7036.82', perCapita: '1691.54', spending: '9030.25', result: '-1993.43', growth: '0.04' });
    expect(c.reconciliation).toMatchObject({ surplus: '0.00', overspend: '1993.43', retained: '0.00', paymentByFund: '7036.82' });
    expect(c.reconciliation.parts).toEqual({ fund: '0.00', consortium: '1993.43' });
    // Nothing was scheduled: the claims went through the usual channel; the consortium repays the overspend.
    expect(c.balance).toBe('-1993.43');
  });

  it('forms each institution’s own budget from its claimed persons, the per capita for those without a record', () => {
    expect(inst(out, T1).claimed).toEqual({
      persons: 2,
      notIncluded: 2,
      withLastYearRecord: 2,
      withoutLastYearRecord: 0,
      lastYearPayments: '3345.67',
      perCapita: '1691.54',
      perCapitaPart: '0.00',
      base: '3345.67',
      growth: '0.04',
    });
    expect(inst(out, T1)).toMatchObject({ budget: '3479.50', spending: '2200.00', ownResult: '1279.50', ownSurplus: '1279.50' });
    expect(inst(out, T2)).toMatchObject({ budget: '437.32', spending: '2530.25', ownResult: '-2092.93', ownSurplus: '0.00' });
    expect(inst(out, V1).claimed).toMatchObject({ persons: 1, withoutLastYearRecord: 1, perCapitaPart: '1691.54', base: '1691.54' });
    expect(inst(out, V1)).toMatchObject({ budget: '1759.20', spending: '800.00', ownResult: '959.20' });
    expect(inst(out, LEAD)).toMatchObject({ budget: '0.00', spending: '0.00', ownResult: '0.00' });
    // 3,479.50 + 437.32 + 1,759.20 = 5,676.02 (not the package: P08 is unclaimed, P05 counts the per capita).
    expect(c.institutionBudgets).toBe('5676.02');
  });

  it('scores the consortium and the institutions 5 : 3 : 1 : 1', () => {
    expect(c.assessment).toEqual({
      recorded: true,
      parts: { fundPayment: '88', managementRate: '92', pilotExperience: '90', satisfaction: '95' },
      score: '90.1',
    });
    expect([LEAD, COUNTY, T1, T2, V1].map((k) => inst(out, k).assessment.score)).toEqual(['86', '80', '91', '67', '85']);
  });

  it('in a county overspend rewards the institutions in surplus inside the consortium: the fund recovers exactly the overspend', () => {
    expect(inst(out, T1).reward).toEqual({ eligible: true, ownSurplus: '1279.50', ratio: '0.5', score: '91', amount: '582.17' });
    expect(inst(out, V1).reward).toMatchObject({ eligible: true, amount: '407.66' });
    expect(inst(out, T2).reward).toMatchObject({ eligible: false, amount: '0.00' });
    expect(c.split).toEqual({
      mode: 'overspend',
      surplus: '0.00',
      overspend: '1993.43',
      rewards: '989.83',
      amount: '-2983.26',
      tiers: [
        { tier: 'lead', weight: '5', institutions: [LEAD, COUNTY], amount: '-1491.63' },
        { tier: 'township', weight: '3', institutions: [T1, T2], amount: '-894.98' },
        { tier: 'village', weight: '2', institutions: [V1], amount: '-596.65' },
      ],
    });
    expect(inst(out, LEAD).split).toEqual({
      mode: 'overspend',
      tier: 'lead',
      tierAmount: '-1491.63',
      weightBasis: '100 - score',
      weight: '14',
      tierWeights: '34',
      share: '-614.20',
    });
    expect(c.institutions.map((x) => [x.institutionCode, x.share, x.reward, x.net])).toEqual([
      [LEAD, '-614.20', '0.00', '-614.20'],
      [COUNTY, '-877.43', '0.00', '-877.43'],
      [T1, '-191.78', '582.17', '390.39'],
      [T2, '-703.20', '0.00', '-703.20'],
      // A tier with one institution: it takes the whole tier amount.
      [V1, '-596.65', '407.66', '-188.99'],
    ]);
    const net = c.institutions.reduce((t, x) => t + Math.round(Number(x.net) * 100), 0);
    expect(net).toBe(-199343);
    expect(out.region).toMatchObject({ overspend: '1993.43', rewards: '989.83', amountSplit: '-2983.26', consortiumScore: '90.1' });
  });

  it('shares a county surplus 5 : 3 : 2 and within a tier by score; no rewards', () => {
    // P08 this year 500.00 + 0 → spending 9,030.25 − 3,000.00 = 6,030.25; surplus 7,036.82 − 6,030.25 = 1,006.57.
    // Tiers: round2(503.285) = 503.29; round2(301.971) = 301.97; village 1,006.57 − 805.26 = 201.31.
    // Lead tier by score 86 : 80 (Σ 166): round2(503.29 × 86 / 166 = 260.7406) = 260.74; COUNTY 242.55.
    // Township 91 : 67 (Σ 158): round2(301.97 × 91 / 158 = 173.9194) = 173.92; T2 128.05. V1 201.31.
    // The fund pays P = min(S, A) + surplus = 6,030.25 + 1,006.57 = 7,036.82: balance +1,006.57.
    const o = run(example({ payments: exampleText('payments').replace('P08,2025,500.00,3000.00', 'P08,2025,0.00,500.00') }));
    const k = consortiumOf(o);
    expect(k).toMatchObject({ spending: '6030.25', result: '1006.57', paymentByFund: '7036.82', balance: '1006.57' });
    expect(k.split).toMatchObject({ mode: 'surplus', surplus: '1006.57', rewards: '0.00', amount: '1006.57' });
    expect(k.split.tiers.map((t) => t.amount)).toEqual(['503.29', '301.97', '201.31']);
    expect(k.institutions.map((x) => [x.institutionCode, x.share, x.reward, x.net])).toEqual([
      [LEAD, '260.74', '0.00', '260.74'],
      [COUNTY, '242.55', '0.00', '242.55'],
      [T1, '173.92', '0.00', '173.92'],
      [T2, '128.05', '0.00', '128.05'],
      [V1, '201.31', '0.00', '201.31'],
    ]);
    expect(inst(o, T1).split).toMatchObject({ weightBasis: 'score', weight: '91', tierWeights: '158' });
    expect(inst(o, T1).reward).toMatchObject({ eligible: false, amount: '0.00' });
  });

  it('groups the persons by provider in provider order, in the persons table’s order within', () => {
    expect(out.providers.map((p) => p.provider)).toEqual(['YGT341021', LEAD, COUNTY, T1, T2, V1]);
    expect(personRows(out.persons!).map((p) => `${p.provider}:${p.person}`)).toEqual([
      'YGT341021:P08',
      `${T1}:P01`,
      `${T1}:P02`,
      `${T1}:P07`,
      `${T1}:P10`,
      `${T2}:P03`,
      `${T2}:P09`,
      `${V1}:P04`,
      `${V1}:P05`,
      `${V1}:P06`,
    ]);
    // The persons table in another order: the same figures, the persons in that order within each provider.
    const [head, ...rows] = exampleText('persons').trim().split('\n');
    const reversed = run(example({ persons: [head, ...rows.reverse()].join('\n') }));
    expect(reversed.region).toEqual(out.region);
    expect(
      personRows(reversed.persons!)
        .filter((p) => p.provider === T1)
        .map((p) => p.person),
    ).toEqual(['P10', 'P07', 'P02', 'P01']);
    expect(out.providers[0].visibleTo).toEqual([LEAD]);
    expect(out.providers.find((p) => p.provider === V1)!.visibleTo).toEqual([V1, LEAD]);
    expect(out.providers.find((p) => p.provider === LEAD)!.visibleTo).toEqual([LEAD]);
  });
});

/*
 * A small consortium for the split's edge cases: lead L1, county hospital L2, township T1, no
 * village clinic. One person q1, M03900 since 2020, claimed by T1, 1,000.00 last year:
 * budget = B_T1 = 1,040.00.
 */
function small(thisYear: string, assessment?: [string, string][]): SchemeInputs {
  const t: Record<string, InputRow[]> = {
    consortium: table('consortium', [{ consortiumCode: 'C1', name: 'Consortium' }]),
    institutions: table('institutions', [
      { institutionCode: 'L1', name: 'Lead', kind: 'lead' },
      { institutionCode: 'L2', name: 'County', kind: 'county' },
      { institutionCode: 'T1', name: 'Township', kind: 'township' },
    ]),
    persons: table('persons', [{ person: 'q1', pool: 'resident', claimedBy: 'T1' }]),
    certificates: table('certificates', [{ person: 'q1', certificateCode: 'M03900', fromYear: '2020', toYear: '' }]),
    payments: table('payments', [
      { person: 'q1', year: '2024', outpatientFund: '1000.00', inpatientFund: '0' },
      { person: 'q1', year: '2025', outpatientFund: thisYear, inpatientFund: '0' },
    ]),
  };
  if (assessment)
    t.assessment = table(
      'assessment',
      assessment.map(([unitCode, p]) => ({ unitCode, fundPayment: p, managementRate: p, pilotExperience: p, satisfaction: p })),
    );
  return t;
}
const shares = (o: SchemeOutcome) => consortiumOf(o).institutions.map((x) => [x.institutionCode, x.share]);

describe('the chronic-package split’s edge cases', () => {
  it('drops a tier without institutions and re-weights the others (5 : 3 → 5/8, 3/8); no assessment: every score 100', () => {
    // S = 895.99: surplus 144.01; lead round2(144.01 × 5/8 = 90.00625) = 90.01, township 54.00.
    // Lead tier: scores 100 and 100 → equal: round2(45.005) = 45.01, L2 45.00.
    const o = run(small('895.99'));
    const k = consortiumOf(o);
    expect(k.split.tiers).toEqual([
      { tier: 'lead', weight: '5', institutions: ['L1', 'L2'], amount: '90.01' },
      { tier: 'township', weight: '3', institutions: ['T1'], amount: '54.00' },
      { tier: 'village', weight: '2', institutions: [], amount: null },
    ]);
    expect(shares(o)).toEqual([
      ['L1', '45.01'],
      ['L2', '45.00'],
      ['T1', '54.00'],
    ]);
    expect(inst(o, 'L1').assessment).toEqual({ recorded: false, parts: null, score: '100' });
    expect(k.assessment).toBeNull();
  });

  it('splits equally within a tier when every score is equal, surplus or overspend', () => {
    // Surplus 144.01 as above, scores 80 and 80: weights 80, 80 → 45.01, 45.00.
    const scored: [string, string][] = [
      ['L1', '80'],
      ['L2', '80'],
      ['T1', '80'],
    ];
    expect(shares(run(small('895.99', scored)))).toEqual([
      ['L1', '45.01'],
      ['L2', '45.00'],
      ['T1', '54.00'],
    ]);
    // S = 1,140.01: overspend 100.01; T1's own result 1,040.00 − 1,140.01 < 0, no reward.
    // −100.01: lead round2(−62.50625) = −62.51, township −37.50; lead tier weights 20, 20:
    // round2(−31.255) = −31.26 (half away from zero), L2 −31.25.
    const o = run(small('1140.01', scored));
    expect(consortiumOf(o).split).toMatchObject({ mode: 'overspend', overspend: '100.01', rewards: '0.00', amount: '-100.01' });
    expect(shares(o)).toEqual([
      ['L1', '-31.26'],
      ['L2', '-31.25'],
      ['T1', '-37.50'],
    ]);
  });

  it('splits equally when every weight is 0: all scores 0 in a surplus, all scores 100 in an overspend', () => {
    const zero: [string, string][] = [
      ['L1', '0'],
      ['L2', '0'],
      ['T1', '0'],
    ];
    const o = run(small('895.99', zero));
    expect(inst(o, 'L1').split).toMatchObject({ weight: '0', tierWeights: '0', share: '45.01' });
    expect(shares(o)).toEqual([
      ['L1', '45.01'],
      ['L2', '45.00'],
      ['T1', '54.00'],
    ]);
    // All scores 0 in an overspend: weights 100, 100 → equal as well.
    expect(shares(run(small('1140.01', zero)))).toEqual([
      ['L1', '-31.26'],
      ['L2', '-31.25'],
      ['T1', '-37.50'],
    ]);
    const full: [string, string][] = [
      ['L1', '100'],
      ['L2', '100'],
      ['T1', '100'],
    ];
    expect(inst(run(small('1140.01', full)), 'L2').split).toMatchObject({ weight: '0', tierWeights: '0', share: '-31.25' });
  });

  it('has neither surplus nor overspend when the year spends exactly the budget', () => {
    const o = run(small('1040.00'));
    expect(consortiumOf(o)).toMatchObject({ result: '0.00', balance: '0.00', paymentByFund: '1040.00' });
    expect(consortiumOf(o).split).toMatchObject({ mode: 'none', amount: '0.00' });
    expect(shares(o)).toEqual([
      ['L1', '0.00'],
      ['L2', '0.00'],
      ['T1', '0.00'],
    ]);
  });
});

describe('the chronic-package inputs and policy', () => {
  it('refuses inputs that do not fit together, naming table, row and field, never the person', () => {
    const bad = example({
      persons: exampleText('persons').replace('P08,resident,', 'P08,resident,H999').replace('P07,employee', 'P07,civil'),
      payments: exampleText('payments').replace('P09,2024,300.00,5000.00,5000.00', 'P09,2024,300.00,5000.00,5000.01'),
      assessment: exampleText('assessment')
        .replace(/H341021201.*\n/, '')
        .replace('H341021002,80,80,80,80', 'H341021002,80,80,80,101'),
      institutions: exampleText('institutions').replace('H341021002,歙县中医医院,county', 'H341021002,歙县中医医院,lead'),
    });
    try {
      run(bad);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DipError);
      expect((e as DipError).code).toBe('invalid-inputs');
      const problems = (e as DipError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          { row: 8, field: 'persons.claimedBy', reason: 'no institution "H999" in the institutions table' },
          { row: 7, field: 'persons.pool', reason: '"civil" is not one of resident, employee' },
          { row: 15, field: 'payments.maternityInpatientFund', reason: 'is more than inpatientFund, which includes the maternity stays' },
          { row: 3, field: 'assessment.satisfaction', reason: '101 is above 100' },
          expect.objectContaining({ field: 'assessment.unitCode', reason: expect.stringContaining('"H341021201" has no row') }),
          expect.objectContaining({ field: 'institutions.kind', reason: expect.stringContaining('2 institutions are of kind "lead"') }),
        ]),
      );
      for (const p of problems) expect(p.reason).not.toMatch(/P0\d/);
    }
    const { persons: _drop, ...noPersons } = example();
    expect(() => run(noPersons)).toThrow(/needs the persons table/);
  });

  it('parses the policy with every problem by path, and defaults the reward ratio to 0.5', () => {
    const doc = policyDoc();
    doc.growth = 0.04;
    doc.tiers[2].kinds = ['village'];
    doc.tiers[1].kinds.push('lead');
    doc.exclusionCertificates.push({ code: 'M03900', disease: 'twice' });
    doc.assessmentWeights = { fundPayment: '0', managementRate: '0', pilotExperience: '0', satisfaction: '0' };
    try {
      chronicPackageScheme.parsePolicy(doc);
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as DipError).code).toBe('invalid-policy');
      expect((e as DipError).problems).toEqual(
        expect.arrayContaining([
          { path: 'growth', reason: 'must be a decimal string such as "0.5"' },
          { path: 'tiers', reason: 'the kind "station" is in no tier' },
          { path: 'tiers[1].kinds', reason: '"lead" is already in tier lead' },
          { path: 'exclusionCertificates[3].code', reason: '"M03900" is listed twice' },
          { path: 'assessmentWeights', reason: 'must not all be 0' },
        ]),
      );
    }
    const { overspendRewardRatio: _r, ...withoutRatio } = policyDoc();
    expect(chronicPackageScheme.parsePolicy(withoutRatio).overspendRewardRatio).toBe('0.5');
  });

  it('ships the generator’s parameters', () => {
    const { scheme: _s, region: _g, year: _y, name: _n, ...shipped } = policyDoc();
    expect(shipped).toEqual(JSON.parse(JSON.stringify(CHRONIC_PACKAGE_POLICY_PARAMETERS)));
  });
});

describe('the chronic-package demo generator', () => {
  const read = (tables: Record<string, string>) =>
    Object.fromEntries(Object.entries(tables).map(([name, csv]) => [name, csvRows(name, csv)])) as Record<string, InputRow[]>;

  it('is deterministic and its output passes readTable and the run', () => {
    const opts = { seed: 7, region: '341021', year: 2025, persons: 3000 };
    const a = generateChronicPackageDemo(opts);
    expect(generateChronicPackageDemo(opts)).toEqual(a);
    expect(generateChronicPackageDemo({ ...opts, seed: 8 }).tables.payments).not.toBe(a.tables.payments);
    const p = chronicPackageScheme.parsePolicy(a.policy);
    const o = chronicPackageScheme.run(p, read(a.tables), 2025);
    const k = consortiumOf(o);
    expect(k.population.insured).toBe(3000);
    expect(k.population.included).toBeGreaterThan(2500);
    expect(k.population.exclusionCertificate).toBeGreaterThan(0);
    expect(k.population.notResidentScheme).toBeGreaterThan(0);
    expect(k.population.withoutLastYearRecord).toBeGreaterThan(0);
    expect(k.notCounted.certificatesOfOthers).toBeGreaterThan(0);
    // Designed: a county overspend with institutions in surplus rewarded; the fund recovers exactly the overspend.
    expect(k.split.mode).toBe('overspend');
    expect(Number(k.split.rewards)).toBeGreaterThan(0);
    const net = k.institutions.reduce((t, x) => t + Math.round(Number(x.net) * 100), 0);
    expect(net).toBe(-Math.round(Number(k.split.overspend) * 100));
    expect(o.persons!.person).toHaveLength(3000);
    expect(o.providers.map((x) => x.provider)).toEqual([k.consortiumCode, ...k.institutions.map((x) => x.institutionCode)]);
  });
});
