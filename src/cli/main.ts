#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { terminalError } from './app-context';
import { registerCommands } from './commands';

/** `dip`: the command line of the service. Every command is registered in ./commands. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('dip')
    .description('DIP grouping, scoring and settlement: the command line')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  await program.parseAsync(argv);
}

// `dip catalog export … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; exitCode?: number };
  if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 1);
  const { text, exitCode } = terminalError(err);
  process.stderr.write(`${text}\n`);
  process.exit(exitCode);
});
