/**
 * The preloads a worker runs itself: in a worker thread every `--require` and `--import` of its
 * flags and `NODE_OPTIONS` (Node 20 may not run them there, and tsx's entry registers nothing in
 * a thread), and in a child process the tsx loader the root took out of its flags (see
 * `withoutTsx`).
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
// The process object itself, not the global: actor code may replace globalThis.process.
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { isTsxLoader, type Preload } from '../shared/preloads.js';
import { TSX_ENV, type TsxHandOver } from '../shared/workerEnv.js';

/**
 * Runs `preloads` as Node would have: every `--require` first, then every `--import`, each in the
 * order given. A module Node has already run in this thread or process is not run again (the
 * module caches hold it). The runtime's modules, which actor modules import, load first and
 * natively, not one by one through a loader's hooks thread.
 */
export async function runPreloads(preloads: readonly Preload[], inThread: boolean): Promise<void> {
  if (preloads.length === 0) return;
  await import('../index.js');
  const fromCwd = createRequire(join(process.cwd(), 'noop.js'));
  for (const { flag, specifier } of preloads) if (flag === '--require') fromCwd(specifier);
  for (const { flag, specifier } of preloads) {
    if (flag !== '--import') continue;
    const url = /^[./]/.test(specifier) ? pathToFileURL(fromCwd.resolve(specifier)).href : specifier;
    if (isTsxLoader(specifier) && inThread) await registerTsx(url);
    // Resolved from here upwards, which reaches the application's node_modules.
    else if (specifier === 'tsx') await import(import.meta.resolve('tsx'));
    else await import(url);
  }
}

/**
 * Registers tsx in this worker thread through its API, since tsx's entry registers nothing in a
 * thread. `loader` is `tsx` (its API is resolved from here upwards) or the URL of the tsx CLI's
 * loader file (its API is then taken from that copy of tsx, which need not be the application's:
 * `npx tsx` may run one of its own).
 */
async function registerTsx(loader: string): Promise<void> {
  const api = loader === 'tsx' ? import.meta.resolve('tsx/esm/api') : esmEntry(loader, 'tsx', './esm/api');
  const { register } = (await import(api)) as { register(): void };
  register();
}

/**
 * The URL of the ES module a package exports at `subpath`, for the copy of the package that
 * `from` resolves. Read from its package.json: `import.meta.resolve` takes no parent in Node 20,
 * and `require.resolve` gives the CommonJS build (tsx's CommonJS API registers a file that is not
 * there).
 */
function esmEntry(from: string, pkg: string, subpath: string): string {
  const manifest = createRequire(from).resolve(`${pkg}/package.json`);
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> };
  let target = exports?.[subpath];
  while (typeof target === 'object' && target !== null) {
    const conditions = target as Record<string, unknown>;
    target = conditions.import ?? conditions.default;
  }
  if (typeof target !== 'string') throw new Error(`${manifest} exports no ES module at ${subpath}`);
  return new URL(target, pathToFileURL(manifest)).href;
}

/**
 * Runs the tsx preloads the root took out of this child process's flags, then puts them back as
 * if the process had started with them: a system started in this worker passes them on, and so
 * does actor code forking with `process.execArgv` or the environment.
 */
export async function takeTsxHandOver(): Promise<void> {
  const json = process.env[TSX_ENV];
  if (json === undefined) return;
  const handOver = JSON.parse(json) as TsxHandOver;
  await runPreloads(handOver.preloads, false);
  delete process.env[TSX_ENV];
  process.execArgv.push(...handOver.execArgv);
  if (handOver.nodeOptions !== undefined) process.env.NODE_OPTIONS = handOver.nodeOptions;
}
