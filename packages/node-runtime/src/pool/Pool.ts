/**
 * The pool: parallel map over worker processes (or threads) that never hangs. A worker that dies
 * costs exactly the item it was running — retried on a fresh worker up to `maxRetries`, then
 * failed with `WorkerCrashedError` — and is replaced; the pool keeps serving.
 *
 * @module
 */

import {
  InvalidArgumentError,
  PoolBrokenError,
  type PoolRequest,
  PoolTerminatedError,
  type TaskDefinition,
} from '@troupe/core';
import { PoolScheduler } from '@troupe/core/spi';
import type { ActorHandle } from '../root/ActorHandle.js';
import { servePool } from './PoolActor.js';
import { PoolCalls } from './PoolCalls.js';
import type { MapOptions, PoolOptions, Settled } from './PoolOptions.js';
import { type PoolHost, PoolWorkers } from './PoolWorkers.js';
import { packNumbers } from './packNumbers.js';
import { checkArgumentLists, checkItems, checkMapOptions, checkTask } from './poolChecks.js';

/** What a pool needs from its actor system: its workers, and its own actor. */
export interface PoolSystem extends PoolHost {
  /** Starts the pool's own actor (in the root), serving the pool `pool` names. */
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
  readonly #system: PoolSystem;
  readonly #scheduler: PoolScheduler;
  readonly #workers: PoolWorkers;
  readonly #calls: PoolCalls;
  #state: 'open' | 'closed' | 'terminated' | 'broken' = 'open';
  #ref: ActorHandle<PoolRequest, unknown> | undefined;
  #served: { readonly close: () => void } | undefined;
  #terminated: Promise<void> | undefined;

  /** @internal Made by `system.pool()`. */
  constructor(system: PoolSystem, options: PoolOptions, size: number) {
    this.#system = system;
    this.size = size;
    this.#workers = new PoolWorkers(
      system,
      options,
      size,
      {
        wantsWorkers: () => this.#state === 'open' || (this.#state === 'closed' && this.#calls.running > 0),
        ended: () => this.#state === 'terminated' || this.#state === 'broken',
        end: (state, error) => {
          this.#state = state;
          this.#calls.failAll(error);
        },
      },
      () => this.#scheduler,
    );
    this.#scheduler = new PoolScheduler(
      {
        maxRetries: options.maxRetries ?? 0,
        prefetch: 2,
        // Quick small chunks flow in batches of up to 256 items, with up to 1,024 in flight per
        // worker (sent as columns: see wire.ts). Slow items are held to ~20 ms each.
        prefetchItems: 1024,
        batchItems: 256,
        maxTasksPerWorker: options.maxTasksPerWorker,
      },
      {
        dispatch: (worker, batch, refuse) => this.#workers.send(worker, batch, refuse),
        recycle: (worker) => this.#workers.recycle(worker),
        kill: (worker) => this.#workers.kill(worker),
        clock: system.clock,
      },
    );
    this.#calls = new PoolCalls({
      scheduler: this.#scheduler,
      size,
      taskTimeoutMs: options.taskTimeoutMs,
      kill: (worker) => this.#workers.kill(worker),
      skip: (worker, chunks) => this.#workers.skip(worker, chunks),
    });
  }

  /** @internal Starts the workers and the pool's actor; resolves once they are all ready. */
  async start(): Promise<void> {
    await this.#workers.start();
    if (this.#state === 'broken') throw new PoolBrokenError('The pool could not start its workers');
    const served = servePool(this);
    this.#served = served;
    this.#ref = await this.#system.spawnActor(served.id);
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
    return this.#workers.pids;
  }

  /** Applies `task` to every item; resolves with the results in input order. Rejects with the first failure. */
  map<A, R>(task: TaskDefinition<[A], R>, items: Iterable<A>, options: MapOptions = {}): Promise<R[]> {
    this.#checkCall(task, options, 'map');
    checkItems(items, false);
    return this.#calls.collect(task as never, itemsOf(items), false, options, 'map') as Promise<R[]>;
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
    return this.#calls.collect(task as never, lists, true, options, 'map') as Promise<R[]>;
  }

  /** Runs `task(...args)` once on a worker. */
  async apply<Args extends unknown[], R>(task: TaskDefinition<Args, R>, ...args: Args): Promise<R> {
    this.#checkCall(task, {}, 'apply');
    const [result] = (await this.#calls.collect(task as never, [args], true, { chunkSize: 1 }, 'map')) as R[];
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
    return this.#calls.collect(task as never, itemsOf(items), false, options, 'settled') as Promise<
      Settled<R>[]
    >;
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
    await this.#calls.idle();
    this.#state = 'terminated';
    await this.#stopActor();
    await this.#workers.stopAll();
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
    this.#calls.failAll(new PoolTerminatedError('The pool was terminated'));
    await this.#stopActor();
    await this.#workers.killAll();
  }

  async *#stream(
    task: TaskDefinition<never[], unknown>,
    source: Iterable<unknown> | AsyncIterable<unknown>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncGenerator<unknown, void, undefined> {
    // Checked again: the pool may have closed between the call and the first `next()`.
    this.#checkOpen();
    yield* this.#calls.stream(task, source, options, ordered);
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

  async #stopActor(): Promise<void> {
    this.#served?.close();
    await this.#ref?.stop();
  }
}

/** The call's own copy of its items (an array's in one copy), so later changes to them do not reach it. */
function snapshot<T>(items: Iterable<T>): T[] {
  return Array.isArray(items) ? items.slice() : Array.from(items);
}

/**
 * A call's own copy of its items, each one argument: all numbers, as one typed array (an
 * `Int32Array` when they are all integers; see `packNumbers`), which the chunks are views of,
 * sent without packing each; otherwise as an array.
 */
function itemsOf(items: Iterable<unknown>): ArrayLike<unknown> {
  const list = Array.isArray(items) ? items : Array.from(items);
  return packNumbers(list) ?? (list === items ? list.slice() : list);
}
