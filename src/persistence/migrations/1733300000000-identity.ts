import { randomBytes } from 'node:crypto';
import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/**
 * Users (`app_user`: role and scope, argon2id password hash), their sessions (`auth_session`:
 * the sha256 of the refresh token; revoked on logout), the key that signs access tokens
 * (`auth_key`, made here so that every process of one database shares it), and the region of an
 * import batch (the scope an agency user sees it in).
 */
export class Identity1733300000000 implements MigrationInterface {
  name = 'Identity1733300000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'app_user',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('username', 64),
          k.str('password_hash', 200),
          k.str('role', 10),
          k.str('region_code', 6),
          k.str('hospital_code', 32, { isNullable: true }),
          k.bool('active', { default: true }),
          k.str('created_by', 100),
          k.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_app_user_username', columnNames: ['username'], isUnique: true },
          { name: 'ix_app_user_region', columnNames: ['region_code'] },
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'auth_session',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('user_id', 36),
          k.str('refresh_hash', 64),
          k.datetime('expires_at'),
          k.datetime('revoked_at', { isNullable: true }),
          k.datetime('created_at'),
        ],
        indices: [{ name: 'ix_auth_session_user', columnNames: ['user_id'] }],
      }),
    );
    await qr.createTable(new Table({ name: 'auth_key', columns: [k.str('id', 20, { isPrimary: true }), k.str('secret', 128)] }));
    await qr.query('INSERT INTO auth_key (id, secret) VALUES (?, ?)', ['access-token', randomBytes(48).toString('base64')]);
    await qr.addColumn('import_batch', new TableColumn(k.str('region_code', 6, { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('import_batch', 'region_code');
    for (const t of ['auth_key', 'auth_session', 'app_user']) await qr.dropTable(t);
  }
}
