/**
 * Waiting producers, consumers and joiners of the embedded queue backend: what each waits with,
 * and how a wait is armed (timeout, abort signal) and settled once.
 *
 * @module
 */

import type { Clock, TimerHandle } from '../Clock.js';
import type { Deque } from '../internal/Deque.js';
import type { BackendWaitOptions, QueueItem } from './QueueBackend.js';

export interface Waiter {
  settled: boolean;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  reject(error: unknown): void;
}

export interface Putter extends Waiter {
  readonly item: QueueItem;
  /** A producer in another process that wants places reserved once this put is admitted. */
  readonly reserve: { readonly producer: string; readonly want: number } | undefined;
  /** Settles the put with the places reserved with it (0 without `reserve`). */
  resolve(reserved: number): void;
}

export interface Taker extends Waiter {
  readonly consumer: string;
  readonly max: number;
  resolve(items: QueueItem[]): void;
}

export interface Joiner extends Waiter {
  resolve(): void;
}

/** A waiter's own fields, not yet armed; it rejects with `reject`. */
export function waiting(reject: (error: unknown) => void): Waiter {
  return { settled: false, timer: undefined, signal: undefined, onAbort: undefined, reject };
}

/** Drops waiters that timed out or were aborted from the front of a line. */
export function dropSettled(line: Deque<Waiter>): void {
  while (line.peek()?.settled) line.shift();
}

/** Starts a waiter's timeout and abort signal, on `clock`. */
export function arm(
  clock: Clock,
  waiter: Waiter,
  options: BackendWaitOptions | undefined,
  onTimeout: () => Error,
): void {
  const { timeoutMs, signal, onWait } = options ?? {};
  onWait?.((reason) => settle(clock, waiter, () => waiter.reject(reason)));
  if (signal?.aborted) {
    settle(clock, waiter, () => waiter.reject(signal.reason));
    return;
  }
  if (timeoutMs !== undefined) {
    waiter.timer = clock.setTimeout(() => settle(clock, waiter, () => waiter.reject(onTimeout())), timeoutMs);
  }
  if (signal !== undefined) {
    waiter.signal = signal;
    waiter.onAbort = () => settle(clock, waiter, () => waiter.reject(signal.reason));
    signal.addEventListener('abort', waiter.onAbort, { once: true });
  }
}

/** Settles a waiter once: clears its timer and abort listener, then runs `then`. */
export function settle(clock: Clock, waiter: Waiter, then: () => void): void {
  if (waiter.settled) return;
  waiter.settled = true;
  if (waiter.timer !== undefined) clock.clearTimeout(waiter.timer);
  if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  then();
}
