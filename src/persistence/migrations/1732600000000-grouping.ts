import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/**
 * Grouping runs (spec §5–§7 over a region's stored cases of a period) and their per-case
 * results. A run is immutable: it names the catalogue, policy and engine setup it came from, and
 * its rows appear together with it (one transaction) or not at all. Settlement reads them.
 */
export class Grouping1732600000000 implements MigrationInterface {
  name = 'Grouping1732600000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'grouping_run',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('region_code', 6),
          k.str('period_from', 7),
          k.str('period_to', 7),
          k.str('catalogue_id', 36),
          k.str('policy_hash', 64),
          k.str('engine_hash', 64),
          k.int('cases'),
          k.int('no_score_cases'),
          k.int('special_review_cases'),
          k.decimal('points', 24, 4),
          k.str('created_by', 100),
          k.datetime('created_at'),
        ],
        indices: [{ name: 'ix_grouping_run_region_period', columnNames: ['region_code', 'period_from', 'period_to'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'case_result',
        columns: [
          k.str('run_id', 36, { isPrimary: true }),
          k.str('case_id', 64, { isPrimary: true }),
          k.str('hospital_code', 32),
          k.str('group_code', 200, { isNullable: true }),
          k.str('group_key', 200, { isNullable: true }),
          k.str('kind', 10, { isNullable: true }),
          k.str('rule', 20),
          k.str('case_key', 200, { isNullable: true }),
          k.str('treatment_type', 12),
          k.str('tie_break', 20, { isNullable: true }),
          // Score, factor and coefficient as the catalogue and policy write them (the explanation).
          k.str('score', 40, { isNullable: true }),
          k.str('aux_factor', 40, { isNullable: true }),
          { name: 'severity_class', type: 'smallint' },
          k.str('coefficient', 40),
          k.decimal('ratio', 20, 4, { isNullable: true }),
          k.str('outlier', 12),
          k.decimal('points', 20, 4),
          { name: 'special_review', type: 'smallint' },
        ],
        indices: [{ name: 'ix_case_result_hospital', columnNames: ['run_id', 'hospital_code'] }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['case_result', 'grouping_run']) await qr.dropTable(t);
  }
}
