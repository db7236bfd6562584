import { createConnection } from 'mysql2/promise';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestEngine = 'sqlite' | 'mysql';

/** MySQL under test: TEST_MYSQL_URL, by default the local server's root account. */
const MYSQL_BASE = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_test';
/** In CI (and whenever DIP_REQUIRE_MYSQL=1) an unreachable MySQL fails the run instead of skipping. */
const REQUIRE_MYSQL = process.env.CI === 'true' || process.env.DIP_REQUIRE_MYSQL === '1';

let mysqlReachable: boolean | undefined;

async function canReachMysql(): Promise<boolean> {
  if (mysqlReachable !== undefined) return mysqlReachable;
  try {
    const c = await createConnection({ uri: MYSQL_BASE, connectTimeout: 3000 });
    await c.end();
    mysqlReachable = true;
  } catch (err) {
    if (REQUIRE_MYSQL) throw new Error(`MySQL at ${MYSQL_BASE} is required for the tests and unreachable: ${(err as Error).message}`);
    process.stderr.write(`\n*** MySQL at ${MYSQL_BASE} unreachable: MySQL tests are SKIPPED (set TEST_MYSQL_URL) ***\n`);
    mysqlReachable = false;
  }
  return mysqlReachable;
}

/** The engines every integration and e2e suite runs on. */
export const ENGINES: TestEngine[] = ['sqlite', 'mysql'];

/**
 * A fresh, empty database of the engine for one suite, as environment variables for the
 * service; `drop` removes it. Returns null when MySQL is optional and unreachable.
 */
export async function freshDatabase(engine: TestEngine, name: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> } | null> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `dip-${name}-`));
    return { env: { DIP_SQLITE_PATH: join(dir, 'test.sqlite') }, drop: async () => undefined };
  }
  if (!(await canReachMysql())) return null;
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
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
