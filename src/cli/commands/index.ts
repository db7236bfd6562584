import { Command } from 'commander';
import { registerCatalogue } from './catalogue';
import { registerGenerate } from './generate';
import { registerGroup } from './group';
import { registerSettle } from './settle';
import { registerImport } from './import';
import { registerRegistry } from './registry';
import { registerScheme } from './scheme';
import { registerUsers } from './users';

/** Adds every sub-command to the program. One file per command family. */
export function registerCommands(program: Command): void {
  registerRegistry(program);
  registerImport(program);
  registerGenerate(program);
  registerCatalogue(program);
  registerGroup(program);
  registerSettle(program);
  registerUsers(program);
  registerScheme(program);
}
