/**
 * Restart intensity: OTP's `intensity` and `period`, as a sliding window on the injected
 * {@link Clock}. A supervisor records each restart it decides on; when more than `maxRestarts`
 * fall within `withinMs`, it gives up.
 *
 * @module
 */

import type { Clock } from '../Clock.js';

/**
 * Counts restarts within a sliding window of `withinMs`. A restart made exactly `withinMs` ago
 * has left the window.
 *
 * @example
 * ```ts
 * const clock = new SimulatedClock();
 * const intensity = new RestartIntensity(clock, 3, 5000);
 * intensity.record(); // true
 * intensity.record(); // true
 * intensity.record(); // true: 3 within 5 s are allowed
 * intensity.record(); // false: the 4th exceeds maxRestarts
 * ```
 */
export class RestartIntensity {
  readonly #clock: Clock;
  readonly #maxRestarts: number;
  readonly #withinMs: number;
  #times: number[] = [];

  constructor(clock: Clock, maxRestarts: number, withinMs: number) {
    this.#clock = clock;
    this.#maxRestarts = maxRestarts;
    this.#withinMs = withinMs;
  }

  /** Records a restart now; false when that makes more than `maxRestarts` within the window. */
  record(): boolean {
    const now = this.#clock.now();
    this.#times = this.#times.filter((t) => now - t < this.#withinMs);
    this.#times.push(now);
    return this.#times.length <= this.#maxRestarts;
  }
}
