import { Command, Option } from 'commander';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_KINDS, RecordKind } from '../../domain/settlement/records';
import { RecordsService } from '../../settlement/records.service';
import { ReportFormat, settlementReportFile, settlementSummary } from '../../settlement/report-format';
import { SettlementKind, SettlementReport, SettlementService } from '../../settlement/settlement.service';
import { cliActor, CliError, EXIT_REFUSED, withApp, withProgress } from '../app-context';

const REPORT_FORMATS: ReportFormat[] = ['json', 'csv', 'xlsx'];

/** Writes the report files of a run (JSON, CSV, XLSX) into a folder; returns their paths. */
async function writeReports(r: SettlementReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const format of REPORT_FORMATS) {
    const file = await settlementReportFile(r, format);
    paths.push(join(dir, file.name));
    await writeFile(paths[paths.length - 1], file.body);
  }
  return paths;
}

/** Runs a settlement of a period (the same use case as POST /api/v1/settlements), printing the summary (or JSON) and writing the report files. */
async function settleCommand(kind: SettlementKind, o: { region: string; period: string; json: boolean; out: string }): Promise<void> {
  // Checked before the run: a run stored and then unable to write its reports would look failed.
  const out = await stat(o.out).catch(() => null);
  if (out && !out.isDirectory())
    throw new CliError(`--out ${o.out} is a file; give a folder for the report files (it is created when missing)`, EXIT_REFUSED);
  const report = await withApp((app) =>
    withProgress((observer) => app.get(SettlementService).start(o.region, kind, o.period, cliActor(), observer)),
  );
  const files = await writeReports(report, o.out);
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${settlementSummary(report)}\nreport files: ${files.join(', ')}\n`);
}

/** `dip settle month | year | record | locks | release-lock | finalise`: settlement runs from the terminal. */
export function registerSettle(program: Command): void {
  const settle = program.command('settle').description('Settlement runs (spec §8)');

  settle
    .command('month')
    .description(
      'Monthly pre-settlement of a region (spec §8.3): group and score the month with the active catalogue, value the points, store the run',
    )
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--period <month>', 'settlement month, e.g. 2024-03')
    .option('--json', 'print the report as JSON', false)
    .option('--out <dir>', 'write the report files (JSON, CSV, XLSX) here', 'data/reports')
    .action((o: { region: string; period: string; json: boolean; out: string }) => settleCommand('month', o));

  settle
    .command('year')
    .description(
      'Annual settlement and clearing of a region (spec §8.4), with the recorded assessments, violations, revolving funds, budget actuals and the finalised months',
    )
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'settlement year, e.g. 2024')
    .option('--json', 'print the report as JSON', false)
    .option('--out <dir>', 'write the report files (JSON, CSV, XLSX) here', 'data/reports')
    .action((o: { region: string; year: string; json: boolean; out: string }) => settleCommand('year', { ...o, period: o.year }));

  settle
    .command('record')
    .description(
      'Record, from a CSV file (header = field names), assessments (year,hospitalCode,score), violations (year,pool,hospitalCode,amount,reason), revolvingFund (year,pool,hospitalCode,amount) or budgetActual (region,year,pool,line,amount); all or nothing',
    )
    .addOption(new Option('--kind <kind>', 'record kind').choices(RECORD_KINDS).makeOptionMandatory())
    .argument('<file>')
    .action(async (file: string, o: { kind: RecordKind }) => {
      const r = await withApp((app) => app.get(RecordsService).recordCsv(o.kind, createReadStream(file), cliActor()));
      process.stdout.write(`${r.recorded} ${r.kind} record(s) stored\n`);
    });

  settle
    .command('locks')
    .description('The periods being settled now, with the run and the process holding each')
    .action(async () => {
      const locks = await withApp((app) => app.get(SettlementService).locks());
      if (locks.length === 0) process.stdout.write('no period is locked\n');
      for (const l of locks) {
        const h = l.holder.host === null ? 'process gone' : `${l.holder.host} pid ${l.holder.pid}, last beat ${l.holder.lastBeat}`;
        process.stdout.write(`${l.region} ${l.kind} ${l.period}: run ${l.runId} (${h})\n`);
      }
    });

  settle
    .command('release-lock')
    .description("Release a period's lock by hand (audited): its run, if still working, stores nothing; a new run may start at once")
    .requiredOption('--region <region>', '6-digit region code')
    .addOption(new Option('--kind <kind>', 'settlement kind').choices(['month', 'year']).makeOptionMandatory())
    .requiredOption('--period <period>', 'a month (2024-03) or a year (2024)')
    .action(async (o: { region: string; kind: SettlementKind; period: string }) => {
      const l = await withApp((app) => app.get(SettlementService).releaseLock(o.region, o.kind, o.period, cliActor()));
      process.stdout.write(`released the lock of ${l.region} ${l.kind} ${l.period} held by run ${l.runId}\n`);
    });

  settle
    .command('finalise')
    .description("Freeze a run's period: re-runs are refused afterwards (audited)")
    .argument('<id>')
    .action(async (id: string) => {
      const r = await withApp((app) => app.get(SettlementService).finalise(id, cliActor()));
      process.stdout.write(`settlement ${r.run.id} of ${r.run.region} ${r.run.period}: ${r.run.status}\n`);
    });
}
