/**
 * npm run bench:engine — a generated year of cases (default 1,000,000) against the catalogue
 * built from the two generated years before it (about 10,000 groups), all in memory. Prints, in
 * one run: the rate of merely parsing the packed input (the floor), cases per second on one
 * thread, with the worker pool (WORKERS threads, default the cores), the speed-up, and whether
 * the pool's results are identical to the single thread's, case for case. BENCH_CASES sets the
 * cases per year.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { CATALOGS_DIR, CODES_DIR } from '../config/catalogs';
import { loadCodeUniverse } from '../cli/commands/generate';
import { CASE_FIELDS, validateCase } from '../domain/case-record';
import { CatalogueBuilder } from '../domain/catalogue/build';
import { IcdRange, parseRangeTable } from '../domain/catalogue/ranges';
import { parseCodeTableLine } from '../domain/code-table';
import { procedureTyper } from '../domain/codes';
import { hospitalCoefficient } from '../domain/engine';
import { compileEngine, EngineSetup, packCase, unpackCases, valueBatch } from '../domain/engine/batch';
import { generateCases, generateHospitals, generatePolicy, GenerationTally } from '../synth';
import { BATCH_CASES, EnginePool } from '../engine-pool/engine-pool';
import { fmt, machine, measure } from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const THREADS = Number(process.env.WORKERS ?? cpus().length);
const REGION = '370300';
const HISTORY = [2022, 2023];
const YEAR = 2024;

/** The catalogue, its engine setup and the year's cases packed in batches (not timed). */
async function prepare() {
  process.stderr.write(`preparing: ${fmt(CASES)} cases a year for ${[...HISTORY, YEAR].join(', ')}, the ${YEAR} catalogue …\n`);
  const universe = await loadCodeUniverse(CODES_DIR);
  const hospitals = generateHospitals({ seed: 42, region: REGION, count: 130 });
  const hasHospital = new Set(hospitals.map((h) => h.code));
  const ctx = { hasHospital: (c: string) => hasHospital.has(c) };
  const record = (row: readonly string[]) => {
    const v = validateCase(Object.fromEntries(CASE_FIELDS.map((f, i) => [f, row[i]])), ctx);
    if (!('record' in v)) throw new Error(`generated case invalid: ${JSON.stringify(v.errors)}`);
    return v.record;
  };

  // The policy from the history, as `dip generate` writes it (the generator is deterministic:
  // the history is generated twice rather than held).
  const history = () => HISTORY.map((year) => generateCases({ seed: 42, year, cases: CASES }, universe, hospitals));
  const tally = new GenerationTally(hospitals, universe.procedureNames);
  for (const rows of history()) for (const row of rows) tally.add(row);
  const policy = generatePolicy({ region: REGION, seed: 42 }, tally);

  const blocks: IcdRange[] = [];
  for (const line of readFileSync(join(CODES_DIR, 'icd10-blocks.tsv'), 'utf8').split('\n')) {
    const e = parseCodeTableLine('icdBlocks', line);
    if (e && 'code' in e) blocks.push({ lower: e.code.slice(0, 3), upper: e.code.slice(4) });
  }
  const ranges = { chapters: parseRangeTable(readFileSync(join(CATALOGS_DIR, 'icd10-chapters.tsv'), 'utf8')), blocks };
  const severe = [...universe.severeSecondary].sort();
  const moderate = [...universe.moderateSecondary].sort();
  const procedureNames = [...universe.procedureNames];
  const builder = new CatalogueBuilder({
    region: REGION,
    year: YEAR,
    policy,
    ranges,
    severity: { severe: new Set(severe), moderate: new Set(moderate) },
    typeOf: procedureTyper(new Map(), universe.procedureNames),
  });
  for (const rows of history())
    for (const row of rows) builder.add({ ...record(row), year: Number(row[CASE_FIELDS.indexOf('dischargeDate')].slice(0, 4)) });
  const catalogue = { ...builder.finish(), pvBudget: '0' };
  const setup: EngineSetup = { catalogue, policy, ranges, severe, moderate, procedureTypes: [], procedureNames };
  const engine = compileEngine(setup);
  const byCode = new Map(hospitals.map((h) => [h.code, { coefficient: hospitalCoefficient(engine.scoring, h), level: h.level }]));

  // The input: the year's cases, validated, packed in batches as the grouping job sends them.
  const batches: string[] = [];
  let batch = '';
  let n = 0;
  for (const row of generateCases({ seed: 42, year: YEAR, cases: CASES }, universe, hospitals)) {
    const r = record(row);
    batch += packCase({ ...r, ...byCode.get(r.hospitalCode)! }) + '\n';
    if (++n % BATCH_CASES === 0) {
      batches.push(batch);
      batch = '';
    }
  }
  if (batch !== '') batches.push(batch);
  return { setup, engine, batches, n, catalogue };
}

/** Lets the preparation's garbage go before a measurement (the npm script runs node with --expose-gc). */
const collect = () => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const { setup, engine, batches, n, catalogue } = await prepare();
  collect();
  const parsed = await measure(async () => {
    let count = 0;
    for (const b of batches) count += unpackCases(b).length;
    return count;
  });
  collect();
  // Results are compared by a digest of the whole output in order, so that neither run keeps
  // them (a main-thread heap of a gigabyte would make its garbage collector the bottleneck).
  const single = await measure(async () => {
    const digest = createHash('sha256');
    for (const b of batches) digest.update(valueBatch(engine, b, { results: true, byHospital: true }).results);
    return digest.digest('hex');
  });
  collect();
  const pool = new EnginePool(setup, THREADS);
  // Thread start-up and the once-per-version compile, measured apart from the run.
  const started = await measure(() =>
    pool.runAll(
      Array.from({ length: THREADS }, () => ''),
      () => undefined,
    ),
  );
  const pooled = await measure(async () => {
    const digest = createHash('sha256');
    await pool.runAll(batches, (r) => {
      digest.update(r.results);
    });
    return digest.digest('hex');
  });
  await pool.close();
  const identical = pooled.result === single.result;

  const rate = (s: number) => n / s;
  const core = catalogue.groups.filter((g) => g.kind === 'core').length;
  process.stdout.write(
    [
      `bench:engine — ${fmt(n)} cases of ${YEAR} against a catalogue of ${fmt(catalogue.groups.length)} groups (${fmt(core)} core + ${fmt(catalogue.groups.length - core)} composite), in memory, batches of ${fmt(BATCH_CASES)}`,
      `machine: ${machine()}`,
      `parse only (the floor): ${fmt(parsed.seconds, 2)} s, ${fmt(rate(parsed.seconds))} cases/s`,
      `single thread: ${fmt(single.seconds, 2)} s, ${fmt(rate(single.seconds))} cases/s, ${fmt((single.seconds / n) * 1e6, 2)} µs a case`,
      `pool of ${THREADS}: ${fmt(pooled.seconds, 2)} s, ${fmt(rate(pooled.seconds))} cases/s (thread start and compile ${fmt(started.seconds, 2)} s, not included); peak RSS ${fmt(Math.max(single.peakRssMb, pooled.peakRssMb))} MB`,
      `speed-up: ${fmt(single.seconds / pooled.seconds, 2)}× (target ≥ 1.6×); pool rate target ≥ 150,000 cases/s`,
      `results identical to the single thread, case for case: ${identical ? 'yes' : 'NO'}`,
    ].join('\n') + '\n',
  );
  if (!identical) process.exit(1);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
