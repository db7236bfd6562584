import { HttpException, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { AppModule } from '../app.module';

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

/** Turns the services' HTTP-shaped refusals into a readable CLI message. */
export async function explainHttpError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpException) {
      const body = err.getResponse() as { message?: string; problems?: { line?: number; row?: number; path?: string; field?: string; reason: string }[] };
      const where = (p: { line?: number; row?: number; path?: string }) => (p.line !== undefined ? `line ${p.line}` : p.row !== undefined ? `row ${p.row}` : (p.path ?? ''));
      const lines = (body.problems ?? []).slice(0, 20).map((p) => `  ${where(p)}${p.field ? `: ${p.field}` : ''}: ${p.reason}`);
      throw new CliError([body.message ?? err.message, ...lines].join('\n'));
    }
    throw err;
  }
}
