/**
 * The actor every pool worker runs: it loads tasks by module URL and name (once each), runs the
 * chunks of each batch in order, and answers them over its results pipe: together at the end of
 * the batch, and every millisecond before that, so when a worker dies the pool knows which items
 * it had finished (all but those of the batch it was running, at most a millisecond's worth).
 */

import { Codec, type Connection, defineActor, type TaskDefinition } from '@troupe/core';
import { type ChunkAnswers, type ChunkMessage, loadDefinition, type TaskRef } from '@troupe/core/spi';
import { packNumbers } from './packNumbers.js';

export interface PoolWorkerArgs {
  readonly results: Connection<never, ChunkAnswers[]>;
  /** Runs once, when the worker starts. */
  readonly initializer: { readonly task: TaskRef; readonly args: readonly unknown[] } | undefined;
}

interface State {
  readonly results: Connection<never, ChunkAnswers[]>;
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

/** Sends answers; a value that will not serialize fails its own item, not the others. */
async function send(results: Connection<never, ChunkAnswers[]>, answers: ChunkAnswers[]): Promise<void> {
  try {
    await results.send(answers);
  } catch {
    await results.send(answers.map(probeValues));
  }
}

function probeValues(answers: ChunkAnswers): ChunkAnswers {
  const failures = new Map(answers.failures);
  const values = Array.from(answers.values, (value, offset) => {
    if (failures.has(offset)) return undefined;
    try {
      probe.check(value, 'result');
      return value;
    } catch (error) {
      failures.set(offset, errorOf(error));
      return undefined;
    }
  });
  return { ...answers, values, failures: [...failures].sort(([a], [b]) => a - b) };
}

/** Runs the chunks of a batch in order, collecting their answers. */
class BatchRun {
  readonly #results: Connection<never, ChunkAnswers[]>;
  /** Answers of finished chunks (and finished parts of the current one), not yet sent. */
  #pending: ChunkAnswers[] = [];
  #chunk = 0;
  #from = 0;
  #values: unknown[] = [];
  #failures: [number, Error][] = [];
  #since = performance.now();

  constructor(results: Connection<never, ChunkAnswers[]>) {
    this.#results = results;
  }

  async run(fn: (...args: unknown[]) => unknown, msg: ChunkMessage): Promise<void> {
    this.#chunk = msg.chunk;
    this.#from = 0;
    const count = msg.args.length;
    for (let i = 0; i < count; i++) {
      const args = msg.args[i];
      let waited = false;
      try {
        let value = msg.unary ? fn(args) : fn(...(args as unknown[]));
        if (isThenable(value)) {
          waited = true;
          value = await value;
        }
        this.#values.push(value);
      } catch (error) {
        this.#failures.push([this.#values.length, errorOf(error)]);
        this.#values.push(undefined);
      }
      if (msg.eager) await this.flush();
      else if ((waited || i % CLOCK_EVERY === 0) && performance.now() - this.#since > BATCH_MS)
        await this.flush();
    }
    this.#endSegment();
  }

  /** Sends everything answered so far, and lets it leave before the next item starts. */
  async flush(): Promise<void> {
    this.#endSegment();
    this.#since = performance.now();
    if (this.#pending.length === 0) return;
    const answers = this.#pending;
    this.#pending = [];
    await send(this.#results, answers);
    await new Promise((resolve) => setImmediate(resolve));
  }

  #endSegment(): void {
    if (this.#values.length === 0) return;
    // All numbers (no failure among them): one Float64Array, copied in one go.
    const values = (this.#failures.length === 0 ? packNumbers(this.#values) : undefined) ?? this.#values;
    this.#pending.push({ chunk: this.#chunk, from: this.#from, values, failures: this.#failures });
    this.#from += this.#values.length;
    this.#values = [];
    this.#failures = [];
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
  /**
   * A batch of chunks: their answers go out together when the batch ends, and every millisecond
   * before that; a call that times its items (`eager`) has each item answered as it completes.
   */
  receive: async (state, batch: ChunkMessage[]) => {
    const run = new BatchRun(state.results);
    for (const msg of batch) {
      const fn = (await task(state, msg.task)).fn as (...args: unknown[]) => unknown;
      await run.run(fn, msg);
    }
    await run.flush();
    return state;
  },
});
