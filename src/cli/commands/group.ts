import { Command, Option } from 'commander';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Papa from 'papaparse';
import { caseFileFormat } from '../../cases/import-sources';
import { CaseResult } from '../../domain/engine/batch';
import { GroupingService } from '../../grouping/grouping.service';
import { cliActor, CliError, EXIT_REFUSED, withApp, withProgress } from '../app-context';

/** The per-case columns `dip group` prints (issue 4), then the rest of the explanation. */
const COLUMNS: (keyof CaseResult)[] = [
  'caseId',
  'group',
  'key',
  'kind',
  'rule',
  'score',
  'auxFactor',
  'ratio',
  'outlier',
  'points',
  'hospitalCode',
  'coefficient',
  'caseKey',
  'treatmentType',
  'tieBreak',
  'severityClass',
  'specialReview',
];

/** `dip group FILE --catalog ID` and `dip grouping run`: the engine over a file or the stored cases. */
export function registerGroup(program: Command): void {
  program
    .command('group')
    .description('Group and score a case file (CSV or JSON lines, the import format) with a catalogue; stores nothing')
    .argument('<file>')
    .requiredOption('--catalog <id>', 'catalogue version id')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['csv', 'jsonl']))
    .option('--json', 'write JSON lines (one result object per case) instead of CSV', false)
    .option('--out <file>', 'write the results to a file instead of standard output')
    .action(async (file: string, o: { catalog: string; format?: 'csv' | 'jsonl'; json: boolean; out?: string }) => {
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      let first = true;
      let rejected = 0;
      let valued = 0;
      const write = async (text: string) => {
        if (!out.write(text)) await once(out, 'drain');
      };
      let pending: Promise<void> = Promise.resolve();
      await withApp(async (app) => {
        const grouping = app.get(GroupingService);
        const v = await grouping.version(o.catalog, cliActor());
        await grouping.groupFile(
          createReadStream(file),
          caseFileFormat(o.format, file) ?? 'csv',
          v,
          (results) => {
            valued += results.length;
            let text: string;
            if (o.json) text = results.map((r) => JSON.stringify(r)).join('\n') + '\n';
            else {
              text =
                Papa.unparse(
                  { fields: COLUMNS as string[], data: results.map((r) => COLUMNS.map((c) => r[c] ?? '')) },
                  { header: first, newline: '\n' },
                ) + '\n';
              first = false;
            }
            pending = pending.then(() => write(text));
          },
          (line, field, reason) => {
            rejected++;
            if (rejected <= 50) process.stderr.write(`line ${line}: ${field}: ${reason}\n`);
          },
        );
        await pending;
      });
      if (o.out) {
        out.end();
        await once(out, 'finish');
      }
      process.stderr.write(
        `${valued} cases grouped and scored${rejected ? `, ${rejected} problems in rejected rows${rejected > 50 ? ' (first 50 shown)' : ''}` : ''}\n`,
      );
      if (rejected > 0) throw new CliError('some rows were rejected', EXIT_REFUSED);
    });

  program
    .command('grouping')
    .description('Grouping runs over stored cases')
    .command('run')
    .description('Group and score the stored cases of a region and settlement months (one year), storing every case result as a run')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--from <month>', 'first settlement month, e.g. 2024-01')
    .option('--to <month>', 'last settlement month (default: --from)')
    .option('--catalog <id>', 'catalogue version (default: the active one)')
    .option('--json', 'print the run as JSON', false)
    .action(async (o: { region: string; from: string; to?: string; catalog?: string; json: boolean }) => {
      const run = await withApp((app) =>
        withProgress((observer) => app.get(GroupingService).startRun(o.region, o.from, o.to ?? o.from, cliActor(), o.catalog, observer)),
      );
      if (o.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      else
        process.stdout.write(
          `grouping run ${run.id}: ${run.cases} cases of ${run.region} ${run.from}…${run.to}, ${run.points} points, ${run.noScoreCases} no-score, ${run.specialReviewCases} eligible for special review (catalogue ${run.catalogueId})\n`,
        );
    });
}
