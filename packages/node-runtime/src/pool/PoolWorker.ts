/**
 * The actor every pool worker runs: it loads tasks by module URL and name (once each), runs the
 * chunks of each batch in order (see `BatchRun`), and answers them on its link to the pool: its
 * own channel, the way the batches came. Frames are shaped and read by `wire.ts`.
 */

import { defineActor, type TaskDefinition } from '@troupe/core';
import { loadDefinition, type PoolLink, poolLinkOf, setTaskAttempt, type TaskRef } from '@troupe/core/spi';
import { BatchRun } from './BatchRun.js';
import { begunFrame, readBatch, readSkip, sendAnswers } from './wire.js';

/** What a pool worker is started with. */
export interface PoolWorkerArgs {
  /** Runs once, when the worker starts. */
  readonly initializer: { readonly task: TaskRef; readonly args: readonly unknown[] } | undefined;
}

interface State {
  readonly link: PoolLink;
  readonly tasks: Map<string, TaskDefinition>;
  /** Chunks the pool said to skip (their call was aborted): answered as failed, not run. */
  readonly skip: Set<number>;
}

/** What a skipped chunk's items fail with (nobody sees it: their call has ended). */
const SKIPPED = new Error('Skipped: its call was aborted before it began');

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
  init: async (args: PoolWorkerArgs, ctx): Promise<State> => {
    const link = poolLinkOf(ctx);
    if (link === undefined) throw new Error('A pool worker runs only in a worker its pool started');
    const state: State = { link, tasks: new Map(), skip: new Set() };
    // The pool's notes (chunks to skip) as they arrive, between items.
    link.listen((note) => {
      for (const chunk of readSkip(note)) state.skip.add(chunk);
    });
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
    const { link } = state;
    link.send(begunFrame(first));
    link.flush();
    const run = new BatchRun(async (answers) => {
      await sendAnswers((frame) => link.send(frame), answers);
      link.flush();
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
