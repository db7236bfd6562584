import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the web dashboard (issue 14): Debian's Chromium (no browser download works
 * here; `.ci/run` installs the `chromium` and `fonts-wqy-zenhei` packages when missing), against
 * the built service on a seeded SQLite database (global-setup.ts). Screenshots of every main
 * page go to reports/browser/ (kept by CI), failures' traces to reports/browser/results/.
 */
export default defineConfig({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  globalSetup: require.resolve('./global-setup'),
  globalTeardown: require.resolve('./global-teardown'),
  outputDir: '../../reports/browser/results',
  // One service, shared state (a month is run and finalised): the specs run one after another.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    headless: true,
    locale: 'zh-CN',
    viewport: { width: 1366, height: 850 },
    trace: 'retain-on-failure',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
