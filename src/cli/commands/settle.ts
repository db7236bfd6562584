import { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JobInputError } from '../../jobs/jobs.service';
import { settlementCsv, settlementSummary } from '../../settlement/report-format';
import { SettlementReport, SettlementService } from '../../settlement/settlement.service';
import { cliActor, CliError, explainHttpError, withApp } from '../app-context';

/** Writes the report files of a run (JSON and CSV) into a folder; returns their paths. */
async function writeReports(r: SettlementReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `settlement-${r.run.region}-${r.run.period}-${r.run.kind}`);
  await writeFile(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(`${base}.csv`, settlementCsv(r));
  return [`${base}.json`, `${base}.csv`];
}

/** `dip settle month | finalise`: settlement runs from the terminal. */
export function registerSettle(program: Command): void {
  const settle = program.command('settle').description('Settlement runs (spec §8)');

  settle
    .command('month')
    .description('Monthly pre-settlement of a region (spec §8.3): group and score the month with the active catalogue, value the points, store the run')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--period <month>', 'settlement month, e.g. 2024-03')
    .option('--json', 'print the report as JSON', false)
    .option('--out <dir>', 'write the report files (JSON and CSV) here', 'data/reports')
    .action(async (o: { region: string; period: string; json: boolean; out: string }) => {
      const report = await explainHttpError(() =>
        withApp(async (app) => {
          const s = app.get(SettlementService);
          try {
            const id = await s.claim(o.region, 'month', o.period);
            return await s.runMonth(id, o.region, o.period, cliActor());
          } catch (err) {
            if (err instanceof JobInputError) throw new CliError(err.message);
            throw err;
          }
        }),
      );
      const files = await writeReports(report, o.out);
      if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${settlementSummary(report)}\nreport files: ${files.join(', ')}\n`);
    });

  settle
    .command('finalise')
    .description('Freeze a run\'s period: re-runs are refused afterwards (audited)')
    .argument('<id>')
    .action(async (id: string) => {
      const r = await explainHttpError(() => withApp((app) => app.get(SettlementService).finalise(id, cliActor())));
      process.stdout.write(`settlement ${r.run.id} of ${r.run.region} ${r.run.period}: ${r.run.status}\n`);
    });
}
