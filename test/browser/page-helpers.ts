import { expect, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seeded, SHOTS } from './seeded';

/** What every browser spec does: photograph a page, sign a seeded user in, read the page's token, find a form field. */

mkdirSync(SHOTS, { recursive: true });
export const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

export async function signIn(page: Page, username: string): Promise<void> {
  const s = seeded();
  await page.goto(`${s.baseURL}/`);
  await field(page, 'login-username').fill(username);
  await field(page, 'login-password').fill(s.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logout')).toBeVisible();
}

/** The signed-in user's access token, as the dashboard keeps it (for reading the API beside the page). */
export const tokenOf = (page: Page) => page.evaluate<string>("sessionStorage.getItem('dip.accessToken')");

/** The text input inside an Element Plus component carrying the test id (or the input itself). */
export const field = (page: Page, id: string) =>
  page
    .getByTestId(id)
    .locator('input, textarea')
    .or(page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"]`))
    .first();
