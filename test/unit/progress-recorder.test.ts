import { JobProgressState } from '../../src/jobs/jobs.store';
import { JobProgress, ProgressRecorder } from '../../src/jobs/progress-recorder';

/** A recorder writing to a list, with the time of each write, and an observer keeping every call. */
function recorder(intervalMs = 1000) {
  const writes: (JobProgressState & { at: number })[] = [];
  const seen: string[] = [];
  const observer: JobProgress = {
    stage: async (name, total) => void seen.push(`stage ${name} ${total ?? '?'}`),
    advance: async (done, total) => void seen.push(`advance ${done}${total === undefined ? '' : `/${total}`}`),
  };
  const p = new ProgressRecorder(async (s) => void writes.push({ ...s, at: Date.now() }), intervalMs, observer);
  return { p, writes, seen };
}

describe('a job progress recorder', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('tells the observer every step, and writes the record at most once a second, never more than a second behind', async () => {
    const { p, writes, seen } = recorder();
    await p.stage('grouping and scoring', 100);
    for (let done = 1; done <= 100; done++) {
      await p.advance(done);
      jest.advanceTimersByTime(50);
      await Promise.resolve();
    }
    // 100 steps over 5 s: the observer saw each, the record was written about once a second.
    expect(seen).toHaveLength(101);
    expect(seen[100]).toBe('advance 100');
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < writes.length; i++) expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual(1000);
    // The step that came between writes is written when the second has passed (a timer).
    jest.advanceTimersByTime(1000);
    await Promise.resolve();
    expect(writes[writes.length - 1]).toMatchObject({ stage: 'grouping and scoring', done: 100, total: 100 });
    // Done only grows within a stage.
    const dones = writes.map((w) => w.done);
    expect([...dones].sort((a, b) => a - b)).toEqual(dones);
  });

  it('writes the first report at once; a quick job is complete in its final state', async () => {
    const { p, writes } = recorder();
    await p.stage('aggregating cases');
    expect(writes).toEqual([expect.objectContaining({ stage: 'aggregating cases', done: 0, total: null })]);
    await p.advance(300);
    await p.advance(500, 500);
    await p.stage('storing', 12);
    await p.advance(5);
    // Nothing more was written within the second; the final state is the last stage complete.
    expect(writes).toHaveLength(1);
    expect(await p.final(true)).toEqual({ stage: 'storing', done: 12, total: 12 });
    // And the pending write is cancelled: the final write is the job's.
    jest.advanceTimersByTime(5000);
    expect(writes).toHaveLength(1);
  });

  it('takes what was done as the total of a last stage that never had one, and keeps a failed job where it was', async () => {
    const a = recorder();
    await a.p.stage('counting');
    await a.p.advance(42);
    expect(await a.p.final(true)).toEqual({ stage: 'counting', done: 42, total: 42 });
    const b = recorder();
    await b.p.stage('grouping and scoring', 100);
    await b.p.advance(30);
    expect(await b.p.final(false)).toEqual({ stage: 'grouping and scoring', done: 30, total: 100 });
  });

  it('goes on when a write fails, reporting it', async () => {
    const errors: unknown[] = [];
    const p = new ProgressRecorder(
      async () => Promise.reject(new Error('database gone')),
      1000,
      undefined,
      (e) => errors.push(e),
    );
    await p.stage('storing', 3);
    await p.advance(3);
    jest.advanceTimersByTime(1000);
    await p.final(true);
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });
});
