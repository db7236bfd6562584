import { Principal } from '../domain/access';

/**
 * How long this process trusts a bearer token it has checked (signature, expiry, live session)
 * without checking it again. A revocation made by THIS process (logout, a reused refresh token, a
 * deactivated user) drops the cached tokens of that session or user at once; one made by another
 * process (a second server, the CLI's `dip users deactivate`) is seen here up to this long later.
 */
export const SESSION_CACHE_MS = 5_000;
/** Tokens kept at most (a token is ~0.4 kB): past it, the oldest entry makes room. */
export const SESSION_CACHE_ENTRIES = 10_000;

export type SessionPrincipal = Readonly<Principal & { sessionId: string }>;

interface Entry {
  principal: SessionPrincipal;
  /** Date.now() after which the token is checked again: ≤ its expiry, ≤ SESSION_CACHE_MS after the check. */
  until: number;
}

/**
 * The access guard's short memory of tokens that passed every check, keyed by the token itself
 * (so a hit is the very string that was verified, and the signature needs no new check): under
 * load a client sends the same token again and again, and each check was a JWT verification and
 * a database read. Only checked tokens enter, so bad tokens cannot fill it. One per process
 * (auth.module.ts provides it to the auth service, which reads it, and to the users' store, whose
 * revocations empty it).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * Counts the revocations seen. A check that started before a revocation may have read the
   * session while it was still live: its answer stands for its own request, but is not cached.
   */
  private revocations = 0;

  constructor(
    private readonly maxAgeMs = SESSION_CACHE_MS,
    private readonly maxEntries = SESSION_CACHE_ENTRIES,
  ) {}

  /** The principal of a token checked less than maxAgeMs ago and not expired, or undefined. */
  get(token: string, now: number): SessionPrincipal | undefined {
    const e = this.entries.get(token);
    if (e === undefined) return undefined;
    if (now < e.until) return e.principal;
    this.entries.delete(token);
    return undefined;
  }

  /** Taken before a check begins; given back to `put` when it succeeded. */
  mark(): number {
    return this.revocations;
  }

  /** Keeps a token that passed its checks at `now`, at most until `expiresAt` (ms), unless a revocation came meanwhile. */
  put(token: string, principal: SessionPrincipal, now: number, expiresAt: number, mark: number): void {
    if (mark !== this.revocations) return;
    // An age of 0 (caching off) or an expired token gives nothing to keep.
    const until = Math.min(now + this.maxAgeMs, expiresAt);
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      // Map keeps insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { principal, until });
  }

  /** A session was revoked (logout, reused refresh token): its tokens are checked again from now on. */
  forgetSession(sessionId: string): void {
    this.revocations++;
    for (const [token, e] of this.entries) if (e.principal.sessionId === sessionId) this.entries.delete(token);
  }

  /** A user was deactivated (every session of theirs revoked). */
  forgetUser(userId: string): void {
    this.revocations++;
    for (const [token, e] of this.entries) if (e.principal.userId === userId) this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
