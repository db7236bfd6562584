import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { field, shot, signIn, tokenOf } from './page-helpers';
import { seeded } from './seeded';

/**
 * The payment schemes besides DIP in the browser (docs/schemes.md), against the seeded service
 * (global-setup.ts): the medical group SWCQ01 of Shanwei 城区 2024 from the shipped example
 * tables, a draft; a generated disease-capitation year with thousands of enrolments. The figures
 * are the ones hand-checked in test/e2e/schemes.test.ts: allowance 65,649,500.00, balance
 * −6,127,941.67. Pages are photographed into reports/browser/.
 */

test.describe('schemes', () => {
  test('the agency sees the medical group run, its figures and files, and finalises it', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.schemes.agency);
    await page.getByTestId('menu-schemes').click();
    await expect(page).toHaveURL(/\/agency\/schemes$/);
    const listed = page.getByTestId('scheme-run-row-medical-group-2024');
    await expect(listed).toBeVisible();
    await expect(listed).toContainText('441502');
    await expect(listed).toContainText('草稿');
    await shot(page, 'schemes-agency-runs');

    await page.getByTestId('scheme-run-open-medical-group').click();
    await expect(page.getByTestId('scheme-status')).toHaveAttribute('data-status', 'draft');
    await expect(page.getByTestId('scheme-run')).toContainText('002 (Shanwei)');
    await expect(page.getByTestId('scheme-inputs')).toContainText('reserveBase');
    const group = page.getByTestId('scheme-provider-row-SWCQ01');
    await expect(group).toContainText('汕尾市城区医疗集团');
    // Money from the decimal strings, to the fen.
    await expect(group.getByTestId('fig-allowance')).toHaveText('¥65,649,500.00');
    await expect(group.getByTestId('fig-balance')).toHaveText('-¥6,127,941.67');
    await expect(group.getByTestId('fig-paymentByFund')).toHaveText('¥67,182,850.00');
    // The region's figures (the agency's only), flattened.
    await expect(page.getByTestId('scheme-region')).toBeVisible();
    await expect(page.getByTestId('region-balance')).toHaveText('-¥6,127,941.67');
    await expect(page.getByTestId('region-allowance')).toHaveText('¥65,649,500.00');
    // The nested figures in the expanded row.
    await group.locator('.el-table__expand-icon').click();
    const detail = page.getByTestId('scheme-provider-detail-SWCQ01');
    await expect(detail).toBeVisible();
    await expect(detail).toContainText('reconciliation.parts.fund');
    await expect(detail).toContainText('¥1,533,350.00');
    await shot(page, 'schemes-agency-run');

    // The CSV, fetched with the bearer token.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('scheme-csv').click()]);
    expect(csv.suggestedFilename()).toBe('scheme-medical-group-441502-2024-draft.csv');
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text).toContain('65649500.00');
    expect(text).toContain('-6127941.67');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('scheme-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toBe('scheme-medical-group-441502-2024-draft.xlsx');

    // Finalise, after a confirmation naming the year.
    await page.getByTestId('scheme-finalise').click();
    await expect(page.getByTestId('scheme-finalise-question')).toContainText('2024');
    await shot(page, 'schemes-agency-finalise');
    await page.getByTestId('scheme-confirm-finalise').click();
    await expect(page.getByTestId('scheme-status')).toHaveAttribute('data-status', 'final');
    await expect(page.getByTestId('scheme-finalise')).toHaveCount(0);
    await page.getByTestId('scheme-back').click();
    await expect(page.getByTestId('scheme-run-row-medical-group-2024')).toContainText('已定稿');
  });

  test('a member hospital sees its group row but not the region', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.schemes.member);
    await page.getByTestId('menu-schemes').click();
    await expect(page).toHaveURL(/\/hospital\/schemes$/);
    const listed = page.getByTestId('scheme-run-row-medical-group-2024');
    await expect(listed).toBeVisible();
    await shot(page, 'schemes-hospital-runs');
    await page.getByTestId('scheme-run-open-medical-group').click();
    const group = page.getByTestId('scheme-provider-row-SWCQ01');
    await expect(group.getByTestId('fig-allowance')).toHaveText('¥65,649,500.00');
    await expect(group.getByTestId('fig-balance')).toHaveText('-¥6,127,941.67');
    await expect(page.locator('[data-testid^="scheme-provider-row-"]')).toHaveCount(1);
    await expect(page.getByTestId('scheme-region')).toHaveCount(0);
    await expect(page.getByTestId('scheme-finalise')).toHaveCount(0);
    await shot(page, 'schemes-hospital-run');
    // The agency's pages stay closed.
    await page.goto(`${s.baseURL}/agency/schemes`);
    await expect(page.getByTestId('forbidden')).toBeVisible();
  });

  test("the agency reads a provider's thousands of persons in a virtualized table", async ({ page }) => {
    const s = seeded();
    await signIn(page, s.schemes.capitationAgency);
    await page.goto(`${s.baseURL}/agency/schemes`);
    await page.getByTestId(`scheme-run-row-disease-capitation-${s.schemes.capitationYear}`).getByRole('link').click();
    const open = page.locator('[data-testid^="scheme-persons-"]').first();
    const provider = (await open.getAttribute('data-testid'))!.replace('scheme-persons-', '');
    const persons = (await (
      await page.request.get(`${s.baseURL}/api/v1/schemes/runs/${page.url().split('/').pop()}/persons?provider=${provider}`, {
        headers: { authorization: `Bearer ${await tokenOf(page)}` },
      })
    ).json()) as { person: string }[];
    expect(persons.length).toBeGreaterThan(1000);
    await open.click();
    const count = page.getByTestId('persons-count');
    await expect(count).toHaveText(persons.length.toLocaleString('en-US'));
    // Only the rows in view exist.
    const rendered = await page.locator('[data-testid^="person-row-"]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    await shot(page, 'schemes-persons');
    const one = persons[persons.length - 1].person;
    await field(page, 'persons-search').fill(one);
    await expect(count).toHaveText(String(persons.filter((p) => p.person.toLowerCase().includes(one.toLowerCase())).length));
    await expect(page.getByTestId(`person-row-${one}`).first()).toBeVisible();
  });
});
