/**
 * Loading the supervision tree `troupe run` starts: the module's `supervisor` export (or its
 * default export), with TypeScript modules loaded through tsx when it is installed.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, type SupervisorOptions } from '@troupe/core';

/** A tree to start, and the Node flags its workers need to load the module. */
export interface LoadedTree {
  readonly options: SupervisorOptions;
  readonly execArgv: readonly string[];
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

function preloadsTsx(execArgv: readonly string[]): boolean {
  return execArgv.some((flag, i) => /tsx/.test(flag) && (i > 0 || flag.startsWith('--')));
}

/** Registers tsx in this process; throws a clear error when the project does not have it. */
async function registerTsx(cwd: string): Promise<void> {
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    try {
      api = pathToFileURL(createRequire(pathToFileURL(`${cwd}/`)).resolve('tsx/esm/api')).href;
    } catch {
      throw new InvalidArgumentError(
        'This is a TypeScript module: install tsx in your project (npm install -D tsx), or run the compiled JavaScript',
      );
    }
  }
  const { register } = (await import(api)) as { register(): void };
  register();
}

/**
 * Imports `path` (relative to `cwd`) and returns the tree it exports. Throws
 * `InvalidArgumentError` naming the problem: no such file, or no tree exported.
 */
export async function loadTree(path: string, cwd: string, exportName?: string): Promise<LoadedTree> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new InvalidArgumentError(`No such module: ${file}`);
  let execArgv = process.execArgv.filter((flag) => !/^--(inspect|debug)/.test(flag));
  if (TYPESCRIPT.test(file) && !preloadsTsx(execArgv)) {
    await registerTsx(cwd);
    execArgv = [...execArgv, '--import', 'tsx'];
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const name = exportName ?? ('supervisor' in module ? 'supervisor' : 'default');
  const tree = module[name];
  const looksLikeTree =
    typeof tree === 'object' && tree !== null && Array.isArray((tree as { children?: unknown }).children);
  if (!looksLikeTree) {
    throw new InvalidArgumentError(
      `${path} exports no supervision tree as '${name}': export const supervisor = { strategy, children: [...] }`,
    );
  }
  return { options: tree as LoadedTree['options'], execArgv };
}
