/**
 * The queue handle: a multi-producer, multi-consumer FIFO that any actor on any placement can
 * use. The handle is serializable: pass it in spawn arguments or inside messages.
 *
 * @module
 */

import { Portable, type PortableData } from '../Codec.js';
import { QueueClosedError } from '../errors.js';

import { untilClosed } from '../internal/untilClosed.js';
import { checkWaitOptions } from '../validate.js';
import type { QueueInfo, WaitOptions } from './QueueBackend.js';
import type { QueueClient } from './QueueClient.js';

/**
 * A queue of `T`. Created by `system.queue<T>(options)`.
 *
 * - `put` waits while a bounded queue is full and rejects `QueueFullError` at its timeout; on an
 *   unbounded queue it does not wait.
 * - `get` waits while the queue is empty and rejects `QueueEmptyError` at its timeout.
 * - After `close()`, `put` rejects `QueueClosedError`; consumers drain what is left, then `get`
 *   rejects `QueueClosedError` and `for await` ends.
 * - A value that cannot be encoded throws `SerializationError` synchronously at `put`; nothing
 *   is queued.
 * - Wait options that are not valid (a `timeoutMs` that is negative, NaN or not a number, a
 *   `signal` that is not an `AbortSignal`) throw `InvalidArgumentError` synchronously, naming
 *   the option; nothing is queued or taken.
 * - FIFO for a single producer; items a consumer held when it died are redelivered (or failed,
 *   as configured) — never silently lost.
 *
 * @example
 * ```ts
 * const jobs = system.queue<number>({ capacity: 100 });
 * await jobs.put(1);
 * console.log(await jobs.get({ timeoutMs: 1000 })); // 1
 * await jobs.close();
 * for await (const job of jobs) console.log(job); // drains, then ends
 * ```
 */
export class Queue<T> extends Portable implements AsyncIterable<T> {
  readonly #info: QueueInfo;
  readonly #client: QueueClient;

  /** @internal Made by the runtime (`system.queue`, or a handle arriving in a message). */
  constructor(info: QueueInfo, client: QueueClient) {
    super();
    this.#info = info;
    this.#client = client;
  }

  /** The queue's id within its system. */
  get id(): string {
    return this.#info.id;
  }

  /** The most items it holds, or `null` when unbounded. */
  get capacity(): number | null {
    return this.#info.capacity;
  }

  /** True for a joinable queue (`taskDone` and `join`). */
  get joinable(): boolean {
    return this.#info.joinable;
  }

  /** Adds `value`, waiting while the queue is full. */
  put(value: T, options?: WaitOptions): Promise<void> {
    checkWaitOptions(options, 'put');
    return this.#client.put(this.#info, value, options);
  }

  /** Adds `value` if there is room now; resolves false otherwise. Never waits for room. */
  tryPut(value: T): Promise<boolean> {
    return this.#client.tryPut(this.#info, value);
  }

  /** Removes and returns the oldest item, waiting while the queue is empty. */
  get(options?: WaitOptions): Promise<T> {
    checkWaitOptions(options, 'get');
    return this.#client.get(this.#info, options) as Promise<T>;
  }

  /**
   * Removes and returns the oldest item as `{ value }` if there is one now, else `undefined`.
   * Rejects `QueueClosedError` once the queue is closed and drained (as `get` does).
   */
  tryGet(): Promise<{ value: T } | undefined> {
    return this.#client.tryGet(this.#info) as Promise<{ value: T } | undefined>;
  }

  /** Items waiting in the queue (not those already handed to consumers). */
  size(): Promise<number> {
    return this.#client.size(this.#info);
  }

  /** Closes the queue for puts; consumers drain what is left. */
  close(): Promise<void> {
    return this.#client.close(this.#info);
  }

  /**
   * Joinable queues: marks the oldest item this process took as finished. Throws `TaskDoneError`
   * when called more times than this process took items.
   */
  taskDone(): void {
    this.#client.taskDone(this.#info);
  }

  /** Joinable queues: resolves once every item put has been finished (or failed). */
  join(options?: WaitOptions): Promise<void> {
    checkWaitOptions(options, 'join');
    return this.#client.join(this.#info, options);
  }

  /** Yields items until the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return untilClosed(() => this.get(), QueueClosedError);
  }

  toPortable(): PortableData {
    return { kind: 'queue', data: this.#info };
  }
}
