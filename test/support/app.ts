import request from 'supertest';
import { INestApplication } from '@nestjs/common';
import { AuthService } from '../../src/auth/auth.service';
import { UsersService } from '../../src/auth/users.service';
import { Role } from '../../src/domain/access';
import { createHttpApp } from '../../src/server';
import { DatabaseService } from '../../src/persistence/database.service';
import { freshDatabase, TestEngine, withEnv } from './engines';

export interface TestApp {
  app: INestApplication;
  db: DatabaseService;
  engine: TestEngine;
  /** The environment that points a process (the CLI) at the same database. */
  env: Record<string, string>;
  /** The access token of the default user: an agency user of region 370300. */
  token: string;
  /** A supertest agent sending `token` (default: the default user's) with every request. */
  http(token?: string): ReturnType<typeof request.agent>;
  /** The access token of a new user (made through the service, as `dip users create` does). */
  login(user: { role: Role; region?: string; hospital?: string }): Promise<string>;
  close(): Promise<void>;
}

/** The region of the default test user (TEST_HOSPITALS's). */
export const TEST_REGION = '370300';
const TEST_PASSWORD = 'test-password-0123';

/**
 * The whole service on a fresh database of the engine (migrated on start), not listening:
 * supertest drives `app.getHttpServer()`, integration tests call `app.get(Service)`.
 * Throws when the engine is unavailable here (its suites are skipped: see describeEngines).
 */
export async function startTestApp(engine: TestEngine, name: string, extraEnv: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase(engine, name);
  // Regions start without the shipped code tables (hand-computed fixtures use few codes); a test of that default asks for it.
  const own: Record<string, string> = { LOG_LEVEL: 'silent', DEFAULT_CODE_TABLES: 'none', ...database.env, ...extraEnv };
  let app: INestApplication;
  try {
    app = await withEnv({ DATABASE_URL: undefined, DIP_SQLITE_PATH: undefined, ...own }, async () => {
      const a = await createHttpApp({ logger: false });
      await a.init();
      return a;
    });
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
  let users = 0;
  const login = async (u: { role: Role; region?: string; hospital?: string }) => {
    const username = `${u.role}-${u.region ?? u.hospital}-${++users}`;
    await app.get(UsersService).create({ ...u, username, password: TEST_PASSWORD }, null, 'test');
    return (await app.get(AuthService).login(username, TEST_PASSWORD)).accessToken;
  };
  const token = await login({ role: 'agency', region: TEST_REGION });
  return {
    app,
    db: app.get(DatabaseService),
    engine,
    env: own,
    token,
    http: (as = token) => request.agent(app.getHttpServer()).set('Authorization', `Bearer ${as}`),
    login,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** Registers two hospitals of region 370300 (and so the region) for tests that need them. */
export const TEST_HOSPITALS = [
  { code: 'H001', name: '第一人民医院', region: '370300', level: 'L3A_GENERAL', bonuses: ['keyDisciplineNational'] },
  { code: 'H002', name: '甲等镇卫生院', region: '370300', level: 'TOWNSHIP_A', bonuses: ['primaryCare', 'tcm'] },
];

export const CASE_HEADER =
  'caseId,hospitalCode,pool,patientId,sex,age,ageDays,admissionDate,dischargeDate,losDays,dischargeMode,principalDiagnosis,secondaryDiagnoses,principalProcedure,otherProcedures,totalCost,fundPayment,outOfCatalogSelfPay,daySurgery,externalExpert,newTechnology';

/** A valid CSV case line; override fields by name. */
export function caseLine(over: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    caseId: 'C1',
    hospitalCode: 'H001',
    pool: 'employee',
    patientId: 'P1',
    sex: 'M',
    age: '54',
    ageDays: '',
    admissionDate: '2024-03-01',
    dischargeDate: '2024-03-08',
    losDays: '',
    dischargeMode: '1',
    principalDiagnosis: 'K80.100',
    secondaryDiagnoses: 'I10.x00|E11.900',
    principalProcedure: '51.2300',
    otherProcedures: '',
    totalCost: '23456.78',
    fundPayment: '16000.00',
    outOfCatalogSelfPay: '0',
    daySurgery: 'false',
    externalExpert: 'false',
    newTechnology: 'false',
    ...over,
  };
  return CASE_HEADER.split(',')
    .map((f) => base[f])
    .join(',');
}
