import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { Role } from '../domain/access';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';
import { SessionCache } from './session-cache';

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  region: string;
  hospital: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

const userOfRow = (r: Record<string, unknown>): UserRow => ({
  id: String(r.id),
  username: String(r.username),
  role: r.role as Role,
  region: String(r.region_code),
  hospital: r.hospital_code === null ? null : String(r.hospital_code),
  active: Number(r.active) === 1 || r.active === true,
  createdBy: String(r.created_by),
  createdAt: fromSqlDatetime(r.created_at),
});

/**
 * Users (`app_user`) and their sessions (`auth_session`). Every revocation goes through here and
 * empties this process's cache of checked tokens for that session or user (session-cache.ts), once
 * written (and also when the write failed: forgetting is always safe).
 */
@Injectable()
export class UsersStore {
  constructor(
    private readonly db: DatabaseService,
    private readonly sessions: SessionCache,
  ) {}

  /** Creates a user (audited, without the hash); false when the username is taken. */
  create(u: Omit<UserRow, 'createdAt' | 'active'>, passwordHash: string): Promise<boolean> {
    return this.db.transaction(function* (): Generator<Statement, boolean, StatementResult> {
      const taken = (yield { sql: 'SELECT id FROM app_user WHERE username = ?', params: [u.username] }).rows.length > 0;
      if (taken) return false;
      const at = new Date();
      yield {
        sql: 'INSERT INTO app_user (id, username, password_hash, role, region_code, hospital_code, active, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [u.id, u.username, passwordHash, u.role, u.region, u.hospital, true, u.createdBy.slice(0, 100), at],
      };
      yield auditStatement({
        at,
        actor: u.createdBy,
        action: 'user.create',
        entity: 'user',
        entityId: u.username,
        before: null,
        after: { role: u.role, region: u.region, hospital: u.hospital },
      });
      return true;
    });
  }

  /** The user and password hash of a username, or null. */
  async byUsername(username: string): Promise<{ user: UserRow; passwordHash: string } | null> {
    const r = (await this.db.execute('SELECT * FROM app_user WHERE username = ?', [username])).rows[0];
    return r ? { user: userOfRow(r), passwordHash: String(r.password_hash) } : null;
  }

  async byId(id: string): Promise<UserRow | null> {
    const r = (await this.db.execute('SELECT * FROM app_user WHERE id = ?', [id])).rows[0];
    return r ? userOfRow(r) : null;
  }

  async inRegion(region: string): Promise<UserRow[]> {
    const { rows } = await this.db.execute('SELECT * FROM app_user WHERE region_code = ? ORDER BY username', [region]);
    return rows.map(userOfRow);
  }

  /** Deactivates a user and revokes every session of theirs (audited). */
  async deactivate(id: string, actor: string): Promise<void> {
    try {
      await this.deactivateStatements(id, actor);
    } finally {
      this.sessions.forgetUser(id);
    }
  }

  private deactivateStatements(id: string, actor: string): Promise<void> {
    return this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const at = new Date();
      const r = (yield { sql: 'SELECT username FROM app_user WHERE id = ?', params: [id] }).rows[0];
      yield { sql: 'UPDATE app_user SET active = ? WHERE id = ?', params: [false, id] };
      yield { sql: 'UPDATE auth_session SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', params: [at, id] };
      yield auditStatement({
        at,
        actor,
        action: 'user.deactivate',
        entity: 'user',
        entityId: String(r?.username ?? id),
        before: { active: true },
        after: { active: false },
      });
    });
  }

  async openSession(id: string, userId: string, refreshHash: string, expiresAt: Date): Promise<void> {
    await this.db.execute('INSERT INTO auth_session (id, user_id, refresh_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?)', [
      id,
      userId,
      refreshHash,
      expiresAt,
      new Date(),
    ]);
  }

  /** A session that is neither revoked nor expired, with its refresh hash; null otherwise. */
  async liveSession(id: string): Promise<{ userId: string; refreshHash: string } | null> {
    const r = (
      await this.db.execute('SELECT user_id, refresh_hash FROM auth_session WHERE id = ? AND revoked_at IS NULL AND expires_at > ?', [
        id,
        new Date(),
      ])
    ).rows[0];
    return r ? { userId: String(r.user_id), refreshHash: String(r.refresh_hash) } : null;
  }

  /** Replaces a live session's refresh hash (rotation); false when the old one no longer matches. */
  async rotate(id: string, oldHash: string, newHash: string, expiresAt: Date): Promise<boolean> {
    return (
      (
        await this.db.execute(
          'UPDATE auth_session SET refresh_hash = ?, expires_at = ? WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL',
          [newHash, expiresAt, id, oldHash],
        )
      ).affected === 1
    );
  }

  async revoke(id: string): Promise<void> {
    try {
      await this.db.execute('UPDATE auth_session SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date(), id]);
    } finally {
      this.sessions.forgetSession(id);
    }
  }

  /** The key that signs access tokens (made by the identity migration). */
  async signingKey(): Promise<string> {
    return String((await this.db.execute(`SELECT secret FROM auth_key WHERE id = 'access-token'`)).rows[0].secret);
  }
}
