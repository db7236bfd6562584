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
    .option('--accept-unverified', 'accept a file without its content hash for activation and runs as it is (audited)', false)
    .action(async (file: string, o: { acceptUnverified: boolean }) => {
      const r = await withApp((app) =>
        app
          .get(CatalogueService)
          .importFile(createReadStream(file), /\.csv$/i.test(file) ? 'csv' : 'json', cliActor(), { acceptUnverified: o.acceptUnverified }),
      );
      process.stdout.write(
        `catalogue ${r.catalogueId}${r.created ? '' : ' (already stored: same content)'}: ${r.groups} groups, hash ${r.hash}\n`,
      );
      if (r.unverified)
        process.stderr.write(
          r.accepted
            ? `warning: the file has no content hash; the catalogue is unverified, accepted for use as it is\n`
            : `warning: the file has no content hash; the catalogue is stored unverified and cannot be activated or used by a run until accepted (dip catalog activate ${r.catalogueId} --accept-unverified)\n`,
        );
    });

  catalogue
    .command('activate')
    .description('Make a catalogue version the active one of its region and year')
    .argument('<id>')
    .option('--accept-unverified', 'accept a catalogue imported without its content hash as it is (audited)', false)
    .action(async (id: string, o: { acceptUnverified: boolean }) => {
      const m = await withApp((app) => app.get(CatalogueStore).activate(id, cliActor(), { acceptUnverified: o.acceptUnverified }));
      process.stdout.write(`catalogue ${m.id} is now active for ${m.region} / ${m.year}${m.unverified ? ' (unverified, accepted)' : ''}\n`);
    });
}
