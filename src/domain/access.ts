/**
 * Who may see what (issue 12). Three roles, each with one scope:
 * - `agency`: one region, everything in it;
 * - `hospital`: one hospital, only its own cases, results, summaries and projections;
 * - `expert`: an affiliation hospital; sees only the special cases assigned to them.
 * Pure rules: the HTTP guard checks the role a route allows, the services check the scope of
 * the thing asked for with these functions. A thing outside a hospital's scope is answered as
 * if it did not exist (not-found), so that its existence is not revealed.
 */
import { DipError } from './errors';

export const ROLES = ['agency', 'hospital', 'expert'] as const;
export type Role = (typeof ROLES)[number];

/** The user a request acts for, as its access token says. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** The region of an agency user, and of a hospital or expert user's hospital. */
  region: string;
  /** The hospital of a hospital user, the affiliation of an expert; null for an agency user. */
  hospital: string | null;
}

/** What the audit log and import batches record as the actor. */
export const actorOf = (p: Principal): string => `${p.role}:${p.username}`;

export const forbidden = (message: string) => new DipError('forbidden', 'forbidden', message);

/** An agency user of `region`; anyone else is refused (403). */
export function requireAgencyOf(p: Principal, region: string): void {
  if (p.role !== 'agency' || p.region !== region) throw forbidden(`region ${region} is outside ${actorOf(p)}'s scope`);
}

/** A user of `region` (agency or hospital): its published things (code tables, catalogues, point values). */
export function requireRegion(p: Principal, region: string): void {
  if (!seesRegion(p, region)) throw forbidden(`region ${region} is outside ${actorOf(p)}'s scope`);
}

/** Whether the principal may see things of `region` at all (an agency user of it, or a hospital of it). */
export const seesRegion = (p: Principal, region: string): boolean => p.region === region && p.role !== 'expert';

/** Whether the principal may see the figures of hospital `code` of `region`. */
export const seesHospital = (p: Principal, code: string, region: string): boolean =>
  p.role === 'agency' ? p.region === region : p.role === 'hospital' && p.hospital === code;
