/**
 * npm run bench:settle — a generated year of cases (default 1,000,000) in MySQL, with the
 * catalogue built from the three generated years before it, active. Prints wall time and peak
 * memory of one monthly pre-settlement (March, about 85,000 cases) and of the annual settlement,
 * each beside the time of merely streaming the same rows out of MySQL in the same run.
 * BENCH_CASES sets cases per year; BENCH_MYSQL_URL the database (default
 * mysql://root@127.0.0.1:3306/dip_bench_settle, recreated); BENCH_REUSE=1 keeps the database of
 * the previous run (same size) and only measures.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { CaseStore } from '../cases/case.store';
import { RUN_COLUMNS } from '../cases/stored-cases';
import { CatalogueService } from '../catalogue/catalogue.service';
import { CatalogueStore } from '../catalogue/catalogue.store';
import { CODES_DIR } from '../config/catalogs';
import { SettlementService } from '../settlement/settlement.service';
import { dip, fmt, importGenerated, machine, measure, recreateDatabase } from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const URL_ = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_bench_settle';
const REGION = '370300';
const YEAR = 2024;
const MONTH = `${YEAR}-03`;

async function main(): Promise<void> {
  const dir = join(tmpdir(), `dip-bench-settle-${CASES}`);
  if (!(process.env.BENCH_REUSE === '1' && existsSync(join(dir, 'done')))) await prepare(dir);
  await measureRuns();
}

/** A fresh database: three years of history, the settlement year, the catalogue built and active (not timed). */
async function prepare(dir: string): Promise<void> {
  await recreateDatabase(URL_);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating ${fmt(CASES)} cases a year for ${YEAR - 3}–${YEAR} in ${dir} …\n`);
  dip(['generate', '--out', dir, '--cases', String(CASES), '--years', `${YEAR - 3}-${YEAR - 1}`, '--seed', '42', '--codes', CODES_DIR]);
  dip([
    'generate',
    '--out',
    join(dir, String(YEAR)),
    '--cases',
    String(CASES),
    '--years',
    String(YEAR),
    '--seed',
    '42',
    '--codes',
    CODES_DIR,
  ]);
  importGenerated(
    URL_,
    dir,
    [1, 2, 3].map((i) => join(dir, `cases-${YEAR - 4 + i}.csv`)).concat(join(dir, String(YEAR), `cases-${YEAR}.csv`)),
  );
  process.env.DATABASE_URL = URL_;
  process.env.LOG_LEVEL = 'warn';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  process.stderr.write(`building the ${YEAR} catalogue …\n`);
  const built = await (
    await app
      .get(CatalogueService)
      .startBuild(REGION, YEAR, JSON.parse(await readFile(join(dir, `policy-${REGION}-${YEAR}.json`), 'utf8')), 'bench')
  ).done;
  await app.get(CatalogueStore).activate(built.catalogueId, 'bench');
  await app.close();
  writeFileSync(join(dir, 'done'), '');
}

async function measureRuns(): Promise<void> {
  process.env.DATABASE_URL = URL_;
  process.env.LOG_LEVEL = 'warn';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const reader = app.get(CaseStore);
  const s = app.get(SettlementService);
  const stream = (from: string, to: string) =>
    measure(async () => {
      let n = 0;
      for await (const page of reader.pages(REGION, from, to, RUN_COLUMNS)) n += page.length;
      return n;
    });
  const monthStream = await stream(MONTH, MONTH);
  const month = await measure(async () => (await s.start(REGION, 'month', MONTH, 'bench')).done);
  const yearStream = await stream(`${YEAR}-01`, `${YEAR}-12`);
  const year = await measure(async () => (await s.start(REGION, 'year', String(YEAR), 'bench')).done);
  await app.close();

  const pv = (r: typeof month.result) => r.pools.map((p) => `${p.pool} ${p.pointValue}`).join(', ');
  process.stdout.write(
    [
      `bench:settle — region ${REGION}, ${fmt(yearStream.result)} cases in ${YEAR}, MySQL ${URL_.replace(/\/\/[^@]*@/, '//')}`,
      `machine: ${machine()}`,
      `month ${MONTH}: stream its ${fmt(monthStream.result)} rows ${fmt(monthStream.seconds, 2)} s; pre-settlement run ${fmt(month.seconds, 2)} s (${fmt(month.seconds / monthStream.seconds, 2)}× the stream), peak RSS ${fmt(month.peakRssMb)} MB; point values ${pv(month.result)}`,
      `year ${YEAR}: stream its ${fmt(yearStream.result)} rows ${fmt(yearStream.seconds, 2)} s; annual run ${fmt(year.seconds, 2)} s (${fmt(year.seconds / yearStream.seconds, 2)}× the stream, target ≤ 4×), peak RSS ${fmt(year.peakRssMb)} MB (target < 1.5 GB); point values ${pv(year.result)}`,
    ].join('\n') + '\n',
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
