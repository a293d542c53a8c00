/**
 * The pool: parallel map over worker processes (or threads) that never hangs. A worker that dies
 * costs exactly the item it was running — retried on a fresh worker up to `maxRetries`, then
 * failed with `WorkerCrashedError` — and is replaced; the pool keeps serving.
 *
 * @module
 */

import { availableParallelism } from 'node:os';
import {
  type Clock,
  type Connection,
  type ExitInfo,
  InvalidArgumentError,
  MessageTooLargeError,
  type Placement,
  PoolBrokenError,
  type PoolRequest,
  PoolTerminatedError,
  type TaskDefinition,
  TimeoutError,
  type TimerHandle,
} from '@troupe/core';
import {
  type ChunkAnswers,
  type ChunkMessage,
  checkSendable,
  defaultChunkSize,
  type Job,
  type Outcome,
  PoolScheduler,
  taskAddress,
} from '@troupe/core/spi';
import type { ActorHandle } from './ActorHandle.js';
import {
  answersOf,
  chunkColumns,
  isAnswerColumns,
  isBatchBegun,
  type PoolAnswers,
  type SkipChunks,
} from './internal/chunkColumns.js';
import { Limiter } from './internal/Limiter.js';
import { packNumbers } from './internal/packNumbers.js';
import { livePools } from './internal/poolActor.js';
import { checkArgumentLists, checkItems, checkMapOptions, checkTask } from './internal/poolChecks.js';

/**
 * Options for `system.pool()`.
 *
 * @example
 * ```ts
 * const pool = await system.pool({ size: 4, maxRetries: 1, maxTasksPerWorker: 1000 });
 * ```
 */
export interface PoolOptions {
  /**
   * Workers: at most {@link MAX_WORKERS} (1024). Default: the machine's available parallelism.
   * They start a few at a time (two per CPU, at most 8, booting at once), so a large pool does not
   * fork all its workers together.
   */
  readonly size?: number;
  /** Where workers run. Default `'process'`. */
  readonly placement?: Exclude<Placement, 'local'>;
  /** A task (and its arguments) each worker runs once when it starts. */
  readonly initializer?: {
    readonly task: TaskDefinition<never[], unknown>;
    readonly args?: readonly unknown[];
  };
  /** Items a worker runs before it is replaced by a fresh one. Default: no limit. */
  readonly maxTasksPerWorker?: number;
  /** Times an item is retried on a fresh worker after its worker died running it. Default 0. */
  readonly maxRetries?: number;
  /** Workers that may fail to start in a row before the pool is broken. Default `2 · size + 2`. */
  readonly maxStartFailures?: number;
  /** Fails an item (with `TimeoutError`) that runs longer than this, killing its worker. */
  readonly taskTimeoutMs?: number;
}

/**
 * Options of one call (`map`, `imap`, ...).
 *
 * @example
 * ```ts
 * await pool.map(square, items, { chunkSize: 100, onProgress: ({ done, total }) => bar.update(done / total) });
 * ```
 */
export interface MapOptions {
  /** Items per chunk sent to a worker. Default: `ceil(n / (4 · size))` for `map`, 1 for `imap`. */
  readonly chunkSize?: number;
  /** Aborting drops the call's queued items and kills the workers running its items. */
  readonly signal?: AbortSignal;
  /** Fails an item of this call that runs longer than this (killing its worker). Default: the pool's `taskTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Called as items complete. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number | undefined }) => void;
}

/**
 * One item's outcome from `mapSettled`, as `Promise.allSettled` reports it.
 *
 * @example
 * ```ts
 * const outcomes: Settled<number>[] = await pool.mapSettled(square, [1, 2, 3]);
 * for (const outcome of outcomes) {
 *   if (outcome.status === 'fulfilled') console.log(outcome.value);
 *   else console.error(outcome.reason.message);
 * }
 * ```
 */
export type Settled<R> =
  | { readonly status: 'fulfilled'; readonly value: R }
  | { readonly status: 'rejected'; readonly reason: Error };

/** Workers of one pool starting at once (two per CPU, at most 8): see `PoolOptions.size`. */
const STARTS_IN_FLIGHT = Math.max(1, Math.min(8, 2 * availableParallelism()));

interface WorkerSlot {
  readonly handle: ActorHandle<never, unknown>;
  readonly results: Connection<PoolAnswers, SkipChunks>;
}

/** What a pool needs from its actor system. */
export interface PoolHost {
  readonly clock: Clock;
  /** The system is shutting down: no more workers. */
  readonly shuttingDown: boolean;
  spawnWorker(args: unknown, placement: Exclude<Placement, 'local'>): Promise<ActorHandle<never, unknown>>;
  pipe(): [Connection<PoolAnswers, SkipChunks>, Connection<SkipChunks, PoolAnswers>];
  /** Starts the pool's own actor (in the root). */
  spawnActor(pool: string): Promise<ActorHandle<PoolRequest, unknown>>;
}

/**
 * A pool of workers for parallel map. Results come back in input order (`map`, `starmap`,
 * `imap`) or as they complete (`imapUnordered`). A task that throws fails its item with the
 * remote error and the pool stays usable.
 *
 * Every call checks its arguments first: a task not made by `defineTask` throws
 * `DefinitionError`; items that are not iterable, or bad options, throw `InvalidArgumentError`
 * naming them; after `close()` or `terminate()` it throws `PoolTerminatedError`. Nothing is
 * submitted then. An item that cannot be sent (a function inside, say) fails with
 * `SerializationError` naming its path (`items[3].handler`), as do the items that were to go
 * to the worker in the same chunk; the pool stays usable.
 *
 * @example
 * ```ts
 * const pool = await system.pool({ size: 2 });
 * console.log(await pool.map(square, [1, 2, 3, 4, 5])); // [1, 4, 9, 16, 25]
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool {
  readonly size: number;
  readonly #host: PoolHost;
  readonly #options: PoolOptions;
  readonly #scheduler: PoolScheduler;
  readonly #workers = new Map<string, WorkerSlot>();
  readonly #jobs = new Set<{ job: Job; fail(error: Error): void }>();
  #state: 'open' | 'closed' | 'terminated' | 'broken' = 'open';
  /** Each call's per-item timeout. */
  readonly #timeouts = new WeakMap<Job, number>();
  /** The timer on the item each worker is running, when its call has a timeout. */
  readonly #watches = new Map<
    string,
    { readonly job: Job; readonly index: number; readonly timer: TimerHandle }
  >();
  /** Takes each call's abort listener off its signal once the call is over. */
  readonly #unlisten = new Map<Job, () => void>();
  #startFailures = 0;
  /** Bounds the workers starting at once, at the pool's start and when replacing workers. */
  readonly #starts = new Limiter(STARTS_IN_FLIGHT);
  #ref: ActorHandle<PoolRequest, unknown> | undefined;
  #idle: (() => void) | undefined;
  #terminated: Promise<void> | undefined;

  /** @internal Made by `system.pool()`. */
  constructor(host: PoolHost, options: PoolOptions, size: number) {
    this.#host = host;
    this.#options = options;
    this.size = size;
    this.#scheduler = new PoolScheduler(
      {
        maxRetries: options.maxRetries ?? 0,
        prefetch: 2,
        // Quick small chunks flow in batches of up to 256 items, with up to 1,024 in flight per
        // worker (sent as columns: see chunkColumns.ts). Slow items are held to ~20 ms each.
        prefetchItems: 1024,
        batchItems: 256,
        maxTasksPerWorker: options.maxTasksPerWorker,
      },
      {
        dispatch: (worker, batch) => {
          this.#send(worker, batch);
          this.#watch(worker);
        },
        recycle: (worker) => void this.#workers.get(worker)?.handle.stop(),
        now: () => host.clock.now(),
      },
    );
  }

  /** @internal Starts the workers and the pool's actor; resolves once they are all ready. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.#startWorker()));
    if (this.#state === 'broken') throw new PoolBrokenError('The pool could not start its workers');
    const id = `pool-${nextPoolId++}`;
    livePools.set(id, this);
    this.#ref = await this.#host.spawnActor(id);
  }

  /**
   * The pool as an actor: hand this reference to other actors, which map through the pool by
   * asking it `poolRequest.map(task, items)` (see `poolRequest`).
   */
  get ref(): ActorHandle<PoolRequest, unknown> {
    if (this.#ref === undefined) throw new PoolTerminatedError('The pool has not started');
    return this.#ref;
  }

  /** The pids of the current workers (process placement). */
  get pids(): number[] {
    return [...this.#workers.values()].flatMap((w) => (w.handle.pid === undefined ? [] : [w.handle.pid]));
  }

  /** Applies `task` to every item; resolves with the results in input order. Rejects with the first failure. */
  map<A, R>(task: TaskDefinition<[A], R>, items: Iterable<A>, options: MapOptions = {}): Promise<R[]> {
    this.#checkCall(task, options, 'map');
    checkItems(items, false);
    return this.#collect(task as never, itemsOf(items), false, options, 'map') as Promise<R[]>;
  }

  /** Like `map`, each item being the task's argument list. */
  starmap<Args extends unknown[], R>(
    task: TaskDefinition<Args, R>,
    items: Iterable<Args>,
    options: MapOptions = {},
  ): Promise<R[]> {
    this.#checkCall(task, options, 'starmap');
    checkItems(items, false);
    const lists = snapshot(items);
    checkArgumentLists(lists);
    return this.#collect(task as never, lists, true, options, 'map') as Promise<R[]>;
  }

  /** Runs `task(...args)` once on a worker. */
  async apply<Args extends unknown[], R>(task: TaskDefinition<Args, R>, ...args: Args): Promise<R> {
    this.#checkCall(task, {}, 'apply');
    const [result] = (await this.#collect(task as never, [args], true, { chunkSize: 1 }, 'map')) as R[];
    return result as R;
  }

  /** Every item's outcome, in input order; never rejects for a failed item. */
  mapSettled<A, R>(
    task: TaskDefinition<[A], R>,
    items: Iterable<A>,
    options: MapOptions = {},
  ): Promise<Settled<R>[]> {
    this.#checkCall(task, options, 'mapSettled');
    checkItems(items, false);
    return this.#collect(task as never, itemsOf(items), false, options, 'settled') as Promise<Settled<R>[]>;
  }

  /**
   * Results in input order as they become available, reading `items` (sync or async) lazily
   * with a bounded read-ahead. Chunk size 1 unless given. Its arguments are checked here, at the
   * call, not when iteration starts. If reading `items` throws at item k, the results of the
   * items before k are yielded first, then that error is thrown (as in Python's `imap`).
   */
  imap<A, R>(
    task: TaskDefinition<[A], R>,
    items: Iterable<A> | AsyncIterable<A>,
    options: MapOptions = {},
  ): AsyncIterable<R> {
    this.#checkCall(task, options, 'imap');
    checkItems(items, true);
    return this.#stream(task as never, items, options, true) as AsyncIterable<R>;
  }

  /** Like `imap`, in completion order. */
  imapUnordered<A, R>(
    task: TaskDefinition<[A], R>,
    items: Iterable<A> | AsyncIterable<A>,
    options: MapOptions = {},
  ): AsyncIterable<R> {
    this.#checkCall(task, options, 'imapUnordered');
    checkItems(items, true);
    return this.#stream(task as never, items, options, false) as AsyncIterable<R>;
  }

  /** Takes no more work; what was submitted completes. */
  close(): void {
    if (this.#state === 'open') this.#state = 'closed';
  }

  /** After `close()`: waits for the submitted work, then stops the workers. */
  async join(): Promise<void> {
    if (this.#state === 'open')
      throw new InvalidArgumentError('join() before close(): call pool.close() first');
    if (this.#jobs.size > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#stopWorkers();
  }

  /**
   * Stops at once: outstanding work rejects with `PoolTerminatedError`, workers are killed.
   * Resolves once they are gone; a second call resolves with the first.
   */
  terminate(): Promise<void> {
    this.#terminated ??= this.#terminate();
    return this.#terminated;
  }

  async #terminate(): Promise<void> {
    this.#state = 'terminated';
    this.#failAll(new PoolTerminatedError('The pool was terminated'));
    await this.#stopActor();
    for (const worker of this.#workers.values()) worker.handle.kill();
    await Promise.all([...this.#workers.values()].map((w) => w.handle.exited));
  }

  /** What every call checks first: the pool takes work, and the task and options are valid. */
  #checkCall(task: unknown, options: unknown, call: string): void {
    this.#checkOpen();
    checkTask(task, call);
    checkMapOptions(options);
  }

  #checkOpen(): void {
    if (this.#state === 'broken')
      throw new PoolBrokenError('The pool is broken: its workers keep failing to start');
    if (this.#state !== 'open')
      throw new PoolTerminatedError(`The pool is ${this.#state}: it takes no new work`);
  }

  /** Runs every item (each the task's one argument, or with `lists` its argument list). */
  #collect(
    task: TaskDefinition<never[], unknown>,
    items: ArrayLike<unknown>,
    lists: boolean,
    options: MapOptions,
    mode: 'map' | 'settled',
  ) {
    // A call whose signal has already aborted sends nothing (so it costs no worker).
    if (options.signal?.aborted === true) return Promise.reject(abortReason(options.signal));
    const total = items.length;
    const chunkSize = options.chunkSize ?? defaultChunkSize(total, this.size);
    return new Promise<unknown[]>((resolve, reject) => {
      // Filled, so that a large call's array stays a fast (non-dictionary) one; with zeros, so
      // that numbers land unboxed (an array of doubles) until some other value arrives.
      const results: unknown[] = new Array(total).fill(0);
      let done = 0;
      const entry = {
        job: this.#job(task, chunkSize, options, (index, outcome) => {
          if (!this.#jobs.has(entry)) return;
          if (mode === 'map' && !outcome.ok) {
            entry.fail(outcome.error);
            return;
          }
          results[index] =
            mode === 'map'
              ? (outcome as { value: unknown }).value
              : outcome.ok
                ? { status: 'fulfilled', value: outcome.value }
                : { status: 'rejected', reason: outcome.error };
          done++;
          this.#progress(entry, options, done, total);
          if (done === total) this.#finish(entry, () => resolve(results));
        }),
        fail: (error: Error) => this.#finish(entry, () => reject(error)),
      };
      if (mode === 'map') {
        // Values go straight into their slots: no outcome object per item.
        entry.job.onValues = (index, values, from, to) => {
          if (!this.#jobs.has(entry)) return;
          for (let k = from; k < to; k++) results[index + k - from] = values[k];
          done += to - from;
          this.#progress(entry, options, done, total);
          if (done === total) this.#finish(entry, () => resolve(results));
        };
      }
      this.#track(entry, options);
      if (total === 0) this.#finish(entry, () => resolve(results));
      else this.#scheduler.submitAll(entry.job, items, 0, lists);
    });
  }

  async *#stream(
    task: TaskDefinition<never[], unknown>,
    source: Iterable<unknown> | AsyncIterable<unknown>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncGenerator<unknown, void, undefined> {
    // Checked again: the pool may have closed between the call and the first `next()`.
    this.#checkOpen();
    if (options.signal?.aborted === true) throw abortReason(options.signal);
    // Opened before the call is tracked: a source whose iterator throws leaves nothing behind.
    const iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (source as Iterable<unknown>)[Symbol.iterator]();
    const chunkSize = options.chunkSize ?? 1;
    const readAhead = Math.max(2 * this.size * chunkSize, chunkSize);
    const ready = new Map<number, Outcome>();
    const arrival: number[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let done = 0;
    const entry = {
      job: this.#job(task, chunkSize, options, (index, outcome) => {
        ready.set(index, outcome);
        arrival.push(index);
        done++;
        this.#progress(entry, options, done, undefined);
        wake?.();
      }),
      fail: (error: Error) => {
        failure = error;
        wake?.();
      },
    };
    this.#track(entry, options);
    let submitted = 0;
    let exhausted = false;
    // An input that throws at item k ends the input there: the results of the items before k
    // are still yielded (in order for `imap`), and then its error is thrown, as Python does.
    let sourceError: { error: unknown } | undefined;
    let next = 0;
    try {
      for (;;) {
        // Keep a bounded number of items in the pool ahead of the consumer.
        while (!exhausted && submitted - next < readAhead) {
          let step: IteratorResult<unknown>;
          try {
            step = await iterator.next();
          } catch (error) {
            sourceError = { error };
            exhausted = true;
            break;
          }
          if (step.done === true) {
            exhausted = true;
            break;
          }
          this.#scheduler.submitAll(entry.job, [step.value], submitted++);
        }
        if (failure !== undefined) throw failure;
        if (exhausted && next === submitted) {
          if (sourceError !== undefined) throw sourceError.error;
          return;
        }
        const index = ordered ? next : arrival[0];
        const outcome = index === undefined ? undefined : ready.get(index);
        if (index === undefined || outcome === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        ready.delete(index);
        if (!ordered) arrival.shift();
        else arrival.splice(arrival.indexOf(index), 1);
        next++;
        if (!outcome.ok) throw outcome.error;
        yield outcome.value;
      }
    } finally {
      this.#scheduler.drop(entry.job);
      this.#finish(entry, () => {});
    }
  }

  /** Calls the call's `onProgress`; one that throws fails its call with that error, not the pool. */
  #progress(
    entry: { fail(error: Error): void },
    options: MapOptions,
    done: number,
    total: number | undefined,
  ): void {
    if (options.onProgress === undefined) return;
    try {
      options.onProgress({ done, total });
    } catch (error) {
      entry.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Sends a batch to a worker. A batch that cannot be sent goes chunk by chunk, and a chunk that
   * cannot be sent fails its items, so the other chunks run and the worker is not left owing
   * answers for items it never got.
   */
  #send(worker: string, batch: ChunkMessage[]): void {
    const slot = this.#workers.get(worker);
    if (slot === undefined) return;
    try {
      slot.handle.send((chunkColumns(batch) ?? batch.map(numbersPacked)) as never);
    } catch (error) {
      const [chunk] = batch;
      if (batch.length > 1) for (const one of batch) this.#send(worker, [one]);
      else if (chunk === undefined) return;
      else if (error instanceof MessageTooLargeError && chunk.args.length > 1)
        this.#sendInParts(worker, chunk);
      else if ((chunk.offset ?? 0) > 0 || chunk.refused !== undefined)
        this.#sendRefused(worker, chunk, error as Error);
      else this.#unsendable(worker, chunk, error as Error);
    }
  }

  /**
   * A chunk whose items together are over the message limit goes in two parts (each split again
   * if need be), in order, so that every item that fits is run; the worker answers them as one
   * chunk.
   */
  #sendInParts(worker: string, chunk: ChunkMessage): void {
    const half = chunk.args.length >> 1;
    const offset = chunk.offset ?? 0;
    const cut = (from: number, to: number): ArrayLike<unknown> =>
      ArrayBuffer.isView(chunk.args)
        ? (chunk.args as Float64Array).subarray(from, to)
        : Array.prototype.slice.call(chunk.args, from, to);
    this.#send(worker, [{ ...chunk, args: cut(0, half), offset }]);
    this.#send(worker, [
      { ...chunk, args: cut(half, chunk.args.length), first: chunk.first + half, offset: offset + half },
    ]);
  }

  /**
   * A part of a chunk that cannot be sent (an item alone over the limit, or one that will not
   * serialize) after earlier parts went: the worker is sent its place instead, and answers its
   * items as failed in turn, so the chunk's answers stay in order.
   */
  #sendRefused(worker: string, chunk: ChunkMessage, error: Error): void {
    const refused = this.#causeOf(chunk, error);
    const placeholder = { ...chunk, args: new Array(chunk.args.length).fill(null), unary: true, refused };
    const handle = this.#workers.get(worker)?.handle;
    try {
      handle?.send([placeholder] as never);
    } catch {
      try {
        // Its error will not travel either: a plain one names the problem.
        handle?.send([{ ...placeholder, refused: new Error(refused.message) }] as never);
      } catch {
        // The worker is going: its death gives its items back.
      }
    }
  }

  /** The error naming the item of `chunk` at fault as its call knows it (`items[3].handler`). */
  #causeOf(chunk: ChunkMessage, error: Error): Error {
    for (let k = 0; k < chunk.args.length; k++) {
      try {
        checkSendable(chunk.args[k], `items[${chunk.first + k}]`);
      } catch (found) {
        return found as Error;
      }
    }
    return error;
  }

  /**
   * Fails every item of a chunk that could not be sent, with the error naming the item at fault
   * as its call knows it (`items[3].handler`), as though the worker had answered so.
   */
  #unsendable(worker: string, chunk: ChunkMessage, error: Error): void {
    const args = Array.from(chunk.args);
    const cause = this.#causeOf(chunk, error);
    const answers: ChunkAnswers = {
      chunk: chunk.chunk,
      from: 0,
      values: new Array(args.length),
      failures: args.map((_, k) => [k, cause] as const),
    };
    // Answered once the scheduler has finished dispatching, which this is part of.
    queueMicrotask(() => {
      this.#scheduler.answers(worker, answers);
      this.#watch(worker);
    });
  }

  /** A call as the scheduler sees it; items of a call with a timeout are answered one by one. */
  #job(
    task: TaskDefinition<never[], unknown>,
    chunkSize: number,
    options: MapOptions,
    onOutcome: (index: number, outcome: Outcome) => void,
  ): Job {
    const eager = (options.timeoutMs ?? this.#options.taskTimeoutMs) !== undefined;
    return { task: taskAddress(task), chunkSize, eager, onOutcome };
  }

  #track(entry: { job: Job; fail(error: Error): void }, options: MapOptions): void {
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.#options.taskTimeoutMs;
    if (timeoutMs !== undefined) this.#timeouts.set(entry.job, timeoutMs);
    this.#jobs.add(entry);
    if (signal === undefined) return;
    const abort = () => {
      for (const worker of this.#scheduler.workersRunning(entry.job)) {
        const slot = this.#workers.get(worker);
        // Running one of its items, or about to (its begun note may still be on its way): the
        // worker is killed (and replaced).
        if (this.#scheduler.headJob(worker) === entry.job) {
          this.#scheduler.condemn(worker);
          slot?.handle.kill();
        } else {
          // Its items only wait there, behind another call's item: the worker skips them.
          slot?.results.send({ skip: this.#scheduler.chunksHeld(worker, entry.job) }).catch(() => {});
        }
      }
      entry.fail(abortReason(signal));
    };
    if (signal.aborted) queueMicrotask(abort);
    else {
      signal.addEventListener('abort', abort, { once: true });
      this.#unlisten.set(entry.job, () => signal.removeEventListener('abort', abort));
    }
  }

  #finish(entry: { job: Job; fail(error: Error): void }, settle: () => void): void {
    if (!this.#jobs.delete(entry)) return;
    this.#unlisten.get(entry.job)?.();
    this.#unlisten.delete(entry.job);
    this.#scheduler.drop(entry.job);
    settle();
    if (this.#jobs.size === 0) this.#idle?.();
  }

  #failAll(error: Error): void {
    for (const entry of [...this.#jobs]) entry.fail(error);
    this.#scheduler.takeAll();
  }

  /** Starts a worker (waiting for a place among the starts in flight), trying again if it fails. */
  async #startWorker(): Promise<void> {
    // Each attempt gives its place back before the next, so retries never wait on themselves.
    while (!(await this.#starts.run(() => this.#tryStartWorker())));
  }

  /** One attempt: true once done (started, or no worker is wanted), false to try again. */
  async #tryStartWorker(): Promise<boolean> {
    if (this.#state === 'terminated' || this.#state === 'broken') return true;
    if (this.#host.shuttingDown) {
      this.#state = 'terminated';
      this.#failAll(new PoolTerminatedError('The actor system is shutting down'));
      return true;
    }
    const [mine, theirs] = this.#host.pipe();
    const init = this.#options.initializer;
    let handle: ActorHandle<never, unknown>;
    try {
      handle = await this.#host.spawnWorker(
        {
          results: theirs,
          initializer:
            init === undefined ? undefined : { task: taskAddress(init.task), args: init.args ?? [] },
        },
        this.#options.placement ?? 'process',
      );
    } catch (error) {
      mine.close();
      this.#startFailures++;
      if (this.#startFailures > (this.#options.maxStartFailures ?? 2 * this.size + 2)) {
        this.#state = 'broken';
        this.#failAll(new PoolBrokenError('Pool workers keep failing to start', { cause: error }));
        return true;
      }
      return false;
    }
    this.#startFailures = 0;
    const id = handle.id;
    this.#workers.set(id, { handle, results: mine });
    void this.#readResults(id, mine);
    void handle.exited.then((exit) => this.#onWorkerExit(id, exit));
    this.#scheduler.addWorker(id);
    return true;
  }

  async #stopActor(): Promise<void> {
    for (const [id, pool] of livePools) if (pool === this) livePools.delete(id);
    await this.#ref?.stop();
  }

  async #readResults(worker: string, results: Connection<PoolAnswers, SkipChunks>): Promise<void> {
    for await (const answers of results) {
      if (isBatchBegun(answers)) this.#scheduler.begun(worker, answers.begun);
      else if (isAnswerColumns(answers)) this.#scheduler.answers(worker, answersOf(answers));
      else if (Array.isArray(answers) && answers.every(isChunkAnswers))
        this.#scheduler.answers(worker, answers);
      else {
        // A worker that answers in no form it could have sent is broken: its death requeues
        // (or blames) its items, as any death does, so no call waits on it.
        this.#workers.get(worker)?.handle.kill();
        return;
      }
      this.#watch(worker);
    }
  }

  /** Times the item `worker` is running, if its call has a timeout; a new item restarts the timer. */
  #watch(worker: string): void {
    const current = this.#scheduler.current(worker);
    const watched = this.#watches.get(worker);
    if (watched !== undefined && watched.job === current?.job && watched.index === current.index) return;
    if (watched !== undefined) this.#host.clock.clearTimeout(watched.timer);
    this.#watches.delete(worker);
    const ms = current === undefined ? undefined : this.#timeouts.get(current.job);
    if (current === undefined || ms === undefined) return;
    const timer = this.#host.clock.setTimeout(() => {
      this.#watches.delete(worker);
      this.#scheduler.failCurrent(
        worker,
        new TimeoutError(`A pool task ran longer than ${ms} ms; its worker was killed`),
      );
      this.#workers.get(worker)?.handle.kill();
    }, ms);
    this.#watches.set(worker, { job: current.job, index: current.index, timer });
  }

  #onWorkerExit(worker: string, exit: ExitInfo): void {
    const watched = this.#watches.get(worker);
    if (watched !== undefined) this.#host.clock.clearTimeout(watched.timer);
    this.#watches.delete(worker);
    this.#workers.get(worker)?.results.close();
    this.#workers.delete(worker);
    this.#scheduler.removeWorker(worker, exit);
    if (this.#state === 'open' || (this.#state === 'closed' && this.#jobs.size > 0)) void this.#startWorker();
  }

  async #stopWorkers(): Promise<void> {
    this.#state = 'terminated';
    await this.#stopActor();
    await Promise.all([...this.#workers.values()].map((w) => w.handle.stop()));
  }
}

let nextPoolId = 1;

/** What an aborted call rejects with: the signal's reason, as an Error. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

/** A chunk whose arguments are all numbers travels as a `Float64Array` (see `packNumbers`). */
/** The call's own copy of its items (an array's in one copy), so later changes to them do not reach it. */
function snapshot<T>(items: Iterable<T>): T[] {
  return Array.isArray(items) ? items.slice() : Array.from(items);
}

/**
 * A call's own copy of its items, each one argument: all numbers, as one `Float64Array` (which the
 * chunks are views of, sent without packing each); otherwise as an array.
 */
function itemsOf(items: Iterable<unknown>): ArrayLike<unknown> {
  const list = Array.isArray(items) ? items : Array.from(items);
  return packNumbers(list) ?? (list === items ? list.slice() : list);
}

function isChunkAnswers(value: unknown): value is ChunkAnswers {
  const answers = value as Partial<ChunkAnswers> | null;
  return (
    typeof answers?.chunk === 'number' &&
    typeof answers.from === 'number' &&
    typeof (answers.values as ArrayLike<unknown> | undefined)?.length === 'number' &&
    Array.isArray(answers.failures)
  );
}

function numbersPacked(chunk: ChunkMessage): ChunkMessage {
  const packed = chunk.unary ? packNumbers(chunk.args) : undefined;
  return packed === undefined ? chunk : { ...chunk, args: packed };
}
