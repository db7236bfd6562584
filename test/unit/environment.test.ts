import { cpus } from 'node:os';
import { validateEnvironment } from '../../src/config/environment';

/** The message validateEnvironment throws for `raw` (fails the test when it accepts it). */
function messageOf(raw: Record<string, unknown>): string {
  try {
    validateEnvironment(raw);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the environment to be rejected');
}

describe('validateEnvironment', () => {
  it('gives the defaults for an empty environment', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DIP_SQLITE_PATH).toBe('data/dip.sqlite');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.MAX_UPLOAD_BYTES).toBe(1024 * 1024 * 1024);
    expect(env.MIGRATE_ON_START).toBe('true');
    expect(env.WORKERS).toBe(cpus().length);
  });

  it('ignores variables it does not know', () => {
    expect(validateEnvironment({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test' }).PORT).toBe(3000);
  });

  it('reads PORT, WORKERS and MAX_UPLOAD_BYTES from strings as whole numbers', () => {
    const env = validateEnvironment({ PORT: '8080', WORKERS: '4', MAX_UPLOAD_BYTES: '1048576' });
    expect(env.PORT).toBe(8080);
    expect(env.WORKERS).toBe(4);
    expect(env.MAX_UPLOAD_BYTES).toBe(1048576);
  });

  it('accepts the PORT limits 1 and 65535', () => {
    expect(validateEnvironment({ PORT: '1' }).PORT).toBe(1);
    expect(validateEnvironment({ PORT: '65535' }).PORT).toBe(65535);
  });

  it.each<[unknown]>([['abc'], ['80.5'], ['-1'], [''], ['0'], ['65536'], ['70000'], [70000]])('rejects PORT %p, naming PORT', (port) => {
    const message = messageOf({ PORT: port });
    expect(message).toMatch(/^invalid environment:/);
    expect(message).toMatch(/PORT/);
  });

  it('says why PORT "abc" is wrong', () => {
    expect(messageOf({ PORT: 'abc' })).toContain('PORT must be a whole number');
  });

  it('keeps the SQLite path it is given', () => {
    expect(validateEnvironment({ DIP_SQLITE_PATH: '/var/lib/dip/dip.sqlite' }).DIP_SQLITE_PATH).toBe('/var/lib/dip/dip.sqlite');
  });

  it.each(['postgres://x', 'postgres://dip:secret@db:5432/dip', 'mysql://host', 'mysql://dip:secret@db:3306/', 'sqlite:///tmp/x.db'])(
    'rejects DATABASE_URL %j, naming DATABASE_URL',
    (url) => {
      expect(messageOf({ DATABASE_URL: url })).toContain('DATABASE_URL must look like mysql://');
    },
  );

  it.each(['mysql://dip:secret@db.example:3306/dip', 'mysql://root@127.0.0.1:3306/dip_test', 'mysql://dip:pw@db:3306/dip?charset=utf8mb4'])(
    'accepts the MySQL URL %j',
    (url) => {
      expect(validateEnvironment({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    },
  );

  it('rejects an unknown LOG_LEVEL and MIGRATE_ON_START', () => {
    expect(messageOf({ LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL/);
    expect(messageOf({ MIGRATE_ON_START: 'yes' })).toMatch(/MIGRATE_ON_START/);
  });

  it('rejects WORKERS 0 and MAX_UPLOAD_BYTES below 1024', () => {
    expect(messageOf({ WORKERS: '0' })).toMatch(/WORKERS/);
    expect(messageOf({ MAX_UPLOAD_BYTES: '1023' })).toMatch(/MAX_UPLOAD_BYTES/);
  });

  it('names every bad variable in one message', () => {
    const message = messageOf({ PORT: 'abc', DATABASE_URL: 'postgres://x', LOG_LEVEL: 'loud' });
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    const lines = message.split('\n').slice(1);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^ {2}- (PORT|DATABASE_URL|LOG_LEVEL) /);
  });
});
