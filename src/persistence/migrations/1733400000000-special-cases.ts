import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/**
 * Special cases (spec §9, issue 13): the hospitals' applications (`special_case`), the experts
 * on each round's panel with their votes (`special_case_panel`), and one row per region and
 * year (`special_case_year`) that every change of the year locks first: it serialises the cap
 * check, counts the changes of the approved set (`revision`, which the annual settlement draft
 * records and its finalise compares), and is stamped `locked_at` when that year's annual
 * settlement is finalised.
 */
export class SpecialCases1733400000000 implements MigrationInterface {
  name = 'SpecialCases1733400000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'special_case',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('region_code', 6),
          { name: 'year', type: 'int' },
          k.str('hospital_code', 32),
          k.str('case_id', 64),
          k.str('reason', 20),
          k.text('statement'),
          // A JSON array of evidence references.
          k.text('evidence'),
          // What the check read (the stored result's run, group, rule, ratio, points, LOS, flag), as JSON.
          k.text('facts'),
          k.str('status', 10),
          { name: 'round', type: 'smallint' },
          k.text('appeal_statement', { isNullable: true }),
          k.decimal('approved_points', 20, 4, { isNullable: true }),
          k.str('applied_by', 100),
          k.datetime('applied_at'),
          k.datetime('decided_at', { isNullable: true }),
        ],
        indices: [
          { name: 'ix_special_case_hospital', columnNames: ['region_code', 'year', 'hospital_code'] },
          { name: 'ix_special_case_case', columnNames: ['region_code', 'case_id'] },
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'special_case_panel',
        columns: [
          k.str('application_id', 36, { isPrimary: true }),
          { name: 'round', type: 'smallint', isPrimary: true },
          k.str('expert_id', 36, { isPrimary: true }),
          k.str('assigned_by', 100),
          k.datetime('assigned_at'),
          k.datetime('due_at'),
          k.str('vote', 7, { isNullable: true }),
          k.decimal('points', 20, 4, { isNullable: true }),
          // An approval given as a cost: the cost and the catalogue's cost per point it was converted with.
          k.decimal('cost', 15, 2, { isNullable: true }),
          k.str('cost_per_point', 40, { isNullable: true }),
          k.text('reason', { isNullable: true }),
          k.datetime('voted_at', { isNullable: true }),
        ],
        indices: [{ name: 'ix_special_case_panel_expert', columnNames: ['expert_id'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'special_case_year',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          { name: 'year', type: 'int', isPrimary: true },
          k.int('revision', { default: 0 }),
          k.datetime('locked_at', { isNullable: true }),
          k.str('locked_by', 100, { isNullable: true }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['special_case_year', 'special_case_panel', 'special_case']) await qr.dropTable(t);
  }
}
