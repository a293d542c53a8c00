/**
 * A typed stream of events: subscribe with a listener, iterate with `for await`, or await the
 * next event that matches.
 *
 * @module
 */

import { deferred } from './internal/deferred.js';

/**
 * A multicast stream of events. Listeners run synchronously, in subscription order; a listener
 * that throws does not stop the others (its error is reported with `reportError` where the host
 * has it).
 *
 * @example
 * ```ts
 * const off = system.events.subscribe((e) => console.log(e.type));
 * const exit = await system.events.next((e) => e.type === 'exited');
 * off();
 * ```
 */
export class EventStream<E> {
  readonly #listeners = new Set<(event: E) => void>();

  /** True while anything listens: a `subscribe` listener, a pending `next`, a `for await` loop. */
  get hasSubscribers(): boolean {
    return this.#listeners.size > 0;
  }

  /** Calls `listener` with every later event; returns the function that unsubscribes it. */
  subscribe(listener: (event: E) => void): () => void {
    const entry = (event: E) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /**
   * Resolves with the next event for which `predicate` holds. Rejects with the signal's reason
   * if `signal` aborts first.
   */
  next<T extends E = E>(
    predicate: ((event: E) => event is T) | ((event: E) => boolean) = () => true,
    signal?: AbortSignal,
  ): Promise<T> {
    const { promise, resolve, reject } = deferred<T>();
    if (signal?.aborted) {
      reject(signal.reason);
      return promise;
    }
    const onAbort = () => {
      off();
      reject(signal?.reason);
    };
    const off = this.subscribe((event) => {
      if (!predicate(event)) return;
      off();
      signal?.removeEventListener('abort', onAbort);
      resolve(event as T);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    return promise;
  }

  /** Delivers `event` to every listener. */
  emit(event: E): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
        if (report) report(error);
        else
          queueMicrotask(() => {
            throw error;
          });
      }
    }
  }

  /** Iterates the events emitted from now on, buffering those not yet consumed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<E, void, undefined> {
    const buffered: E[] = [];
    let wake: (() => void) | undefined;
    const off = this.subscribe((event) => {
      buffered.push(event);
      wake?.();
    });
    try {
      for (;;) {
        const event = buffered.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        const { promise, resolve } = deferred<void>();
        wake = resolve;
        await promise;
        wake = undefined;
      }
    } finally {
      off();
    }
  }
}
