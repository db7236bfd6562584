import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseRecord, validateCase } from '../../src/domain/case-record';
import { normaliseDiagnosis } from '../../src/domain/codes';
import { valueOneCase } from '../../src/domain/engine/batch';
import { codeEntries, generatedRegion } from '../support/generated';
import { FIXTURES } from '../support/paths';

/**
 * The 30 real-looking cases of test/fixtures/opendrg-input.txt (医保版 2.0 codes, no
 * cost, no hospital), completed as the issue says: a hospital of the generated region, a cost of
 * 1,000 yuan a day of stay (70 % paid by the fund), discharged 2024-06-30 after their stay. The
 * file's ageDay is days since birth; the case record's ageDays is for infants only, so it is left out.
 */
const OPENDRG_INPUT = join(FIXTURES, 'opendrg-input.txt');
const region = generatedRegion(1500, 11);
const diagnoses = new Set(codeEntries('icd10-yb2.dat').map((e) => normaliseDiagnosis(e.code)));

function fixtureCases(): { records: CaseRecord[]; errors: unknown[] } {
  const [header, ...lines] = readFileSync(OPENDRG_INPUT, 'utf8').trim().split('\n');
  expect(header.trim()).toBe('Index,gender,age,ageDay,weight,dept,inHospitalTime,leavingType,ICD10_DRGS,ICD9_DRGS,drg');
  const records: CaseRecord[] = [];
  const errors: unknown[] = [];
  const hospital = region.hospitals[0].code;
  for (const line of lines) {
    const [index, gender, age, , , , los, leaving, dx, px] = line.trim().split(',');
    const [principal, ...secondary] = dx.split('|');
    const [principalProcedure = '', ...others] = px === '' ? [] : px.split('|');
    const discharge = Date.UTC(2024, 5, 30);
    const admission = new Date(discharge - Number(los) * 86_400_000).toISOString().slice(0, 10);
    const cost = Number(los) * 1000;
    const v = validateCase(
      {
        caseId: `OPENDRG-${index}`,
        hospitalCode: hospital,
        pool: 'employee',
        patientId: `P${index}`,
        sex: gender === '1' ? 'M' : 'F',
        age,
        admissionDate: admission,
        dischargeDate: '2024-06-30',
        dischargeMode: leaving,
        principalDiagnosis: principal,
        secondaryDiagnoses: secondary.join('|'),
        principalProcedure,
        otherProcedures: others.join('|'),
        totalCost: `${cost}.00`,
        fundPayment: `${Number(los) * 700}.00`,
      },
      { hasHospital: (c) => c === hospital, hasDiagnosis: (c) => diagnoses.has(c) },
    );
    if ('record' in v) records.push(v.record);
    else errors.push({ index, errors: v.errors });
  }
  return { records, errors };
}

describe('the 30 real cases of the fixture file (issue 4)', () => {
  const { records, errors } = fixtureCases();
  const results = new Map(
    records.map((r) => [r.caseId.slice(8), valueOneCase(region.engine, { ...r, ...region.byCode.get(r.hospitalCode)! })]),
  );

  it('are all valid cases with the 医保版 2.0 diagnosis table', () => {
    expect(errors).toEqual([]);
    expect(records).toHaveLength(30);
  });

  it('all get a group or a no-score result, with points to 4 decimals', () => {
    for (const r of results.values()) {
      expect(r.group === null ? r.rule : r.kind).toMatch(r.group === null ? /^no-score$/ : /^(core|composite)$/);
      expect(r.points).toMatch(/^\d+\.\d{4}$/);
    }
  });

  // Combination keys by hand (spec §3): subcategory = first 5 characters of the principal
  // diagnosis; key procedures = the principal procedure and every other surgery (ICD-9-CM-3
  // chapters 00–86 by the [default] fallback), sorted; the type is the highest of all procedures.
  it.each([
    ['22069960', 'C61.x|60.5x02', 'surgery'], // x-extension subcategory, prostatectomy
    ['22084737', 'J34.2|', 'conservative'], // no procedure
    ['22062109', 'K22.3|34.0401+38.9301+42.0902+42.8200', 'surgery'], // four surgeries; 96.08 (therapeutic) is not a key procedure
    ['22077275', 'Z51.0|92.2400x005', 'diagnostic'], // chapter 92: diagnostic
    ['22080305', 'Z51.0|92.2400x003', 'therapeutic'], // 99.28 makes it therapeutic; only the principal procedure is key
    ['22089208', 'N18.5|38.9501', 'surgery'], // the same procedure twice counts once
    ['22090049', 'G93.1|96.7101', 'therapeutic'], // dagger-free, chapter 96: therapeutic
  ])('case %s has the combination key %s (%s)', (index, key, type) => {
    const r = results.get(index)!;
    expect(r.caseKey).toBe(key);
    expect(r.treatmentType).toBe(type);
  });
});
