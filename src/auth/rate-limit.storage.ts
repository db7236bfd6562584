import { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  endsAt: number;
  hits: number;
  blockedUntil: number;
}

/**
 * The rate limits' counts in memory, a fixed window per key: O(1) a request. The throttler's own
 * storage keeps one timestamp per hit and filters them all on every request, so that a user at
 * its limit costs O(limit) each time (measured: 15 % of the server's CPU under bench:api). A
 * fixed window lets a client make up to twice the limit across a window's edge; a limit is a
 * guard against floods, not a quota, so that is accepted. A key over its limit is refused for
 * `blockDuration` (the throttler's default: the window's length).
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  constructor() {
    // Unreferenced: the sweep never keeps a process (a CLI command, a test) alive.
    setInterval(() => this.sweep(Date.now()), 60_000).unref();
  }

  // The throttler name is part of the key the guard makes; it needs no count of its own here.
  increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let w = this.windows.get(key);
    // A window ends at its end, or, when its key was blocked, when the block ends.
    if (!w || (now >= w.endsAt && now >= w.blockedUntil)) this.windows.set(key, (w = { endsAt: now + ttl, hits: 0, blockedUntil: 0 }));
    if (now >= w.blockedUntil) {
      w.hits++;
      if (w.hits > limit) w.blockedUntil = now + blockDuration;
    }
    const isBlocked = now < w.blockedUntil;
    return Promise.resolve({
      totalHits: w.hits,
      timeToExpire: Math.max(0, Math.ceil((w.endsAt - now) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((w.blockedUntil - now) / 1000) : 0,
    });
  }

  /** Forgets windows that have ended, so that memory follows the active keys. */
  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.endsAt && now >= w.blockedUntil) this.windows.delete(key);
  }
}
