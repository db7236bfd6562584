import { Worker } from 'node:worker_threads';
import { CatalogueError } from '../domain/catalogue/build';
import { Catalogue } from '../domain/catalogue/catalogue';
import { CodeSetup } from '../domain/engine/batch';
import { Policy } from '../domain/policy';
import { compiledWorker } from '../engine-pool/engine-pool';

/** The builder's input (domain/catalogue/build.ts BuildInput) as plain JSON, to cross to its thread. */
export interface BuildSetup extends CodeSetup {
  region: string;
  year: number;
  policy: Policy;
}

/** A request to the builder thread: a packed batch of one discharge year's cases, or finish. */
export type BuildRequest = { id: number; year: number; batch: Uint8Array } | { id: number; finish: true };

/** Its answer: done (with the catalogue for finish), or the error; a builder's refusal says so, to stay a CatalogueError. */
export type BuildAnswer =
  { id: number; catalogue?: Omit<Catalogue, 'pvBudget'> } | { id: number; error: { refusal: boolean; message: string } };

/** Batches in flight to the builder at most: bounds the copies waiting in its queue. */
const IN_FLIGHT = 4;

/**
 * The catalogue builder (spec §4 steps 1–8, 10) on a thread of its own, fed packed batches while
 * the main thread reads and packs the next rows: the read and the aggregation overlap instead of
 * taking turns. At most IN_FLIGHT batches are queued; a build error is thrown by the next `add`
 * or by `finish`.
 */
export class BuildThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (a: BuildAnswer) => void; reject: (e: Error) => void }>();
  private readonly inFlight: Promise<BuildAnswer>[] = [];
  private nextId = 0;

  constructor(setup: BuildSetup) {
    this.worker = new Worker(compiledWorker('catalogue', 'build.worker'), {
      workerData: setup,
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    this.worker.on('message', (a: BuildAnswer) => {
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      p?.resolve(a);
    });
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`the catalogue builder thread stopped (exit code ${code})`)));
  }

  /** Sends a packed batch (UTF-8) of cases of `year`; waits only when IN_FLIGHT batches are queued. */
  async add(year: number, batch: Uint8Array): Promise<void> {
    const answer = this.request({ id: this.nextId++, year, batch });
    // Observed at once, so that a batch failing before its turn to be awaited is not reported
    // as an unhandled rejection; the failure is thrown when it is awaited.
    answer.catch(() => undefined);
    this.inFlight.push(answer);
    if (this.inFlight.length >= IN_FLIGHT) settled(await this.inFlight.shift()!);
  }

  /** Waits for every batch, then builds: the catalogue without its budget point value. */
  async finish(): Promise<Omit<Catalogue, 'pvBudget'>> {
    while (this.inFlight.length > 0) settled(await this.inFlight.shift()!);
    return settled(await this.request({ id: this.nextId++, finish: true })).catalogue!;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private request(r: BuildRequest): Promise<BuildAnswer> {
    return new Promise((resolve, reject) => {
      this.pending.set(r.id, { resolve, reject });
      this.worker.postMessage(r);
    });
  }
}

function settled(a: BuildAnswer): { catalogue?: Omit<Catalogue, 'pvBudget'> } {
  if ('error' in a) throw a.error.refusal ? new CatalogueError(a.error.message) : new Error(a.error.message);
  return a;
}
