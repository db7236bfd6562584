import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { addTotals, BatchTotals, EngineSetup, noTotals, ValuedBatch } from '../domain/engine/batch';

/**
 * A compiled worker script, `<folder>/<name>.js` under src. Under ts-jest the caller is
 * TypeScript and the worker is taken from the build (`npm test` builds first): worker threads
 * load plain JavaScript.
 */
export function compiledWorker(folder: string, name: string): string {
  const file = __filename.endsWith('.ts')
    ? resolve(__dirname, '..', '..', 'dist', folder, `${name}.js`)
    : join(__dirname, '..', folder, `${name}.js`);
  if (!existsSync(file)) throw new Error(`the worker ${file} is missing: run "npm run build"`);
  return file;
}

/** What a worker is sent: a packed batch, and what is wanted of it besides its totals. */
export interface EngineTask {
  /** Packed lines, as text or as their UTF-8 bytes. */
  batch: string | Uint8Array;
  want: { results: boolean; byHospital: boolean };
}

/**
 * A piscina pool of grouping and scoring workers for one engine version (catalogue, policy,
 * code tables): the setup goes to each thread once, as workerData, and is compiled there once;
 * batches cross as packed text and come back as packed results with their totals
 * (domain/engine/batch.ts). A new version is a new pool.
 */
export class EnginePool {
  private readonly pool: Piscina<EngineTask, ValuedBatch>;

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

  /**
   * Values every batch and hands each one's packed results and totals to `take`, in input
   * order; returns the totals of all of them (with sums per pool and hospital).
   */
  async runAll(
    batches: AsyncIterable<string> | Iterable<string>,
    take: (batch: ValuedBatch) => void | Promise<void>,
  ): Promise<BatchTotals> {
    const sum = noTotals();
    await this.pipeline(batches, { results: true, byHospital: true }, async (v) => {
      addTotals(sum, v.totals);
      await take(v);
    });
    return sum;
  }

  /** The totals of every case of every batch: points (1/10,000 point) and cost (fen). */
  async totalsOf(batches: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<BatchTotals> {
    const sum = noTotals();
    await this.pipeline(batches, { results: false, byHospital: false }, (v) => addTotals(sum, v.totals));
    return sum;
  }

  /**
   * At most two batches a thread in flight, so that memory stays bounded however many batches
   * come; answers are taken in input order.
   */
  private async pipeline(
    batches: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
    want: EngineTask['want'],
    take: (answer: ValuedBatch) => void | Promise<void>,
  ): Promise<void> {
    const window: Promise<ValuedBatch>[] = [];
    const limit = 2 * this.threads;
    try {
      for await (const batch of batches) {
        window.push(this.pool.run({ batch, want }));
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
export async function* packedBatches<T>(
  items: AsyncIterable<T[]> | Iterable<T[]>,
  pack: (item: T) => string,
  size: number,
): AsyncGenerator<string> {
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

/** A packed batch as UTF-8 bytes, and the number of cases in it. */
export interface PackedBatch {
  bytes: Uint8Array;
  cases: number;
}

interface OpenBatch {
  buffer: Buffer;
  used: number;
  cases: number;
}

/**
 * Packed case lines collected into batches of `size`, kept apart by year (the budget point
 * value of spec §4.9 adds points up per year). A batch is kept as UTF-8 bytes outside the
 * JavaScript heap: three years of cases are a few hundred megabytes, which as strings the
 * garbage collector would go over again and again while the window is still being read.
 */
export class BatchesByYear {
  private readonly open = new Map<number, OpenBatch>();
  private readonly full = new Map<number, PackedBatch[]>();

  constructor(private readonly size: number) {}

  /** Adds a line; the batch it completed, if it did. */
  add(year: number, line: string): PackedBatch | undefined {
    let o = this.open.get(year);
    if (o === undefined) this.open.set(year, (o = { buffer: Buffer.allocUnsafeSlow(this.size * 128), used: 0, cases: 0 }));
    // At most 3 bytes a UTF-16 unit, and the line break.
    if (o.used + 3 * line.length + 1 > o.buffer.length) {
      const larger = Buffer.allocUnsafeSlow(2 * o.buffer.length + 3 * line.length + 1);
      o.buffer.copy(larger, 0, 0, o.used);
      o.buffer = larger;
    }
    o.used += o.buffer.write(line, o.used);
    o.buffer[o.used++] = 10;
    return ++o.cases === this.size ? this.close(year, o) : undefined;
  }

  /** Completes every batch still being filled (each year's last, short one); those batches. */
  closeAll(): [number, PackedBatch][] {
    const closed: [number, PackedBatch][] = [];
    for (const [year, o] of this.open) if (o.cases > 0) closed.push([year, this.close(year, o)]);
    return closed;
  }

  /** The year's complete batches, in order; the collection lets go of them. */
  take(year: number): PackedBatch[] {
    const batches = this.full.get(year) ?? [];
    this.full.delete(year);
    return batches;
  }

  private close(year: number, o: OpenBatch): PackedBatch {
    let batches = this.full.get(year);
    if (batches === undefined) this.full.set(year, (batches = []));
    // A copy of exactly the bytes used; the open buffer is reused for the next batch.
    const bytes = Buffer.allocUnsafeSlow(o.used);
    o.buffer.copy(bytes, 0, 0, o.used);
    const batch = { bytes, cases: o.cases };
    batches.push(batch);
    o.used = 0;
    o.cases = 0;
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
