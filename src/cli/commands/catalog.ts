import { Command, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { readFile, writeFile } from 'node:fs/promises';
import { CatalogueService } from '../../catalog/catalogue.service';
import { CatalogueStore } from '../../catalog/catalogue.store';
import { PoliciesService } from '../../catalog/policies.service';
import { catalogueToCsv, catalogueToJson } from '../../domain/catalog/exchange';
import { JobInputError, JobProgress } from '../../jobs/jobs.service';
import { cliActor, CliError, explainHttpError, withApp } from '../app-context';

/** `dip catalog build | export | import | activate`. */
export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('DIP catalogues (病种目录库): build from history, exchange, activate');

  catalog
    .command('build')
    .description('Build the catalogue of a region for a settlement year from the stored cases of the look-back years')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'settlement year', (v) => Number.parseInt(v, 10))
    .option('--policy <file>', 'policy file (spec §10); default: the stored or shipped policy')
    .option('--json', 'print the outcome as JSON', false)
    .action(async (o: { region: string; year: number; policy?: string; json: boolean }) => {
      const doc = o.policy ? JSON.parse(await readFile(o.policy, 'utf8')) : undefined;
      const outcome = await explainHttpError(() =>
        withApp(async (app) => {
          const { policy, hash } = await app.get(PoliciesService).resolve(o.region, o.year, cliActor(), doc);
          const bar = process.stderr.isTTY ? new SingleBar({ format: '{stage} {bar} {percentage}% | {value}/{total}', hideCursor: true }, Presets.shades_classic) : null;
          const progress: JobProgress = {
            stage: async (name, total) => {
              bar?.stop();
              bar?.start(total ?? 1, 0, { stage: name });
            },
            advance: async (done) => bar?.update(done),
          };
          try {
            return await app.get(CatalogueService).build(o.region, o.year, policy, hash, cliActor(), progress);
          } catch (err) {
            if (err instanceof JobInputError) throw new CliError(err.message);
            throw err;
          } finally {
            bar?.stop();
          }
        }),
      );
      if (o.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      else
        process.stdout.write(
          `catalogue ${outcome.catalogueId}${outcome.created ? '' : ' (already stored: same content)'}: ${outcome.cases} cases → ${outcome.coreGroups} core + ${outcome.compositeGroups} composite groups; pvBudget ${outcome.pvBudget}; hash ${outcome.hash}\n`,
        );
    });

  catalog
    .command('export')
    .description('Write a catalogue in the exchange format')
    .argument('<id>')
    .addOption(new Option('--format <format>', 'json or csv').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (id: string, o: { format: 'json' | 'csv'; out?: string }) => {
      const text = await explainHttpError(() =>
        withApp(async (app) => {
          const store = app.get(CatalogueStore);
          const meta = await store.meta(id);
          const c = await store.load(id);
          return o.format === 'csv' ? catalogueToCsv(c, id, meta.hash) : `${JSON.stringify(catalogueToJson(c, id, meta.hash), null, 2)}\n`;
        }),
      );
      if (o.out) await writeFile(o.out, text);
      else process.stdout.write(text);
    });

  catalog
    .command('import')
    .description('Store an official catalogue given in the exchange format (.json or .csv)')
    .argument('<file>')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8');
      const r = await explainHttpError(() => withApp((app) => app.get(CatalogueService).import(text, /\.csv$/i.test(file) ? 'csv' : 'json', cliActor())));
      process.stdout.write(`catalogue ${r.catalogueId}${r.created ? '' : ' (already stored: same content)'}: ${r.groups} groups, hash ${r.hash}\n`);
    });

  catalog
    .command('activate')
    .description('Make a catalogue version the active one of its region and year')
    .argument('<id>')
    .action(async (id: string) => {
      const m = await explainHttpError(() => withApp((app) => app.get(CatalogueStore).activate(id, cliActor())));
      process.stdout.write(`catalogue ${m.id} is now active for ${m.region} / ${m.year}\n`);
    });
}
