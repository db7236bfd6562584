import { workerData } from 'piscina';
import { batchTotals, BatchTotals, compileEngine, EngineSetup, valueBatch } from '../domain/engine/batch';
import type { EngineTask } from './engine-pool';

// Compiled once when the thread starts: a pool serves one catalogue and policy version.
const engine = compileEngine(workerData as EngineSetup);

/** One task: a packed batch of cases in; their packed results (or only their totals) out. */
export default function valueTask(task: EngineTask): string | BatchTotals {
  return task.totalsOnly ? batchTotals(engine, task.batch) : valueBatch(engine, task.batch);
}
