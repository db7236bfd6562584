/**
 * npm run bench:import — a generated year of cases (default 1,000,000) imported into MySQL with
 * full validation, beside `LOAD DATA LOCAL INFILE` of the same file into a bare table in the
 * same run. Prints rows/s, wall time, peak memory and the ratio. Options by environment:
 * BENCH_CASES (default 1000000), BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/dip_bench).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { AppModule } from '../app.module';
import { CaseImportService } from '../cases/case-import.service';
import { dip, fmt, importGenerated, machine, measure, recreateDatabase } from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const URL_ = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/dip_bench';
const YEAR = 2023;

async function main(): Promise<void> {
  await recreateDatabase(URL_);

  const dir = mkdtempSync(join(tmpdir(), 'dip-bench-'));
  process.stderr.write(`generating ${fmt(CASES)} cases for ${YEAR} in ${dir} …\n`);
  // Made-up codes and a region without code tables: the setup of the recorded baselines.
  dip(['generate', '--out', dir, '--cases', String(CASES), '--years', String(YEAR), '--seed', '42', '--no-codes']);
  const file = join(dir, `cases-${YEAR}.csv`);
  importGenerated(URL_, dir, []);
  const bytes = statSync(file).size;

  // Baseline: the database's own bulk loader, same file, a bare table, no validation.
  const conn = await createConnection({ uri: URL_, infileStreamFactory: () => createReadStream(file) } as never);
  await conn.query(`CREATE TABLE bench_raw (
    case_id VARCHAR(64), hospital_code VARCHAR(32), pool VARCHAR(10), patient_id VARCHAR(64), sex VARCHAR(1), age SMALLINT, age_days SMALLINT NULL,
    admission_date DATE, discharge_date DATE, los_days INT NULL, discharge_mode VARCHAR(1), principal_diagnosis VARCHAR(40), secondary_diagnoses VARCHAR(2000),
    principal_procedure VARCHAR(20) NULL, other_procedures VARCHAR(2000), total_cost DECIMAL(15,2), fund_payment DECIMAL(15,2), out_of_catalog_self_pay DECIMAL(15,2),
    day_surgery VARCHAR(5), external_expert VARCHAR(5), new_technology VARCHAR(5)) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const raw = await measure(() =>
    conn.query({
      sql: `LOAD DATA LOCAL INFILE 'cases.csv' INTO TABLE bench_raw CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n' IGNORE 1 LINES
            (case_id, hospital_code, pool, patient_id, sex, age, @age_days, admission_date, discharge_date, @los_days, discharge_mode, principal_diagnosis, secondary_diagnoses,
             @principal_procedure, other_procedures, total_cost, fund_payment, out_of_catalog_self_pay, day_surgery, external_expert, new_technology)
            SET age_days = NULLIF(@age_days, ''), los_days = NULLIF(@los_days, ''), principal_procedure = NULLIF(@principal_procedure, '')`,
    }),
  );
  await conn.end();

  // The service's import: stream, validate every rule, stage, merge in one transaction.
  process.env.DATABASE_URL = URL_;
  process.env.LOG_LEVEL = 'warn';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const imported = await measure(
    async () =>
      (
        await app.get(CaseImportService).start(createReadStream(file), {
          format: 'csv',
          atomic: false,
          replace: false,
          source: file,
          actor: 'bench',
          expectedBytes: bytes,
        })
      ).done,
  );
  await app.close();
  const r = imported.result;
  if (r.status !== 'committed' || r.counts.inserted !== CASES)
    throw new Error(`import did not store every case: ${JSON.stringify(r.counts)} ${JSON.stringify(r.error)}`);

  const rawRate = CASES / raw.seconds;
  const rate = CASES / imported.seconds;
  const lines = [
    `bench:import — ${fmt(CASES)} cases (${fmt(bytes / 2 ** 20, 1)} MiB CSV), MySQL ${URL_.replace(/\/\/[^@]*@/, '//')}`,
    `machine: ${machine()}`,
    `LOAD DATA LOCAL INFILE, bare table: ${fmt(raw.seconds, 2)} s, ${fmt(rawRate)} rows/s`,
    `dip import (parsed, validated, de-duplicated, loaded in one transaction): ${fmt(imported.seconds, 2)} s, ${fmt(rate)} rows/s, peak RSS ${fmt(imported.peakRssMb)} MB`,
    `ratio import / raw load: ${fmt((rate / rawRate) * 100, 1)} % (target ≥ 50 %); peak memory target < 500 MB`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
