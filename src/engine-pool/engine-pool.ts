import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { BatchTotals, EngineSetup } from '../domain/engine/batch';

/**
 * A compiled worker script, `<folder>/<name>.js` under src. Under ts-jest the caller is
 * TypeScript and the worker is taken from the build (`npm test` builds first): worker threads
 * load plain JavaScript.
 */
export function compiledWorker(folder: string, name: string): string {
  const file = __filename.endsWith('.ts') ? resolve(__dirname, '..', '..', 'dist', folder, `${name}.js`) : join(__dirname, '..', folder, `${name}.js`);
  if (!existsSync(file)) throw new Error(`the worker ${file} is missing: run "npm run build"`);
  return file;
}

/**
 * A piscina pool of grouping and scoring workers for one engine version (catalogue, policy,
 * code tables): the setup goes to each thread once, as workerData, and is compiled there once;
 * batches and results cross as packed text (domain/engine/batch.ts). A new version is a new pool.
 */
/** What a worker is sent: a packed batch, and whether only its totals are wanted. */
export interface EngineTask {
  batch: string;
  totalsOnly: boolean;
}

export class EnginePool {
  private readonly pool: Piscina<EngineTask, string | BatchTotals>;

  constructor(
    setup: EngineSetup,
    readonly threads: number,
  ) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`the pool needs at least one thread; got ${threads}`);
    this.pool = new Piscina({
      filename: compiledWorker('engine-pool', 'engine.worker'),
      workerData: setup,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 30_000,
      // Valuing a case allocates a few kilobytes of short-lived objects (BigInts, strings); a
      // larger young generation than a worker's default halves the scavenges (bench:engine:
      // about 20 % more cases per second with two threads).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
  }

  /** Values one packed batch: its packed results. */
  run(batch: string): Promise<string> {
    return this.pool.run({ batch, totalsOnly: false }) as Promise<string>;
  }

  /** Values every batch and hands each one's packed results to `take`, in input order. */
  runAll(batches: AsyncIterable<string> | Iterable<string>, take: (results: string) => void | Promise<void>): Promise<void> {
    return this.pipeline(batches, false, (r) => take(r as string));
  }

  /** The totals of every case of every batch: points (1/10,000 point) and cost (fen). */
  async totalsOf(batches: AsyncIterable<string> | Iterable<string>): Promise<BatchTotals> {
    const sum: BatchTotals = { points: 0n, costFen: 0n };
    await this.pipeline(batches, true, (t) => {
      sum.points += (t as BatchTotals).points;
      sum.costFen += (t as BatchTotals).costFen;
    });
    return sum;
  }

  /**
   * At most two batches a thread in flight, so that memory stays bounded however many batches
   * come; answers are taken in input order.
   */
  private async pipeline(batches: AsyncIterable<string> | Iterable<string>, totalsOnly: boolean, take: (answer: string | BatchTotals) => void | Promise<void>): Promise<void> {
    const window: Promise<string | BatchTotals>[] = [];
    const limit = 2 * this.threads;
    try {
      for await (const batch of batches) {
        window.push(this.pool.run({ batch, totalsOnly }));
        if (window.length >= limit) await take(await window.shift()!);
      }
      while (window.length > 0) await take(await window.shift()!);
    } finally {
      // A failure leaves no task unobserved (an unhandled rejection would end the process).
      await Promise.allSettled(window);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Cases per batch sent to a worker: large enough to amortise a message, small enough to spread the work. */
export const BATCH_CASES = 4096;

/** Cases packed into batches of `size` lines, each ending in '\n'. */
export async function* packedBatches<T>(items: AsyncIterable<T[]> | Iterable<T[]>, pack: (item: T) => string, size: number): AsyncGenerator<string> {
  let batch = '';
  let n = 0;
  for await (const page of items) {
    for (const item of page) {
      batch += pack(item) + '\n';
      if (++n === size) {
        yield batch;
        batch = '';
        n = 0;
      }
    }
  }
  if (n > 0) yield batch;
}

/** A packed batch and the number of cases in it. */
export interface PackedBatch {
  text: string;
  cases: number;
}

/**
 * Packed case lines collected into batches of `size`, kept apart by year (the budget point
 * value of spec §4.9 adds points up per year). Each batch is one flat string (lines joined, not
 * concatenated one by one into a chain of pieces), so a kept batch costs about its characters.
 */
export class BatchesByYear {
  private readonly open = new Map<number, string[]>();
  private readonly full = new Map<number, PackedBatch[]>();

  constructor(private readonly size: number) {}

  /** Adds a line; the batch it completed, if it did. */
  add(year: number, line: string): PackedBatch | undefined {
    let lines = this.open.get(year);
    if (lines === undefined) this.open.set(year, (lines = []));
    lines.push(line);
    return lines.length === this.size ? this.close(year, lines) : undefined;
  }

  /** Completes every batch still being filled (each year's last, short one); those batches. */
  closeAll(): [number, PackedBatch][] {
    const closed: [number, PackedBatch][] = [];
    for (const [year, lines] of this.open) if (lines.length > 0) closed.push([year, this.close(year, lines)]);
    return closed;
  }

  /** The year's complete batches, in order; the collection lets go of them. */
  take(year: number): PackedBatch[] {
    const batches = this.full.get(year) ?? [];
    this.full.delete(year);
    return batches;
  }

  private close(year: number, lines: string[]): PackedBatch {
    let batches = this.full.get(year);
    if (batches === undefined) this.full.set(year, (batches = []));
    const batch = { text: lines.join('\n') + '\n', cases: lines.length };
    batches.push(batch);
    lines.length = 0;
    return batch;
  }
}

/** Runs `fn` with a pool serving this setup, and closes the pool afterwards. */
export async function withEnginePool<T>(setup: EngineSetup, threads: number, fn: (pool: EnginePool) => Promise<T>): Promise<T> {
  const pool = new EnginePool(setup, threads);
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
