/**
 * npm run bench:catalog — three generated years of cases (default 1,000,000 each) in MySQL →
 * the catalogue of the following year. Prints wall time, peak memory and groups (core /
 * composite) of the build, beside the time to merely stream the same columns out of MySQL in
 * the same run. BENCH_CASES sets cases per year; BENCH_MYSQL_URL the database
 * (default mysql://root@127.0.0.1:3306/dip_bench_catalog, recreated); BENCH_REUSE=1 keeps the
 * database and generated files of the previous run (same seed and size) and only measures.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { CaseStore } from '../cases/case.store';
import { ENGINE_COLUMNS } from '../cases/stored-cases';
import { CatalogueService } from '../catalogue/catalogue.service';
import { CODES_DIR } from '../config/catalogs';
import { dip, fmt, importGenerated, machine, measure, recreateDatabase } from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const URL_ = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_bench_catalog';
const YEARS = [2021, 2022, 2023];
const REGION = '370300';

async function main(): Promise<void> {
  const dir = join(tmpdir(), `dip-bench-catalog-${CASES}`);
  if (!(process.env.BENCH_REUSE === '1' && existsSync(join(dir, 'done')))) await prepare(dir);
  await measureBuild(dir);
}

/** A fresh database with three generated years imported (not timed). */
async function prepare(dir: string): Promise<void> {
  await recreateDatabase(URL_);

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating ${fmt(CASES)} cases a year for ${YEARS.join(', ')} in ${dir} …\n`);
  dip([
    'generate',
    '--out',
    dir,
    '--cases',
    String(CASES),
    '--years',
    `${YEARS[0]}-${YEARS[YEARS.length - 1]}`,
    '--seed',
    '42',
    '--codes',
    CODES_DIR,
  ]);
  importGenerated(
    URL_,
    dir,
    YEARS.map((y) => join(dir, `cases-${y}.csv`)),
  );
  writeFileSync(join(dir, 'done'), '');
}

async function measureBuild(dir: string): Promise<void> {
  process.env.DATABASE_URL = URL_;
  process.env.LOG_LEVEL = 'warn';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const reader = app.get(CaseStore);
  const streamed = await measure(async () => {
    let n = 0;
    for await (const page of reader.pages(REGION, `${YEARS[0]}-01`, `${YEARS[YEARS.length - 1]}-12`, ENGINE_COLUMNS)) n += page.length;
    return n;
  });
  const year = YEARS[YEARS.length - 1] + 1;
  const policy = JSON.parse(await readFile(join(dir, `policy-${REGION}-${year}.json`), 'utf8'));
  const built = await measure(async () => (await app.get(CatalogueService).startBuild(REGION, year, policy, 'bench')).done);
  await app.close();

  const b = built.result;
  process.stdout.write(
    [
      `bench:catalog — ${fmt(streamed.result)} cases (${YEARS.join(', ')}) → the ${year} catalogue, MySQL ${URL_.replace(/\/\/[^@]*@/, '//')}`,
      `machine: ${machine()}`,
      `stream the same columns out of MySQL: ${fmt(streamed.seconds, 2)} s (${fmt(streamed.result / streamed.seconds)} rows/s), peak RSS ${fmt(streamed.peakRssMb)} MB`,
      `build (one read: aggregate, then budget point value on the pool, then store): ${fmt(built.seconds, 2)} s, peak RSS ${fmt(built.peakRssMb)} MB`,
      `groups: ${fmt(b.coreGroups)} core + ${fmt(b.compositeGroups)} composite; pvBudget ${b.pvBudget}`,
      `ratio build / stream: ${fmt(built.seconds / streamed.seconds, 2)}× (target ≤ 3×); peak memory target < 1.5 GB`,
    ].join('\n') + '\n',
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
