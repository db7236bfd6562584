import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CaseImportService } from '../../cases/case-import.service';
import { caseFileFormat } from '../../cases/import-sources';
import { ImportReport } from '../../cases/import-report';
import { cliActor, CliError, EXIT_REFUSED, withApp } from '../app-context';

/** `dip import cases FILE`: the CLI face of case ingestion. */
export function registerImport(program: Command): void {
  const imp = program.command('import').description('Import data files');
  imp
    .command('cases')
    .description('Import cases from a CSV (header = field names) or JSON-lines file')
    .argument('<file>')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['csv', 'jsonl']))
    .option('--atomic', 'store nothing when any row is bad', false)
    .option('--replace', 'overwrite stored cases whose content differs (audited)', false)
    .option('--json', 'print the full report as JSON', false)
    .action(async (file: string, o: { format?: 'csv' | 'jsonl'; atomic: boolean; replace: boolean; json: boolean }) => {
      const report = await importCases(file, o);
      printReport(report, o.json);
      if (report.status !== 'committed') throw new CliError(`import ${report.status}`, EXIT_REFUSED);
      // Committed, but nothing of the file is stored: every row was rejected.
      const c = report.counts;
      if (c.rejected > 0 && c.inserted + c.replaced + c.skipped === 0)
        throw new CliError(`import stored nothing: all ${c.rejected} rows were rejected`, EXIT_REFUSED);
    });
}

export async function importCases(
  file: string,
  o: { format?: 'csv' | 'jsonl'; atomic?: boolean; replace?: boolean },
): Promise<ImportReport> {
  const size = (
    await stat(file).catch(() => {
      throw new CliError(`cannot read ${file}`);
    })
  ).size;
  const format = caseFileFormat(o.format, file) ?? 'csv';
  return withApp(async (app) => {
    const bar = process.stderr.isTTY
      ? new SingleBar(
          { format: 'importing {bar} {percentage}% | {rows} rows | {eta_formatted} left', hideCursor: true },
          Presets.shades_classic,
        )
      : null;
    bar?.start(size, 0, { rows: 0 });
    const handle = await app
      .get(CaseImportService)
      .start(
        createReadStream(file),
        { format, atomic: !!o.atomic, replace: !!o.replace, source: file, actor: cliActor(), expectedBytes: size },
        (p) => bar?.update(p.bytes, { rows: p.rows }),
      );
    try {
      return await handle.done;
    } finally {
      bar?.stop();
    }
  });
}

export function printReport(r: ImportReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const c = r.counts;
  process.stdout.write(
    `import ${r.batchId}: ${r.status} — ${c.read} rows read, ${c.inserted} inserted, ${c.replaced} replaced, ${c.skipped} skipped as identical, ${c.rejected} rejected\n`,
  );
  if (r.error) process.stderr.write(`error (${r.error.code})${r.error.line ? ` at line ${r.error.line}` : ''}: ${r.error.message}\n`);
  for (const x of r.rejections.slice(0, 20))
    process.stderr.write(`  line ${x.line}${x.caseId ? ` (${x.caseId})` : ''}: ${x.field}: ${x.reason}\n`);
  if (r.counts.rejected > 20 || r.rejectionsTruncated)
    process.stderr.write(`  … all rejections: GET /api/v1/imports/${r.batchId}/rejections\n`);
}
