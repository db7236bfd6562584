import { expect, test } from '@playwright/test';
import { field, shot, signIn, tokenOf } from './page-helpers';
import { seeded } from './seeded';

/**
 * The dashboard in a real browser (issue 14), one role after another, against the seeded
 * service (global-setup.ts): February 2024 settled, March not; a special case of the hospital
 * with its panel of the three experts seated. Each main page is also photographed into
 * reports/browser/.
 */

test.describe('agency', () => {
  test('sees the point value by month, runs and finalises March, and sees it on the chart', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.agency);
    await expect(page.locator('[data-testid="pv-chart"][data-drawn="true"]').first()).toBeVisible();
    await expect(page.getByTestId('budget-chart').first()).toBeVisible();
    await shot(page, 'agency-overview');

    await page.goto(`${s.baseURL}/agency/runs`);
    await expect(page.getByTestId('run-row-2024-02')).toBeVisible();
    await field(page, 'run-period').fill('2024-03');
    await page.getByTestId('run-start').click();
    const row = page.getByTestId('run-row-2024-03');
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row).toContainText(/草稿|draft/i, { timeout: 60_000 });
    await page.getByTestId('run-finalise-2024-03').click();
    // The confirmation names the period it freezes.
    await expect(page.getByRole('dialog').filter({ hasText: '2024-03' })).toBeVisible();
    await shot(page, 'agency-runs-finalise');
    await page.getByTestId('confirm-finalise').click();
    await expect(row).toContainText(/定稿|final/i);
    await shot(page, 'agency-runs');

    // The chart now has March: its point value is the one the API reports.
    const runs = (await (
      await page.request.get(`${s.baseURL}/api/v1/settlements?year=2024`, {
        headers: { authorization: `Bearer ${await tokenOf(page)}` },
      })
    ).json()) as { period: string; status: string; pools: { pool: string; pointValue: string }[] }[];
    const march = runs.find((r) => r.period === '2024-03')!;
    expect(march.status).toBe('final');
    await page.goto(`${s.baseURL}/agency`);
    const chart = page.locator('[data-testid="pv-chart"][data-drawn="true"]').first();
    await expect(chart).toBeVisible();
    // Beside the chart, the year's runs with each pool's point value, March's as the API reports it.
    for (const pool of march.pools) await expect(page.locator('body')).toContainText(pool.pointValue);
    await shot(page, 'agency-overview-march');
  });

  test('browses hospitals and the catalogue, and the special cases', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.agency);
    await page.goto(`${s.baseURL}/agency/hospitals`);
    await expect(page.getByTestId('hospitals-table')).toBeVisible();
    await expect(page.getByTestId('hospitals-table')).toContainText(s.hospitalCode);
    await shot(page, 'agency-hospitals');

    await page.goto(`${s.baseURL}/agency/catalogue`);
    const count = page.getByTestId('catalogue-count');
    // Every group of the active catalogue, loaded once.
    await expect(count).toHaveText(/^[1-9][\d,]*$/);
    const all = Number((await count.textContent())!.replace(/,/g, ''));
    expect(all).toBeGreaterThan(10);
    await field(page, 'catalogue-search').fill('zzzz-no-such-group');
    await expect(count).toHaveText('0');
    await field(page, 'catalogue-search').fill('');
    await expect(count).toHaveText(String(all).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    await shot(page, 'agency-catalogue');

    await page.goto(`${s.baseURL}/agency/special-cases`);
    await expect(page.locator('body')).toContainText(s.specialCase.caseId);
    await shot(page, 'agency-special-cases');
  });

  test('is refused the pages of other roles', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.agency);
    await page.goto(`${s.baseURL}/hospital/projection`);
    await expect(page.getByTestId('forbidden')).toBeVisible();
    await shot(page, 'agency-forbidden');
  });
});

test.describe('hospital', () => {
  test('sees its summary, projects a case, and opens a loss-making group', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.hospital);
    await expect(page.getByTestId('summary-hospital')).toBeVisible();
    await expect(page.getByTestId('summary-region')).toBeVisible();
    await shot(page, 'hospital-summary');

    await page.goto(`${s.baseURL}/hospital/projection`);
    const projected = {
      caseId: 'WEB-PROJ-1',
      hospitalCode: s.hospitalCode,
      pool: 'employee',
      sex: 'M',
      age: 63,
      admissionDate: '2024-03-01',
      dischargeDate: '2024-03-09',
      dischargeMode: '1',
      principalDiagnosis: 'K80.100',
      secondaryDiagnoses: ['I10.x00'],
      principalProcedure: '51.2300',
      otherProcedures: [],
      totalCost: '23800.00',
    };
    await field(page, 'projection-json').fill(JSON.stringify(projected));
    await page.getByTestId('projection-submit').click();
    const result = page.getByTestId('projection-result');
    await expect(result).toBeVisible();
    await expect(result).toContainText(/\d+\.\d{4}/);
    await expect(page.getByTestId('projection-alternatives')).toBeVisible();
    await shot(page, 'hospital-projection');

    await page.goto(`${s.baseURL}/hospital/groups?period=2024-02`);
    await expect(page.locator('[data-testid="groups-chart"][data-drawn="true"]').first()).toBeVisible();
    // The group losing most: the rows are sortable; the API gives the hospital's groups sorted by difference.
    const groups = (await (
      await page.request.get(`${s.baseURL}/api/v1/hospitals/${s.hospitalCode}/groups?period=2024-02&sort=difference&order=asc`, {
        headers: { authorization: `Bearer ${await tokenOf(page)}` },
      })
    ).json()) as { items: { group: string | null; difference: string }[] };
    const losing = groups.items.find((g) => g.group !== null && g.difference.startsWith('-'));
    expect(losing).toBeDefined();
    await page.getByTestId(`group-row-${losing!.group}`).first().click();
    await expect(page.getByTestId('group-detail')).toBeVisible();
    await expect(page.getByTestId('group-detail')).toContainText(losing!.group!);
    await shot(page, 'hospital-groups');
  });

  test('is refused the agency pages', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.hospital);
    await page.goto(`${s.baseURL}/agency/runs`);
    await expect(page.getByTestId('forbidden')).toBeVisible();
    await shot(page, 'hospital-forbidden');
  });
});

test.describe('expert', () => {
  test('reviews the assigned case and votes', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.experts[0]);
    const row = page.getByTestId(`assignment-row-${s.specialCase.caseId}`);
    await expect(row).toBeVisible();
    await shot(page, 'expert-assignments');
    await page.goto(`${s.baseURL}/expert/review/${s.specialCase.id}`);
    await expect(page.locator('body')).toContainText('多器官功能衰竭');
    await page
      .getByTestId('vote-decision')
      .getByText(/批准|approve/i)
      .first()
      .click();
    await field(page, 'vote-points').fill('1500.5');
    await field(page, 'vote-reason').fill('抢救记录完整，费用合理');
    await shot(page, 'expert-review');
    await page.getByTestId('vote-submit').click();
    await page.goto(`${s.baseURL}/expert/history`);
    // Points shown as points are: 4 decimals, thousands separated.
    await expect(page.getByTestId('vote-history')).toContainText('1,500.5000');
    await shot(page, 'expert-history');
  });

  test('is refused the hospital pages', async ({ page }) => {
    const s = seeded();
    await signIn(page, s.experts[1]);
    await page.goto(`${s.baseURL}/hospital`);
    await expect(page.getByTestId('forbidden')).toBeVisible();
  });
});

test('switches to English', async ({ page }) => {
  const s = seeded();
  await signIn(page, s.agency);
  await expect(page.locator('body')).toContainText('概览');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('menu')).toContainText('Overview');
  await expect(page.getByTestId('menu')).not.toContainText('概览');
});
