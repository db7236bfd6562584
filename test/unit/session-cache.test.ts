import { SESSION_CACHE_MS, SessionCache, SessionPrincipal } from '../../src/auth/session-cache';

const principal = (userId: string, sessionId: string): SessionPrincipal => ({
  userId,
  sessionId,
  username: `u-${userId}`,
  role: 'agency',
  region: '370300',
  hospital: null,
});
const FAR = 10 ** 15;

describe('SessionCache: the access guard’s short memory of checked tokens', () => {
  it('keeps a token at most SESSION_CACHE_MS (≤ 5 s), and never past its expiry', () => {
    expect(SESSION_CACHE_MS).toBeLessThanOrEqual(5_000);
    const c = new SessionCache();
    c.put('t1', principal('u1', 's1'), 1_000, FAR, c.mark());
    expect(c.get('t1', 1_000)).toMatchObject({ userId: 'u1' });
    expect(c.get('t1', 1_000 + SESSION_CACHE_MS - 1)).toMatchObject({ userId: 'u1' });
    expect(c.get('t1', 1_000 + SESSION_CACHE_MS)).toBeUndefined();
    c.put('t2', principal('u1', 's1'), 1_000, 2_000, c.mark()); // the token expires at 2 s
    expect(c.get('t2', 1_999)).toBeDefined();
    expect(c.get('t2', 2_000)).toBeUndefined();
    c.put('t3', principal('u1', 's1'), 1_000, 1_000, c.mark()); // already expired: not kept
    expect(c.get('t3', 1_000)).toBeUndefined();
    expect(c.get('unknown', 1_000)).toBeUndefined();
  });

  it("a revocation forgets that session's or user's tokens at once, and no one else's", () => {
    const c = new SessionCache();
    c.put('a1', principal('ua', 'sa1'), 0, FAR, c.mark());
    c.put('a1b', principal('ua', 'sa1'), 0, FAR, c.mark()); // a refreshed access token of the same session
    c.put('a2', principal('ua', 'sa2'), 0, FAR, c.mark());
    c.put('b1', principal('ub', 'sb1'), 0, FAR, c.mark());
    c.forgetSession('sa1');
    expect([c.get('a1', 1), c.get('a1b', 1)]).toEqual([undefined, undefined]);
    expect(c.get('a2', 1)).toBeDefined();
    c.forgetUser('ua');
    expect(c.get('a2', 1)).toBeUndefined();
    expect(c.get('b1', 1)).toBeDefined();
  });

  it('a check that began before a revocation is not kept (it may have read the session while it was live)', () => {
    const c = new SessionCache();
    const mark = c.mark(); // the check starts, reads the session: live
    c.forgetSession('s1'); // meanwhile this process revokes it
    c.put('t1', principal('u1', 's1'), 0, FAR, mark); // the check ends
    expect(c.get('t1', 1)).toBeUndefined();
    const later = c.mark();
    c.put('t1', principal('u1', 's1'), 0, FAR, later);
    expect(c.get('t1', 1)).toBeDefined();
  });

  it('is bounded: past maxEntries the oldest token makes room', () => {
    const c = new SessionCache(5_000, 3);
    for (const t of ['t1', 't2', 't3', 't4']) c.put(t, principal('u', 's'), 0, FAR, c.mark());
    expect(c.size).toBe(3);
    expect(c.get('t1', 1)).toBeUndefined();
    expect(c.get('t4', 1)).toBeDefined();
  });

  it('an age of 0 keeps nothing', () => {
    const c = new SessionCache(0);
    c.put('t1', principal('u1', 's1'), 0, FAR, c.mark());
    expect(c.size).toBe(0);
  });
});
