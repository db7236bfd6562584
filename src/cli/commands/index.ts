import { Command } from 'commander';
import { registerCatalog } from './catalog';
import { registerGenerate } from './generate';
import { registerGroup } from './group';
import { registerSettle } from './settle';
import { registerImport } from './import';
import { registerRegistry } from './registry';

/** Adds every sub-command to the program. One file per command family. */
export function registerCommands(program: Command): void {
  registerRegistry(program);
  registerImport(program);
  registerGenerate(program);
  registerCatalog(program);
  registerGroup(program);
  registerSettle(program);
}
