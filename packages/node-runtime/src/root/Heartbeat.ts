/**
 * Liveness for one worker: a ping every interval, and a verdict of hung when the previous ping
 * has not been answered by the time the next is due (a busy loop, a blocked event loop).
 */

import type { Clock, TimerHandle } from '@troupe/core';

export class Heartbeat {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #ping: (id: number) => void;
  readonly #hung: () => void;
  #timer: TimerHandle | undefined;
  #id = 0;
  #answered = true;

  /**
   * Starts beating: the first ping goes after `intervalMs`. `ping` sends one; `hung` is called
   * once, instead of a ping, when the last one went unanswered.
   */
  constructor(clock: Clock, intervalMs: number, ping: (id: number) => void, hung: () => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#ping = ping;
    this.#hung = hung;
    this.#timer = clock.setTimeout(() => this.#beat(), intervalMs);
  }

  /** The worker answered ping `id`. */
  pong(id: number): void {
    if (id === this.#id) this.#answered = true;
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #beat(): void {
    this.#timer = undefined;
    if (!this.#answered) {
      this.#hung();
      return;
    }
    this.#answered = false;
    this.#ping(++this.#id);
    this.#timer = this.#clock.setTimeout(() => this.#beat(), this.#intervalMs);
  }
}
