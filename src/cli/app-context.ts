import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { AppModule } from '../app.module';
import { DipError, problemLines } from '../domain/errors';
import { JobProgress } from '../jobs/jobs.service';
import { progressBar } from './progress-bar';

/** Boots the service without HTTP (migrating the database unless told not to), runs, closes. */
export async function withApp<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Who is acting, for the audit log and import batches. */
export const cliActor = (): string => `cli:${userInfo().username}`;

/** An error that ends the command with a message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 1 a failure of the program or its environment, 2 a refusal of the input or request. */
export const EXIT_REFUSED = 2;

/**
 * The one place where an error becomes what the terminal shows: a refusal (DipError) by its
 * code, message and problems (exit 2); a CliError as it says; anything else as a failure (exit 1).
 */
export function terminalError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof DipError)
    return {
      text: [`dip: ${err.message} (${err.code})`, ...problemLines(err.problems).map((l) => `  ${l}`)].join('\n'),
      exitCode: EXIT_REFUSED,
    };
  if (err instanceof CliError) return { text: `dip: ${err.message}`, exitCode: err.exitCode };
  const e = err as { message?: string; code?: string };
  if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') return { text: `dip: ${e.message}`, exitCode: 1 };
  return { text: `dip: failed: ${e.message ?? String(err)}`, exitCode: 1 };
}

/** Waits for a started job with a progress bar on standard error (when a terminal); the bar is gone whatever the outcome. */
export async function withProgress<T>(start: (observer: JobProgress | undefined) => Promise<{ done: Promise<T> }>): Promise<T> {
  const bar = progressBar();
  try {
    return await (
      await start(bar)
    ).done;
  } finally {
    bar?.stop();
  }
}
