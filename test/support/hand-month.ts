import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CaseImportService } from '../../src/cases/case-import.service';
import { CatalogueService } from '../../src/catalogue/catalogue.service';
import { CatalogueStore } from '../../src/catalogue/catalogue.store';
import { PoliciesService } from '../../src/policies/policies.service';
import { catalogueHash, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { CASE_HEADER, caseLine, TestApp, TEST_HOSPITALS } from './app';
import { SAMPLE } from './sample-catalogue';

/**
 * Five cases of March 2024 whose points are worked out by hand in test/e2e/http-groupings.test.ts
 * (the SAMPLE catalogue, the shipped scoring; k: H001 1.03, H002 0.76):
 *   employee  C1 H001 24720.00 → 3090 points, fund 17000; C3 H001 24000.00 → 3090, fund 16000;
 *             C2 H002  3000.00 →  570, fund 2000;
 *   resident  C5 H001  8000.00 →  700 (no-score), fund 5000; C4 H002 5000.00 → 625, fund 3000.
 */
export const HAND_CASES = [
  caseLine({ caseId: 'C1', totalCost: '24720.00', fundPayment: '17000.00', secondaryDiagnoses: '' }),
  caseLine({ caseId: 'C3', otherProcedures: '51.2200', totalCost: '24000.00', fundPayment: '16000.00', secondaryDiagnoses: '' }),
  caseLine({
    caseId: 'C2',
    hospitalCode: 'H002',
    principalProcedure: '',
    totalCost: '3000.00',
    fundPayment: '2000.00',
    secondaryDiagnoses: '',
  }),
  caseLine({
    caseId: 'C5',
    pool: 'resident',
    principalDiagnosis: 'J18.900',
    principalProcedure: '',
    totalCost: '8000.00',
    fundPayment: '5000.00',
    secondaryDiagnoses: '',
  }),
  caseLine({
    caseId: 'C4',
    pool: 'resident',
    hospitalCode: 'H002',
    principalDiagnosis: 'K81.000',
    totalCost: '5000.00',
    fundPayment: '3000.00',
    secondaryDiagnoses: '',
  }),
];

/** The test hospitals, the five cases, the SAMPLE catalogue (active) and a policy for 2024. */
export async function seedHandMonth(t: TestApp, policy: unknown): Promise<void> {
  await t.app.get(HospitalsService).upsert(
    TEST_HOSPITALS.map((h) => ({ ...h, bonuses: h.bonuses.join('|') })),
    'tester',
  );
  const report = await (
    await t.app.get(CaseImportService).start(Readable.from([[CASE_HEADER, ...HAND_CASES].join('\n')]), {
      format: 'csv',
      atomic: true,
      replace: false,
      source: 'hand',
      actor: 'tester',
    })
  ).done;
  if (report.status !== 'committed') throw new Error(`hand cases not imported: ${JSON.stringify(report.rejections)}`);
  const doc = catalogueToJson(SAMPLE, 'x', catalogueHash(SAMPLE));
  const { catalogueId } = await t.app.get(CatalogueService).importDocument(doc, 'tester');
  await t.app.get(CatalogueStore).activate(catalogueId, 'tester');
  await t.app.get(PoliciesService).resolve('370300', 2024, 'tester', policy);
}

/**
 * The shipped 2024 policy with the hand year's budgets (settlement-year.test.ts): employee from
 * revenue, 50,000 − reserve 5,000 − lines 15,000 = 30,000; resident 120,000 given.
 */
export function handYearPolicy(): Record<string, any> {
  const p = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
  p.budget = {
    employee: { revenue: '50000.00', reserveRatio: '0.10', lines: { generalOutpatient: '10000.00', outpatientChronic: '5000.00' } },
    resident: { dipBudget: '120000.00' },
  };
  return p;
}
