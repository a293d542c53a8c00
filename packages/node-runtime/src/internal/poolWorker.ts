/**
 * The actor every pool worker runs: it loads tasks by module URL and name (once each), runs the
 * items of each chunk in order, and answers them in small batches over its results pipe. A batch
 * waits at most a millisecond, and a slow item is answered on its own, so when a worker dies the
 * pool knows which items it had finished.
 */

import { Codec, type Connection, defineActor, type TaskDefinition } from '@troupe/core';
import { type ChunkAnswers, type ChunkMessage, loadDefinition, type TaskRef } from '@troupe/core/spi';

export interface PoolWorkerArgs {
  readonly results: Connection<never, ChunkAnswers>;
  /** Runs once, when the worker starts. */
  readonly initializer: { readonly task: TaskRef; readonly args: readonly unknown[] } | undefined;
}

interface State {
  readonly results: Connection<never, ChunkAnswers>;
  readonly tasks: Map<string, TaskDefinition>;
}

/** Answers wait together at most this long; a slower item is answered on its own. */
const BATCH_MS = 1;
/** How often (in items) a quick run checks the clock. */
const CLOCK_EVERY = 16;

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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

const probe = new Codec();

/** Sends a batch; a value that will not serialize fails its own item, not the batch. */
async function send(results: Connection<never, ChunkAnswers>, answers: ChunkAnswers): Promise<void> {
  try {
    await results.send(answers);
  } catch {
    const failures = new Map(answers.failures);
    const values = answers.values.map((value, offset) => {
      if (failures.has(offset)) return undefined;
      try {
        probe.encode(value, 'result');
        return value;
      } catch (error) {
        failures.set(offset, errorOf(error));
        return undefined;
      }
    });
    await results.send({ ...answers, values, failures: [...failures] });
  }
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
    const count = msg.indexes.length;
    let from = 0;
    let values: unknown[] = [];
    let failures: [number, Error][] = [];
    let since = performance.now();
    const flush = async () => {
      if (values.length === 0) return;
      const answers: ChunkAnswers = { chunk: msg.chunk, from, values, failures };
      from += values.length;
      values = [];
      failures = [];
      await send(state.results, answers);
    };
    for (let i = 0; i < count; i++) {
      const args = msg.args[i];
      let value: unknown;
      let waited = false;
      try {
        value = msg.unary ? fn(args) : fn(...(args as unknown[]));
        if (isThenable(value)) {
          waited = true;
          value = await value;
        }
        values.push(value);
      } catch (error) {
        failures.push([values.length, errorOf(error)]);
        values.push(undefined);
      }
      if (msg.eager) {
        await flush();
        await new Promise((resolve) => setImmediate(resolve));
      } else if (waited || i % CLOCK_EVERY === 0) {
        const now = performance.now();
        if (now - since > BATCH_MS) {
          await flush();
          // Let the answers leave before the next item starts.
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
    }
    await flush();
    return state;
  },
});
