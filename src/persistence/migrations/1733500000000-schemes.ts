import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/**
 * The payment schemes besides DIP (issue 15, `../shared/spec/SCHEMES.md`), all in the same
 * tables, keyed by scheme:
 * - `scheme_policy`: a scheme's policies by content hash (given by the agency; the shipped
 *   file otherwise, stored when first used);
 * - `scheme_input`: every imported input table, with its sha256; a new import of the same table
 *   supersedes the previous one, which stays readable (the runs that used it name it);
 * - `scheme_input_chunk`: its rows, 5,000 to a chunk (a table of a million patients never has to
 *   be one statement or one value);
 * - `scheme_year`: one row per region, scheme and year, locked first by every run and finalise;
 * - `scheme_run`: the draft or final run of a year, with the policy and every input it used;
 * - `scheme_provider`: the figures of each settlement unit of a run, and who may read them;
 * - `scheme_person_chunk`: the per-person figures of the schemes that work per person, by
 *   provider, 5,000 persons to a chunk (a million of them are 200 statements, not a million),
 *   compressed.
 */
export class Schemes1733500000000 implements MigrationInterface {
  name = 'Schemes1733500000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'scheme_policy',
        columns: [
          k.str('hash', 64, { isPrimary: true }),
          k.str('scheme', 20),
          k.str('region_code', 6),
          { name: 'year', type: 'int' },
          k.longText('document'),
          k.str('created_by', 100),
          k.datetime('created_at'),
        ],
        indices: [{ name: 'ix_scheme_policy_year', columnNames: ['scheme', 'region_code', 'year'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_input',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('scheme', 20),
          k.str('region_code', 6),
          { name: 'year', type: 'int' },
          k.str('table_name', 40),
          k.str('sha256', 64),
          k.int('row_count'),
          k.str('source', 4),
          k.str('imported_by', 100),
          k.datetime('imported_at'),
          k.datetime('superseded_at', { isNullable: true }),
        ],
        indices: [{ name: 'ix_scheme_input_year', columnNames: ['scheme', 'region_code', 'year', 'table_name'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_input_chunk',
        columns: [
          k.str('input_id', 36, { isPrimary: true }),
          k.int('seq', { isPrimary: true }),
          // A JSON array of rows, each an array of the table's cells in column order.
          k.longText('data'),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_year',
        columns: [
          k.str('scheme', 20, { isPrimary: true }),
          k.str('region_code', 6, { isPrimary: true }),
          { name: 'year', type: 'int', isPrimary: true },
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_run',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('scheme', 20),
          k.str('region_code', 6),
          { name: 'year', type: 'int' },
          k.str('status', 5),
          k.str('policy_hash', 64),
          // The inputs used: [{ table, inputId, sha256, rows }], and the hash of that list with the policy's.
          k.text('inputs'),
          k.str('inputs_hash', 64),
          k.longText('region_figures'),
          k.str('created_by', 100),
          k.datetime('created_at'),
          k.str('finalised_by', 100, { isNullable: true }),
          k.datetime('finalised_at', { isNullable: true }),
        ],
        indices: [{ name: 'ux_scheme_run_year', columnNames: ['scheme', 'region_code', 'year'], isUnique: true }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_provider',
        columns: [
          k.str('run_id', 36, { isPrimary: true }),
          k.str('provider', 40, { isPrimary: true }),
          k.str('name', 200),
          // A JSON array of the hospital codes whose users may read the row.
          k.text('visible_to'),
          k.longText('figures'),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'scheme_person_chunk',
        columns: [
          k.str('run_id', 36, { isPrimary: true }),
          k.str('provider', 40, { isPrimary: true }),
          k.int('seq', { isPrimary: true }),
          // The chunk's persons and their figures (src/schemes/person-chunks.ts), brotli-compressed:
          // a million persons' figures were most of a run's time to write.
          k.blob('data'),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of [
      'scheme_person_chunk',
      'scheme_provider',
      'scheme_run',
      'scheme_year',
      'scheme_input_chunk',
      'scheme_input',
      'scheme_policy',
    ])
      await qr.dropTable(t);
  }
}
