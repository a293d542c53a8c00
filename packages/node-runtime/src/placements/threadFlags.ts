/**
 * The Node flags a worker thread is started with. Node refuses, for a thread, the flags that set up
 * the whole process or V8 (`--expose-gc`, `--max-old-space-size=…`, `--title …`, ...): a root
 * started with one would otherwise pass it on in its default `execArgv` and fail every thread
 * spawn with Node's `ERR_WORKER_INVALID_EXEC_ARGV`. Such flags are left out of threads (worker
 * processes keep them all); the others, loaders such as `--import tsx` among them, stay.
 *
 * Which flags Node refuses depends on its version, so it is asked: the first thread started with
 * a list of flags tries them all, and if Node refuses some, the error it throws (before any thread
 * starts) lists them. Later threads with that list start without them at once.
 */

import { SpawnError } from '@troupe/core';

/** The flags threads take, by the list of flags asked for. */
const accepted = new Map<string, readonly string[]>();

/**
 * Runs `start` with the flags of `execArgv` that a worker thread takes. Throws `SpawnError`
 * naming the flags Node refuses when they cannot be told apart from the others.
 */
export function withThreadFlags<T>(execArgv: readonly string[], start: (execArgv: string[]) => T): T {
  const key = execArgv.join('\0');
  const known = accepted.get(key);
  if (known !== undefined) return start([...known]);
  let refused: string[];
  try {
    const started = start([...execArgv]);
    accepted.set(key, execArgv);
    return started;
  } catch (error) {
    refused = refusedFlags(error);
  }
  const kept = without(execArgv, refused);
  try {
    const started = start([...kept]);
    accepted.set(key, kept);
    return started;
  } catch (error) {
    const still = refusedFlags(error);
    throw new SpawnError(
      `A worker thread cannot start with the Node flags ${(still.length > 0 ? still : kept).join(' ')} ` +
        'of execArgv (Node takes flags that set up the whole process or V8 only in processes): ' +
        "leave them out of execArgv, or use placement 'process'",
      { cause: error },
    );
  }
}

/** The flags Node's ERR_WORKER_INVALID_EXEC_ARGV lists; any other error is rethrown. */
function refusedFlags(error: unknown): string[] {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof message !== 'string') throw error;
  const listed = /flags: (.*)$/s.exec(message)?.[1];
  return listed === undefined ? [] : listed.split(', ');
}

/**
 * `execArgv` without the flags named, each with the values that follow it (`--title name`): in
 * `execArgv` a word that is not a flag is always the value of the flag before it.
 */
function without(execArgv: readonly string[], flags: readonly string[]): string[] {
  const kept: string[] = [];
  let dropping = false;
  for (const word of execArgv) {
    if (word.startsWith('-')) dropping = flags.includes(word);
    if (!dropping) kept.push(word);
  }
  return kept;
}
