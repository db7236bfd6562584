import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/** Tables whose running rows belong to a process (liveness/): its `owner`. */
const OWNED = ['job', 'import_batch', 'settlement_lock'];

/**
 * Liveness of the processes that do work (`dip_process`), the owner of each running job,
 * import and settlement lock, and the drafts that later runs replaced (`settlement_replaced`).
 */
export class Liveness1733100000000 implements MigrationInterface {
  name = 'Liveness1733100000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'dip_process',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('host', 255),
          k.int('pid'),
          k.datetime('started_at'),
          k.datetime('heartbeat_at'),
        ],
      }),
    );
    for (const table of OWNED) await qr.addColumn(table, new TableColumn(k.str('owner', 36, { isNullable: true })));
    await qr.createTable(
      new Table({
        name: 'settlement_replaced',
        columns: [
          k.str('run_id', 36, { isPrimary: true }),
          k.str('region_code', 6),
          k.str('kind', 5),
          k.str('period', 7),
          k.str('grouping_run_id', 36),
          k.str('replaced_by', 36),
          k.str('replaced_by_actor', 100),
          k.datetime('replaced_at'),
          // Its grouping run and per-case results are deleted after the replacing transaction; 0 until then.
          k.bool('pruned', { default: false }),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('settlement_replaced');
    for (const table of OWNED) await qr.dropColumn(table, 'owner');
    await qr.dropTable('dip_process');
  }
}
