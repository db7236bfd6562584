import { workerData } from 'piscina';
import { batchPoints, compileEngine, EngineSetup, valueBatch } from '../domain/engine/batch';
import type { EngineTask } from './engine-pool';

// Compiled once when the thread starts: a pool serves one catalogue and policy version.
const engine = compileEngine(workerData as EngineSetup);

/** One task: a packed batch of cases in; their packed results (or only their points total) out. */
export default function valueTask(task: EngineTask): string {
  return task.totalOnly ? batchPoints(engine, task.batch).toString() : valueBatch(engine, task.batch);
}
