import { Command, InvalidArgumentError } from 'commander';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '../../domain/errors';
import { readText } from '../../io/text-input';
import { Environment } from '../../config/environment';
import { personsCsv, schemeReportFile } from '../../schemes/scheme-report';
import { SchemeReport, SchemesService } from '../../schemes/schemes.service';
import { cliActor, withApp } from '../app-context';

const int = (v: string): number => {
  if (!/^\d{4}$/.test(v)) throw new InvalidArgumentError('a year such as 2024');
  return Number(v);
};

/** Writes a run's report files (JSON, CSV, XLSX) and, for a per-head scheme, its persons as CSV; returns their paths. */
async function writeReports(s: SchemesService, r: SchemeReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const format of ['json', 'csv', 'xlsx'] as const) {
    const file = await schemeReportFile(r, format);
    paths.push(join(dir, file.name));
    await writeFile(paths[paths.length - 1], file.body);
  }
  const persons = join(dir, `scheme-${r.run.scheme}-${r.run.region}-${r.run.year}-${r.run.status}-persons.csv`);
  const out = createWriteStream(persons);
  let any = false;
  for await (const text of personsCsv(await s.persons(r.run.id, null, null))) {
    any = true;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  if (any) paths.push(persons);
  else await rm(persons);
  return paths;
}

/** One line per provider: what a user checks first. */
function summary(r: SchemeReport): string {
  const lines = [
    `${r.run.scheme} ${r.run.region} ${r.run.year}: run ${r.run.id} (${r.run.status}), ${r.providers.length} provider(s), inputs ${r.run.inputsHash.slice(0, 12)}`,
  ];
  for (const p of r.providers) lines.push(`  ${p.provider} ${p.name}`);
  return lines.join('\n');
}

/** `dip scheme list | policy | import | run | finalise | report`: the schemes besides DIP (SCHEMES.md), the same use cases as /api/v1/schemes. */
export function registerScheme(program: Command): void {
  const scheme = program.command('scheme').description("The payment schemes besides DIP (SCHEMES.md); 'dip scheme list' names them");

  scheme
    .command('list')
    .description('The schemes and their input tables')
    .action(async () => {
      const defs = await withApp(async (app) => app.get(SchemesService).definitions());
      for (const d of defs) {
        process.stdout.write(`${d.id}  ${d.title} (seed ${d.seed})\n`);
        for (const t of d.tables)
          process.stdout.write(
            `  ${t.name}${t.required ? '' : ' (optional)'}: ${t.columns.map((c) => `${c.name}:${c.kind}${c.required ? '' : '?'}`).join(', ')}\n`,
          );
      }
    });

  scheme
    .command('policy')
    .description("Give a year's policy of a scheme (a JSON file; its region and year are inside)")
    .argument('<scheme>')
    .argument('<file>')
    .action(async (id: string, file: string) => {
      const r = await withApp(async (app) => {
        const { text } = await readText(createReadStream(file), app.get(Environment).MAX_UPLOAD_BYTES);
        return app.get(SchemesService).givePolicy(id, JSON.parse(text) as unknown, cliActor(), null);
      });
      process.stdout.write(`policy ${r.hash} for ${r.policy.region} ${r.policy.year}\n`);
    });

  scheme
    .command('import')
    .description('Import one input table of a year from a CSV file (header = column names) or a JSON array (.json); all or nothing')
    .argument('<scheme>')
    .argument('<table>')
    .argument('<file>')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'the scheme year', int)
    .action(async (id: string, table: string, file: string, o: { region: string; year: number }) => {
      const r = await withApp(async (app) => {
        const s = app.get(SchemesService);
        if (!file.endsWith('.json')) return s.importCsv(id, table, o.region, o.year, createReadStream(file), cliActor());
        const { text } = await readText(createReadStream(file), app.get(Environment).MAX_UPLOAD_BYTES);
        let rows: unknown;
        try {
          rows = JSON.parse(text);
        } catch (e) {
          throw badRequest('bad-json', `${file} is not JSON: ${(e as Error).message}`);
        }
        if (!Array.isArray(rows)) throw badRequest('bad-body', `${file} must hold a JSON array of rows`);
        return s.importRows(id, table, o.region, o.year, rows, cliActor());
      });
      process.stdout.write(`${r.table}: ${r.rows} row(s), sha256 ${r.sha256}${r.replaced ? `, replacing ${r.replaced}` : ''}\n`);
    });

  scheme
    .command('withdraw')
    .description('Withdraw an input table of a year: the next run does without it (audited)')
    .argument('<scheme>')
    .argument('<table>')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'the scheme year', int)
    .action(async (id: string, table: string, o: { region: string; year: number }) => {
      const r = await withApp((app) => app.get(SchemesService).withdrawInput(id, table, o.region, o.year, cliActor()));
      process.stdout.write(`${r.table}: import ${r.withdrawn} withdrawn\n`);
    });

  scheme
    .command('run')
    .description("Run a scheme's year on its current inputs and policy; stored as the year's draft; writes the report files")
    .argument('<scheme>')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'the scheme year', int)
    .option('--json', 'print the report as JSON', false)
    .option('--out <dir>', 'write the report files (JSON, CSV, XLSX) here', 'data/reports')
    .action(async (id: string, o: { region: string; year: number; json: boolean; out: string }) => {
      const { r, files } = await withApp(async (app) => {
        const s = app.get(SchemesService);
        const run = await s.run(id, o.region, o.year, cliActor());
        return { r: run, files: await writeReports(s, run, o.out) };
      });
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `${summary(r)}\nreport files: ${files.join(', ')}\n`);
    });

  scheme
    .command('finalise')
    .description("Freeze a run's year (audited)")
    .argument('<id>')
    .action(async (id: string) => {
      const r = await withApp((app) => app.get(SchemesService).finalise(id, cliActor(), null));
      process.stdout.write(`${r.run.scheme} ${r.run.region} ${r.run.year}: run ${r.run.id} ${r.run.status}\n`);
    });

  scheme
    .command('report')
    .description("Write a run's report files (JSON, CSV, XLSX)")
    .argument('<id>')
    .option('--out <dir>', 'folder', 'data/reports')
    .action(async (id: string, o: { out: string }) => {
      const files = await withApp(async (app) => {
        const s = app.get(SchemesService);
        return writeReports(s, await s.report(id, null), o.out);
      });
      process.stdout.write(`${files.join('\n')}\n`);
    });
}
