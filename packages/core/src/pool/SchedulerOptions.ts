/**
 * What a pool scheduler is given: its settings, and how it reaches the runtime.
 *
 * @module
 */

import type { Clock } from '../Clock.js';
import type { ChunkMessage, RefusedChunk } from './chunks.js';

/** How the scheduler reaches the runtime. */
export interface SchedulerDeps {
  /**
   * Sends a batch of chunks to a worker, in one message. The worker runs them in order and may
   * hold its answers until the batch ends (or a few milliseconds have passed). A chunk that cannot
   * be sent at all is given to `refuse` (the others go): the scheduler fails its items once the
   * round of dispatches is over.
   */
  dispatch(worker: string, batch: ChunkMessage[], refuse: (refused: RefusedChunk) => void): void;
  /** A worker reached `maxTasksPerWorker` and has nothing in flight: replace it. */
  recycle(worker: string): void;
  /**
   * A worker ran an item past its call's deadline (`Job.timeoutMs`): the item has failed with
   * `TimeoutError`; kill the worker (its death blames nothing more).
   */
  kill?(worker: string): void;
  /** Timers for item deadlines, and the time (see `now`). Without it, deadlines are not kept. */
  readonly clock?: Clock;
  /**
   * The time in ms (default: the clock's). With it, the scheduler learns how long each worker's
   * items take and holds back `prefetchItems` for slow ones: a worker gets about `lookaheadMs` of
   * work ahead, so the last items of a call are not queued behind one busy worker while another
   * idles.
   */
  now?(): number;
}

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Times an item is retried on a fresh worker after its worker died running it. */
  readonly maxRetries: number;
  /** Chunks in flight per worker (at least). */
  readonly prefetch: number;
  /**
   * Items in flight per worker, so small chunks still keep a worker busy: at most this many
   * (and, with a clock, about `lookaheadMs` of work). Default 64.
   */
  readonly prefetchItems?: number | undefined;
  /** With a clock: the work, in ms, a worker holds ahead when its items are slow. Default 20. */
  readonly lookaheadMs?: number | undefined;
  /** Items a worker runs before it is replaced; undefined for no limit. */
  readonly maxTasksPerWorker: number | undefined;
  /**
   * Small chunks share a batch (one message) up to this many items. A worker answers a batch's
   * chunks together, so when it dies, any unanswered item of its first batch may have been the
   * one running. Default 32; 1 sends every chunk on its own.
   */
  readonly batchItems?: number | undefined;
}
