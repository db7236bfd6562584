import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auditStatement } from '../audit/audit';
import { Policy, PolicyError, parsePolicy, policyHash } from '../domain/policy';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

/** Where the product's own data lives (catalogs/ at the top of the project). */
export const CATALOGS_DIR = join(__dirname, '..', '..', 'catalogs');

/**
 * Region policies (spec §10), stored by content hash: a catalogue or a settlement records the
 * hash of the policy it was computed with, and that policy can always be read back.
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly db: DatabaseService) {}

  /** Validates a policy document; a bad one is a 422 naming every path. */
  parse(doc: unknown): Policy {
    try {
      return parsePolicy(doc);
    } catch (err) {
      if (err instanceof PolicyError) throw new UnprocessableEntityException({ error: 'invalid-policy', message: err.message, problems: err.problems });
      throw err;
    }
  }

  /** Stores a policy (once per content) and returns its hash. */
  async store(policy: Policy, actor: string): Promise<string> {
    const hash = policyHash(policy);
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const exists = (yield { sql: 'SELECT hash FROM policy WHERE hash = ?', params: [hash] }).rows.length > 0;
      if (exists) return;
      const at = new Date();
      yield { sql: 'INSERT INTO policy (hash, region_code, year, name, document, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', params: [hash, policy.region, policy.year, policy.name.slice(0, 300), JSON.stringify(policy), actor, at] };
      yield auditStatement({ at, actor, action: 'policy.create', entity: 'policy', entityId: hash, before: null, after: { region: policy.region, year: policy.year, name: policy.name } });
    });
    return hash;
  }

  async get(hash: string): Promise<Policy | null> {
    const row = (await this.db.execute('SELECT document FROM policy WHERE hash = ?', [hash])).rows[0];
    return row ? (JSON.parse(String(row.document)) as Policy) : null;
  }

  /**
   * The policy for a region and year: the one given (stored on the way), else the latest
   * stored one, else the file the product ships (catalogs/policies/<region>-<year>.json).
   */
  async resolve(region: string, year: number, actor: string, given?: unknown): Promise<{ policy: Policy; hash: string }> {
    let policy: Policy | null = null;
    if (given !== undefined) policy = this.parse(given);
    if (!policy) {
      const row = (await this.db.execute('SELECT document FROM policy WHERE region_code = ? AND year = ? ORDER BY created_at DESC LIMIT 1', [region, year])).rows[0];
      if (row) policy = JSON.parse(String(row.document)) as Policy;
    }
    if (!policy) {
      const file = join(CATALOGS_DIR, 'policies', `${region}-${year}.json`);
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) throw new NotFoundException({ error: 'no-policy', message: `no policy for region ${region} and year ${year}: give one (--policy FILE or "policy" in the request)` });
      policy = this.parse(JSON.parse(text));
    }
    if (policy.region !== region || policy.year !== year) {
      throw new UnprocessableEntityException({ error: 'policy-mismatch', message: `the policy is for region ${policy.region}, year ${policy.year}; asked for ${region}, ${year}` });
    }
    return { policy, hash: await this.store(policy, actor) };
  }
}
