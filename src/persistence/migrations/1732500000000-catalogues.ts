import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { MONEY_COLUMN } from '../../domain/money';
import { columnKit } from './1732400000000-foundation';

/**
 * Policies (by content hash), catalogue versions with their groups, the active version per
 * region and year, and jobs (long-running work with progress, started over HTTP or the CLI).
 */
export class Catalogues1732500000000 implements MigrationInterface {
  name = 'Catalogues1732500000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'policy',
        columns: [
          k.str('hash', 64, { isPrimary: true }),
          k.str('region_code', 6),
          k.int('year'),
          k.str('name', 300),
          k.text('document'),
          k.str('created_by', 100),
          k.datetime('created_at'),
        ],
        indices: [{ name: 'ix_policy_region_year', columnNames: ['region_code', 'year'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'catalogue',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('region_code', 6),
          k.int('year'),
          k.str('window_years', 60),
          k.str('reference_type', 12),
          k.decimal('reference_cost', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          k.decimal('cost_per_point', 20, 6),
          k.decimal('pv_budget', 20, 6),
          k.str('hash', 64),
          k.str('policy_hash', 64, { isNullable: true }),
          k.str('source', 10),
          k.int('core_groups'),
          k.int('composite_groups'),
          k.str('created_by', 100),
          k.datetime('created_at'),
        ],
        indices: [{ name: 'uq_catalogue_region_year_hash', columnNames: ['region_code', 'year', 'hash'], isUnique: true }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'catalogue_group',
        columns: [
          k.str('catalogue_id', 36, { isPrimary: true }),
          k.str('group_key', 200, { isPrimary: true }),
          k.str('code', 200),
          k.str('kind', 10),
          k.str('category', 3, { isNullable: true }),
          k.str('treatment_type', 12),
          k.str('procedures', 200),
          k.int('cases'),
          k.decimal('avg_cost', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          k.decimal('score', 18, 4),
          k.decimal('aux2', 10, 4, { isNullable: true }),
          k.decimal('aux3', 10, 4, { isNullable: true }),
          k.decimal('aux4', 10, 4, { isNullable: true }),
          k.str('flags', 60),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'catalogue_activation',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          { ...k.int('year'), isPrimary: true },
          k.str('catalogue_id', 36),
          k.str('activated_by', 100),
          k.datetime('activated_at'),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'job',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('kind', 40),
          k.str('region_code', 6, { isNullable: true }),
          k.text('params'),
          k.str('status', 12),
          k.str('stage', 60, { isNullable: true }),
          k.int('progress_done', { default: 0 }),
          k.int('progress_total', { isNullable: true }),
          k.text('result', { isNullable: true }),
          k.text('error', { isNullable: true }),
          k.str('actor', 100),
          k.datetime('created_at'),
          k.datetime('heartbeat_at'),
          k.datetime('finished_at', { isNullable: true }),
        ],
        indices: [{ name: 'ix_job_status', columnNames: ['status'] }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['job', 'catalogue_activation', 'catalogue_group', 'catalogue', 'policy']) await qr.dropTable(t);
  }
}
