import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Seeded, SEEDED_FILE } from './seeded';

const ROOT = join(__dirname, '..', '..');
const PASSWORD = 'browser-test-password';

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

/**
 * A seeded service for the browser tests, the way an operator makes one: `dip generate` (a
 * small region: three years of history and 2024, 3,000 cases a year), import, the 2024
 * catalogue built and activated, February 2024 settled (March is left for the agency's test to
 * run and finalise in the browser), a user of each role (three experts, none of the hospital's),
 * and a special case of the hospital with its panel seated (over HTTP, as the hospital and the
 * agency). Then the built server (`node dist/main.js`) on a free port of this SQLite file.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dip-browser-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DIP_SQLITE_PATH: join(dir, 'dip.sqlite'), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const dip = (...args: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { env, cwd: ROOT, encoding: 'utf8' });
  const gen = join(dir, 'gen');
  const codes = ['--codes', join(ROOT, 'catalogs/codes')];
  dip('generate', '--out', gen, '--cases', '3000', '--years', '2021-2023', '--seed', '7', ...codes);
  dip('generate', '--out', join(gen, '2024'), '--cases', '3000', '--years', '2024', '--seed', '7', ...codes);
  dip('hospitals', 'import', join(gen, 'hospitals.csv'));
  for (const f of ['cases-2021.csv', 'cases-2022.csv', 'cases-2023.csv', '2024/cases-2024.csv']) dip('import', 'cases', join(gen, f));
  const built = JSON.parse(
    dip('catalog', 'build', '--region', '370300', '--year', '2024', '--policy', join(gen, 'policy-370300-2024.json'), '--json'),
  ) as {
    catalogueId: string;
  };
  dip('catalog', 'activate', built.catalogueId);
  dip('settle', 'month', '--region', '370300', '--period', '2024-02');

  const hospitals = readFileSync(join(gen, 'hospitals.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]);
  const user = (username: string, ...scope: string[]) =>
    execFileSync(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), 'users', 'create', '--username', username, ...scope, '--password-file', '-'],
      {
        env,
        cwd: ROOT,
        input: `${PASSWORD}\n`,
      },
    );
  user('web-agency', '--role', 'agency', '--region', '370300');
  user('web-hospital', '--role', 'hospital', '--hospital', hospitals[0]);
  const experts = [1, 2, 3].map((i) => `web-expert-${i}`);
  experts.forEach((name, i) => user(name, '--role', 'expert', '--hospital', hospitals[i + 1]));

  // The schemes besides DIP (docs/schemes.md): the medical group of Shanwei 城区 2024 from the
  // shipped example tables, read by its region's agency and by a member institution; and a
  // per-head scheme (disease-capitation, generated: thousands of enrolments) for the persons view.
  const groupTables = ['groups', 'members', 'history', 'claims', 'actuals', 'assessment', 'reserveBase'];
  for (const table of groupTables)
    dip(
      'scheme',
      'import',
      'medical-group',
      table,
      join(ROOT, `catalogs/schemes/medical-group/example/${table}.csv`),
      '--region',
      '441502',
      '--year',
      '2024',
    );
  const memberFile = join(dir, 'shanwei-hospitals.csv');
  writeFileSync(memberFile, 'code,name,region,level,bonuses\nH441502003,红草镇卫生院,441502,TOWNSHIP_OTHER,\n');
  dip('hospitals', 'import', memberFile);
  dip('scheme', 'run', 'medical-group', '--region', '441502', '--year', '2024', '--out', join(dir, 'reports'));
  user('web-agency-441502', '--role', 'agency', '--region', '441502');
  user('web-hospital-h441502003', '--role', 'hospital', '--hospital', 'H441502003');

  const capitation = join(dir, 'capitation');
  dip('generate', '--scheme', 'disease-capitation', '--out', capitation, '--persons', '3000');
  const capitationPolicy = JSON.parse(readFileSync(join(capitation, 'policy.json'), 'utf8')) as { region: string; year: number };
  dip('scheme', 'policy', 'disease-capitation', join(capitation, 'policy.json'));
  for (const f of readdirSync(capitation).filter((x) => x.endsWith('.csv')))
    dip(
      'scheme',
      'import',
      'disease-capitation',
      f.replace(/\.csv$/, ''),
      join(capitation, f),
      '--region',
      capitationPolicy.region,
      '--year',
      String(capitationPolicy.year),
    );
  dip(
    'scheme',
    'run',
    'disease-capitation',
    '--region',
    capitationPolicy.region,
    '--year',
    String(capitationPolicy.year),
    '--out',
    join(dir, 'reports'),
  );
  const capitationAgency = `web-agency-${capitationPolicy.region}`;
  user(capitationAgency, '--role', 'agency', '--region', capitationPolicy.region);

  const port = await freePort();
  const server = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    // Every test signs in anew; the login limit per address is for people, not for a test run.
    env: { ...env, PORT: String(port), LOGIN_RATE_LIMIT_PER_MINUTE: '1000' },
    cwd: ROOT,
    stdio: 'inherit',
    detached: false,
  });
  const baseURL = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${baseURL}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300) throw new Error('the seeded server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async (token: string | null, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseURL}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const login = async (username: string) =>
    (await api(null, 'POST', '/auth/login', { username, password: PASSWORD })).accessToken as string;
  const agency = await login('web-agency');
  const hospital = await login('web-hospital');
  // A February case of the hospital, from the month's stored results.
  const [feb] = (await api(agency, 'GET', '/settlements?year=2024')) as unknown as { groupingRun: string }[];
  const cases = (await api(hospital, 'GET', `/groupings/${feb.groupingRun}/cases?limit=1`)) as { items: { caseId: string }[] };
  const caseId = cases.items[0].caseId;
  const applied = await api(hospital, 'POST', '/special-cases', {
    caseId,
    reason: 'complexCritical',
    statement: '多器官功能衰竭，入院后抢救三次，费用远超同组',
    evidence: ['病案首页', '抢救记录'],
  });
  await api(agency, 'POST', `/special-cases/${applied.id as string}/panel`, {});

  const state: Seeded = {
    baseURL,
    password: PASSWORD,
    agency: 'web-agency',
    hospital: 'web-hospital',
    hospitalCode: hospitals[0],
    experts,
    specialCase: { id: applied.id as string, caseId },
    schemes: {
      agency: 'web-agency-441502',
      member: 'web-hospital-h441502003',
      capitationAgency,
      capitationYear: capitationPolicy.year,
    },
    serverPid: server.pid!,
    dir,
  };
  writeFileSync(SEEDED_FILE, JSON.stringify(state, null, 2));
  process.env.DIP_BROWSER_BASE_URL = baseURL;
}
