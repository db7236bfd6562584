/** MySQL under test: TEST_MYSQL_URL, by default the local server's root account. */
export const MYSQL_BASE = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_test';
/** In CI (and whenever DIP_REQUIRE_MYSQL=1) an unreachable MySQL fails the run instead of skipping. */
export const REQUIRE_MYSQL = process.env.CI === 'true' || process.env.DIP_REQUIRE_MYSQL === '1';
/** Set by globalSetup for the test workers: '1' MySQL is usable, '0' it is not (its suites are skipped). */
export const MYSQL_AVAILABLE_ENV = 'DIP_TEST_MYSQL';
/** Set by globalSetup when MySQL is not usable: why. */
export const MYSQL_SKIP_REASON_ENV = 'DIP_TEST_MYSQL_SKIP';

/** A MySQL URL fit for a message: the password masked. */
export function mysqlShown(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
