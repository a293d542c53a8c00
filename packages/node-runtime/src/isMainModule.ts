import { realpathSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { fail } from '@troupe/core/spi';
import { isTroupeWorker } from './worker/workerRole.js';

/** Extensions Node (or a loader such as tsx) tries for an entry point named without one. */
const ENTRY_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx'];

/**
 * True when the module at `moduleUrl` is the program's entry point (the file given to `node` or
 * `tsx`) and this is not a Troupe worker: Troupe's form of Python's
 * `if __name__ == '__main__'`.
 *
 * Every worker imports the module that defines its actor or task, so code at the top level of
 * that module runs in each worker too. A module that both defines actors and starts a system
 * must start it only under this guard; otherwise each worker would start a system of its own
 * (Troupe refuses that with a `DefinitionError` naming this rule). Pass `import.meta.url`. A
 * module that `troupe run` starts is not the entry point (the CLI is): it exports its tree.
 *
 * @example
 * ```ts
 * import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';
 *
 * export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);
 *
 * if (isMainModule(import.meta.url)) {
 *   await using system = await ActorSystem.start();
 *   const pool = await system.pool({ size: 2 });
 *   console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
 * }
 * ```
 */
export function isMainModule(moduleUrl: string): boolean {
  if (typeof moduleUrl !== 'string' || !moduleUrl.startsWith('file:')) {
    fail('isMainModule(moduleUrl)', "the module's own import.meta.url (a file: URL)", moduleUrl);
  }
  if (isTroupeWorker()) return false;
  const entry = process.argv[1];
  if (entry === undefined || entry === '') return false;
  const self = realPath(fileURLToPath(moduleUrl));
  return ENTRY_EXTENSIONS.some((ext) => realPath(entry + ext) === self);
}

/** The path with symlinks resolved, or as given when it does not exist. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
