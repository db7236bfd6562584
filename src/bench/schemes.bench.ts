/**
 * npm run bench:schemes — the year-end run of the per-head schemes at full size: scheme C
 * (diabetes-capitation) on 1,000,000 enrolled patients and scheme A (disease-capitation) on
 * 500,000 persons (BENCH_C_PERSONS, BENCH_A_PERSONS), generated (`dip generate --scheme`'s
 * generators, seed 42) and imported as CSV through the same use case as the API. For each: the
 * wall time and peak memory of the run (read the stored inputs, compute, store every provider's
 * and person's figures), beside the time to merely read the same inputs out of the database in
 * the same run (the baseline). Each phase runs in its own process, so that one's memory is not
 * counted in another's. BENCH_MYSQL_URL picks the database (default
 * mysql://root@127.0.0.1:3306/dip_bench_schemes, recreated); BENCH_SQLITE=1 the embedded one.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppModule } from '../app.module';
import { SchemesService } from '../schemes/schemes.service';
import { SchemesStore } from '../schemes/schemes.store';
import { generateDiabetesCapitationDemo } from '../synth/diabetes-capitation';
import { generateDiseaseCapitationDemo } from '../synth/disease-capitation';
import { fmt, machine, measure, recreateDatabase } from './bench-support';

type Phase = 'prepare' | 'read' | 'run';
interface Case {
  scheme: 'diabetes-capitation' | 'disease-capitation';
  persons: number;
  region: string;
  year: number;
}

const CASES: Case[] = [
  { scheme: 'diabetes-capitation', persons: Number(process.env.BENCH_C_PERSONS ?? 1_000_000), region: '120000', year: 2022 },
  { scheme: 'disease-capitation', persons: Number(process.env.BENCH_A_PERSONS ?? 500_000), region: '510400', year: 2021 },
];
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_bench_schemes';

async function app(env: Record<string, string>) {
  Object.assign(process.env, env, { LOG_LEVEL: 'warn', DEFAULT_CODE_TABLES: 'none' });
  return NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
}

/** One phase of one case, in this process; prints a JSON line. */
async function phase(which: Phase, c: Case, env: Record<string, string>): Promise<void> {
  const a = await app(env);
  const s = a.get(SchemesService);
  const key = { scheme: c.scheme, region: c.region, year: c.year };
  let out: Record<string, unknown>;
  if (which === 'prepare') {
    const gen = c.scheme === 'diabetes-capitation' ? generateDiabetesCapitationDemo : generateDiseaseCapitationDemo;
    const m = await measure(async () => {
      const demo = gen({ seed: 42, region: c.region, year: c.year, persons: c.persons });
      await s.givePolicy(c.scheme, demo.policy, 'bench', null);
      let rows = 0;
      for (const [table, text] of Object.entries(demo.tables))
        rows += (await s.importCsv(c.scheme, table, c.region, c.year, Readable.from([text]), 'bench')).rows;
      return rows;
    });
    out = { rows: m.result, seconds: m.seconds };
  } else if (which === 'read') {
    const store = a.get(SchemesStore);
    const m = await measure(async () => {
      let rows = 0;
      for (const i of await store.currentInputs(key)) rows += (await store.inputRows(i.id)).length;
      return rows;
    });
    out = { rows: m.result, seconds: m.seconds, peakRssMb: m.peakRssMb };
  } else {
    // The run's own stages (reading, computing, storing), timed through its progress.
    const marks: [string, bigint][] = [];
    const observer = { stage: async (name: string) => void marks.push([name, process.hrtime.bigint()]), advance: async () => undefined };
    const m = await measure(() => s.run(c.scheme, c.region, c.year, 'bench', observer));
    const end = process.hrtime.bigint();
    const stages = Object.fromEntries(marks.map(([name, at], i) => [name, Number((marks[i + 1]?.[1] ?? end) - at) / 1e9]));
    let persons = 0;
    for await (const chunk of await s.persons(m.result.run.id, null, null)) persons += chunk.length;
    out = { seconds: m.seconds, peakRssMb: m.peakRssMb, providers: m.result.providers.length, persons, ...stages };
  }
  await a.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function child(which: Phase, c: Case, env: Record<string, string>): Record<string, number> {
  const text = execFileSync(process.execPath, ['--max-old-space-size=4096', __filename, which, JSON.stringify(c), JSON.stringify(env)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(text.trim().split('\n').pop()!) as Record<string, number>;
}

async function main(): Promise<void> {
  const [which, c, env] = process.argv.slice(2);
  if (which) return phase(which as Phase, JSON.parse(c) as Case, JSON.parse(env) as Record<string, string>);
  const sqlite = process.env.BENCH_SQLITE === '1';
  const dir = mkdtempSync(join(tmpdir(), 'dip-bench-schemes-'));
  const dbEnv: Record<string, string> = sqlite ? { DIP_SQLITE_PATH: join(dir, 'bench.sqlite') } : { DATABASE_URL: MYSQL };
  if (!sqlite) await recreateDatabase(MYSQL);
  const lines = [
    `bench:schemes — ${sqlite ? 'SQLite' : `MySQL ${MYSQL.replace(/\/\/[^@]*@/, '//')}`}; each phase in its own process`,
    `machine: ${machine()}`,
  ];
  try {
    for (const c of CASES) {
      process.stderr.write(`${c.scheme}: generating and importing ${fmt(c.persons)} persons …\n`);
      const prep = child('prepare', c, dbEnv);
      const read = child('read', c, dbEnv);
      const run = child('run', c, dbEnv);
      lines.push(
        `${c.scheme} (${fmt(c.persons)} persons, ${fmt(prep.rows)} input rows; generated and imported in ${fmt(prep.seconds, 1)} s): ` +
          `read the inputs ${fmt(read.seconds, 2)} s (peak RSS ${fmt(read.peakRssMb)} MB); ` +
          `year-end run ${fmt(run.seconds, 2)} s = ${fmt(run.seconds / read.seconds, 2)}× the read (target ≤ 3×), peak RSS ${fmt(run.peakRssMb)} MB (target < 1,536 MB); ` +
          `${fmt(run.providers)} providers, ${fmt(run.persons)} person rows stored; the run's stages: reading ${fmt(run.reading, 2)} s, computing ${fmt(run.computing, 2)} s, storing ${fmt(run.storing, 2)} s`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
