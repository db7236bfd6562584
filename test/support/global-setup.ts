import { writeFileSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { MYSQL_AVAILABLE_ENV, MYSQL_BASE, MYSQL_SKIP_REASON_ENV, mysqlShown, REQUIRE_MYSQL } from './mysql-config';

/**
 * Jest globalSetup: decides once, before any suite is defined, whether the MySQL suites run.
 * Connects to the server of TEST_MYSQL_URL without a database and creates the base database if
 * it is missing. The answer reaches the test workers (started after this) through
 * DIP_TEST_MYSQL (and the reason through DIP_TEST_MYSQL_SKIP); engines.ts turns an unavailable
 * MySQL into skipped suites. In CI (CI=true or DIP_REQUIRE_MYSQL=1) an unreachable MySQL fails
 * the run instead. When DIP_TEST_STATUS_FILE is set (scripts/test.sh), the finding is written
 * there as JSON for the closing summary.
 */
export default async function globalSetup(): Promise<void> {
  const server = new URL(MYSQL_BASE);
  const database = decodeURIComponent(server.pathname.slice(1));
  server.pathname = '/';
  let skipReason: string | null = null;
  try {
    const c = await createConnection({ uri: server.toString(), connectTimeout: 3000 });
    try {
      if (database !== '')
        await c.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    } finally {
      await c.end();
    }
  } catch (err) {
    const message = (err as Error).message || String((err as { code?: string }).code ?? err);
    if (REQUIRE_MYSQL)
      throw new Error(`MySQL at ${mysqlShown(MYSQL_BASE)} is required for the tests (CI / DIP_REQUIRE_MYSQL=1) and unusable: ${message}`);
    skipReason = `MySQL at ${mysqlShown(server.toString())} unreachable: ${message}; set TEST_MYSQL_URL`;
    process.stderr.write(`\n*** ${skipReason}. The MySQL suites are SKIPPED. ***\n`);
  }
  process.env[MYSQL_AVAILABLE_ENV] = skipReason === null ? '1' : '0';
  if (skipReason !== null) process.env[MYSQL_SKIP_REASON_ENV] = skipReason;
  else delete process.env[MYSQL_SKIP_REASON_ENV];
  const statusFile = process.env.DIP_TEST_STATUS_FILE;
  if (statusFile) writeFileSync(statusFile, JSON.stringify({ mysql: skipReason === null, mysqlSkipReason: skipReason }));
}
