import { Format, GenericFormatter, Presets, SingleBar } from 'cli-progress';
import { JobProgress } from '../jobs/jobs.service';

/** A stage's bar: with its total known, the bar, percentage and count; without, the count alone. */
const KNOWN_FORMAT = '{stage} {bar} {percentage}% | {value}/{total}';
const UNKNOWN_FORMAT = '{stage} … {value}';

/** A progress bar of a job (one line per stage) and its end. */
export type ProgressBar = JobProgress & { stop(): void };

/**
 * A progress bar on `stream` (standard error) for a job's stages, when it is a terminal; nothing
 * otherwise (a pipe or a file gets no bar, no control characters). Each stage gets its own line,
 * left complete when the next begins; a stage whose total is not known yet shows its count.
 */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressBar | undefined {
  if (stream.isTTY !== true) return undefined;
  let bar: SingleBar | undefined;
  let known = false;
  const format: GenericFormatter = (options, params, payload: { stage: string }) =>
    Format.Formatter({ ...options, format: known ? KNOWN_FORMAT : UNKNOWN_FORMAT }, params, payload);
  const end = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stage: async (name, total) => {
      end();
      known = total !== undefined;
      bar = new SingleBar({ format, hideCursor: true, stream }, Presets.shades_classic);
      bar.start(total ?? 0, 0, { stage: name });
    },
    advance: async (done, total) => {
      if (bar === undefined) return;
      if (total !== undefined) {
        known = true;
        bar.setTotal(total);
      }
      bar.update(done);
    },
    stop: end,
  };
}
