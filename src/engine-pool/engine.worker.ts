import { workerData } from 'piscina';
import { compileEngine, EngineSetup, ValuedBatch, valueBatch } from '../domain/engine/batch';
import type { EngineTask } from './engine-pool';

// Compiled once when the thread starts: a pool serves one catalogue and policy version.
const engine = compileEngine(workerData as EngineSetup);
const utf8 = new TextDecoder();

/** One task: a packed batch of cases in; their packed results and totals out. */
export default function valueTask(task: EngineTask): ValuedBatch {
  const batch = typeof task.batch === 'string' ? task.batch : utf8.decode(task.batch);
  return valueBatch(engine, batch, task.want);
}
