/**
 * The root's end of queue traffic: runs the queue calls workers send on the backend, in the name
 * of the worker that sent them, and serves the root's own queue handles directly.
 */

import { QueueClosedError } from '@troupe/core';
import {
  type Awaitable,
  assertNever,
  checkQueueCall,
  type QueueBackend,
  type QueueCallMessage,
  type QueueItem,
  type QueueOps,
  type TakenItems,
  takenItems,
  toWire,
  whenReady,
} from '@troupe/core/spi';

/** The consumer name of queue handles used in the root itself. */
export const ROOT_CONSUMER = 'root';

type Cancel = (reason: unknown) => void;

/** A take that does not wait: nothing when the queue is empty, `QueueClosedError` once it is closed and drained. */
function tryTake(b: QueueBackend, queue: string, consumer: string, max: number): Awaitable<QueueItem[]> {
  return whenReady(b.tryTake(queue, consumer, max), (items) => {
    if (items.length === 0 && b.isClosed(queue))
      throw new QueueClosedError(`Queue ${queue} is closed and drained`);
    return items;
  });
}

/**
 * Runs a call nobody waits for an answer to. What it throws, now or later, goes nowhere, as a
 * refused call with no answer always has: the worker checked what it could before sending, and a
 * network backend's item not acked is redelivered.
 */
function unanswered(run: () => Awaitable<void>): void {
  try {
    const done = run();
    if (done instanceof Promise) done.catch(() => {});
  } catch {
    // As above.
  }
}

export class QueueHub {
  readonly backend: QueueBackend;
  /** How to cancel each waiting call, by consumer then call id (for `cancel`, and deaths). */
  readonly #waiting = new Map<string, Map<number, Cancel>>();
  readonly #onDropped: (queue: string, item: QueueItem, reason: string) => void;

  /** @param onDropped - an item that could not be queued after its put had already resolved */
  constructor(backend: QueueBackend, onDropped: (queue: string, item: QueueItem, reason: string) => void) {
    this.backend = backend;
    this.#onDropped = onDropped;
  }

  /**
   * Runs one call from `consumer`. Returns the answer to send back, or undefined for calls that
   * expect none. A call on an unknown queue fails with `QueueClosedError`. A malformed call (the
   * worker is buggy or hostile) throws `ProtocolError`, which ends that worker's channel.
   */
  call(consumer: string, frame: QueueCallMessage): Promise<unknown> | undefined {
    const call = checkQueueCall(frame);
    const { q, id, timeoutMs } = call;
    const b = this.backend;
    try {
      switch (call.op) {
        case 'puts':
          this.#putAll(q, consumer, call.arg);
          return undefined;
        case 'release':
          unanswered(() => b.release(q, consumer, call.arg));
          return undefined;
        case 'ack':
          unanswered(() => b.ack(q, consumer, call.arg));
          return undefined;
        case 'giveBack':
          unanswered(() => b.giveBack(q, consumer, call.arg));
          return undefined;
        case 'taskDone':
          unanswered(() => b.taskDone(q, consumer, call.arg));
          return undefined;
        case 'cancel':
          this.#waiting.get(consumer)?.get(call.arg)?.(new QueueClosedError('Cancelled by the caller'));
          return undefined;
        case 'put':
          return this.#waitable(consumer, id, (onWait) => b.put(q, call.arg, { timeoutMs, onWait }));
        case 'admit': {
          const [item, want] = call.arg;
          const reserve = { producer: consumer, want };
          return this.#waitable(consumer, id, (onWait) => b.admit(q, item, reserve, { timeoutMs, onWait }));
        }
        case 'take': {
          // The most to take, or [most, acked] when acks ride along.
          const [max, acked] = typeof call.arg === 'number' ? [call.arg, 0] : call.arg;
          if (acked > 0) unanswered(() => b.ack(q, consumer, acked));
          // Sent as one run of bytes when every item is encoded (see `toWire`).
          return this.#waitable(consumer, id, (onWait) =>
            b.take(q, consumer, max, { timeoutMs, onWait }).then(toWire),
          );
        }
        case 'join':
          return this.#waitable(consumer, id, (onWait) => b.join(q, { timeoutMs, onWait }));
        case 'tryPut':
          return Promise.resolve(b.tryPut(q, call.arg));
        case 'tryTake':
          return Promise.resolve(whenReady(tryTake(b, q, consumer, call.arg), toWire));
        case 'size':
          return Promise.resolve(b.size(q));
        case 'close':
          return Promise.resolve(b.close(q));
        default:
          return assertNever(call);
      }
    } catch (error) {
      return id === 0 ? undefined : Promise.reject(error);
    }
  }

  /** The worker `consumer` is gone: its held items go back (but `poisoned`'s first), its waits end. */
  consumerGone(consumer: string, poisoned?: string): void {
    const waiting = this.#waiting.get(consumer);
    this.#waiting.delete(consumer);
    for (const cancel of waiting?.values() ?? []) cancel(new QueueClosedError('Consumer is gone'));
    unanswered(() => this.backend.consumerGone(consumer, poisoned));
  }

  /** Drops a queue (a private mailbox whose actor is gone). */
  delete(queue: string): void {
    unanswered(() => this.backend.delete(queue));
  }

  /** Queue operations for handles used in the root itself. */
  rootOps(): QueueOps {
    const b = this.backend;
    return {
      put: (q, item, options) => b.put(q, item, options),
      tryPut: async (q, item) => b.tryPut(q, item),
      take: (q, max, options) => b.take(q, ROOT_CONSUMER, max, options),
      tryTake: async (q, max) => tryTake(b, q, ROOT_CONSUMER, max),
      ack: (q, n) => unanswered(() => b.ack(q, ROOT_CONSUMER, n)),
      giveBack: (q, n) => unanswered(() => b.giveBack(q, ROOT_CONSUMER, n)),
      taskDone: (q, n) => unanswered(() => b.taskDone(q, ROOT_CONSUMER, n)),
      join: (q, options) => b.join(q, options),
      size: async (q) => b.size(q),
      close: async (q) => b.close(q),
    };
  }

  /**
   * Puts a batch in one go, without a promise per item: into the places `producer` reserved (a
   * bounded queue), then as many as there is room for (all, in an unbounded queue). The worker's
   * puts have resolved already: what finds no room (a worker that sent more than it reserved)
   * becomes a dead letter, never a lost item.
   */
  #putAll(queue: string, producer: string, batch: TakenItems): void {
    const items = takenItems(batch);
    const b = this.backend;
    let accepted = 0;
    const dropRest = (reason: string) => {
      for (let i = accepted; i < items.length; i++) this.#onDropped(queue, items[i], reason);
    };
    const putRest = (reserved: number): Awaitable<void> => {
      accepted = reserved;
      if (reserved >= items.length) return;
      // Nothing reserved (every batch on an unbounded queue): the batch as it came, not a copy.
      return whenReady(b.tryPutAll(queue, reserved === 0 ? items : items.slice(reserved)), (more) => {
        accepted += more;
        dropRest('no room');
      });
    };
    try {
      const done = whenReady(b.putReserved(queue, producer, items), putRest);
      if (done instanceof Promise) done.catch((error: unknown) => dropRest((error as Error).message));
    } catch (error) {
      dropRest((error as Error).message);
    }
  }

  /** Runs a call that may wait, remembering how to cancel it while it does. */
  #waitable(
    consumer: string,
    id: number,
    run: (onWait: (cancel: Cancel) => void) => Promise<unknown>,
  ): Promise<unknown> {
    let waited = false;
    const promise = run((cancel) => {
      waited = true;
      let calls = this.#waiting.get(consumer);
      if (calls === undefined) {
        calls = new Map();
        this.#waiting.set(consumer, calls);
      }
      calls.set(id, cancel);
    });
    if (waited) {
      const done = () => this.#waiting.get(consumer)?.delete(id);
      promise.then(done, done);
    }
    return promise;
  }
}
