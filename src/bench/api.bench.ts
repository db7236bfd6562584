/**
 * `npm run bench:api` (issue 12, "Measured"): the projection API under bounded load. The built
 * server runs as its own process on a fresh SQLite file (or BENCH_MYSQL_URL, recreated) with a
 * full-size catalogue: built in this process from two generated years of cases (BENCH_CASES a
 * year, default 1,000,000: about 10,000 groups; kept in the temporary folder for the next run)
 * and imported with its hash through POST /api/v1/catalogs/import, then activated. autocannon
 * then drives POST /api/v1/projections (BENCH_CONNECTIONS connections, default 20, for
 * BENCH_SECONDS, default 10) with generated cases of the settlement year, one after another, and
 * the bench reports requests per second, p50 and p99; then the wall time of POST
 * /api/v1/projections/batch with 10,000 cases (the first, which starts the pool, and the median
 * of the next five). Baseline in the same run: GET /health under the same load. Targets (2-core
 * machine): ≥ 2,000 requests/s at p99 < 50 ms, a batch of 10,000 in < 1 s. All
 * requests carry the bearer token of an agency user (the access guard and the per-user rate limit
 * are part of what is measured; the limit is raised so that one user may drive the load). The
 * server logs at `warn` (no line per request).
 */
import autocannon from 'autocannon';
import { loadCodeUniverse } from '../cli/commands/generate';
import { CODES_DIR } from '../config/catalogs';
import { generateCases } from '../synth';
import { benchToken, fmt, machine, peakMb, startBenchServer } from './bench-support';
import { benchHospitals, fullCatalogue, rowObject, seedRegion, YEAR } from './full-catalogue';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BATCH = 10_000;
const MB = 2 ** 20;

/** The bench user's bearer token (an agency user of the region), sent with every request but /health. */
let bearer = '';

async function post(port: number, path: string, body: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

async function load(port: number, requests: autocannon.Request[]): Promise<autocannon.Result> {
  return autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: SECONDS, requests, timeout: 10 });
}

const cycling = (path: string, bodies: string[]): autocannon.Request[] => {
  let next = 0;
  return [
    {
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
      setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
    },
  ];
};

const row = (name: string, r: autocannon.Result): string =>
  `| ${name} | ${fmt(r.requests.total)} | ${fmt(r.requests.average)} | ${fmt(r.latency.p50, 1)} ms | ${fmt(r.latency.p99, 1)} ms | ${fmt(r.latency.max, 1)} ms | ${fmt(r.non2xx)} | ${fmt(r.errors)} |`;

async function main(): Promise<void> {
  const hospitals = benchHospitals();
  const cat = await fullCatalogue(hospitals);
  const universe = await loadCodeUniverse(CODES_DIR);
  // The year's cases, as a hospital would send them (fundPayment left out: a projection needs none).
  const cases: Record<string, string>[] = [];
  for (const r of generateCases({ seed: 7, year: YEAR, cases: 20_000 }, universe, hospitals)) {
    const { fundPayment: _fund, ...c } = rowObject(r);
    cases.push(c);
  }

  const bench = await startBenchServer('api', {
    // One user drives the whole load: the per-user rate limit would otherwise be what is measured.
    RATE_LIMIT_PER_MINUTE: String(10_000_000),
  });
  const { port, env } = bench;
  const server = bench.process;
  try {
    bearer = await benchToken(env, port, hospitals[0].region);
    await seedRegion(port, bearer, hospitals, cat);
    const core = cat.groups.filter((g) => g.kind === 'core').length;

    // The first batch starts the version's worker pool (and reads the version): timed apart. Every
    // generated case must project (a refusal would measure the error path).
    const batchBody = (from: number) => JSON.stringify(cases.slice(from, from + BATCH));
    const walls: number[] = [];
    let batchMb = 0;
    let answerMb = 0;
    const timedBatch = async (body: string) => {
      const t0 = process.hrtime.bigint();
      const r = await post(port, '/api/v1/projections/batch', body);
      walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) throw new Error(`batch: ${r.status} ${r.body.slice(0, 300)}`);
      const answer = JSON.parse(r.body) as { rejected: number; items: unknown[] };
      if (answer.rejected !== 0) throw new Error(`generated cases refused: ${JSON.stringify(answer.items).slice(0, 500)}`);
      batchMb = Buffer.byteLength(body) / MB;
      answerMb = Buffer.byteLength(r.body) / MB;
    };
    await timedBatch(batchBody(0));

    const bodies = cases.map((c) => JSON.stringify(c));
    await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      amount: 2000,
      requests: cycling('/api/v1/projections', bodies),
    });
    const health = await load(port, [{ method: 'GET', path: '/health' }]);
    const single = await load(port, cycling('/api/v1/projections', bodies));
    const alternatives = await load(port, cycling('/api/v1/projections?alternatives=true', bodies));

    const warmBody = batchBody(BATCH);
    for (let i = 0; i < 5; i++) await timedBatch(warmBody);
    const warm = walls.slice(1).sort((a, b) => a - b);

    process.stdout.write(
      [
        `bench:api — POST /api/v1/projections, ${CONNECTIONS} connections × ${SECONDS} s (autocannon), ${bench.mysql ? 'MySQL' : 'SQLite'}, catalogue of ${fmt(cat.groups.length)} groups (${fmt(core)} core + ${fmt(cat.groups.length - core)} composite), ${fmt(hospitals.length)} hospitals, as an agency user with a bearer token`,
        `machine: ${machine()}`,
        '',
        '| load | requests | requests/s | p50 | p99 | max | non-2xx | errors |',
        '|---|---|---|---|---|---|---|---|',
        row('GET /health (baseline)', health),
        row('POST /api/v1/projections', single),
        row('POST /api/v1/projections?alternatives=true', alternatives),
        '',
        `POST /api/v1/projections/batch, ${fmt(BATCH)} cases (${fmt(batchMb, 1)} MB in, ${fmt(answerMb, 1)} MB out): first (starts the pool) ${fmt(walls[0])} ms; then ${walls
          .slice(1)
          .map((w) => `${fmt(w)} ms`)
          .join(', ')}: median ${fmt(warm[2])} ms`,
        `server peak RSS: ${fmt(peakMb(server.pid!))} MB`,
        `targets: ≥ 2,000 requests/s at p99 < 50 ms; a batch of 10,000 in < 1 s`,
      ].join('\n') + '\n',
    );
  } finally {
    await bench.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
