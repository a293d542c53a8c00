/**
 * The options of a pool and of its calls, and the outcome `mapSettled` reports for each item.
 *
 * @module
 */

import type { Placement, TaskDefinition } from '@troupe/core';

/**
 * Options for `system.pool()`.
 *
 * @example
 * ```ts
 * const pool = await system.pool({ size: 4, maxRetries: 1, maxTasksPerWorker: 1000 });
 * ```
 */
export interface PoolOptions {
  /**
   * Workers: at most {@link MAX_WORKERS} (1024). Default: the machine's available parallelism.
   * They start a few at a time (two per CPU, at most 8, booting at once), so a large pool does not
   * fork all its workers together.
   */
  readonly size?: number;
  /** Where workers run. Default `'process'`. */
  readonly placement?: Exclude<Placement, 'local'>;
  /**
   * Runs the workers on other hosts, through the system's `cluster`: a host's name, a list of
   * names, or `'*'` (every host up when the pool starts). Each worker goes to the live host of
   * these furthest below its share of this pool's workers (`sizePerHost`, or `size` shared evenly,
   * or its CPUs), and a worker lost with its host is replaced on a live one, its items run again
   * there. Default: this host.
   */
  readonly hosts?: string | readonly string[];
  /**
   * Workers on each host named in `hosts` (instead of `size`, the total). Default: as many as
   * each host has CPUs (its agent reports them).
   */
  readonly sizePerHost?: number;
  /** A task (and its arguments) each worker runs once when it starts. */
  readonly initializer?: {
    readonly task: TaskDefinition<never[], unknown>;
    readonly args?: readonly unknown[];
  };
  /** Items a worker runs before it is replaced by a fresh one. Default: no limit. */
  readonly maxTasksPerWorker?: number;
  /** Times an item is retried on a fresh worker after its worker died running it. Default 0. */
  readonly maxRetries?: number;
  /** Workers that may fail to start in a row before the pool is broken. Default `2 · size + 2`. */
  readonly maxStartFailures?: number;
  /** Fails an item (with `TimeoutError`) that runs longer than this, killing its worker. */
  readonly taskTimeoutMs?: number;
}

/**
 * Options of one call (`map`, `imap`, ...).
 *
 * @example
 * ```ts
 * await pool.map(square, items, { chunkSize: 100, onProgress: ({ done, total }) => bar.update(done / total) });
 * ```
 */
export interface MapOptions {
  /** Items per chunk sent to a worker. Default: `ceil(n / (4 · size))` for `map`, 1 for `imap`. */
  readonly chunkSize?: number;
  /** Aborting drops the call's queued items and kills the workers running its items. */
  readonly signal?: AbortSignal;
  /** Fails an item of this call that runs longer than this (killing its worker). Default: the pool's `taskTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Called as items complete. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number | undefined }) => void;
}

/**
 * One item's outcome from `mapSettled`, as `Promise.allSettled` reports it.
 *
 * @example
 * ```ts
 * const outcomes: Settled<number>[] = await pool.mapSettled(square, [1, 2, 3]);
 * for (const outcome of outcomes) {
 *   if (outcome.status === 'fulfilled') console.log(outcome.value);
 *   else console.error(outcome.reason.message);
 * }
 * ```
 */
export type Settled<R> =
  | { readonly status: 'fulfilled'; readonly value: R }
  | { readonly status: 'rejected'; readonly reason: Error };
