/**
 * The actor every pool worker runs: it loads tasks by module URL and name (once each), runs the
 * items of each chunk in order, and answers each item on its own over its results pipe, so a
 * worker that dies mid-chunk costs the pool exactly the item it was running.
 */

import { type Connection, defineActor, type TaskDefinition } from '@troupe/core';
import { type ChunkMessage, loadDefinition, type Outcome, type TaskRef } from '@troupe/core/spi';

/** What a worker answers per item: [chunk, index, outcome]. */
export type ItemAnswer = readonly [chunk: number, index: number, outcome: Outcome];

export interface PoolWorkerArgs {
  readonly results: Connection<never, ItemAnswer>;
  /** Runs once, when the worker starts. */
  readonly initializer: { readonly task: TaskRef; readonly args: readonly unknown[] } | undefined;
}

interface State {
  readonly results: Connection<never, ItemAnswer>;
  readonly tasks: Map<string, TaskDefinition>;
}

/** Items slower than this are answered before the next one starts, so a crash blames the right one. */
const YIELD_AFTER_MS = 1;

async function task(state: State, ref: TaskRef): Promise<TaskDefinition> {
  const key = `${ref.module}#${ref.name}`;
  let found = state.tasks.get(key);
  if (found === undefined) {
    found = (await loadDefinition(ref.module, ref.name, 'task')) as TaskDefinition;
    state.tasks.set(key, found);
  }
  return found;
}

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(`Non-error thrown: ${String(error)}`);
}

export const PoolWorker = defineActor(import.meta.url, 'TroupePoolWorker', {
  init: async (args: PoolWorkerArgs): Promise<State> => {
    const state: State = { results: args.results, tasks: new Map() };
    if (args.initializer !== undefined) {
      const init = await task(state, args.initializer.task);
      await init.fn(...(args.initializer.args as never[]));
    }
    return state;
  },
  receive: async (state, msg: ChunkMessage) => {
    const fn = (await task(state, msg.task)).fn as (...args: unknown[]) => unknown;
    for (const [index, args] of msg.items) {
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = { ok: true, value: await fn(...args) };
      } catch (error) {
        outcome = { ok: false, error: errorOf(error) };
      }
      try {
        await state.results.send([msg.chunk, index, outcome]);
      } catch (error) {
        // A result that cannot be sent fails its item alone.
        await state.results.send([msg.chunk, index, { ok: false, error: errorOf(error) }]);
      }
      if (performance.now() - started > YIELD_AFTER_MS) await new Promise((resolve) => setImmediate(resolve));
    }
    return state;
  },
});
