import { RateLimitStorage } from '../../src/auth/rate-limit.storage';

describe('RateLimitStorage: a fixed window per key', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2024-06-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it("counts a key's hits in its window, refuses the one over the limit for blockDuration, then starts again", async () => {
    const s = new RateLimitStorage();
    const hit = () => s.increment('user:u1', 60_000, 3, 60_000, 'default');
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    jest.advanceTimersByTime(10_000);
    expect(await hit()).toMatchObject({ totalHits: 2, timeToExpire: 50, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    // The fourth in the window is refused, for a whole blockDuration from now (60 s, not the window's 50).
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 50, isBlocked: true, timeToBlockExpire: 60 });
    jest.advanceTimersByTime(55_000); // the window ended, the block has 5 s to go
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
    jest.advanceTimersByTime(5_000);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps keys apart, and a new window after the old one ended', async () => {
    const s = new RateLimitStorage();
    for (let i = 0; i < 5; i++) await s.increment('user:a', 1_000, 2, 1_000, 'default');
    expect(await s.increment('user:b', 1_000, 2, 1_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
    jest.advanceTimersByTime(1_000);
    expect(await s.increment('user:a', 1_000, 2, 1_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('forgets ended windows at its sweep', async () => {
    const s = new RateLimitStorage();
    await s.increment('user:a', 1_000, 2, 1_000, 'default');
    await s.increment('user:b', 120_000, 2, 1_000, 'default');
    jest.advanceTimersByTime(60_000);
    expect([...(s as unknown as { windows: Map<string, unknown> }).windows.keys()]).toEqual(['user:b']);
  });
});
