/**
 * `npm run bench:responsive` (issue 11, item 3): does one bad or big upload hold the server?
 * The built server runs as its own process on a fresh SQLite file (or BENCH_MYSQL_URL, recreated); this process streams
 * uploads to it and asks `/health` every 20 ms meanwhile, and reports how long each upload took
 * to be refused (or imported), the /health latency while it ran (median, p99, max), and the
 * server's peak memory. Baseline, in the same run: /health latency with the server idle.
 * Target: /health within 200 ms while a 100 MB bad file is refused.
 */
import { request } from 'node:http';
import { CASE_FIELDS } from '../domain/case-record';
import { benchToken, fmt, machine, peakMb, startBenchServer } from './bench-support';

const MB = 2 ** 20;
const HEADER = CASE_FIELDS.join(',');
const row = (i: number) =>
  `B${i},H001,employee,P${i},M,54,,2024-03-01,2024-03-08,,1,K80.100,I10.x00|E11.900,51.2300,,23456.78,16000.00,0,false,false,false`;

/** The bench user's bearer token (an agency user of 370300). */
let bearer = '';

/** Streams `total` bytes made by `chunk(i)` (64 KiB a piece) as a chunked upload; resolves with the answer. */
function upload(
  port: number,
  type: string,
  total: number,
  chunk: (i: number) => string,
): Promise<{ status: number; body: string; sentMb: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/cases/import',
        headers: { 'Content-Type': type, Authorization: `Bearer ${bearer}` },
      },
      (res) => {
        answered = true;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentMb: sent / MB }));
      },
    );
    req.on('error', (err) => (answered ? undefined : reject(err)));
    let i = 0;
    const pump = () => {
      while (!answered && sent < total) {
        const piece = chunk(i++);
        sent += Buffer.byteLength(piece);
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** /health latencies (ms) every 20 ms while `work` runs. */
async function latencyDuring<T>(port: number, work: () => Promise<T>): Promise<{ result: T; seconds: number; ms: number[] }> {
  const ms: number[] = [];
  let running = true;
  const pinger = (async () => {
    while (running) {
      const t0 = process.hrtime.bigint();
      await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text());
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const start = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  running = false;
  await pinger;
  return { result, seconds, ms };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))] ?? 0;

async function main(): Promise<void> {
  const bench = await startBenchServer('responsive', { MAX_UPLOAD_BYTES: String(200 * MB) });
  const { port, env } = bench;
  const server = bench.process;
  try {
    bearer = await benchToken(env, port, '370300');
    await fetch(`http://127.0.0.1:${port}/api/v1/hospitals`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
      body: JSON.stringify([{ code: 'H001', name: '第一人民医院', region: '370300', level: 'L3A_GENERAL', bonuses: [] }]),
    });

    const rows = Array.from({ length: 300 }, (_, i) => row(i)).join('\n') + '\n'; // ≈ 40 KB
    const scenarios: [string, string, number, (i: number) => string][] = [
      ['100 MB CSV, an unclosed quote in line 2', 'text/csv', 100 * MB, (i) => (i === 0 ? `${HEADER}\n"${rows}` : rows)],
      ['100 MB JSON lines, one line', 'application/x-ndjson', 100 * MB, (i) => (i === 0 ? '{"caseId":"' : 'x'.repeat(64 * 1024))],
      [
        '50 MB valid CSV (≈ 370,000 cases), imported',
        'text/csv',
        50 * MB,
        (i) => (i === 0 ? `${HEADER}\n` : '') + Array.from({ length: 300 }, (_, k) => row(i * 300 + k)).join('\n') + '\n',
      ],
    ];

    const idle = await latencyDuring(port, () => new Promise((r) => setTimeout(r, 2000)));
    process.stdout.write(`machine: ${machine()}; database: ${bench.mysql ? 'MySQL' : 'SQLite'}\n\n`);
    process.stdout.write(
      '| upload | answer | sent before the answer | wall | /health median | p99 | max | server peak RSS |\n|---|---|---|---|---|---|---|---|\n',
    );
    process.stdout.write(
      `| none (baseline: server idle, 2 s) | | | | ${fmt(pct(idle.ms, 0.5), 1)} ms | ${fmt(pct(idle.ms, 0.99), 1)} ms | ${fmt(Math.max(...idle.ms), 1)} ms | ${fmt(peakMb(server.pid!))} MB |\n`,
    );
    for (const [name, type, total, chunk] of scenarios) {
      const r = await latencyDuring(port, () => upload(port, type, total, chunk));
      const answer = `${r.result.status} ${(JSON.parse(r.result.body) as { error?: { code?: string }; status?: string }).error?.code ?? JSON.parse(r.result.body).status}`;
      process.stdout.write(
        `| ${name} | ${answer} | ${fmt(r.result.sentMb, 1)} MB | ${fmt(r.seconds, 2)} s | ${fmt(pct(r.ms, 0.5), 1)} ms | ${fmt(pct(r.ms, 0.99), 1)} ms | ${fmt(Math.max(...r.ms), 1)} ms | ${fmt(peakMb(server.pid!))} MB |\n`,
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
