/**
 * Time, injected. Every parent-side timer (ask timeouts, shutdown grace, restart windows,
 * backoff) goes through a {@link Clock}, so the decisions can be tested with the
 * {@link SimulatedClock}.
 *
 * @module
 */

import { checkFinite } from './validate.js';

/**
 * An opaque timer handle returned by {@link Clock.setTimeout}.
 *
 * @example
 * ```ts
 * import { realClock, type TimerHandle } from '@troupe/core';
 * const timer: TimerHandle = realClock.setTimeout(() => console.log('too late'), 1000);
 * realClock.clearTimeout(timer);
 * ```
 */
export interface TimerHandle {
  readonly __timer: true;
}

/**
 * The source of time and timers.
 *
 * @example
 * ```ts
 * import { realClock } from '@troupe/core';
 * const t = realClock.setTimeout(() => console.log('later'), 10);
 * realClock.clearTimeout(t);
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  /**
   * Calls `fn` after `ms` milliseconds. The timer does not keep the process alive. Any delay is
   * kept, however long (`Infinity` never fires); a negative or NaN one fires as soon as it can.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

interface Unrefable {
  unref?: () => void;
}

/**
 * The longest delay the host's `setTimeout` keeps: 2^31 − 1 ms, about 24.8 days. Node and the
 * browsers fire a longer one after 1 ms.
 */
const MAX_HOST_DELAY = 2 ** 31 - 1;

function hostTimer(fn: () => void, ms: number): TimerHandle {
  const handle = globalThis.setTimeout(fn, ms) as unknown as Unrefable;
  handle.unref?.();
  return handle as unknown as TimerHandle;
}

/** A delay longer than the host keeps, waited as a chain of host timers of at most its limit. */
class ChainedTimer implements TimerHandle {
  declare readonly __timer: true;
  /** The host timer of the current link. */
  current: TimerHandle;
  #left: number;
  readonly #fn: () => void;

  constructor(fn: () => void, ms: number) {
    this.#fn = fn;
    this.#left = ms - MAX_HOST_DELAY;
    this.current = hostTimer(() => this.#next(), MAX_HOST_DELAY);
  }

  #next(): void {
    if (this.#left <= MAX_HOST_DELAY) {
      this.current = hostTimer(this.#fn, this.#left);
      return;
    }
    this.#left -= MAX_HOST_DELAY;
    this.current = hostTimer(() => this.#next(), MAX_HOST_DELAY);
  }
}

/**
 * The wall clock: `performance.now()` and the host's unref'd timers. A delay past the host's
 * limit (2^31 − 1 ms) is waited as a chain of timers, so it fires when due rather than at once.
 *
 * @example
 * ```ts
 * import { realClock } from '@troupe/core';
 * const started = realClock.now();
 * ```
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    return ms > MAX_HOST_DELAY ? new ChainedTimer(fn, ms) : hostTimer(fn, ms);
  },
  clearTimeout(handle) {
    const host = handle instanceof ChainedTimer ? handle.current : handle;
    globalThis.clearTimeout(host as unknown as number);
  },
};

interface SimTimer extends TimerHandle {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to, for deterministic tests.
 *
 * @example
 * ```ts
 * import { SimulatedClock } from '@troupe/core';
 * const clock = new SimulatedClock();
 * let fired = false;
 * clock.setTimeout(() => { fired = true; }, 100);
 * clock.advance(99);  // fired === false
 * clock.advance(1);   // fired === true
 * ```
 */
export class SimulatedClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: SimTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: SimTimer = {
      __timer: true,
      // As the real clock: a negative or NaN delay is due now, Infinity never.
      at: this.#now + (Number.isNaN(ms) ? 0 : Math.max(0, ms)),
      seq: this.#seq++,
      fn,
      cancelled: false,
    };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as SimTimer).cancelled = true;
  }

  /** The number of timers still waiting to fire. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order of due time (then creation). Timers
   * set by a firing timer fire in the same call if they fall due within it.
   */
  advance(ms: number): void {
    checkFinite(ms, 'SimulatedClock.advance(ms): ms');
    const target = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#now = next.at;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      next.fn();
    }
    this.#now = target;
  }

  #nextDue(limit: number): SimTimer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    let best: SimTimer | undefined;
    for (const t of this.#timers) {
      if (t.at > limit) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
