import { PassThrough } from 'node:stream';
import { progressBar } from '../../src/cli/progress-bar';

/** A stream that says it is a terminal, keeping what is written to it. */
function fakeTerminal(isTTY: boolean): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  // Without the terminal's control sequences (cursor moves, line clearing).
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => chunks.join('').replace(/\x1B(?:\[[0-9;?]*[A-Za-z]|[78])/g, '') };
}

/** The counts "value/total" the bar showed, in order, without repeats. */
const shown = (text: string, total: number): number[] =>
  [...text.matchAll(new RegExp(`(\\d+)/${total}(?!\\d)`, 'g'))].map((m) => Number(m[1])).filter((v, i, a) => i === 0 || v !== a[i - 1]);

describe('the CLI progress bar', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('shows nothing when the stream is not a terminal', () => {
    const { stream, text } = fakeTerminal(false);
    expect(progressBar(stream)).toBeUndefined();
    expect(text()).toBe('');
  });

  it('moves as the job advances, a line per stage, ending complete', async () => {
    const { stream, text } = fakeTerminal(true);
    const bar = progressBar(stream)!;
    expect(bar).toBeDefined();
    await bar.stage('grouping and scoring', 40);
    for (const done of [10, 20, 30, 40]) {
      await bar.advance(done);
      jest.advanceTimersByTime(250);
    }
    await bar.stage('storing', 7);
    jest.advanceTimersByTime(250);
    await bar.advance(7);
    bar.stop();
    const out = text();
    expect(shown(out, 40)).toEqual([0, 10, 20, 30, 40]);
    expect(out).toContain('grouping and scoring');
    expect(out).toMatch(/grouping and scoring [█]{10,} 100% \| 40\/40/);
    expect(shown(out, 7)).toEqual([0, 7]);
    expect(out).toMatch(/storing [█]{10,} 100% \| 7\/7\n$/);
  });

  it('counts a stage whose total is not known yet, then shows the bar when it is', async () => {
    const { stream, text } = fakeTerminal(true);
    const bar = progressBar(stream)!;
    await bar.stage('aggregating cases');
    await bar.advance(5000);
    jest.advanceTimersByTime(250);
    await bar.advance(12000, 12000);
    bar.stop();
    const out = text();
    expect(out).toContain('aggregating cases … 0');
    expect(out).toContain('aggregating cases … 5000');
    expect(out).toMatch(/aggregating cases [█]{10,} 100% \| 12000\/12000/);
  });
});
