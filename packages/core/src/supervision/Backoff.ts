/**
 * Exponential backoff between one child's restarts (Akka's `BackoffSupervisor`):
 * `delay = min(maxMs, minMs · 2^n) · (1 + random() · randomFactor)`, where `n` counts the
 * child's consecutive restarts and drops back to 0 once it has stayed up `resetAfterMs`.
 *
 * @module
 */

import type { ResolvedBackoff } from './validateOptions.js';

/**
 * One child's backoff state.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 1000 }, Math.random);
 * backoff.next(0);     // 100 (crashed after 0 ms up)
 * backoff.next(10);    // 200
 * backoff.next(10);    // 400
 * backoff.next(5000);  // 100: it had stayed up past resetAfterMs
 * ```
 */
export class Backoff {
  readonly #options: ResolvedBackoff;
  readonly #random: () => number;
  #n = 0;

  constructor(options: ResolvedBackoff, random: () => number) {
    this.#options = options;
    this.#random = random;
  }

  /** Consecutive restarts so far (the `n` of the next delay). */
  get consecutive(): number {
    return this.#n;
  }

  /**
   * The delay before the next restart of a child that was up for `upMs`, counting that restart.
   */
  next(upMs: number): number {
    const { minMs, maxMs, randomFactor, resetAfterMs } = this.#options;
    if (upMs >= resetAfterMs) this.#n = 0;
    const base = Math.min(maxMs, minMs * 2 ** this.#n);
    this.#n++;
    return base * (1 + this.#random() * randomFactor);
  }
}
