/**
 * The embedded queue hub: every queue's contents, waiting producers and consumers, and the items
 * each consumer holds, kept in the root process. All the queue rules live here, driven by an
 * injected clock, so they are tested without spawning anything.
 *
 * @module
 */

import { nanoid } from 'nanoid';
import type { Clock } from '../Clock.js';
import { QueueClosedError, QueueEmptyError, QueueFullError, TaskDoneError, TimeoutError } from '../errors.js';
import { ItemRing } from './ItemRing.js';
import type {
  BackendWaitOptions,
  FailedItem,
  QueueBackend,
  QueueInfo,
  QueueItem,
  QueueOptions,
} from './QueueBackend.js';
import {
  checkQueueOptions,
  freePlaces,
  newQueueRecord,
  putInFront,
  type QueueRecord,
  TAKE_BYTES,
  takeUpTo,
} from './QueueRecord.js';
import { sameQueue } from './sameQueue.js';
import { arm, dropSettled, type Joiner, type Putter, settle, type Taker, waiting } from './waiters.js';

/** What the hub reports besides answering calls. */
export interface EmbeddedQueueBackendOptions {
  readonly clock: Clock;
  /** An item failed (its consumer died and it will not be redelivered). */
  readonly onFailed?: (failed: FailedItem) => void;
  /**
   * The most bytes of items one take hands out (always at least one item), so the frame that
   * carries them fits its limit: pass the system's `maxMessageBytes`. Default (and most) 1 MiB.
   */
  readonly maxTakeBytes?: number;
  /**
   * A consumer must wait on `queue` while it is empty, and `holders` (other consumers) hold items
   * of it: ask them to give back what they fetched ahead and have not handed out (`giveBack`),
   * so a consumer that waits is not starved by one that has stopped asking.
   */
  readonly onStarving?: (queue: string, holders: readonly string[]) => void;
}

/**
 * The default {@link QueueBackend}: queues held in this process.
 *
 * @example
 * ```ts
 * const hub = new EmbeddedQueueBackend({ clock: realClock });
 * const { id } = hub.create({ capacity: 10 });
 * await hub.put(id, new Uint8Array([1]));
 * const [item] = await hub.take(id, 'me', 1);
 * hub.ack(id, 'me', 1);
 * ```
 */
export class EmbeddedQueueBackend implements QueueBackend {
  readonly #clock: Clock;
  readonly #onFailed: ((failed: FailedItem) => void) | undefined;
  readonly #queues = new Map<string, QueueRecord>();
  readonly #takeBytes: number;
  readonly #onStarving: ((queue: string, holders: readonly string[]) => void) | undefined;

  constructor(options: EmbeddedQueueBackendOptions) {
    this.#clock = options.clock;
    this.#onFailed = options.onFailed;
    this.#onStarving = options.onStarving;
    this.#takeBytes = Math.min(TAKE_BYTES, options.maxTakeBytes ?? TAKE_BYTES);
  }

  create(options: QueueOptions = {}): QueueInfo {
    checkQueueOptions(options);
    if (options.name !== undefined) {
      const named = this.#queues.get(options.name);
      if (named !== undefined) return sameQueue(named.info, options);
    }
    const record = newQueueRecord(options.name ?? nanoid(10), options);
    this.#queues.set(record.info.id, record);
    return record.info;
  }

  info(queue: string): QueueInfo | undefined {
    return this.#queues.get(queue)?.info;
  }

  isClosed(queue: string): boolean {
    return this.#get(queue).closed;
  }

  put(queue: string, bytes: QueueItem, options?: BackendWaitOptions): Promise<void> {
    return this.admit(queue, bytes, undefined, options).then(() => undefined);
  }

  admit(
    queue: string,
    item: QueueItem,
    reserve: { readonly producer: string; readonly want: number } | undefined,
    options?: BackendWaitOptions,
  ): Promise<number> {
    const q = this.#get(queue);
    if (q.closed) return Promise.reject(new QueueClosedError(`Queue ${queue} is closed`));
    dropSettled(q.putters);
    if (q.putters.length === 0 && freePlaces(q) > 0) {
      this.#accept(q, item);
      return Promise.resolve(this.#reserve(q, reserve));
    }
    return new Promise<number>((resolve, reject) => {
      const putter: Putter = {
        ...waiting(reject),
        item,
        reserve,
        resolve,
      };
      q.putters.push(putter);
      arm(
        this.#clock,
        putter,
        options,
        () => new QueueFullError(`Queue ${queue} stayed full for ${options?.timeoutMs} ms`),
      );
    });
  }

  putReserved(queue: string, producer: string, items: readonly QueueItem[]): number {
    const q = this.#get(queue);
    if (q.closed) throw new QueueClosedError(`Queue ${queue} is closed`);
    const used = q.reserved.use(producer, items.length);
    for (let i = 0; i < used; i++) q.items.push(items[i], 0);
    if (q.info.joinable) q.unfinished += used;
    if (used > 0) this.#serveTakers(q);
    return used;
  }

  release(queue: string, producer: string, n: number): void {
    const q = this.#queues.get(queue);
    if (q !== undefined && q.reserved.release(producer, n) > 0) this.#admitPutters(q);
  }

  /** Reserves places for a producer whose put was just admitted, if it wants any. */
  #reserve(
    q: QueueRecord,
    reserve: { readonly producer: string; readonly want: number } | undefined,
  ): number {
    if (reserve === undefined || q.capacity === Number.POSITIVE_INFINITY) return 0;
    return q.reserved.grant(reserve.producer, reserve.want, freePlaces(q), q.capacity);
  }

  tryPut(queue: string, bytes: QueueItem): boolean {
    const q = this.#get(queue);
    if (q.closed) throw new QueueClosedError(`Queue ${queue} is closed`);
    dropSettled(q.putters);
    if (q.putters.length > 0 || freePlaces(q) <= 0) return false;
    this.#accept(q, bytes);
    return true;
  }

  tryPutAll(queue: string, items: readonly QueueItem[]): number {
    const q = this.#get(queue);
    if (q.closed) throw new QueueClosedError(`Queue ${queue} is closed`);
    dropSettled(q.putters);
    if (q.putters.length > 0) return 0;
    const accepted = Math.max(0, Math.min(items.length, freePlaces(q)));
    for (let i = 0; i < accepted; i++) q.items.push(items[i], 0);
    if (q.info.joinable) q.unfinished += accepted;
    if (accepted > 0) this.#serveTakers(q);
    return accepted;
  }

  take(queue: string, consumer: string, max: number, options?: BackendWaitOptions): Promise<QueueItem[]> {
    const q = this.#get(queue);
    const now = this.tryTake(queue, consumer, max);
    if (now.length > 0) return Promise.resolve(now);
    if (q.closed) return Promise.reject(new QueueClosedError(`Queue ${queue} is closed and drained`));
    return new Promise<QueueItem[]>((resolve, reject) => {
      const taker: Taker = {
        ...waiting(reject),
        consumer,
        max,
        resolve,
      };
      q.takers.push(taker);
      arm(
        this.#clock,
        taker,
        options,
        () => new QueueEmptyError(`Queue ${queue} stayed empty for ${options?.timeoutMs} ms`),
      );
      this.#starving(q, consumer);
    });
  }

  /** `consumer` waits on an empty queue: the other consumers holding its items are asked for them. */
  #starving(q: QueueRecord, consumer: string): void {
    if (this.#onStarving === undefined) return;
    const holders: string[] = [];
    for (const [holder, held] of q.held) if (holder !== consumer && held.length > 0) holders.push(holder);
    if (holders.length > 0) this.#onStarving(q.info.id, holders);
  }

  giveBack(queue: string, consumer: string, n: number): void {
    const q = this.#queues.get(queue);
    const held = q?.held.get(consumer);
    if (q === undefined || held === undefined || n <= 0) return;
    const { values, deliveries } = held.drain();
    const keep = Math.max(0, values.length - n);
    for (let i = 0; i < keep; i++) held.push(values[i], deliveries[i] as number);
    const back = new ItemRing();
    // Handed out but never handed to `get`: their delivery does not count.
    for (let i = keep; i < values.length; i++)
      back.push(values[i], Math.max(0, (deliveries[i] as number) - 1));
    putInFront(q, back);
    this.#serveTakers(q);
  }

  tryTake(queue: string, consumer: string, max: number): QueueItem[] {
    const q = this.#get(queue);
    const taken = takeUpTo(q, consumer, max, this.#takeBytes);
    if (taken.length > 0) this.#admitPutters(q);
    return taken;
  }

  ack(queue: string, consumer: string, n: number): void {
    const q = this.#queues.get(queue);
    if (q === undefined || q.info.joinable) return;
    q.held.get(consumer)?.drop(n);
  }

  taskDone(queue: string, consumer: string, n: number): void {
    const q = this.#get(queue);
    if (!q.info.joinable)
      throw new TaskDoneError(`Queue ${queue} is not joinable: taskDone() has no meaning`);
    const held = q.held.get(consumer);
    if (held === undefined || held.length < n) {
      throw new TaskDoneError('taskDone() called more times than items were taken');
    }
    held.drop(n);
    this.#finish(q, n);
  }

  join(queue: string, options?: BackendWaitOptions): Promise<void> {
    const q = this.#get(queue);
    if (!q.info.joinable) return Promise.reject(new TaskDoneError(`Queue ${queue} is not joinable`));
    if (q.unfinished === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const joiner: Joiner = {
        ...waiting(reject),
        resolve,
      };
      q.joiners.add(joiner);
      arm(
        this.#clock,
        joiner,
        options,
        () => new TimeoutError(`Queue ${queue} was not finished within ${options?.timeoutMs} ms`),
      );
    });
  }

  size(queue: string): number {
    return this.#get(queue).items.length;
  }

  close(queue: string): void {
    const q = this.#get(queue);
    if (q.closed) return;
    q.closed = true;
    for (const putter of q.putters.drain()) {
      settle(this.#clock, putter, () => putter.reject(new QueueClosedError(`Queue ${queue} was closed`)));
    }
    if (q.items.length === 0) this.#rejectTakers(q);
  }

  consumerGone(consumer: string, poisoned?: string): void {
    for (const q of this.#queues.values()) {
      if (q.reserved.drop(consumer) > 0) this.#admitPutters(q);
      const remaining = q.takers.drain().filter((t) => {
        if (t.consumer !== consumer) return true;
        settle(this.#clock, t, () => t.reject(new QueueClosedError('Consumer is gone')));
        return false;
      });
      for (const t of remaining) q.takers.push(t);
      const held = q.held.get(consumer);
      if (held === undefined) continue;
      q.held.delete(consumer);
      const back = new ItemRing();
      const { values, deliveries } = held.drain();
      let first = 0;
      if (q.info.id === poisoned && values.length > 0) {
        this.#fail(q, values[0], deliveries[0] as number, 'it crashed the actor handling it', consumer);
        first = 1;
      }
      for (let i = first; i < values.length; i++) {
        // Items are handed out in order: only the first can have been in hand. The others waited
        // in the consumer's read-ahead, so their delivery is not charged and they go back as
        // they were (else a consumer killed now and then would quarantine items it never saw).
        const inHand = i === 0;
        const charged = inHand ? (deliveries[i] as number) : (deliveries[i] as number) - 1;
        if (!inHand || (q.onConsumerDeath === 'redeliver' && charged < q.maxDeliveries))
          back.push(values[i], charged);
        else
          this.#fail(
            q,
            values[i],
            charged,
            q.onConsumerDeath === 'fail' ? 'consumer died' : 'poison: too many deliveries',
            consumer,
          );
      }
      if (back.length > 0) {
        putInFront(q, back);
        this.#serveTakers(q);
      }
    }
  }

  /** Drops a queue nobody can reach any more. */
  delete(queue: string): void {
    const q = this.#queues.get(queue);
    if (q === undefined) return;
    this.close(queue);
    this.#rejectTakers(q);
    this.#queues.delete(queue);
  }

  #get(queue: string): QueueRecord {
    const q = this.#queues.get(queue);
    if (q === undefined) throw new QueueClosedError(`No queue ${queue} (it was deleted or never existed)`);
    return q;
  }

  #accept(q: QueueRecord, item: QueueItem): void {
    if (q.info.joinable) q.unfinished++;
    q.items.push(item, 0);
    this.#serveTakers(q);
  }

  #serveTakers(q: QueueRecord): void {
    while (q.items.length > 0 && q.takers.length > 0) {
      const taker = q.takers.shift() as Taker;
      if (taker.settled) continue;
      const taken = takeUpTo(q, taker.consumer, taker.max, this.#takeBytes);
      settle(this.#clock, taker, () => taker.resolve(taken));
    }
    this.#admitPutters(q);
    if (q.closed && q.items.length === 0) this.#rejectTakers(q);
  }

  #admitPutters(q: QueueRecord): void {
    while (q.putters.length > 0 && freePlaces(q) > 0) {
      const putter = q.putters.shift() as Putter;
      if (putter.settled) continue;
      if (q.info.joinable) q.unfinished++;
      q.items.push(putter.item, 0);
      const reserved = this.#reserve(q, putter.reserve);
      settle(this.#clock, putter, () => putter.resolve(reserved));
    }
    if (q.takers.length > 0 && q.items.length > 0) this.#serveTakers(q);
  }

  #rejectTakers(q: QueueRecord): void {
    for (const taker of q.takers.drain()) {
      settle(this.#clock, taker, () =>
        taker.reject(new QueueClosedError(`Queue ${q.info.id} is closed and drained`)),
      );
    }
  }

  #finish(q: QueueRecord, n: number): void {
    q.unfinished -= n;
    if (q.unfinished > 0) return;
    for (const joiner of q.joiners) settle(this.#clock, joiner, () => joiner.resolve());
    q.joiners.clear();
  }

  #fail(q: QueueRecord, item: QueueItem, deliveries: number, reason: string, consumer: string): void {
    if (q.info.joinable) this.#finish(q, 1);
    this.#onFailed?.({ queue: q.info.id, item, deliveries, reason, consumer });
  }
}
