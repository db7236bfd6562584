import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

export type DbEngine = 'mysql' | 'sqlite';

/**
 * MySQL when DATABASE_URL is set, else the embedded SQLite file. mysql2 is told to return
 * DECIMAL and BIGINT as strings and dates as text, so no value passes through a float or a
 * time-zone conversion on the way back.
 */
export function dataSourceOptions(env: { DATABASE_URL?: string; DIP_SQLITE_PATH: string }): DataSourceOptions {
  const common = { migrations: MIGRATIONS, migrationsTableName: 'schema_migration', logging: false };
  if (env.DATABASE_URL) {
    return {
      ...common,
      type: 'mysql',
      url: env.DATABASE_URL,
      charset: 'utf8mb4_bin',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: ['DATE'],
      extra: { decimalNumbers: false, connectionLimit: 10 },
      migrationsTransactionMode: 'each',
    };
  }
  if (env.DIP_SQLITE_PATH !== ':memory:') mkdirSync(dirname(env.DIP_SQLITE_PATH), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: env.DIP_SQLITE_PATH,
    enableWAL: true,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 15000');
      db.pragma('synchronous = NORMAL');
    },
    migrationsTransactionMode: 'each',
  };
}
