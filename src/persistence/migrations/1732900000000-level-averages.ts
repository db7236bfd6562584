import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/** A catalogue group's average cost by hospital level (spec §6.2, `outlierReference: levelAverage`). */
export class LevelAverages1732900000000 implements MigrationInterface {
  name = 'LevelAverages1732900000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    // `L3A_GENERAL=24000.00|L2A_GENERAL=18000.00`: at most seven levels; NULL when none.
    await qr.addColumn('catalogue_group', new TableColumn(k.str('level_avg_cost', 400, { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('catalogue_group', 'level_avg_cost');
  }
}
