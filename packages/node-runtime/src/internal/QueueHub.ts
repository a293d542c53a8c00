/**
 * The root's end of queue traffic: runs the queue calls workers send on the backend, in the name
 * of the worker that sent them, and serves the root's own queue handles directly.
 */

import { QueueClosedError } from '@troupe/core';
import type { QueueBackend, QueueCallMessage, QueueItem, QueueOps } from '@troupe/core/spi';

/** The consumer name of queue handles used in the root itself. */
export const ROOT_CONSUMER = 'root';

export class QueueHub {
  readonly backend: QueueBackend;
  /** Abort controllers of waiting calls, by consumer and call id, for `cancel`. */
  readonly #waiting = new Map<string, AbortController>();

  readonly #onDropped: (queue: string, item: QueueItem, reason: string) => void;

  /** @param onDropped - an item that could not be queued after its put had already resolved */
  constructor(backend: QueueBackend, onDropped: (queue: string, item: QueueItem, reason: string) => void) {
    this.backend = backend;
    this.#onDropped = onDropped;
  }

  /**
   * Runs one call from `consumer`. Returns the answer to send back, or undefined for calls that
   * expect none. A call on an unknown queue fails with `QueueClosedError`.
   */
  call(consumer: string, message: QueueCallMessage): Promise<unknown> | undefined {
    const { op, q, arg, id, timeoutMs } = message;
    const b = this.backend;
    try {
      switch (op) {
        case 'puts':
          this.#putAll(q, arg as QueueItem[]);
          return undefined;
        case 'ack':
          b.ack(q, consumer, arg as number);
          return undefined;
        case 'taskDone':
          b.taskDone(q, consumer, arg as number);
          return undefined;
        case 'cancel':
          this.#waiting
            .get(`${consumer}:${String(arg)}`)
            ?.abort(new QueueClosedError('Cancelled by the caller'));
          return undefined;
        case 'put':
          return this.#waitable(consumer, id, (signal) => b.put(q, arg as QueueItem, { timeoutMs, signal }));
        case 'take':
          return this.#waitable(consumer, id, (signal) =>
            b.take(q, consumer, arg as number, { timeoutMs, signal }),
          );
        case 'join':
          return this.#waitable(consumer, id, (signal) => b.join(q, { timeoutMs, signal }));
        case 'tryPut':
          return Promise.resolve(b.tryPut(q, arg as QueueItem));
        case 'tryTake':
          return Promise.resolve(b.tryTake(q, consumer, arg as number));
        case 'size':
          return Promise.resolve(b.size(q));
        case 'close':
          b.close(q);
          return Promise.resolve();
      }
    } catch (error) {
      return id === 0 ? undefined : Promise.reject(error);
    }
  }

  /** The worker `consumer` is gone: its held items go back, its waits end. */
  consumerGone(consumer: string, poisoned?: string): void {
    for (const [key, controller] of this.#waiting) {
      if (key.startsWith(`${consumer}:`)) controller.abort(new QueueClosedError('Consumer is gone'));
    }
    this.backend.consumerGone(consumer, poisoned);
  }

  /** Drops a queue (a private mailbox whose actor is gone). */
  delete(queue: string): void {
    this.backend.delete(queue);
  }

  /** Queue operations for handles used in the root itself. */
  rootOps(): QueueOps {
    const b = this.backend;
    return {
      put: (q, item, options) => b.put(q, item, options),
      tryPut: async (q, item) => b.tryPut(q, item),
      take: (q, max, options) => b.take(q, ROOT_CONSUMER, max, options),
      tryTake: async (q, max) => b.tryTake(q, ROOT_CONSUMER, max),
      ack: (q, n) => b.ack(q, ROOT_CONSUMER, n),
      taskDone: (q, n) => b.taskDone(q, ROOT_CONSUMER, n),
      join: (q, options) => b.join(q, options),
      size: async (q) => b.size(q),
      close: async (q) => b.close(q),
    };
  }

  /** Puts a batch on an unbounded queue without a promise per item. */
  #putAll(queue: string, items: QueueItem[]): void {
    for (const item of items) {
      try {
        if (!this.backend.tryPut(queue, item)) throw new QueueClosedError('no room');
      } catch (error) {
        this.#onDropped(queue, item, (error as Error).message);
      }
    }
  }

  #waitable(consumer: string, id: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
    const key = `${consumer}:${id}`;
    const controller = new AbortController();
    this.#waiting.set(key, controller);
    const done = () => this.#waiting.delete(key);
    const promise = run(controller.signal);
    promise.then(done, done);
    return promise;
  }
}
