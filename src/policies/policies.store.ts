import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { Policy } from '../domain/policy';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

/** Policies (`policy`), stored once per content hash. */
@Injectable()
export class PoliciesStore {
  constructor(private readonly db: DatabaseService) {}

  /** Stores a policy under its hash unless it is stored already (audited when new). */
  async save(policy: Policy, hash: string, actor: string): Promise<void> {
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const exists = (yield { sql: 'SELECT hash FROM policy WHERE hash = ?', params: [hash] }).rows.length > 0;
      if (exists) return;
      const at = new Date();
      yield {
        sql: 'INSERT INTO policy (hash, region_code, year, name, document, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        params: [hash, policy.region, policy.year, policy.name.slice(0, 300), JSON.stringify(policy), actor, at],
      };
      yield auditStatement({
        at,
        actor,
        action: 'policy.create',
        entity: 'policy',
        entityId: hash,
        before: null,
        after: { region: policy.region, year: policy.year, name: policy.name },
      });
    });
  }

  async get(hash: string): Promise<Policy | null> {
    const row = (await this.db.execute('SELECT document FROM policy WHERE hash = ?', [hash])).rows[0];
    return row ? (JSON.parse(String(row.document)) as Policy) : null;
  }

  /** The latest stored policy of a region and year. */
  async latest(region: string, year: number): Promise<Policy | null> {
    const row = (
      await this.db.execute('SELECT document FROM policy WHERE region_code = ? AND year = ? ORDER BY created_at DESC LIMIT 1', [
        region,
        year,
      ])
    ).rows[0];
    return row ? (JSON.parse(String(row.document)) as Policy) : null;
  }
}
