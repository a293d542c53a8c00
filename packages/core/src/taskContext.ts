/**
 * What a running task may ask about its own run: `taskContext()`.
 *
 * @module
 */

/**
 * What a task learns about its current run from {@link taskContext}.
 *
 * @example
 * ```ts
 * const { attempt }: TaskContext = taskContext(); // 1, or more after a worker died under it
 * ```
 */
export interface TaskContext {
  /**
   * Which run of this item this is, from 1. A pool delivers an item at least once: when a
   * worker dies after it had begun an item's batch (the item may have run, its answer not yet
   * sent), the item runs again on a fresh worker with the next attempt number. Use it to make
   * side effects idempotent (say, skip a write the first attempt may have made).
   */
  readonly attempt: number;
}

const FIRST: TaskContext = Object.freeze({ attempt: 1 });
let current: TaskContext = FIRST;

/**
 * The context of the task running now: in a pool item, its attempt number. Call it while the
 * task runs (before its first `await` or after: a pool worker runs one item at a time). Outside
 * a pool item (a task run by `system.process`, or called directly) it is `{ attempt: 1 }`.
 *
 * @example
 * ```ts
 * import { defineTask, taskContext } from '@troupe/core';
 * export const charge = defineTask(import.meta.url, 'charge', async (orderId: string) => {
 *   if (taskContext().attempt > 1 && (await alreadyCharged(orderId))) return 'done before';
 *   return chargeCard(orderId);
 * });
 * ```
 */
export function taskContext(): TaskContext {
  return current;
}

/**
 * @internal The pool worker sets the attempt of the items it is about to run (1 when undefined).
 *
 * @example
 * ```ts
 * setTaskAttempt(2); // the items about to run are on their second run
 * ```
 */
export function setTaskAttempt(attempt: number | undefined): void {
  current = attempt === undefined || attempt === 1 ? FIRST : Object.freeze({ attempt });
}
