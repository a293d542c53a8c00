/**
 * Per-item deadlines of a pool: one timer per worker, on the item it is running, when that item's
 * call times its items (`Job.timeoutMs`).
 *
 * @module
 */

import type { Clock, TimerHandle } from '../Clock.js';
import type { Job } from './Job.js';

/** The item a worker is running. */
export interface RunningItem {
  readonly job: Job;
  readonly index: number;
}

/**
 * Times the item each worker is running; a new item restarts its worker's timer.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(clock, (worker, ms) => console.log(`${worker} ran past ${ms} ms`));
 * deadlines.watch('w1', scheduler.current('w1'));
 * ```
 */
export class Deadlines {
  readonly #clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #expired: (worker: string, ms: number) => void;
  readonly #timers = new Map<string, { readonly item: RunningItem; readonly timer: TimerHandle }>();

  constructor(
    clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    expired: (worker: string, ms: number) => void,
  ) {
    this.#clock = clock;
    this.#expired = expired;
  }

  /** `worker` is now running `item` (undefined: nothing, or nothing begun yet). */
  watch(worker: string, item: RunningItem | undefined): void {
    const watched = this.#timers.get(worker);
    if (watched !== undefined && watched.item.job === item?.job && watched.item.index === item.index) return;
    this.clear(worker);
    const ms = item?.job.timeoutMs;
    if (item === undefined || ms === undefined) return;
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(worker);
      this.#expired(worker, ms);
    }, ms);
    this.#timers.set(worker, { item, timer });
  }

  /** Stops timing `worker` (it died). */
  clear(worker: string): void {
    const watched = this.#timers.get(worker);
    if (watched === undefined) return;
    this.#clock.clearTimeout(watched.timer);
    this.#timers.delete(worker);
  }
}
