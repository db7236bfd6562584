import { Command, Option } from 'commander';
import { createReadStream } from 'node:fs';
import { CodeTablesService } from '../../codes/code-tables.service';
import { CODE_TABLE_KINDS, CodeTableKind } from '../../domain/code-table';
import { HospitalsService } from '../../hospitals/hospitals.service';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '../../config/environment';
import { dataSourceOptions } from '../../persistence/data-source-options';
import { cliActor, withApp } from '../app-context';

/** `dip migrate`, `dip hospitals import`, `dip codes load`: the registers cases depend on. */
export function registerRegistry(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the database schema')
    .action(async () => {
      // The data source alone, not the service (whose start-up reads the schema): this command
      // applies the migrations itself and says which.
      const options = dataSourceOptions(validateEnvironment(process.env));
      const source = await new DataSource(options).initialize();
      try {
        const applied = await source.runMigrations({ transaction: 'each' });
        const engine = options.type === 'mysql' ? 'mysql' : 'sqlite';
        process.stdout.write(
          applied.length === 0
            ? `database (${engine}) is up to date\n`
            : `database (${engine}): applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}\n`,
        );
      } finally {
        await source.destroy();
      }
    });

  program
    .command('hospitals')
    .description('Hospital register')
    .command('import')
    .description('Register or update hospitals from a CSV (code,name,region,level,bonuses) or JSON array file')
    .argument('<file>')
    .action(async (file: string) => {
      const r = await withApp((app) =>
        app.get(HospitalsService).upsertFile(createReadStream(file), /\.json$/i.test(file) ? 'json' : 'csv', cliActor(), null),
      );
      process.stdout.write(`hospitals: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged\n`);
    });

  program
    .command('codes')
    .description('Official code tables')
    .command('load')
    .description('Replace a region\'s code table with a "CODE NAME" (or "CODE TYPE") file')
    .requiredOption('--region <region>', '6-digit region code')
    .addOption(new Option('--kind <kind>', 'table kind').choices(CODE_TABLE_KINDS).makeOptionMandatory())
    .argument('<file>')
    .action(async (file: string, o: { region: string; kind: CodeTableKind }) => {
      const info = await withApp((app) => app.get(CodeTablesService).load(o.region, o.kind, createReadStream(file), file, cliActor()));
      process.stdout.write(`${o.kind} table of ${o.region}: ${info.entries} codes loaded (sha256 ${info.contentHash.slice(0, 12)}…)\n`);
    });
}
