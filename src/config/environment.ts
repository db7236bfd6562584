import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { cpus } from 'node:os';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** The environment the service runs in. Every variable is checked at start-up. */
export class Environment {
  /** `mysql://user:pass@host:3306/db`. Unset: the embedded SQLite file. */
  @IsOptional()
  @Matches(/^mysql:\/\/[^\s]+\/[A-Za-z0-9_$]+(\?.*)?$/, { message: 'DATABASE_URL must look like mysql://user:password@host:3306/database' })
  DATABASE_URL?: string;

  @IsString()
  DIP_SQLITE_PATH = 'data/dip.sqlite';

  @Transform(toInt)
  @Min(1)
  @Max(65535)
  @IsInt({ message: 'PORT must be a whole number' })
  PORT = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Largest accepted upload; an import file of one million cases is about 250 MB. */
  @Transform(toInt)
  @Min(1024)
  @IsInt({ message: 'MAX_UPLOAD_BYTES must be a whole number of bytes' })
  MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

  /** Worker threads for grouping and scoring; default the number of cores. */
  @Transform(toInt)
  @Min(1)
  @Max(256)
  @IsInt({ message: 'WORKERS must be a whole number' })
  WORKERS = cpus().length;

  @IsIn(['true', 'false'])
  MIGRATE_ON_START = 'true';

  /** The code tables a region starts with when its first hospital is registered: the shipped 医保版 2.0 tables, or none. */
  @IsIn(['shipped', 'none'])
  DEFAULT_CODE_TABLES: 'shipped' | 'none' = 'shipped';

  /** Requests a user (or, before login, a client address) may make a minute. */
  @Transform(toInt)
  @Min(1)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be a whole number' })
  RATE_LIMIT_PER_MINUTE = 6000;

  /** Logins (and token refreshes) a client address may make a minute: password guessing is slow. */
  @Transform(toInt)
  @Min(1)
  @IsInt({ message: 'LOGIN_RATE_LIMIT_PER_MINUTE must be a whole number' })
  LOGIN_RATE_LIMIT_PER_MINUTE = 10;
}

/** Validates `process.env`; throws one message naming every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  // One message a variable: the first rule it breaks (class-validator checks the lowest decorator first).
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `  - ${m}`));
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return env;
}
