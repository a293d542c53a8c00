/**
 * The seam between queue handles and where queue contents live. The default backend is the
 * embedded hub in the root process ({@link EmbeddedQueueBackend}); a broker-backed backend (NATS
 * JetStream) can replace it without touching actors.
 *
 * Items are opaque encoded bytes: the producer's codec encodes each item once, the consumer's
 * decodes it once, and the backend never looks inside.
 *
 * @module
 */

/**
 * An item as queues carry it: a small primitive as it is, anything else as its encoded bytes
 * (a `Uint8Array`). So a batch of numbers costs one encoding, and an object is still encoded (and
 * checked) once, at `put`. The backend never looks inside.
 *
 * @example
 * ```ts
 * const items: QueueItem[] = [42, 'short', codec.encode({ id: 1 })];
 * ```
 */
export type QueueItem = unknown;

/** Strings longer than this are encoded at `put` (so the size limit is checked there). */
const RAW_STRING_MAX = 256;

/** How a value travels in a queue: primitives as they are, anything else encoded by `encode`. */
export function packItem(value: unknown, encode: (value: unknown) => Uint8Array): QueueItem {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value;
    case 'string':
      return value.length <= RAW_STRING_MAX ? value : encode(value);
    default:
      return value === null ? null : encode(value);
  }
}

/**
 * The most bytes `item` can take inside a frame (its own bytes and msgpack's header for them): a
 * batch of items is cut by this sum, so the frame that carries it stays inside its limit.
 */
export function itemWireBytes(item: QueueItem): number {
  if (item instanceof Uint8Array) return item.byteLength + 5;
  if (typeof item === 'string') return 3 * item.length + 5;
  return 9;
}

/** The value an item carries: encoded bytes are decoded by `decode`, primitives are themselves. */
export function unpackItem(item: QueueItem, decode: (bytes: Uint8Array) => unknown): unknown {
  return item instanceof Uint8Array ? decode(item) : item;
}

/**
 * What happens to items a consumer held when it dies before finishing them.
 *
 * @example
 * ```ts
 * const onConsumerDeath: OnConsumerDeath = 'fail'; // report a dead consumer's items, do not retry them
 * const jobs = system.queue<Job>({ joinable: true, onConsumerDeath });
 * ```
 */
export type OnConsumerDeath = 'redeliver' | 'fail';

/**
 * How a queue was made.
 *
 * @example
 * ```ts
 * const q = system.queue<Job>({ capacity: 100, joinable: true });
 * ```
 */
export interface QueueOptions {
  /**
   * A name every system on the same backend shares: with the NATS backend, two systems'
   * `queue({ name: 'jobs' })` are one queue (items put by one are taken by the other). Letters,
   * digits, `_` and `-`, at most 64. Default: a new queue of this system's own.
   */
  readonly name?: string;
  /** The most items the queue holds; `put` waits beyond it. Default: unbounded. */
  readonly capacity?: number;
  /** Adds `taskDone()` and `join()` (Python's `JoinableQueue`). Default false. */
  readonly joinable?: boolean;
  /**
   * Items a consumer took but had not finished (acknowledged by `get` for a plain queue, by
   * `taskDone` for a joinable one) when it died: `'redeliver'` (default) puts them back at the
   * front, `'fail'` counts them as done and reports them as dead letters.
   */
  readonly onConsumerDeath?: OnConsumerDeath;
  /**
   * An item is delivered at most this many times: one that has been with this many consumers
   * that all died is failed as poison instead of being redelivered again. Default 5.
   */
  readonly maxDeliveries?: number;
}

/**
 * A queue's identity and settings, as travel with its handle.
 *
 * @example
 * ```ts
 * const info: QueueInfo = backend.create({ capacity: 100 }); // { id, capacity: 100, joinable: false }
 * ```
 */
export interface QueueInfo {
  readonly id: string;
  readonly capacity: number | null;
  readonly joinable: boolean;
}

/** True for well-formed queue info (as arrives inside a message). */
export function isQueueInfo(value: unknown): value is QueueInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { id, capacity, joinable } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    (capacity === null || (typeof capacity === 'number' && capacity > 0)) &&
    typeof joinable === 'boolean'
  );
}

/**
 * Options of the waiting operations.
 *
 * @example
 * ```ts
 * await jobs.put(job, { timeoutMs: 1000 }); // rejects QueueFullError if still full after a second
 * const next = await jobs.get({ signal: AbortSignal.timeout(5000) });
 * await jobs.join({ timeoutMs: 30_000 });
 * ```
 */
export interface WaitOptions {
  /**
   * Give up after this many milliseconds: any finite number ≥ 0, however large (past Node's
   * 2^31 − 1 ms timer limit too). Omit it to wait without a limit; a negative, NaN or infinite
   * value throws `InvalidArgumentError` at the call.
   */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Wait options of the backend: also a way to cancel a wait without an `AbortSignal`.
 *
 * @example
 * ```ts
 * await backend.take(id, 'worker-1', 16, { timeoutMs: 1000, onWait: (cancel) => cancels.add(cancel) });
 * ```
 */
export interface BackendWaitOptions extends WaitOptions {
  /** Called when the call has to wait, with a function that ends the wait with `reason`. */
  readonly onWait?: ((cancel: (reason: unknown) => void) => void) | undefined;
}

/**
 * An item a consumer could not finish and that will not be redelivered.
 *
 * @example
 * ```ts
 * const backend = new EmbeddedQueueBackend({ clock: realClock, onFailed: (f: FailedItem) => console.warn(f.queue, f.reason) });
 * ```
 */
export interface FailedItem {
  readonly queue: string;
  readonly item: QueueItem;
  readonly deliveries: number;
  readonly reason: string;
  /** The consumer that held it when it failed. */
  readonly consumer: string;
}

/**
 * A value now, or a promise of it: a backend in this process answers at once, one across the
 * network later. Callers handle both (see `whenReady`).
 *
 * @example
 * ```ts
 * const size: Awaitable<number> = backend.size(id);
 * console.log(await size);
 * ```
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where queues live. Every operation names the consumer making it, so that items can be given
 * back when that consumer dies. The embedded backend answers at once; a network backend (NATS
 * JetStream) answers with promises, and its queues may be shared by several systems.
 *
 * @example
 * ```ts
 * const { id } = backend.create({ capacity: 10 });
 * await backend.put(id, 1);
 * const [item] = await backend.take(id, 'me', 1);
 * await backend.ack(id, 'me', 1);
 * ```
 */
export interface QueueBackend {
  /**
   * Creates a queue (or, given a `name`, opens the queue of that name, creating it if it is new)
   * and returns its info. A network backend makes it in the background: the queue's operations
   * wait for that.
   */
  create(options: QueueOptions): QueueInfo;
  /** Adds an item, waiting while the queue is full (rejects `QueueFullError` at the timeout). */
  put(queue: string, item: QueueItem, options?: BackendWaitOptions): Promise<void>;
  /**
   * `put`, for a producer in another process: once the item is admitted, up to `reserve.want`
   * more places are reserved for `reserve.producer` (a backend may reserve none), and the promise
   * resolves with how many. The producer fills them with {@link putReserved} without waiting, and
   * hands back what it does not use with {@link release}; a producer that dies
   * ({@link consumerGone}) loses them.
   */
  admit(
    queue: string,
    item: QueueItem,
    reserve: { readonly producer: string; readonly want: number } | undefined,
    options?: BackendWaitOptions,
  ): Promise<number>;
  /**
   * Adds `items`, in order, into places `producer` reserved; returns how many it had places for
   * (the caller deals with the rest). Throws `QueueClosedError` once closed.
   */
  putReserved(queue: string, producer: string, items: readonly QueueItem[]): Awaitable<number>;
  /** `producer` hands back `n` places it reserved and will not fill. */
  release(queue: string, producer: string, n: number): Awaitable<void>;
  /** Adds an item if there is room now; false otherwise. Rejects `QueueClosedError` once closed. */
  tryPut(queue: string, item: QueueItem): Awaitable<boolean>;
  /**
   * Adds as many of `items`, in order, as there is room for now, and returns how many that was.
   * Throws `QueueClosedError` once closed.
   */
  tryPutAll(queue: string, items: readonly QueueItem[]): Awaitable<number>;
  /**
   * Takes up to `max` items for `consumer`, waiting while the queue is empty (rejects
   * `QueueEmptyError` at the timeout, `QueueClosedError` once closed and drained).
   */
  take(queue: string, consumer: string, max: number, options?: BackendWaitOptions): Promise<QueueItem[]>;
  /** Takes up to `max` items if any are there now. */
  tryTake(queue: string, consumer: string, max: number): Awaitable<QueueItem[]>;
  /** `consumer` has finished its `n` oldest items (plain queues: it handed them to `get`). */
  ack(queue: string, consumer: string, n: number): Awaitable<void>;
  /**
   * `consumer` gives back the `n` newest items it took and never handed out (its read-ahead):
   * they go back to the queue, in order, their delivery uncounted where the backend can.
   */
  giveBack(queue: string, consumer: string, n: number): Awaitable<void>;
  /** Joinable queues: `consumer` finished its `n` oldest items. Throws `TaskDoneError` past them. */
  taskDone(queue: string, consumer: string, n: number): Awaitable<void>;
  /** Resolves when every item ever put has been finished (joinable queues). */
  join(queue: string, options?: BackendWaitOptions): Promise<void>;
  /** Items waiting in the queue (not those held by consumers). */
  size(queue: string): Awaitable<number>;
  /** Closes the queue: puts reject, consumers drain what is left, then get `QueueClosedError`. */
  close(queue: string): Awaitable<void>;
  /**
   * `consumer` died: its unfinished items are redelivered or failed, its waits dropped, the places
   * it reserved freed. The oldest item it held from queue `poisoned`, if given, is failed (it
   * crashed the consumer).
   */
  consumerGone(consumer: string, poisoned?: string): Awaitable<void>;
  /** Drops a queue nobody can reach any more (its waiters see it closed). */
  delete(queue: string): Awaitable<void>;
  /** Info of a queue this backend made or opened, or undefined for an unknown id. */
  info(queue: string): QueueInfo | undefined;
  /** True once the queue is known to be closed (no more puts). */
  isClosed(queue: string): boolean;
  /** Lets go of what the backend holds open (connections, timers) when its system stops. */
  shutdown?(): Promise<void>;
}

/** Runs `fn` on `value` now, or once it resolves. */
export function whenReady<T, R>(value: Awaitable<T>, fn: (value: T) => Awaitable<R>): Awaitable<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
