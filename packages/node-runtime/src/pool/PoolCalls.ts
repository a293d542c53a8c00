/**
 * The calls a pool is running (`map`, `imap`, ...): each one's job for the scheduler, where its
 * results go, its progress, its abort signal, and its end. `map` and its kin collect every result;
 * `imap` and `imapUnordered` stream them, reading their items lazily with a bounded read-ahead.
 */

import type { TaskDefinition } from '@troupe/core';
import { defaultChunkSize, type Job, type Outcome, type PoolScheduler, taskAddress } from '@troupe/core/spi';
import type { MapOptions } from './PoolOptions.js';

/** A call in progress: its job, and how it fails. */
interface Call {
  readonly job: Job;
  fail(error: Error): void;
}

/** What the calls need from their pool. */
export interface CallsHost {
  readonly scheduler: PoolScheduler;
  /** Workers in the pool (for `map`'s default chunk size and `imap`'s read-ahead). */
  readonly size: number;
  /** The pool's own `taskTimeoutMs`. */
  readonly taskTimeoutMs: number | undefined;
  /** Kills a worker running an aborted call's item (it is replaced). */
  kill(worker: string): void;
  /** Tells a worker to skip chunks of an aborted call that wait behind another call's item. */
  skip(worker: string, chunks: readonly number[]): void;
}

/**
 * The calls of one pool.
 *
 * @example
 * ```ts
 * const calls = new PoolCalls(host);
 * const squares = await calls.collect(square, [1, 2, 3], false, {}, 'map');
 * ```
 */
export class PoolCalls {
  readonly #host: CallsHost;
  readonly #calls = new Set<Call>();
  /** Takes each call's abort listener off its signal once the call is over. */
  readonly #unlisten = new Map<Job, () => void>();
  #idle: (() => void) | undefined;

  constructor(host: CallsHost) {
    this.#host = host;
  }

  /** Calls in progress. */
  get running(): number {
    return this.#calls.size;
  }

  /** Resolves once no call is in progress. */
  idle(): Promise<void> {
    return this.#calls.size === 0 ? Promise.resolve() : new Promise((resolve) => (this.#idle = resolve));
  }

  /** Fails every call in progress with `error`, and drops every queued item. */
  failAll(error: Error): void {
    for (const call of [...this.#calls]) call.fail(error);
    this.#host.scheduler.takeAll();
  }

  /** Runs every item (each the task's one argument, or with `lists` its argument list). */
  collect(
    task: TaskDefinition<never[], unknown>,
    items: ArrayLike<unknown>,
    lists: boolean,
    options: MapOptions,
    mode: 'map' | 'settled',
  ): Promise<unknown[]> {
    // A call whose signal has already aborted sends nothing (so it costs no worker).
    if (options.signal?.aborted === true) return Promise.reject(abortReason(options.signal));
    const total = items.length;
    const chunkSize = options.chunkSize ?? defaultChunkSize(total, this.#host.size);
    const timeoutMs = options.timeoutMs ?? this.#host.taskTimeoutMs;
    return new Promise<unknown[]>((resolve, reject) => {
      const job = { task: taskAddress(task), chunkSize, timeoutMs };
      const call = new Collect(this, job, { total, mode, options }, resolve, reject);
      this.#track(call, options);
      if (total === 0) this.finish(call, () => resolve(call.results));
      else this.#host.scheduler.submitAll(call.job, items, 0, lists);
    });
  }

  /**
   * Yields the results as they become available (in input order when `ordered`), reading
   * `source` lazily with a bounded read-ahead. If reading it throws at item k, the results of the
   * items before k are yielded first, then that error is thrown (as in Python's `imap`).
   */
  async *stream(
    task: TaskDefinition<never[], unknown>,
    source: Iterable<unknown> | AsyncIterable<unknown>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncGenerator<unknown, void, undefined> {
    if (options.signal?.aborted === true) throw abortReason(options.signal);
    const { scheduler } = this.#host;
    // Opened before the call is tracked: a source whose iterator throws leaves nothing behind.
    const iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (source as Iterable<unknown>)[Symbol.iterator]();
    const chunkSize = options.chunkSize ?? 1;
    const readAhead = Math.max(2 * this.#host.size * chunkSize, chunkSize);
    const ready = new Map<number, Outcome>();
    const arrival: number[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let done = 0;
    const call: Call = {
      job: this.#job(task, chunkSize, options, (index, outcome) => {
        ready.set(index, outcome);
        arrival.push(index);
        done++;
        this.progress(call, options, done, undefined);
        wake?.();
      }),
      fail: (error: Error) => {
        failure = error;
        wake?.();
      },
    };
    this.#track(call, options);
    let submitted = 0;
    let exhausted = false;
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
          scheduler.submitAll(call.job, [step.value], submitted++);
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
      scheduler.drop(call.job);
      this.finish(call, () => {});
    }
  }

  /** Whether `call` is still in progress (its outcomes still count). */
  has(call: Call): boolean {
    return this.#calls.has(call);
  }

  /** Calls the call's `onProgress`; one that throws fails its call with that error, not the pool. */
  progress(call: Call, options: MapOptions, done: number, total: number | undefined): void {
    if (options.onProgress === undefined) return;
    try {
      options.onProgress({ done, total });
    } catch (error) {
      call.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** A call as the scheduler sees it; its items have a deadline when it (or the pool) has a timeout. */
  #job(
    task: TaskDefinition<never[], unknown>,
    chunkSize: number,
    options: MapOptions,
    onOutcome: (index: number, outcome: Outcome) => void,
  ): Job {
    const timeoutMs = options.timeoutMs ?? this.#host.taskTimeoutMs;
    return { task: taskAddress(task), chunkSize, timeoutMs, onOutcome };
  }

  #track(call: Call, options: MapOptions): void {
    const { signal } = options;
    this.#calls.add(call);
    if (signal === undefined) return;
    const abort = () => {
      const { scheduler } = this.#host;
      for (const worker of scheduler.workersRunning(call.job)) {
        // Running one of its items, or about to (its begun note may still be on its way): the
        // worker is killed (and replaced).
        if (scheduler.headJob(worker) === call.job) {
          scheduler.condemn(worker);
          this.#host.kill(worker);
        } else {
          // Its items only wait there, behind another call's item: the worker skips them.
          this.#host.skip(worker, scheduler.chunksHeld(worker, call.job));
        }
      }
      call.fail(abortReason(signal));
    };
    if (signal.aborted) queueMicrotask(abort);
    else {
      signal.addEventListener('abort', abort, { once: true });
      this.#unlisten.set(call.job, () => signal.removeEventListener('abort', abort));
    }
  }

  /** Ends `call` (once): its listener and queued items go, then `settle` runs. */
  finish(call: Call, settle: () => void): void {
    if (!this.#calls.delete(call)) return;
    this.#unlisten.get(call.job)?.();
    this.#unlisten.delete(call.job);
    this.#host.scheduler.drop(call.job);
    settle();
    if (this.#calls.size === 0) this.#idle?.();
  }
}

/**
 * A call that collects every result (`map`, `starmap`, `mapSettled`, `apply`): its own job, its
 * outcomes written into one array by index. A class, not closures made per call, so that the
 * scheduler calls the same functions for every call (V8 keeps the code it optimised for the
 * first call instead of throwing it away at the second).
 */
class Collect implements Call, Job {
  readonly task: Job['task'];
  readonly chunkSize: number;
  readonly timeoutMs: number | undefined;
  readonly results: unknown[];
  readonly #calls: PoolCalls;
  readonly #settled: boolean;
  readonly #options: MapOptions;
  readonly #resolve: (results: unknown[]) => void;
  readonly #reject: (error: Error) => void;
  #done = 0;

  constructor(
    calls: PoolCalls,
    job: Pick<Job, 'task' | 'chunkSize' | 'timeoutMs'>,
    call: { readonly total: number; readonly mode: 'map' | 'settled'; readonly options: MapOptions },
    resolve: (results: unknown[]) => void,
    reject: (error: Error) => void,
  ) {
    this.task = job.task;
    this.chunkSize = job.chunkSize;
    this.timeoutMs = job.timeoutMs;
    this.#calls = calls;
    this.#settled = call.mode === 'settled';
    this.#options = call.options;
    this.#resolve = resolve;
    this.#reject = reject;
    // Filled, so that a large call's array stays a fast (non-dictionary) one; with zeros, so
    // that numbers land unboxed (an array of doubles) until some other value arrives.
    this.results = new Array(call.total).fill(0);
  }

  get job(): Job {
    return this;
  }

  fail(error: Error): void {
    this.#calls.finish(this, () => this.#reject(error));
  }

  /** Successes in bulk: values go straight into their slots, no outcome object per item. */
  onValues(index: number, values: ArrayLike<unknown>, from: number, to: number): void {
    if (!this.#calls.has(this)) return;
    const { results } = this;
    if (!this.#settled) for (let k = from; k < to; k++) results[index + k - from] = values[k];
    else
      for (let k = from; k < to; k++) results[index + k - from] = { status: 'fulfilled', value: values[k] };
    this.#counted(to - from);
  }

  onOutcome(index: number, outcome: Outcome): void {
    if (!this.#calls.has(this)) return;
    if (!this.#settled && !outcome.ok) {
      this.fail(outcome.error);
      return;
    }
    this.results[index] = !this.#settled
      ? (outcome as { value: unknown }).value
      : outcome.ok
        ? { status: 'fulfilled', value: outcome.value }
        : { status: 'rejected', reason: outcome.error };
    this.#counted(1);
  }

  #counted(items: number): void {
    this.#done += items;
    this.#calls.progress(this, this.#options, this.#done, this.results.length);
    if (this.#done === this.results.length) this.#calls.finish(this, () => this.#resolve(this.results));
  }
}

/** What an aborted call rejects with: the signal's reason, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
