import { createConnection } from 'mysql2/promise';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
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

/**
 * An access token of a new agency user of `region` on a bench's server: made by the CLI (as the
 * first user of a region is), then a login over HTTP, as a client would.
 */
export async function benchToken(env: NodeJS.ProcessEnv, port: number, region: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dip-bench-user-'));
  const password = 'bench-password-0123';
  try {
    writeFileSync(join(dir, 'password'), `${password}\n`);
    dip(
      [
        'users',
        'create',
        '--username',
        `bench-${region}`,
        '--role',
        'agency',
        '--region',
        region,
        '--password-file',
        join(dir, 'password'),
      ],
      {
        ...env,
        MIGRATE_ON_START: 'true',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: `bench-${region}`, password }),
  });
  if (!res.ok) throw new Error(`bench login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** A built server of a bench, in its own process, on a fresh database; `stop` ends it and removes its files. */
export interface BenchServer {
  port: number;
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  mysql: boolean;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

/**
 * Starts `node dist/main.js` on a free port: on BENCH_MYSQL_URL (that database recreated) or a
 * fresh SQLite file, with `extra` environment; BENCH_NODE_ARGS are flags for its node (e.g.
 * `--cpu-prof`). Resolves once /health answers.
 */
export async function startBenchServer(name: string, extra: Record<string, string>): Promise<BenchServer> {
  const dir = join(tmpdir(), `dip-bench-${name}-${randomUUID()}`);
  const port = await freePort();
  const mysql = process.env.BENCH_MYSQL_URL;
  if (mysql) await recreateDatabase(mysql);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DEFAULT_CODE_TABLES: 'none',
    ...extra,
    ...(mysql ? { DATABASE_URL: mysql } : { DIP_SQLITE_PATH: join(dir, 'bench.sqlite') }),
  };
  if (!mysql) delete env.DATABASE_URL;
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const server = spawn(process.execPath, [...nodeArgs, join(__dirname, '..', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 300) {
      await stop();
      throw new Error('the server did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, env, process: server, mysql: mysql !== undefined, stop };
}

/** Peak resident memory of a process so far (Linux: VmHWM), in MB. */
export const peakMb = (pid: number): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** A request of a bench's setup as a user with a bearer token: its JSON answer, or an error naming the status. */
export async function benchRequest(
  port: number,
  token: string,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'Content-Type': type, Authorization: `Bearer ${token}` },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
