import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/**
 * Whether a catalogue's content was verified (issue 11): a build, or an import whose `hash`
 * matched its content, is verified; an import without a hash is `unverified` and is not used
 * (activated, or valued with by a run) until someone accepts it explicitly, recorded here and
 * in the audit log. Catalogues stored before this migration count as verified: whether their
 * import carried a hash was not recorded.
 */
export class CatalogueVerification1733010000000 implements MigrationInterface {
  name = 'CatalogueVerification1733010000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.addColumns('catalogue', [
      new TableColumn(k.bool('unverified', { default: false })),
      new TableColumn(k.str('unverified_accepted_by', 100, { isNullable: true })),
      new TableColumn(k.datetime('unverified_accepted_at', { isNullable: true })),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const c of ['unverified_accepted_at', 'unverified_accepted_by', 'unverified']) await qr.dropColumn('catalogue', c);
  }
}
