/**
 * The actor every pool worker runs: it loads tasks by module URL and name (once each), runs the
 * chunks of each batch in order (see `BatchRun`), and answers them on its results link. Frames
 * are shaped and read by `wire.ts`.
 */

import { type Connection, defineActor, type TaskDefinition } from '@troupe/core';
import { flushToRoot, loadDefinition, setTaskAttempt, type TaskRef } from '@troupe/core/spi';
import { BatchRun } from './BatchRun.js';
import { begunFrame, readBatch, readSkip, type SkipFrame, sendAnswers, type WorkerFrame } from './wire.js';

/** What a pool worker is started with. */
export interface PoolWorkerArgs {
  /** Its results link: answers go out on it, skip notes come in. */
  readonly results: Connection<SkipFrame, WorkerFrame>;
  /** Runs once, when the worker starts. */
  readonly initializer: { readonly task: TaskRef; readonly args: readonly unknown[] } | undefined;
}

interface State {
  readonly results: Connection<SkipFrame, WorkerFrame>;
  readonly tasks: Map<string, TaskDefinition>;
  /** Chunks the pool said to skip (their call was aborted): answered as failed, not run. */
  readonly skip: Set<number>;
}

/** What a skipped chunk's items fail with (nobody sees it: their call has ended). */
const SKIPPED = new Error('Skipped: its call was aborted before it began');

/** Takes the pool's notes (chunks to skip) as they arrive, until the link closes. */
async function listen(state: State): Promise<void> {
  try {
    for await (const note of state.results) for (const chunk of readSkip(note)) state.skip.add(chunk);
  } catch {
    // The link broke, or the root sent what it never sends: the worker is ending.
  }
}

async function task(state: State, ref: TaskRef): Promise<TaskDefinition> {
  const key = `${ref.module}#${ref.name}`;
  let found = state.tasks.get(key);
  if (found === undefined) {
    found = (await loadDefinition(ref.module, ref.name, 'task')) as TaskDefinition;
    state.tasks.set(key, found);
  }
  return found;
}

/**
 * The function of a chunk's task; one that throws the loading error when the task cannot be
 * loaded here, so its items fail with that error instead of the worker dying over and over.
 */
async function runnable(state: State, ref: TaskRef): Promise<(...args: unknown[]) => unknown> {
  try {
    return (await task(state, ref)).fn as (...args: unknown[]) => unknown;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(`Non-error thrown: ${String(error)}`);
    return () => {
      throw failure;
    };
  }
}

export const PoolWorker = defineActor(import.meta.url, 'TroupePoolWorker', {
  init: async (args: PoolWorkerArgs): Promise<State> => {
    const state: State = { results: args.results, tasks: new Map(), skip: new Set() };
    void listen(state);
    if (args.initializer !== undefined) {
      const init = await task(state, args.initializer.task);
      await init.fn(...(args.initializer.args as never[]));
    }
    return state;
  },
  /**
   * A batch of chunks: their answers go out together when the batch ends, and every few
   * milliseconds before that; a call that times its items (`eager`) has each item answered as it
   * completes.
   */
  receive: async (state, frame: unknown) => {
    const batch = readBatch(frame);
    const first = batch[0]?.chunk;
    if (first === undefined) return state;
    // Its tasks are loaded first, and then the pool is told, before any item runs (an item may
    // never yield), that the batch has begun: a death before that is no item's fault.
    let loaded: TaskRef | undefined;
    for (const { task } of batch) {
      if (task !== loaded) await runnable(state, task);
      loaded = task;
    }
    await state.results.send(begunFrame(first));
    flushToRoot();
    const run = new BatchRun(async (answers) => {
      await sendAnswers((answer) => state.results.send(answer), answers);
      flushToRoot();
    });
    for (const msg of batch) {
      // A chunk may come in parts: its id stays in `skip` for the parts still to come.
      if (state.skip.has(msg.chunk)) run.failAll(msg, SKIPPED);
      else if (msg.refused !== undefined) run.failAll(msg, msg.refused);
      else await run.run(await runnable(state, msg.task), msg);
    }
    setTaskAttempt(undefined);
    await run.flush();
    return state;
  },
});
