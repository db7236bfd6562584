import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal, requireAgencyOf, Role, ROLES } from '../domain/access';
import { conflict, invalid, notFound, Problem } from '../domain/errors';
import { HospitalsService } from '../hospitals/hospitals.service';
import { hashPassword } from './auth.service';
import { UserRow, UsersStore } from './users.store';

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  /** An agency user's region. */
  region?: string;
  /** A hospital user's hospital, an expert's affiliation. */
  hospital?: string;
}

const USERNAME = /^[A-Za-z0-9._-]{3,64}$/;
const MIN_PASSWORD = 12;

/** Users of the service: the CLI makes the first agency user of a region; agency users make the rest of theirs. */
@Injectable()
export class UsersService {
  constructor(
    private readonly store: UsersStore,
    private readonly hospitals: HospitalsService,
  ) {}

  /**
   * Creates a user. `by` is the agency user who asks (only for their region), or the CLI's
   * operator (`null`). A hospital or expert user takes the region of their hospital.
   */
  async create(u: NewUser, by: Principal | null, actor: string): Promise<UserRow> {
    const problems: Problem[] = [];
    if (!USERNAME.test(u.username ?? '')) problems.push({ field: 'username', reason: 'must be 3–64 letters, digits, ".", "_" or "-"' });
    if (typeof u.password !== 'string' || u.password.length < MIN_PASSWORD || u.password.length > 256)
      problems.push({ field: 'password', reason: `must be ${MIN_PASSWORD}–256 characters` });
    if (!ROLES.includes(u.role)) problems.push({ field: 'role', reason: `must be one of ${ROLES.join(', ')}` });
    let region = u.region ?? '';
    let hospital: string | null = null;
    if (u.role === 'agency') {
      if (!/^\d{6}$/.test(region)) problems.push({ field: 'region', reason: 'an agency user needs a 6-digit region' });
    } else if (ROLES.includes(u.role)) {
      const h = u.hospital ? await this.hospitals.get(u.hospital) : null;
      if (!h) problems.push({ field: 'hospital', reason: `a ${u.role} user needs a registered hospital` });
      else [region, hospital] = [h.region, h.code];
    }
    if (problems.length > 0) throw invalid('invalid-user', 'the user cannot be created', problems);
    if (by) requireAgencyOf(by, region);
    const row = { id: randomUUID(), username: u.username, role: u.role, region, hospital, createdBy: actor };
    if (!(await this.store.create(row, await hashPassword(u.password))))
      throw conflict('username-taken', `the username ${u.username} is taken`);
    return (await this.store.byId(row.id))!;
  }

  /** The experts of a region (active ones, unless asked): who may sit on special-case panels. */
  async experts(region: string, opts: { inactiveToo?: boolean } = {}): Promise<UserRow[]> {
    return (await this.store.inRegion(region)).filter((u) => u.role === 'expert' && (u.active || opts.inactiveToo));
  }

  /** The users of the asking agency user's region. */

  list(by: Principal): Promise<UserRow[]> {
    requireAgencyOf(by, by.region);
    return this.store.inRegion(by.region);
  }

  /** Deactivates a user of the asking agency user's region; their sessions end at once. */
  async deactivate(id: string, by: Principal, actor: string): Promise<UserRow> {
    const user = await this.store.byId(id);
    if (!user || user.region !== by.region) throw notFound('unknown-user', `no user ${id}`);
    requireAgencyOf(by, user.region);
    await this.store.deactivate(id, actor);
    return (await this.store.byId(id))!;
  }
}
