import { Command } from 'commander';

/** Adds every sub-command to the program. One file per command family. */
export function registerCommands(program: Command): void {
  void program;
}
