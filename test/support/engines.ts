import { createConnection } from 'mysql2/promise';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MYSQL_AVAILABLE_ENV, MYSQL_BASE, MYSQL_SKIP_REASON_ENV } from './mysql-config';

export type TestEngine = 'sqlite' | 'mysql';

/** The engines every integration and e2e suite runs on. */
export const ENGINES: TestEngine[] = ['sqlite', 'mysql'];

/**
 * Whether the engine can be tested here. MySQL's answer comes from jest's globalSetup
 * (test/support/global-setup.ts), which tried it once before any suite was defined; without
 * that answer MySQL is assumed usable (and a suite fails if it is not).
 */
export function engineAvailable(engine: TestEngine): boolean {
  return engine === 'sqlite' || process.env[MYSQL_AVAILABLE_ENV] !== '0';
}

/**
 * One `describe` per engine, titled `title` with `%s` replaced by the engine (as
 * `describe.each(ENGINES)` would). An engine that is unavailable here (MySQL outside CI, when
 * globalSetup could not reach it) gets `describe.skip`: jest reports its tests as skipped.
 */
export function describeEngines(title: string, fn: (engine: TestEngine) => void): void {
  for (const engine of ENGINES) {
    const name = title.includes('%s') ? title.replace('%s', engine) : `${title} on ${engine}`;
    (engineAvailable(engine) ? describe : describe.skip)(name, () => fn(engine));
  }
}

/**
 * A fresh, empty database of the engine for one suite, as environment variables for the
 * service; `drop` removes it (for SQLite, its temporary directory). Throws when the engine is
 * unavailable here: suites on it are skipped (see describeEngines) and should not get here.
 */
export async function freshDatabase(engine: TestEngine, name: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (!engineAvailable(engine))
    throw new Error(`${engine} is unavailable for the tests: ${process.env[MYSQL_SKIP_REASON_ENV] ?? 'see globalSetup'}`);
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `dip-${name}-`));
    return { env: { DIP_SQLITE_PATH: join(dir, 'test.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = `dip_t_${name.replace(/[^a-z0-9]/gi, '_')}_${process.pid}`.slice(0, 60);
  const url = new URL(MYSQL_BASE);
  const admin = await createConnection({ uri: MYSQL_BASE });
  await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  url.pathname = `/${db}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const c = await createConnection({ uri: MYSQL_BASE });
      await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await c.end();
    },
  };
}

/** Runs `fn` with the given variables set, restoring the environment afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}
