import { Command, Option } from 'commander';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { CatalogueService } from '../../catalogue/catalogue.service';
import { CatalogueStore } from '../../catalogue/catalogue.store';
import { Environment } from '../../config/environment';
import { parseJson, readTextFile } from '../../io/text-input';
import { cliActor, withApp, withProgress } from '../app-context';

/** `dip catalog build | export | import | activate`. */
export function registerCatalogue(program: Command): void {
  const catalogue = program.command('catalog').description('DIP catalogues (病种目录库): build from history, exchange, activate');

  catalogue
    .command('build')
    .description('Build the catalogue of a region for a settlement year from the stored cases of the look-back years')
    .requiredOption('--region <region>', '6-digit region code')
    .requiredOption('--year <year>', 'settlement year', (v) => Number.parseInt(v, 10))
    .option('--policy <file>', 'policy file (spec §10); default: the stored or shipped policy')
    .option('--json', 'print the outcome as JSON', false)
    .action(async (o: { region: string; year: number; policy?: string; json: boolean }) => {
      const outcome = await withApp(async (app) => {
        const doc = o.policy
          ? parseJson((await readTextFile(o.policy, app.get(Environment).MAX_UPLOAD_BYTES)).text, 'invalid-policy', o.policy)
          : undefined;
        return withProgress((observer) => app.get(CatalogueService).startBuild(o.region, o.year, doc, cliActor(), observer));
      });
      if (o.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      else
        process.stdout.write(
          `catalogue ${outcome.catalogueId}${outcome.created ? '' : ' (already stored: same content)'}: ${outcome.cases} cases → ${outcome.coreGroups} core + ${outcome.compositeGroups} composite groups; pvBudget ${outcome.pvBudget}; hash ${outcome.hash}\n`,
        );
    });

  catalogue
    .command('export')
    .description('Write a catalogue in the exchange format')
    .argument('<id>')
    .addOption(new Option('--format <format>', 'json or csv').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (id: string, o: { format: 'json' | 'csv'; out?: string }) => {
      const file = await withApp((app) => app.get(CatalogueService).exportFile(id, o.format));
      if (o.out) await writeFile(o.out, file.text);
      else process.stdout.write(file.text);
    });

  catalogue
    .command('import')
    .description('Store an official catalogue given in the exchange format (.json or .csv)')
    .argument('<file>')
    .action(async (file: string) => {
      const r = await withApp((app) =>
        app.get(CatalogueService).importFile(createReadStream(file), /\.csv$/i.test(file) ? 'csv' : 'json', cliActor()),
      );
      process.stdout.write(
        `catalogue ${r.catalogueId}${r.created ? '' : ' (already stored: same content)'}: ${r.groups} groups, hash ${r.hash}\n`,
      );
    });

  catalogue
    .command('activate')
    .description('Make a catalogue version the active one of its region and year')
    .argument('<id>')
    .action(async (id: string) => {
      const m = await withApp((app) => app.get(CatalogueStore).activate(id, cliActor()));
      process.stdout.write(`catalogue ${m.id} is now active for ${m.region} / ${m.year}\n`);
    });
}
