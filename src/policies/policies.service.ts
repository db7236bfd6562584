import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOGS_DIR } from '../config/catalogs';
import { invalid, notFound } from '../domain/errors';
import { parsePolicy, Policy, policyHash } from '../domain/policy';
import { PoliciesStore } from './policies.store';

/** A policy with its content hash: what a run records it was computed with. */
export interface ResolvedPolicy {
  policy: Policy;
  hash: string;
}

/**
 * Region policies (spec §10), stored by content hash: a catalogue or a settlement records the
 * hash of the policy it was computed with, and that policy can always be read back. A run
 * resolves its policy once and passes it down.
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly store: PoliciesStore) {}

  /** Stores a policy (once per content) and returns its hash. */
  async save(policy: Policy, actor: string): Promise<string> {
    const hash = policyHash(policy);
    await this.store.save(policy, hash, actor);
    return hash;
  }

  get(hash: string): Promise<Policy | null> {
    return this.store.get(hash);
  }

  /**
   * The policy for a region and year: the one given (validated, stored on the way), else the
   * latest stored one, else the file the product ships (catalogs/policies/<region>-<year>.json).
   */
  async resolve(region: string, year: number, actor: string, given?: unknown): Promise<ResolvedPolicy> {
    let policy: Policy | null = given !== undefined ? parsePolicy(given) : await this.store.latest(region, year);
    if (!policy) {
      const text = await readFile(join(CATALOGS_DIR, 'policies', `${region}-${year}.json`), 'utf8').catch(() => null);
      if (text === null)
        throw notFound(
          'no-policy',
          `no policy for region ${region} and year ${year}: give one when building the year's catalogue (dip catalog build --policy FILE, or "policy" in POST /api/v1/catalogs)`,
        );
      policy = parsePolicy(JSON.parse(text));
    }
    if (policy.region !== region || policy.year !== year)
      throw invalid('policy-mismatch', `the policy is for region ${policy.region}, year ${policy.year}; asked for ${region}, ${year}`);
    return { policy, hash: await this.save(policy, actor) };
  }
}
