/**
 * `npm run bench:web` (issue 14, "Measured"): the dashboard in Debian's Chromium (headless, through
 * Playwright; CHROMIUM_PATH, default /usr/bin/chromium) against the built server on a fresh
 * SQLite file, with the full-size region of bench:api (130 hospitals, the 2024 catalogue of about
 * 10,000 groups, kept in the temporary folder) and BENCH_WEB_CASES generated cases of January to
 * March 2024 (default 60,000), each month settled. Two figures:
 * - **first page load**: a new browser context (empty cache) already signed in opens `/agency`;
 *   the time from navigation to the point-value chart drawn (its ECharts `finished` event sets
 *   `data-drawn`); the first load, then the median of five more;
 * - **catalogue search**: on the catalogue browser with every group loaded, the time from typing
 *   a query (an input event) to the table showing its matches (the count changed and a frame
 *   painted), median and maximum over the queries.
 * Targets: under 1 s and under 100 ms. Baseline in the same run: the time to fetch the page's
 * HTML and scripts without a browser (the network floor of the first load).
 */
import { chromium } from '@playwright/test';
import { loadCodeUniverse } from '../cli/commands/generate';
import { CODES_DIR } from '../config/catalogs';
import { generateCases } from '../synth';
import { CASE_FIELDS } from '../domain/case-record';
import { benchRequest, benchToken, fmt, machine, peakMb, startBenchServer } from './bench-support';
import { benchHospitals, fullCatalogue, seedRegion, YEAR } from './full-catalogue';

// Browser globals of the callbacks that Playwright runs in the page (this file is compiled for Node).
interface PageElement {
  textContent: string | null;
  value: string;
  dispatchEvent(e: Event): boolean;
}
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const document: { querySelector(selector: string): PageElement | null };
declare function requestAnimationFrame(callback: () => void): number;
declare const performance: { now(): number };
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: { subtree: boolean; attributes: boolean; childList: boolean }): void;
  disconnect(): void;
}
declare const window: { drawnAt?: number; longTasks?: number };
declare const PerformanceObserver: new (callback: (list: { getEntries(): { startTime: number; duration: number }[] }) => void) => {
  observe(options: { type: string; buffered: boolean }): void;
};
/** The moments of one first load, in ms after the navigation's start (read in the page). */
interface Steps {
  html: number;
  scripts: number;
  domReady: number;
  me: number;
  pageChunk: number;
  runsAsked: number;
  runsAnswered: number;
  drawn: number;
  longTasks: number;
}

const CASES = Number(process.env.BENCH_WEB_CASES ?? 60_000);
const LOADS = 5;
const QUERIES = ['K80', 'I63', 'C34', 'J18.9', 'S72', '51.2', 'composite', 'N18', 'Z51', 'O80'];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const hospitals = benchHospitals();
  const cat = await fullCatalogue(hospitals);
  const universe = await loadCodeUniverse(CODES_DIR);
  const bench = await startBenchServer('web', { RATE_LIMIT_PER_MINUTE: String(10_000_000) });
  const { port, env } = bench;
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const token = await benchToken(env, port, hospitals[0].region);
    await seedRegion(port, token, hospitals, cat);
    // January to March 2024, as a hospital system would upload them, then each month settled.
    const lines = [CASE_FIELDS.join(',')];
    for (const row of generateCases({ seed: 11, year: YEAR, cases: CASES * 4 }, universe, hospitals)) {
      const month = row[CASE_FIELDS.indexOf('dischargeDate')].slice(5, 7);
      if (month <= '03') lines.push(row.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','));
    }
    await benchRequest(port, token, 'POST', '/api/v1/cases/import', lines.join('\n'), 'text/csv');
    for (const period of ['2024-01', '2024-02', '2024-03']) {
      const { id } = await benchRequest(
        port,
        token,
        'POST',
        '/api/v1/settlements',
        JSON.stringify({ region: '370300', kind: 'month', period }),
      );
      for (;;) {
        const run = await benchRequest(port, token, 'GET', `/api/v1/settlements/${String(id)}`);
        if ((run.run as { status: string }).status !== 'running') break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const tokens = await (
      await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: `bench-${hospitals[0].region}`, password: 'bench-password-0123' }),
      })
    ).json();

    // The network floor: the page and its scripts and styles, fetched without a browser.
    const floor: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t0 = performance.now();
      const html = await (await fetch(`${base}/agency`)).text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await Promise.all(assets.map(async (a) => (await fetch(`${base}${a}`)).arrayBuffer()));
      floor.push(performance.now() - t0);
    }

    // First page load: a fresh context (empty cache), signed in, to the chart drawn. Timed in the
    // page (from its navigation start, as a browser's own timing says; a MutationObserver notes
    // the moment the chart says it is drawn) and at Playwright (from goto, which adds the new
    // context's first request and the round trips of the driver).
    const loads: number[] = [];
    const inPage: number[] = [];
    const steps: Steps[] = [];
    for (let i = 0; i <= LOADS; i++) {
      const context = await browser.newContext({ locale: 'zh-CN' });
      await context.addInitScript(
        (t: { accessToken: string; refreshToken: string }) => {
          sessionStorage.setItem('dip.accessToken', t.accessToken);
          sessionStorage.setItem('dip.refreshToken', t.refreshToken);
        },
        tokens as { accessToken: string; refreshToken: string },
      );
      await context.addInitScript(() => {
        const seen = new MutationObserver(() => {
          if (document.querySelector('[data-testid="pv-chart"][data-drawn="true"]')) {
            window.drawnAt = performance.now();
            seen.disconnect();
          }
        });
        seen.observe(document, { subtree: true, attributes: true, childList: true });
        // The main thread's long tasks (> 50 ms) until the chart is drawn.
        window.longTasks = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            if (e.startTime < (window.drawnAt ?? Infinity)) window.longTasks = (window.longTasks ?? 0) + e.duration;
        }).observe({ type: 'longtask', buffered: true });
      });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${base}/agency`);
      await page.locator('[data-testid="pv-chart"][data-drawn="true"]').first().waitFor({ timeout: 60_000 });
      loads.push(performance.now() - t0);
      inPage.push(await page.evaluate(() => window.drawnAt ?? Number.NaN));
      steps.push(
        await page.evaluate((): Steps => {
          interface Timing {
            name: string;
            startTime: number;
            responseEnd: number;
            domContentLoadedEventEnd?: number;
          }
          const perf = performance as unknown as { getEntriesByType(type: string): Timing[] };
          const nav = perf.getEntriesByType('navigation')[0];
          const res = perf.getEntriesByType('resource');
          const ends = (test: (name: string) => boolean) => {
            const times = res.filter((r) => test(new URL(r.name).pathname)).map((r) => r.responseEnd);
            return times.length > 0 ? Math.max(...times) : Number.NaN;
          };
          const runs = res.find((r) => new URL(r.name).pathname === '/api/v1/settlements');
          return {
            html: nav.responseEnd,
            scripts: ends((p) => p.startsWith('/assets/index-')),
            domReady: nav.domContentLoadedEventEnd ?? Number.NaN,
            me: ends((p) => p === '/api/v1/auth/me'),
            pageChunk: ends((p) => /^\/assets\/(OverviewPage|EChart)[^/]*\.js$/.test(p)),
            runsAsked: runs?.startTime ?? Number.NaN,
            runsAnswered: runs?.responseEnd ?? Number.NaN,
            drawn: window.drawnAt ?? Number.NaN,
            longTasks: window.longTasks ?? Number.NaN,
          };
        }),
      );
      await context.close();
    }

    // Catalogue search: every group loaded, then one query after another.
    const context = await browser.newContext({ locale: 'zh-CN' });
    await context.addInitScript(
      (t: { accessToken: string; refreshToken: string }) => {
        sessionStorage.setItem('dip.accessToken', t.accessToken);
        sessionStorage.setItem('dip.refreshToken', t.refreshToken);
      },
      tokens as { accessToken: string; refreshToken: string },
    );
    const page = await context.newPage();
    await page.goto(`${base}/agency/catalogue`);
    const count = page.getByTestId('catalogue-count');
    await count.filter({ hasText: String(cat.groups.length) }).waitFor({ timeout: 60_000 });
    const searches: number[] = [];
    for (const q of [...QUERIES, '']) {
      searches.push(
        await page.evaluate(async (query) => {
          const input = document.querySelector('[data-testid="catalogue-search"] input, input[data-testid="catalogue-search"]')!;
          const shown = document.querySelector('[data-testid="catalogue-count"]')!;
          const before = shown.textContent;
          const t0 = performance.now();
          input.value = query;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          // Until the count changed (or a few frames, when the query matches the same number), then one frame painted.
          await new Promise<void>((done) => {
            let frames = 0;
            const check = () => (shown.textContent !== before || ++frames > 30 ? done() : requestAnimationFrame(check));
            check();
          });
          await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
          return performance.now() - t0;
        }, q),
      );
    }
    await context.close();

    const first = loads[0];
    const rest = loads.slice(1);
    process.stdout.write(
      [
        `bench:web — the dashboard in headless Chromium (${(await browser.version()).split(' ')[0]}), built server on SQLite, ${fmt(cat.groups.length)} groups, ${fmt(lines.length - 1)} cases of 2024-01…03 settled`,
        `machine: ${machine()}`,
        '',
        '| figure | first | median | max | target |',
        '|---|---|---|---|---|',
        `| page and scripts fetched without a browser (floor) | ${fmt(floor[0], 1)} ms | ${fmt(median(floor), 1)} ms | ${fmt(Math.max(...floor), 1)} ms | |`,
        `| /agency: navigation start to the point-value chart drawn (in the page) | ${fmt(inPage[0], 1)} ms | ${fmt(median(inPage.slice(1)), 1)} ms | ${fmt(Math.max(...inPage.slice(1)), 1)} ms | < 1,000 ms |`,
        `| /agency: the same from Playwright's goto | ${fmt(first, 1)} ms | ${fmt(median(rest), 1)} ms | ${fmt(Math.max(...rest), 1)} ms | |`,
        `| catalogue search on ${fmt(cat.groups.length)} groups (${searches.length} queries) | ${fmt(searches[0], 1)} ms | ${fmt(median(searches), 1)} ms | ${fmt(Math.max(...searches), 1)} ms | < 100 ms |`,
        '',
        `where the first load's time goes (median of the ${LOADS} loads after the first, ms after navigation start): ` +
          `HTML ${fmt(median(steps.slice(1).map((x) => x.html)), 0)}, main script and styles ${fmt(median(steps.slice(1).map((x) => x.scripts)), 0)}, ` +
          `DOMContentLoaded ${fmt(median(steps.slice(1).map((x) => x.domReady)), 0)}, /auth/me answered ${fmt(median(steps.slice(1).map((x) => x.me)), 0)}, ` +
          `the page's chunks ${fmt(median(steps.slice(1).map((x) => x.pageChunk)), 0)}, runs asked ${fmt(median(steps.slice(1).map((x) => x.runsAsked)), 0)} ` +
          `and answered ${fmt(median(steps.slice(1).map((x) => x.runsAnswered)), 0)}, chart drawn ${fmt(median(steps.slice(1).map((x) => x.drawn)), 0)}; ` +
          `long tasks until drawn ${fmt(median(steps.slice(1).map((x) => x.longTasks)), 0)} ms`,
        '',
        `chart load (in the page) ÷ floor: ${fmt(median(inPage.slice(1)) / median(floor), 1)}×; server peak RSS ${fmt(peakMb(bench.process.pid!), 0)} MB`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await bench.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:web failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
