import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DipError } from '../../src/domain/errors';
import {
  diseaseCapitationScheme,
  DiseaseCapitationPolicy,
  EnrolmentFigures,
  PoolRegionFigures,
  UnitFigures,
} from '../../src/domain/schemes/disease-capitation';
import { InputRow, SchemeInputs, SchemeOutcome } from '../../src/domain/schemes/scheme';
import { personRows } from '../../src/domain/schemes/person-table';
import { readTable, tableSpec } from '../../src/domain/schemes/scheme-input';
import { DISEASE_CAPITATION_POLICY_PARAMETERS, generateDiseaseCapitationDemo } from '../../src/synth/disease-capitation';

const DIR = resolve(__dirname, '../../catalogs/schemes/disease-capitation');
const policyDoc = (): Record<string, unknown> => JSON.parse(readFileSync(resolve(DIR, '510400-2021.json'), 'utf8'));
const policy: DiseaseCapitationPolicy = diseaseCapitationScheme.parsePolicy(policyDoc());

/** Rows as readTable gives them, from plain objects of strings (the way a CSV reads). */
function table(name: string, rows: Record<string, string>[]): InputRow[] {
  return readTable(tableSpec(diseaseCapitationScheme.tables, name), rows, (i) => ({ row: i }));
}

const E = (
  person: string,
  pool: string,
  disease: string,
  hospitalCode: string,
  age: string,
  hasClass1Disease: string,
  familyDoctorInstitution: string,
  enrolledAtStart: string,
  treated: string,
  months: string,
): Record<string, string> => ({
  person,
  pool,
  disease,
  hospitalCode,
  age,
  hasClass1Disease,
  familyDoctorInstitution,
  enrolledAtStart,
  treated,
  months,
});

/**
 * The worked example (policy 510400-2021: ρ = 1.2 from 65, × 1.5 with a class-1 disease, so
 * ρ ∈ {1, 1.2, 1.5, 1.8}; advances 95 %; retention 0.80; 40/60 up to 10 %, then the hospital's).
 *
 * Employee pool, T = 21,000.00:
 *   D1 (M03900): fund payment 1,234,567.00 / 1,000 persons = 1,234.567 → 1,234.57, + uplift 30.00 → h1 = 1,264.57;
 *   D2 (M01600): per-head cost given 2,000.00 → h2 = 2,000.00.
 * Rows enrolled at the start (ρ): D1: P1 70 → 1.2, P2 class-1 → 1.5, P8 → 1 (all H1), P5 64 on 1 January → 1 (H3);
 *   W1 = 4.7. D2: P3 66 + class-1 → 1.8, P1 → 1.2 (H1), P4 → 1 (H2), P10 80 + class-1 → 1.8 (H5), P6 65 → 1.2 (H4);
 *   W2 = 7.0. Σ h × ρ = 1,264.57 × 4.7 + 2,000 × 7 = 5,943.479 + 14,000 = 19,943.479;
 *   λ = 21,000 / 19,943.479 = 1.05297576215263144409…;
 *   s1 = round2(1,264.57 × λ = 1,331.56155…) = 1,331.56; s2 = round2(2,000 × λ = 2,105.95152…) = 2,105.95.
 * Allowances at the start A_h = round2(Σ s × ρ):
 *   H1: 1,331.56 × 3.7 + 2,105.95 × 3.0 = 4,926.772 + 6,317.85 = 11,244.622 → 11,244.62;
 *   H2: 2,105.95 (one patient); H5: 2,105.95 × 1.8 = 3,790.71; consortium C1 = H3 1,331.56 + H4 2,105.95 × 1.2 = 2,527.14.
 *   Σ = 20,999.98: the rounding takes 0.02 of T.
 * Year end (same λ and standards, rows treated, months / 12):
 *   H1: P3 not treated; P8 moved to H5 after 4 months: (1,331.56 × (1.2×12 + 1.5×12 + 1×4 = 36.4) + 2,105.95 × 1.2×12)
 *       / 12 = (48,468.784 + 30,325.68) / 12 = 6,566.20533… → 6,566.21;
 *   H5: P10 12 months, P7 new in August (5 months, no history), P8 8 months:
 *       (1,331.56 × 13 + 2,105.95 × 1.8 × 12) / 12 = (17,310.28 + 45,488.52) / 12 = 5,233.2333… → 5,233.23;
 *   H2 and C1 all treated all year: 2,105.95 and 3,858.70.
 * Resident pool, T = 1,000.00: D1 per-head 880.00 + uplift 20.00 = 900.00; one row (P9, H1, ρ 1);
 *   λ = 1,000 / 900; s = round2(900 × 1,000 / 900) = 1,000.00; A = 1,000.00.
 */
const ENROLMENTS = [
  E('P1', 'employee', 'M03900', 'H1', '70', 'false', 'H1', 'true', 'true', '12'),
  E('P2', 'employee', 'M03900', 'H1', '40', 'true', 'H1', 'true', 'true', ''),
  E('P8', 'employee', 'M03900', 'H1', '30', 'false', '', 'true', 'true', '4'),
  E('P3', 'employee', 'M01600', 'H1', '66', 'true', 'H9', 'true', 'false', '12'),
  E('P1', 'employee', 'M01600', 'H1', '70', 'false', 'H1', 'true', 'true', '12'),
  E('P9', 'resident', 'M03900', 'H1', '58', 'false', '', 'true', 'true', '12'),
  E('P4', 'employee', 'M01600', 'H2', '50', 'false', '', 'true', 'true', '12'),
  E('P10', 'employee', 'M01600', 'H5', '80', 'true', 'H9', 'true', 'true', '12'),
  E('P7', 'employee', 'M03900', 'H5', '45', 'false', '', 'false', 'true', '5'),
  E('P8', 'employee', 'M03900', 'H5', '30', 'false', '', 'false', 'true', '8'),
  E('P5', 'employee', 'M03900', 'H3', '64', 'false', 'H3', 'true', 'true', ''),
  E('P6', 'employee', 'M01600', 'H4', '65', 'false', 'H3', 'true', 'true', '12'),
];

const BASE: Record<string, Record<string, string>[]> = {
  budgets: [
    { pool: 'employee', fundControl: '21000.00' },
    { pool: 'resident', fundControl: '1000.00' },
  ],
  diseaseCosts: [
    { pool: 'employee', disease: 'M03900', name: '高血压', fundPayment: '1234567.00', personsSettled: '1000', uplift: '30.00' },
    { pool: 'employee', disease: 'M01600', name: '糖尿病', perHeadCost: '2000.00' },
    { pool: 'resident', disease: 'M03900', name: '高血压', perHeadCost: '880.00', uplift: '20.00' },
  ],
  hospitals: [
    { hospitalCode: 'H1', name: 'City hospital' },
    { hospitalCode: 'H2', name: 'Small clinic' },
  ],
  consortia: [
    { consortiumCode: 'C1', name: 'County consortium', hospitalCode: 'H3' },
    { consortiumCode: 'C1', name: 'County consortium', hospitalCode: 'H4' },
  ],
  enrolments: ENROLMENTS,
  // H1 keeps a surplus; H2 overspends past 10 %; H5 a small surplus; C1 overspends by exactly 10 % (3,858.70 × 1.1).
  spending: [
    { hospitalCode: 'H1', pool: 'employee', fundPayment: '5432.10' },
    { hospitalCode: 'H1', pool: 'resident', fundPayment: '800.00' },
    { hospitalCode: 'H2', pool: 'employee', fundPayment: '2500.00' },
    { hospitalCode: 'H5', pool: 'employee', fundPayment: '5000.00' },
    { hospitalCode: 'H3', pool: 'employee', fundPayment: '3000.00' },
    { hospitalCode: 'H4', pool: 'employee', fundPayment: '1244.57' },
  ],
  familyDoctors: [
    { institutionCode: 'H1', signedAtMidYear: '4', signedAndServed: '5', score: '0.9' },
    { institutionCode: 'H3', signedAtMidYear: '2', signedAndServed: '2' },
    { institutionCode: 'H9', name: 'Community centre', signedAtMidYear: '7', signedAndServed: '3', score: '0.8765' },
  ],
};

function inputs(over: Partial<Record<string, Record<string, string>[] | null>> = {}): SchemeInputs {
  const t: Record<string, InputRow[]> = {};
  for (const [k, v] of Object.entries({ ...BASE, ...over })) if (v) t[k] = table(k, v);
  return t;
}
const run = (i: SchemeInputs, p: DiseaseCapitationPolicy = policy): SchemeOutcome => diseaseCapitationScheme.run(p, i, 2021);
const unitOf = (out: SchemeOutcome, code: string): UnitFigures => {
  const p = out.providers.find((x) => x.provider === code);
  if (!p) throw new Error(`no provider ${code}`);
  return p.figures as unknown as UnitFigures;
};
const poolOf = (u: UnitFigures, pool: string) => u.pools.find((p) => p.pool === pool)!;
const regionPool = (out: SchemeOutcome, pool: string): PoolRegionFigures =>
  (out.region.pools as PoolRegionFigures[]).find((p) => p.pool === pool)!;

describe('disease-capitation scheme (SCHEMES.md A, seed 000)', () => {
  const out = run(inputs());

  it('forms h_d from history or the table, λ over the rows enrolled at the start, and the standards', () => {
    const emp = regionPool(out, 'employee');
    expect(emp).toMatchObject({ fundControl: '21000.00', weightedHistoricalCost: '19943.479', rowsAtStart: 9, rowsTreated: 10 });
    expect(emp.lambda.startsWith('1.052975762152631444092577829575271195')).toBe(true);
    expect(emp.diseases).toEqual([
      expect.objectContaining({
        disease: 'M01600',
        source: 'perHeadCost',
        fundPayment: null,
        perHead: '2000.00',
        uplift: '0.00',
        historicalCost: '2000.00',
        standard: '2105.95',
        rowsAtStart: 5,
        weightAtStart: '7',
        historicalAtStart: '14000',
      }),
      expect.objectContaining({
        disease: 'M03900',
        source: 'history',
        fundPayment: '1234567.00',
        personsSettled: 1000,
        perHead: '1234.57',
        uplift: '30.00',
        historicalCost: '1264.57',
        standard: '1331.56',
        rowsAtStart: 4,
        weightAtStart: '4.7',
        historicalAtStart: '5943.479',
      }),
    ]);
    // Σ A_h = 11,244.62 + 2,105.95 + 3,790.71 + 3,858.70 = 20,999.98.
    expect(emp).toMatchObject({ allowanceAtStart: '20999.98', roundingDifference: '-0.02' });
    // The resident pool on its own: λ = 1000 / 900, s = 1,000.00.
    const res = regionPool(out, 'resident');
    expect(res).toMatchObject({ fundControl: '1000.00', weightedHistoricalCost: '900', allowanceAtStart: '1000.00' });
    expect(res.diseases[0]).toMatchObject({ perHead: '880.00', uplift: '20.00', historicalCost: '900.00', standard: '1000.00' });
    expect(out.region.riskAdjustment).toEqual({
      ageFrom: 65,
      ageFactor: '1.2',
      class1Factor: '1.5',
      rho: { none: '1', age: '1.2', class1: '1.5', both: '1.8' },
    });
  });

  it('keeps a surplus at 80 %: H1, with its monthly advances at 95 % and December the remainder', () => {
    const h1 = unitOf(out, 'H1');
    const emp = poolOf(h1, 'employee');
    expect(emp.members).toEqual([
      {
        hospitalCode: 'H1',
        rowsAtStart: 5,
        contributionAtStart: '11244.622',
        allowanceAtStart: '11244.62',
        // round2(11,244.62 / 12) = 937.05; December 11,244.62 − 11 × 937.05 = 937.07;
        // advances round2(0.95 × 937.05 = 890.1975) = 890.20 × 11 + round2(0.95 × 937.07 = 890.2165) = 890.22 → 10,682.42.
        advances: '10682.42',
        rowsTreated: 4,
        contributionAtEnd: '6566.205333333333333333333333333333333333',
        allowanceAtEnd: '6566.21',
        spending: '5432.10',
      },
    ]);
    expect(emp.schedule[0]).toEqual({ month: 1, allowance: '937.05', advance: '890.20' });
    expect(emp.schedule[11]).toEqual({ month: 12, allowance: '937.07', advance: '890.22' });
    expect(emp.diseases).toEqual([
      {
        disease: 'M01600',
        standard: '2105.95',
        rowsAtStart: 2,
        weightAtStart: '3',
        contributionAtStart: '6317.85',
        rowsTreated: 1,
        weightAtEnd: '1.2',
        contributionAtEnd: '2527.14',
      },
      {
        disease: 'M03900',
        standard: '1331.56',
        rowsAtStart: 3,
        weightAtStart: '3.7',
        contributionAtStart: '4926.772',
        rowsTreated: 3,
        // (1.2 × 12 + 1.5 × 12 + 1 × 4) / 12 = 36.4 / 12.
        weightAtEnd: '3.033333333333333333333333333333333333333',
        contributionAtEnd: '4039.065333333333333333333333333333333333',
      },
    ]);
    // U = 6,566.21 − 5,432.10 = 1,134.11; retained round2(907.288) = 907.29; the fund keeps 226.82;
    // P = 5,432.10 + 907.29 = 6,339.39; balance 6,339.39 − 10,682.42 = −4,343.03.
    expect(emp.yearEnd!.reconciliation).toMatchObject({ surplus: '1134.11', retained: '907.29', fundKeeps: '226.82', overspend: '0.00' });
    expect(emp.yearEnd).toMatchObject({
      allowance: '6566.21',
      spending: '5432.10',
      paymentByFund: '6339.39',
      hospitalPart: '0.00',
      balance: '-4343.03',
    });
    // Resident: A 1,000.00, monthly 83.33 (Dec 83.37), advances 79.16 × 11 + 79.20 = 949.96; S 800.00, U 200.00,
    // retained 160.00, P 960.00, balance 10.04.
    const res = poolOf(h1, 'resident');
    expect(res).toMatchObject({ allowanceAtStart: '1000.00', advances: '949.96' });
    expect(res.yearEnd).toMatchObject({ allowance: '1000.00', paymentByFund: '960.00', balance: '10.04' });
    // H1 in all: 12,244.62 at start; balance −4,343.03 + 10.04 = −4,332.99; with the family-doctor fee
    // (advance round2(0.5 × 100 × 4) = 200.00, earned round2(100 × 5 × 0.9) = 450.00, year end 250.00): −4,082.99.
    expect(h1).toMatchObject({
      unit: 'hospital',
      allowanceAtStart: '12244.62',
      advances: '11632.38',
      allowanceAtEnd: '7566.21',
      spending: '6232.10',
      paymentByFund: '7299.39',
      balance: '-4332.99',
      dueFromFund: '-4082.99',
    });
  });

  it('pays an institution with one patient and an overspend past the 10 % band: H2', () => {
    const h2 = unitOf(out, 'H2');
    const emp = poolOf(h2, 'employee');
    // A = S2 = 2,105.95 at start and year end; O = 2,500.00 − 2,105.95 = 394.05. Band 1 up to 0.10 × 2,105.95 =
    // 210.595 (exact): fund 84.238 → 84.24; band 2 183.455 all the hospital's: hospital 394.05 − 84.24 = 309.81
    // (unrounded 126.357 + 183.455 = 309.812). P = 2,105.95 + 84.24 = 2,190.19. Advances: round2(175.4958…) =
    // 175.50, December 175.45; 166.73 × 11 + 166.68 = 2,000.71; balance 189.48.
    expect(emp.members[0]).toMatchObject({ rowsAtStart: 1, allowanceAtStart: '2105.95', advances: '2000.71', allowanceAtEnd: '2105.95' });
    const rec = emp.yearEnd!.reconciliation;
    expect(rec.bands.map((b) => [b.from, b.to, b.amount])).toEqual([
      ['0', '210.595', '210.595'],
      ['210.595', null, '183.455'],
    ]);
    expect(rec.parts).toEqual({ fund: '84.24', hospital: '309.81' });
    expect(rec.partsUnrounded).toEqual({ fund: '84.238', hospital: '309.812' });
    expect(emp.yearEnd).toMatchObject({ paymentByFund: '2190.19', hospitalPart: '309.81', balance: '189.48' });
    expect(h2.familyDoctor).toEqual({ institutions: [], midYearAdvance: '0.00', yearEndPayment: '0.00' });
    expect(out.providers.find((p) => p.provider === 'H2')).toMatchObject({ name: 'Small clinic', visibleTo: ['H2'] });
  });

  it('counts a new patient without history and a moved patient by months / 12: H5', () => {
    const emp = poolOf(unitOf(out, 'H5'), 'employee');
    // A at start 3,790.71 (P10 only); at year end 5,233.23 (see above). S = 5,000.00: U = 233.23, retained
    // round2(186.584) = 186.58, P = 5,186.58. Advances: 315.89 (Dec 315.92); 300.10 × 11 + 300.12 = 3,601.22;
    // balance 1,585.36.
    expect(emp.members[0]).toMatchObject({ rowsAtStart: 1, rowsTreated: 3, allowanceAtStart: '3790.71', allowanceAtEnd: '5233.23' });
    expect(emp.yearEnd).toMatchObject({ paymentByFund: '5186.58', balance: '1585.36' });
    expect(emp.yearEnd!.reconciliation).toMatchObject({ surplus: '233.23', retained: '186.58' });
    const persons = personRows(out.persons!).filter((p) => p.provider === 'H5');
    const p7 = persons.find((p) => p.person === 'P7')!.figures as unknown as EnrolmentFigures;
    // P7: 1,331.56 × 1 × 5 / 12 = 554.81666…
    expect(p7).toEqual({
      hospitalCode: 'H5',
      pool: 'employee',
      disease: 'M03900',
      age: 45,
      hasClass1Disease: false,
      rho: '1',
      standard: '1331.56',
      enrolledAtStart: false,
      contributionAtStart: '0',
      treated: true,
      months: 5,
      contributionAtEnd: '554.8166666666666666666666666666666666667',
      familyDoctorInstitution: null,
    });
    const p10 = persons.find((p) => p.person === 'P10')!.figures as unknown as EnrolmentFigures;
    // 2,105.95 × 1.8 = 3,790.71, all year.
    expect(p10).toMatchObject({ rho: '1.8', contributionAtStart: '3790.71', months: 12, contributionAtEnd: '3790.71' });
  });

  it('takes a consortium as one total, overspent exactly at the 10 % band edge: C1', () => {
    const c1 = unitOf(out, 'C1');
    const emp = poolOf(c1, 'employee');
    // Members H3 1,331.56 and H4 2,527.14, each rounded and advanced on its own, summed: A = 3,858.70.
    // S = 3,000.00 + 1,244.57 = 4,244.57 = 1.1 × A: O = 385.87, all in band 1: fund round2(154.348) = 154.35,
    // hospital 231.52. P = 3,858.70 + 154.35 = 4,013.05.
    // Advances H3: 110.96 (Dec 111.00): 105.41 × 11 + 105.45 = 1,264.96; H4: 210.60 (Dec 210.54):
    // 200.07 × 11 + 200.01 = 2,400.78; Σ 3,665.74; balance 347.31.
    expect(emp.members.map((m) => [m.hospitalCode, m.allowanceAtStart, m.advances, m.allowanceAtEnd, m.spending])).toEqual([
      ['H3', '1331.56', '1264.96', '1331.56', '3000.00'],
      ['H4', '2527.14', '2400.78', '2527.14', '1244.57'],
    ]);
    expect(emp.schedule[0]).toEqual({ month: 1, allowance: '321.56', advance: '305.48' });
    expect(emp.schedule[11]).toEqual({ month: 12, allowance: '321.54', advance: '305.46' });
    const rec = emp.yearEnd!.reconciliation;
    expect(rec).toMatchObject({ allowance: '3858.70', spending: '4244.57', overspend: '385.87' });
    expect(rec.bands.map((b) => b.amount)).toEqual(['385.87', '0']);
    expect(rec.parts).toEqual({ fund: '154.35', hospital: '231.52' });
    expect(emp.yearEnd).toMatchObject({ paymentByFund: '4013.05', balance: '347.31' });
    // The family-doctor fee of its member H3, no score recorded (1): advance 100.00, earned 200.00, year end 100.00.
    expect(c1.familyDoctor.institutions).toEqual([
      {
        institutionCode: 'H3',
        name: null,
        feePerPerson: '100.00',
        signedAtMidYear: 2,
        enrolledSigned: 2,
        midYearAdvance: '100.00',
        signedAndServed: 2,
        score: '1',
        scoreRecorded: false,
        earned: '200.00',
        yearEndPayment: '100.00',
      },
    ]);
    expect(c1).toMatchObject({ unit: 'consortium', balance: '347.31', dueFromFund: '447.31' });
    expect(out.providers.find((p) => p.provider === 'C1')).toMatchObject({ name: 'County consortium', visibleTo: ['H3', 'H4'] });
  });

  it('pays the family-doctor fee with a score, and recovers an advance above what was earned', () => {
    const h1 = unitOf(out, 'H1');
    expect(h1.familyDoctor.institutions[0]).toMatchObject({
      signedAtMidYear: 4,
      enrolledSigned: 2,
      midYearAdvance: '200.00',
      signedAndServed: 5,
      score: '0.9',
      scoreRecorded: true,
      earned: '450.00',
      yearEndPayment: '250.00',
    });
    // H9 treats nobody: advance round2(0.5 × 100 × 7) = 350.00; earned round2(100 × 3 × 0.8765 = 262.95);
    // year end 262.95 − 350.00 = −87.05 (repaid).
    const h9 = unitOf(out, 'H9');
    expect(h9.pools).toEqual([]);
    expect(h9.familyDoctor.institutions[0]).toMatchObject({
      enrolledSigned: 2,
      midYearAdvance: '350.00',
      earned: '262.95',
      yearEndPayment: '-87.05',
    });
    expect(h9).toMatchObject({ allowanceAtStart: '0.00', balance: '0.00', dueFromFund: '-87.05' });
    expect(out.providers.find((p) => p.provider === 'H9')!.name).toBe('Community centre');
    // The year-end fee is not computed without signedAndServed.
    const early = run(inputs({ familyDoctors: [{ institutionCode: 'H1', signedAtMidYear: '4' }] }));
    expect(unitOf(early, 'H1').familyDoctor.institutions[0]).toMatchObject({
      midYearAdvance: '200.00',
      earned: null,
      yearEndPayment: null,
    });
  });

  it('adds up the region', () => {
    expect(out.region).toMatchObject({ stage: 'year-end', rows: 12, persons: 10, hospitals: 6, units: 5, consortia: 1 });
    expect(out.providers.map((p) => p.provider)).toEqual(['C1', 'H1', 'H2', 'H5', 'H9']);
    // Employee year end: A 6,566.21 + 2,105.95 + 5,233.23 + 3,858.70 = 17,764.09; S 5,432.10 + 2,500 + 5,000 +
    // 4,244.57 = 17,176.67; balances 347.31 − 4,343.03 + 189.48 + 1,585.36 = −2,220.88.
    expect(regionPool(out, 'employee').yearEnd).toMatchObject({
      allowance: '17764.09',
      spending: '17176.67',
      fundPart: '238.59',
      hospitalPart: '541.33',
      balance: '-2220.88',
    });
    // Family doctors: advances 200 + 100 + 350 = 650.00; earned 450 + 200 + 262.95 = 912.95; year end 262.95.
    expect(out.region.familyDoctor).toMatchObject({
      feePerPerson: '100.00',
      signedAtMidYear: 13,
      enrolledSigned: 6,
      midYearAdvance: '650.00',
      signedAndServed: 10,
      earned: '912.95',
      yearEndPayment: '262.95',
    });
    // Balance −2,220.88 + 10.04 = −2,210.84; due from the fund −2,210.84 + 262.95 = −1,947.89.
    expect(out.region).toMatchObject({ balance: '-2210.84', dueFromFund: '-1947.89' });
  });

  it('gives one PersonFigures per enrolment row, grouped by provider in provider order, every row with every key', () => {
    const persons = personRows(out.persons!);
    expect(persons.map((p) => `${p.provider}:${p.person}`)).toEqual([
      'C1:P5',
      'C1:P6',
      'H1:P1',
      'H1:P2',
      'H1:P8',
      'H1:P3',
      'H1:P1',
      'H1:P9',
      'H2:P4',
      'H5:P10',
      'H5:P7',
      'H5:P8',
    ]);
    const keys = Object.keys(persons[0].figures);
    for (const p of persons) expect(Object.keys(p.figures)).toEqual(keys);
    // P3 (66, class-1): ρ 1.8; at start 2,105.95 × 1.8 = 3,790.71; not treated: 0 at year end.
    expect(persons[5].figures).toMatchObject({ rho: '1.8', contributionAtStart: '3790.71', treated: false, contributionAtEnd: '0' });
    // P5, 64 on 1 January: ρ 1; months blank at the start → 12.
    expect(persons[0].figures).toMatchObject({ age: 64, rho: '1', months: 12, contributionAtEnd: '1331.56' });
    // P8 at H1 for 4 months: 1,331.56 × 4 / 12 = 443.8533…
    expect(persons[4].figures).toMatchObject({ months: 4, contributionAtEnd: '443.8533333333333333333333333333333333333' });
  });

  it('runs at the start of the year (no spending table): allowances and advances, no year end', () => {
    const start = run(inputs({ spending: null }));
    expect(start.region).toMatchObject({ stage: 'start', allowanceAtStart: '21999.98', balance: null, dueFromFund: null });
    const h1 = unitOf(start, 'H1');
    expect(h1).toMatchObject({ allowanceAtStart: '12244.62', allowanceAtEnd: null, balance: null });
    expect(poolOf(h1, 'employee').yearEnd).toBeNull();
    expect(personRows(start.persons!)[2].figures).toMatchObject({ contributionAtEnd: null });
  });

  it('refuses inputs that do not fit together, never quoting a person', () => {
    const bad = inputs({
      enrolments: [
        ...ENROLMENTS,
        E('SECRET1', 'employee', 'M99999', 'H1', '50', 'false', '', 'true', 'true', '12'),
        E('SECRET2', 'employee', 'M03900', 'H2', '50', 'false', '', 'false', 'true', ''),
        E('P1', 'employee', 'M03900', 'H2', '70', 'false', 'H1', 'true', 'true', '3'),
        E('SECRET3', 'employee', 'M03900', 'H6', '50', 'false', '', 'true', '', '12'),
        // The same person on two rows in a row, then again later: every row is checked against the first.
        E('SECRET4', 'employee', 'M03900', 'H1', '50', 'false', '', 'true', 'true', '12'),
        E('SECRET4', 'employee', 'M01600', 'H1', '50', 'false', 'H1', 'true', 'true', '12'),
        E('SECRET5', 'employee', 'M03900', 'H1', '50', 'false', '', 'true', 'true', '12'),
        E('SECRET4', 'employee', 'M03900', 'H2', '50', 'false', '', 'true', 'true', '12'),
      ],
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
          { row: 13, field: 'enrolments.disease', reason: 'no employee row for disease "M99999" in the diseaseCosts table' },
          { row: 14, field: 'enrolments.months', reason: 'is needed at the year end for a row enrolled during the year' },
          { row: 15, field: 'enrolments.enrolledAtStart', reason: 'the person already has a row of this disease enrolled at the start' },
          { row: 15, field: 'enrolments.months', reason: "the person's treated rows of this disease add up to more than 12 months" },
          { row: 16, field: 'enrolments.treated', reason: 'is needed at the year end (the spending table is imported)' },
          {
            row: 18,
            field: 'enrolments.familyDoctorInstitution',
            reason: "differs from the person's other rows (a person signs with one institution)",
          },
          { row: 20, field: 'enrolments.enrolledAtStart', reason: 'the person already has a row of this disease enrolled at the start' },
        ]),
      );
      expect(JSON.stringify(problems)).not.toMatch(/SECRET|P1\b/);
    }
    // A treated hospital without spending; a pool without a budget.
    expect(() => run(inputs({ spending: [{ hospitalCode: 'H1', pool: 'employee', fundPayment: '1.00' }] }))).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          { field: 'spending.hospitalCode', reason: 'hospital "H2" has treated employee rows but no employee spending row' },
        ]),
      }),
    );
    expect(() => run(inputs({ budgets: [{ pool: 'employee', fundControl: '21000.00' }] }))).toThrow(DipError);
    const { enrolments: _drop, ...noEnrolments } = inputs();
    expect(() => run(noEnrolments)).toThrow(/needs the enrolments table/);
  });

  it('runs the shipped Panzhihua policy on its example inputs (the worked example with real-looking codes)', () => {
    const dir = resolve(DIR, 'example');
    const example: Record<string, InputRow[]> = {};
    for (const file of readdirSync(dir)) {
      const name = file.replace(/\.csv$/, '');
      const [header, ...lines] = readFileSync(resolve(dir, file), 'utf8').trim().split('\n');
      const cols = header.split(',');
      const raws = lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v])));
      example[name] = readTable(tableSpec(diseaseCapitationScheme.tables, name), raws, (i) => ({ line: i + 2 }));
    }
    const ex = run(example);
    // The same figures as the worked example above.
    expect(ex.region).toMatchObject({ allowanceAtStart: '21999.98', balance: '-2210.84', dueFromFund: '-1947.89' });
    expect(ex.providers.map((p) => [p.provider, (p.figures as unknown as UnitFigures).dueFromFund])).toEqual([
      ['510400C01', '447.31'],
      ['H51040001', '-4082.99'],
      ['H51040002', '189.48'],
      ['H51040005', '1585.36'],
      ['H51040009', '-87.05'],
    ]);
  });
});

describe('the disease-capitation policy', () => {
  it('is parsed with every problem by path', () => {
    const doc = policyDoc() as any;
    doc.tiers[0].shares.fund = '0.50';
    doc.advanceRatio = 0.95;
    doc.riskAdjustment.ageFactor = '0';
    doc.familyDoctor.feePerPerson = '100.001';
    doc.extra = 1;
    try {
      diseaseCapitationScheme.parsePolicy(doc);
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as DipError).code).toBe('invalid-policy');
      expect((e as DipError).problems).toEqual(
        expect.arrayContaining([
          { path: 'extra', reason: 'unknown key' },
          { path: 'advanceRatio', reason: 'must be a decimal string such as "0.5"' },
          { path: 'riskAdjustment.ageFactor', reason: 'must be greater than 0; got "0"' },
          { path: 'familyDoctor.feePerPerson', reason: 'must be money: at most 2 decimals' },
          { path: 'tiers[0].shares', reason: 'must add up to 1; they add up to 1.1' },
        ]),
      );
    }
  });
});

describe('the disease-capitation demo data', () => {
  it('uses the shipped policy’s parameters', () => {
    const { scheme: _s, region: _r, year: _y, name: _n, ...shipped } = policyDoc();
    expect(shipped).toEqual(DISEASE_CAPITATION_POLICY_PARAMETERS);
  });

  it('passes readTable and the run, and is the same for the same seed', () => {
    const a = generateDiseaseCapitationDemo({ seed: 7, region: '510400', year: 2021, persons: 300 });
    const b = generateDiseaseCapitationDemo({ seed: 7, region: '510400', year: 2021, persons: 300 });
    expect(a).toEqual(b);
    expect(generateDiseaseCapitationDemo({ seed: 8, region: '510400', year: 2021, persons: 300 }).tables.enrolments).not.toEqual(
      a.tables.enrolments,
    );
    const p = diseaseCapitationScheme.parsePolicy(a.policy);
    const tables: Record<string, InputRow[]> = {};
    for (const [name, csv] of Object.entries(a.tables)) {
      const [header, ...lines] = csv.trim().split('\n');
      const cols = header.split(',');
      const raws = lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v])));
      tables[name] = readTable(tableSpec(diseaseCapitationScheme.tables, name), raws, (i) => ({ line: i + 2 }));
    }
    const out = diseaseCapitationScheme.run(p, tables, 2021);
    expect(out.region.stage).toBe('year-end');
    expect(personRows(out.persons!).length).toBe(tables.enrolments.length);
    expect(out.providers.some((x) => (x.figures as unknown as UnitFigures).unit === 'consortium')).toBe(true);
    // Persons grouped by provider in provider order.
    const order = out.providers.map((x) => x.provider);
    let last = -1;
    for (const person of personRows(out.persons!)) {
      const k = order.indexOf(person.provider);
      expect(k).toBeGreaterThanOrEqual(last);
      last = k;
    }
  });
});
