/**
 * One process's side of every queue it uses: encodes items once at `put`, decodes what a fetch
 * brings once, in one call for the whole batch, keeps a small read-ahead buffer per queue (grown while a consumer keeps asking, so a
 * tight loop fetches in batches and a single `get` takes one item), and counts the items this
 * process holds so `taskDone()` can refuse an extra call at once.
 *
 * @module
 */

import type { Codec } from '../Codec.js';
import { TaskDoneError } from '../errors.js';
import { Deque } from '../internal/Deque.js';
import { isRun, splitRun, type TakenItems, toWire } from './itemRun.js';
import { packItem, type QueueInfo, type QueueItem, type WaitOptions } from './QueueBackend.js';

/** How a process reaches the backend: directly in the root, through the root elsewhere. */
export interface QueueOps {
  put(queue: string, item: QueueItem, options: WaitOptions | undefined, bounded: boolean): Promise<void>;
  tryPut(queue: string, item: QueueItem): Promise<boolean>;
  take(queue: string, max: number, options: WaitOptions | undefined): Promise<TakenItems>;
  tryTake(queue: string, max: number): Promise<TakenItems>;
  ack(queue: string, n: number): void;
  /** Gives back the `n` newest items taken and not handed out (see `QueueBackend.giveBack`). */
  giveBack(queue: string, n: number): void;
  taskDone(queue: string, n: number): void;
  join(queue: string, options: WaitOptions | undefined): Promise<void>;
  size(queue: string): Promise<number>;
  close(queue: string): Promise<void>;
}

/** An item fetched that did not decode: its `get` throws this error (the others are unharmed). */
class Undecodable {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

interface Local {
  /** Items fetched and not yet handed out, decoded (or {@link Undecodable}). */
  readonly buffer: Deque<unknown>;
  fetchSize: number;
  /** Items handed out by `get` and not yet `taskDone` (joinable queues). */
  held: number;
  /** A read-ahead `tryTake` on its way: a `get` that finds the buffer empty waits for it first. */
  readingAhead: Promise<void> | undefined;
  /** A `get`'s take is on its way: its answer may hold more items than that `get` uses. */
  taking: boolean;
  /** The hub asked for the read-ahead back while a fetch was on its way: give it back after. */
  reclaimed: boolean;
}

/**
 * The most items a consumer fetches at once. Large, so a draining consumer's read-ahead hides the
 * round trip to the hub; the hub also stops at about a mebibyte of encoded items per fetch.
 */
const MAX_FETCH = 16384;

export class QueueClient {
  readonly #ops: QueueOps;
  readonly #codec: Codec;
  readonly #local = new Map<string, Local>();
  /** The queue used last, and its state: a draining loop finds it without a map lookup. */
  #lastQueue: string | undefined;
  #lastLocal: Local | undefined;

  constructor(ops: QueueOps, codec: Codec) {
    this.#ops = ops;
    this.#codec = codec;
  }

  /** Encodes now (throwing `SerializationError` at the call site), then puts. */
  put(info: QueueInfo, value: unknown, options: WaitOptions | undefined): Promise<void> {
    return this.#ops.put(info.id, this.#pack(value), options, info.capacity !== null);
  }

  tryPut(info: QueueInfo, value: unknown): Promise<boolean> {
    return this.#ops.tryPut(info.id, this.#pack(value));
  }

  get(info: QueueInfo, options: WaitOptions | undefined): Promise<unknown> {
    const local = this.#state(info.id);
    if (local.buffer.length > 0) {
      // The common case in a draining loop: no async machinery, no round trip.
      try {
        return Promise.resolve(this.#next(info, local));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#fetchThenGet(info, local, options);
  }

  async #fetchThenGet(info: QueueInfo, local: Local, options: WaitOptions | undefined): Promise<unknown> {
    if (local.readingAhead !== undefined) await local.readingAhead;
    if (local.buffer.length === 0) {
      const max = local.fetchSize;
      local.taking = true;
      let values: unknown[];
      try {
        values = this.#decodeAll(await this.#ops.take(info.id, max, options));
      } finally {
        local.taking = false;
      }
      local.fetchSize = values.length >= max ? Math.min(MAX_FETCH, max * 2) : Math.max(1, values.length);
      for (const value of values) local.buffer.push(value);
    }
    const value = this.#next(info, local);
    // Asked for while the take was on its way (its answer and the request can arrive together).
    if (local.reclaimed) this.reclaim(info.id);
    return value;
  }

  #next(info: QueueInfo, local: Local): unknown {
    const item = local.buffer.shift();
    this.#readAhead(info, local);
    return this.#handOut(info, local, item);
  }

  /**
   * A consumer draining batches fetches the next one while it works through this one, so it does
   * not wait a round trip per batch. Only what is there now is taken (no standing wait), so a
   * consumer that stops asking holds at most one batch.
   */
  #readAhead(info: QueueInfo, local: Local): void {
    if (local.readingAhead !== undefined || local.fetchSize < 4 || local.buffer.length > local.fetchSize / 2)
      return;
    const max = local.fetchSize;
    local.readingAhead = this.#ops.tryTake(info.id, max).then(
      (taken) => {
        local.readingAhead = undefined;
        const values = this.#decodeAll(taken);
        if (values.length >= max) local.fetchSize = Math.min(MAX_FETCH, max * 2);
        for (const value of values) local.buffer.push(value);
        if (local.reclaimed) this.reclaim(info.id);
      },
      () => {
        local.readingAhead = undefined;
      },
    );
  }

  /**
   * Another consumer waits on `queue` while it is empty: the items this process fetched ahead
   * and has not handed to `get` go back to the queue (after a fetch on its way has landed: the
   * hub counts items in the order it handed them out, and gives back the newest). The next fetch
   * starts small again.
   */
  reclaim(queue: string): void {
    const local = this.#local.get(queue);
    if (local === undefined) return;
    if (local.readingAhead !== undefined || local.taking) {
      local.reclaimed = true;
      return;
    }
    local.reclaimed = false;
    local.fetchSize = 1;
    const n = local.buffer.length;
    if (n === 0) return;
    local.buffer.drain();
    this.#ops.giveBack(queue, n);
  }

  async tryGet(info: QueueInfo): Promise<{ value: unknown } | undefined> {
    const local = this.#state(info.id);
    if (local.buffer.length === 0) {
      const values = this.#decodeAll(await this.#ops.tryTake(info.id, 1));
      if (values.length === 0) return undefined;
      for (const value of values) local.buffer.push(value);
    }
    return { value: this.#handOut(info, local, local.buffer.shift()) };
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

  #handOut(info: QueueInfo, local: Local, value: unknown): unknown {
    if (info.joinable) local.held++;
    else this.#ops.ack(info.id, 1);
    if (value instanceof Undecodable) throw value.error;
    return value;
  }

  /**
   * The values of what a fetch brought, in order. Encoded items are joined into one run (if they
   * did not come as one) and decoded in one call; if that fails, each is decoded on its own, so
   * only an item that does not decode fails, at its own `get`.
   */
  #decodeAll(taken: TakenItems): unknown[] {
    const wire = isRun(taken) ? taken : toWire(taken);
    if (!isRun(wire)) return wire.map(this.#decodeOne);
    const { bytes, ends } = wire;
    try {
      return this.#codec.decodeAll(bytes, ends);
    } catch {
      // One of them does not decode: below, each on its own.
    }
    return splitRun(wire).map(this.#decodeOne);
  }

  /** One item's value; an item that does not decode becomes the error its `get` throws. */
  readonly #decodeOne = (item: QueueItem): unknown => {
    if (!(item instanceof Uint8Array)) return item;
    try {
      return this.#codec.decode(item);
    } catch (error) {
      return new Undecodable(error);
    }
  };

  #pack(value: unknown): QueueItem {
    return packItem(value, this.#encode);
  }

  readonly #encode = (value: unknown): Uint8Array => this.#codec.encode(value, 'item');

  #state(queue: string): Local {
    if (queue === this.#lastQueue) return this.#lastLocal as Local;
    let local = this.#local.get(queue);
    if (local === undefined) {
      local = {
        buffer: new Deque(),
        fetchSize: 1,
        held: 0,
        readingAhead: undefined,
        taking: false,
        reclaimed: false,
      };
      this.#local.set(queue, local);
    }
    this.#lastQueue = queue;
    this.#lastLocal = local;
    return local;
  }
}
