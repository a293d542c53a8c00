/**
 * Loading definitions in a worker: importing the module a definition was made in, finding the
 * definition there, and naming what went wrong when that fails, including a module that starts
 * a system while a worker imports it (the main-module rule).
 *
 * @module
 */

import { type ActorDefinition, definitionsOf, type TaskDefinition } from './definitions.js';
import { DefinitionError } from './errors.js';

/** The modules {@link loadDefinition} is importing right now, in the order it began. */
const loading: string[] = [];

/** The error each module whose import failed was reported with. */
const failedImports = new Map<string, DefinitionError>();

/** Errors {@link refuseWhileLoadingDefinitions} threw, which {@link loadDefinition} passes on as they are. */
const brokenRules = new WeakSet<object>();

/**
 * Throws {@link DefinitionError} if a definition module is being imported right now: `what` (such
 * as `ActorSystem.start()`) is then most likely at the top level of that module, run again in a
 * worker that imported it to find a definition, and would start a system in every worker (which
 * spawns workers, which import the module...). The error names the module, the rule and the fix.
 */
export function refuseWhileLoadingDefinitions(what: string): void {
  const moduleUrl = loading.at(-1);
  if (moduleUrl === undefined) return;
  const error = new DefinitionError(
    `${what} was called while a Troupe worker was importing ${moduleUrl} to find a definition. ` +
      'Every worker imports the module that defines its actor or task, so code at the top level of ' +
      'that module runs again in each worker: starting a system there would start one in every ' +
      'worker. Start the system only in the main module, under ' +
      "`if (isMainModule(import.meta.url)) { ... }` (from '@troupe/node-runtime'), or keep " +
      'definitions in a module of their own that the program imports.',
  );
  brokenRules.add(error);
  // Reported by loadDefinition even when the module does not await the call that threw.
  failedImports.set(moduleUrl, error);
  throw error;
}

/** Node's codes for a module it cannot load as TypeScript without a loader. */
const NO_TYPESCRIPT_LOADER = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX']);

/**
 * The `DefinitionError` for a module whose import threw `error`, naming the cause: the missing
 * TypeScript loader only when Node could not load a TypeScript file for want of one (a `.ts`
 * extension it does not know, syntax it cannot strip); otherwise what the import threw (a syntax
 * error, a throw at the top level, a module not found), loader or not.
 */
export function importFailure(moduleUrl: string, error: unknown): DefinitionError {
  const { code, message, name } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
  };
  const cause =
    typeof message === 'string' ? `${typeof name === 'string' ? name : 'Error'}: ${message}` : String(error);
  const noLoader =
    typeof code === 'string' &&
    NO_TYPESCRIPT_LOADER.has(code) &&
    (code !== 'ERR_UNKNOWN_FILE_EXTENSION' || /"\.[cm]?tsx?"/.test(String(message)));
  if (noLoader) {
    return new DefinitionError(
      `Cannot import ${moduleUrl}: Node has no TypeScript loader here (${cause}). Start Node with ` +
        "a loader such as tsx (npx tsx main.ts, node --import tsx main.ts or NODE_OPTIONS='--import tsx'), " +
        'or run the compiled JavaScript',
      { cause: error },
    );
  }
  const testFile = TEST_FILE.test(moduleUrl)
    ? '. Definitions in a test file do not work: a worker imports the whole file, test-runner calls ' +
      'and all. Keep them in a module of their own (a fixture) and import it from the test'
    : '';
  return new DefinitionError(`Cannot import ${moduleUrl}: ${cause}${testFile}`, { cause: error });
}

/** A module named as test runners name test files. */
const TEST_FILE = /[./_-](test|spec)\.[cm]?[jt]sx?$/;

/**
 * True for an error {@link refuseWhileLoadingDefinitions} threw. A worker ignores one that goes
 * unhandled (a module calling an async `main()` without awaiting it): the load it broke fails with
 * it already.
 */
export function isRefusedWhileLoading(error: unknown): boolean {
  return typeof error === 'object' && error !== null && brokenRules.has(error);
}

/**
 * Imports `moduleUrl` and returns the definition registered there under `name`. Throws
 * {@link DefinitionError} naming what the module does define when the name is missing or of
 * another kind, and naming the cause when the import fails: what it threw, or a missing
 * TypeScript loader when that is what stopped it.
 */
export async function loadDefinition(
  moduleUrl: string,
  name: string,
  kind: 'actor' | 'task',
): Promise<ActorDefinition | TaskDefinition> {
  // A module whose import failed fails again, as ESM would: what it registered before it failed
  // must not be used.
  const failed = failedImports.get(moduleUrl);
  if (failed !== undefined) throw failed;
  // Already here (the in-process placement, or a module this worker has loaded): importing it
  // again could wait on its own top-level await.
  const known = definitionsOf(moduleUrl)?.get(name);
  if (known !== undefined && known.kind === kind) return known;
  loading.push(moduleUrl);
  try {
    await import(moduleUrl);
    const broken = failedImports.get(moduleUrl);
    if (broken !== undefined) throw broken;
  } catch (error) {
    // The module broke a rule Troupe checks (it started a system while a worker loaded it): that
    // error already names the module, the rule and the fix.
    const failure = isRefusedWhileLoading(error)
      ? (error as DefinitionError)
      : importFailure(moduleUrl, error);
    failedImports.set(moduleUrl, failure);
    throw failure;
  } finally {
    loading.splice(loading.indexOf(moduleUrl), 1);
  }
  const inModule = definitionsOf(moduleUrl);
  const found = inModule?.get(name);
  if (found === undefined || found.kind !== kind) {
    const known = [...(inModule?.values() ?? [])].map((d) => `${d.kind} ${d.name}`).join(', ');
    throw new DefinitionError(
      `${moduleUrl} defines no ${kind} named '${name}' once imported (it defines: ` +
        `${known || 'nothing'}). Definitions must be made at the top level of their module, not ` +
        'inside a function or under isMainModule(...): a worker finds them by importing the module.',
    );
  }
  return found;
}
