import { createConnection } from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Peak resident memory of this process, sampled while `fn` runs. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = process.hrtime.bigint();
  try {
    const result = await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Runs the built CLI (generation happens in its own process so its memory is not counted). */
export function dip(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [join(__dirname, '..', 'cli', 'main.js'), ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * Registers a generated region's hospitals and imports its case files through the CLI into the
 * bench database, without the shipped code tables (as the recorded baselines were measured).
 */
export function importGenerated(url: string, dir: string, caseFiles: string[]): void {
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', DEFAULT_CODE_TABLES: 'none' };
  dip(['hospitals', 'import', join(dir, 'hospitals.csv')], env);
  for (const file of caseFiles) {
    process.stderr.write(`importing ${file} …\n`);
    dip(['import', 'cases', file], env);
  }
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export const fmt = (n: number, dp = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: dp, minimumFractionDigits: dp });

/** Drops and creates the database of a mysql:// URL (benches start from nothing). */
export async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const server = new URL(url);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
}
