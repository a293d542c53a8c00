/**
 * One process's side of every queue it uses: encodes items once at `put`, decodes them once at
 * `get`, keeps a small read-ahead buffer per queue (grown while a consumer keeps asking, so a
 * tight loop fetches in batches and a single `get` takes one item), and counts the items this
 * process holds so `taskDone()` can refuse an extra call at once.
 *
 * @module
 */

import type { Codec } from '../Codec.js';
import { TaskDoneError } from '../errors.js';
import { Deque } from '../internal/Deque.js';
import type { QueueInfo, WaitOptions } from './QueueBackend.js';

/** How a process reaches the backend: directly in the root, through the root elsewhere. */
export interface QueueOps {
  put(queue: string, item: Uint8Array, options: WaitOptions | undefined, bounded: boolean): Promise<void>;
  tryPut(queue: string, item: Uint8Array): Promise<boolean>;
  take(queue: string, max: number, options: WaitOptions | undefined): Promise<Uint8Array[]>;
  tryTake(queue: string, max: number): Promise<Uint8Array[]>;
  ack(queue: string, n: number): void;
  taskDone(queue: string, n: number): void;
  join(queue: string, options: WaitOptions | undefined): Promise<void>;
  size(queue: string): Promise<number>;
  close(queue: string): Promise<void>;
}

interface Local {
  readonly buffer: Deque<Uint8Array>;
  fetchSize: number;
  /** Items handed out by `get` and not yet `taskDone` (joinable queues). */
  held: number;
}

const MAX_FETCH = 256;

export class QueueClient {
  readonly #ops: QueueOps;
  readonly #codec: Codec;
  readonly #local = new Map<string, Local>();

  constructor(ops: QueueOps, codec: Codec) {
    this.#ops = ops;
    this.#codec = codec;
  }

  /** Encodes now (throwing `SerializationError` at the call site), then puts. */
  put(info: QueueInfo, value: unknown, options: WaitOptions | undefined): Promise<void> {
    const bytes = this.#codec.encode(value, 'item');
    return this.#ops.put(info.id, bytes, options, info.capacity !== null);
  }

  tryPut(info: QueueInfo, value: unknown): Promise<boolean> {
    return this.#ops.tryPut(info.id, this.#codec.encode(value, 'item'));
  }

  async get(info: QueueInfo, options: WaitOptions | undefined): Promise<unknown> {
    const local = this.#state(info.id);
    let bytes = local.buffer.shift();
    if (bytes === undefined) {
      const max = local.fetchSize;
      const items = await this.#ops.take(info.id, max, options);
      local.fetchSize = items.length >= max ? Math.min(MAX_FETCH, max * 2) : Math.max(1, items.length);
      for (const item of items) local.buffer.push(item);
      bytes = local.buffer.shift() as Uint8Array;
    }
    return this.#handOut(info, local, bytes);
  }

  async tryGet(info: QueueInfo): Promise<{ value: unknown } | undefined> {
    const local = this.#state(info.id);
    let bytes = local.buffer.shift();
    if (bytes === undefined) {
      const [item] = await this.#ops.tryTake(info.id, 1);
      if (item === undefined) return undefined;
      bytes = item;
    }
    return { value: this.#handOut(info, local, bytes) };
  }

  taskDone(info: QueueInfo): void {
    if (!info.joinable)
      throw new TaskDoneError('taskDone() needs a joinable queue (system.queue({ joinable: true }))');
    const local = this.#state(info.id);
    if (local.held === 0) throw new TaskDoneError('taskDone() called more times than items were taken');
    local.held--;
    this.#ops.taskDone(info.id, 1);
  }

  join(info: QueueInfo, options: WaitOptions | undefined): Promise<void> {
    if (!info.joinable) {
      return Promise.reject(
        new TaskDoneError('join() needs a joinable queue (system.queue({ joinable: true }))'),
      );
    }
    return this.#ops.join(info.id, options);
  }

  size(info: QueueInfo): Promise<number> {
    return this.#ops.size(info.id);
  }

  close(info: QueueInfo): Promise<void> {
    return this.#ops.close(info.id);
  }

  #handOut(info: QueueInfo, local: Local, bytes: Uint8Array): unknown {
    if (info.joinable) local.held++;
    else this.#ops.ack(info.id, 1);
    return this.#codec.decode(bytes);
  }

  #state(queue: string): Local {
    let local = this.#local.get(queue);
    if (local === undefined) {
      local = { buffer: new Deque(), fetchSize: 1, held: 0 };
      this.#local.set(queue, local);
    }
    return local;
  }
}
