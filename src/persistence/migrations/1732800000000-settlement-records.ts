import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { MONEY_COLUMN } from '../../domain/money';
import { columnKit } from './1732400000000-foundation';

/**
 * What the agency records for the annual settlement (spec §8.1, §8.4): the budget lines'
 * actual spending, hospitals' assessment scores, violation deductions and revolving-fund advances.
 */
export class SettlementRecords1732800000000 implements MigrationInterface {
  name = 'SettlementRecords1732800000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    const who = [k.str('recorded_by', 100), k.datetime('recorded_at')];
    await qr.createTable(
      new Table({
        name: 'budget_actual',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          { ...k.int('year'), isPrimary: true },
          k.str('pool', 10, { isPrimary: true }),
          k.str('line', 30, { isPrimary: true }),
          k.decimal('amount', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          ...who,
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'assessment',
        columns: [{ ...k.int('year'), isPrimary: true }, k.str('hospital_code', 32, { isPrimary: true }), k.decimal('score', 5, 4), ...who],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'violation_deduction',
        columns: [
          k.bigId(),
          { ...k.int('year') },
          k.str('pool', 10),
          k.str('hospital_code', 32),
          k.decimal('amount', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          k.str('reason', 500),
          ...who,
        ],
        indices: [{ name: 'ix_violation_year_hospital', columnNames: ['year', 'hospital_code'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'revolving_fund',
        columns: [
          { ...k.int('year'), isPrimary: true },
          k.str('pool', 10, { isPrimary: true }),
          k.str('hospital_code', 32, { isPrimary: true }),
          k.decimal('amount', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
          ...who,
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['revolving_fund', 'violation_deduction', 'assessment', 'budget_actual']) await qr.dropTable(t);
  }
}
