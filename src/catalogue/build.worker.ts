import { parentPort, workerData } from 'node:worker_threads';
import { CatalogueBuilder, CatalogueError } from '../domain/catalogue/build';
import { compileCodes, unpackCases } from '../domain/engine/batch';
import type { BuildAnswer, BuildRequest, BuildSetup } from './build-thread';

// One build per thread: the builder holds the window's aggregates until finish.
const setup = workerData as BuildSetup;
let builder: CatalogueBuilder | null = null;
let failure: Error | null = null;
const utf8 = new TextDecoder();
try {
  builder = new CatalogueBuilder({
    region: setup.region,
    year: setup.year,
    policy: setup.policy,
    ranges: setup.ranges,
    ...compileCodes(setup),
  });
} catch (err) {
  failure = err as Error;
}

parentPort!.on('message', (r: BuildRequest) => {
  let answer: BuildAnswer;
  try {
    if (failure !== null || builder === null) throw failure;
    if ('batch' in r) {
      const year = { year: r.year };
      for (const c of unpackCases(utf8.decode(r.batch))) builder.add(Object.assign(c, year));
      answer = { id: r.id };
    } else answer = { id: r.id, catalogue: builder.finish() };
  } catch (err) {
    const e = err as Error;
    answer = { id: r.id, error: { refusal: e instanceof CatalogueError, message: e.message } };
  }
  parentPort!.postMessage(answer);
});
