import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { MONEY_COLUMN } from '../../domain/money';
import { columnKit } from './1732400000000-foundation';

/**
 * Settlement runs (spec §8): one current result per region, kind and period, replaced as a whole
 * by a re-run until it is finalised; the hospital rows of each pool; the lock that lets one run
 * of a period go at a time.
 */
export class Settlement1732700000000 implements MigrationInterface {
  name = 'Settlement1732700000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'settlement_run',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('region_code', 6),
          k.str('kind', 5),
          k.str('period', 7),
          k.str('catalogue_id', 36),
          k.str('policy_hash', 64),
          k.str('grouping_run_id', 36),
          k.str('status', 8),
          k.longText('report'),
          k.str('created_by', 100),
          k.datetime('created_at'),
          k.str('finalised_by', 100, { isNullable: true }),
          k.datetime('finalised_at', { isNullable: true }),
        ],
        indices: [{ name: 'uq_settlement_run_period', columnNames: ['region_code', 'kind', 'period'], isUnique: true }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'settlement_hospital',
        columns: [
          k.str('run_id', 36, { isPrimary: true }),
          k.str('pool', 10, { isPrimary: true }),
          k.str('hospital_code', 32, { isPrimary: true }),
          k.int('cases'),
          k.decimal('points', 24, 4),
          k.decimal('non_fund', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          k.decimal('bookkeeping', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          k.decimal('entitlement', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          // Monthly: the pre-settlement amount; annual: the balance due (negative: repaid).
          k.decimal('amount', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
        ],
        indices: [{ name: 'ix_settlement_hospital', columnNames: ['hospital_code'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'settlement_lock',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          k.str('kind', 5, { isPrimary: true }),
          k.str('period', 7, { isPrimary: true }),
          k.str('run_id', 36),
          k.datetime('heartbeat_at'),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['settlement_lock', 'settlement_hospital', 'settlement_run']) await qr.dropTable(t);
  }
}
