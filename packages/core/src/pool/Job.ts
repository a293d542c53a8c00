/**
 * A call (`map`, `imap`, ...) as the pool scheduler sees it, and an item it gives back unrun.
 *
 * @module
 */

import type { Outcome, TaskRef } from './chunks.js';

/**
 * One call (`map`, `imap`, ...) as the scheduler sees it.
 *
 * @example
 * ```ts
 * const job: Job = { task: taskAddress(square), chunkSize: 10, onOutcome: (index, outcome) => {} };
 * scheduler.submitAll(job, [1, 2, 3]);
 * ```
 */
export interface Job {
  readonly task: TaskRef;
  readonly chunkSize: number;
  /** Items must be answered one by one as they complete (the call times them). */
  readonly eager?: boolean;
  /**
   * Each item's deadline, ms from when its worker begins it: past it the item fails with
   * `TimeoutError` and its worker is killed (see `SchedulerDeps.kill`). Implies `eager`.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Successful items in bulk: `values[from]` .. `values[to - 1]` are the results of the items
   * `index`, `index + 1`, ... (optional: without it, successes go to `onOutcome` one by one).
   */
  onValues?(index: number, values: ArrayLike<unknown>, from: number, to: number): void;
  /** Each item's outcome, as it completes (in any order). */
  onOutcome(index: number, outcome: Outcome): void;
}

/**
 * An item as `PoolScheduler.takeAll` returns it.
 *
 * @example
 * ```ts
 * for (const item: QueuedItem of scheduler.takeAll()) item.job.onOutcome(item.index, { ok: false, error });
 * ```
 */
export interface QueuedItem {
  readonly job: Job;
  readonly index: number;
  readonly args: readonly unknown[];
  readonly attempts: number;
}
