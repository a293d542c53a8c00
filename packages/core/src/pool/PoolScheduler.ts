/**
 * The decisions of a pool: which items go to which worker, in chunks, with a few chunks in flight
 * per worker (credit-based prefetch, so a worker never waits a round trip); what happens to a
 * worker's items when it dies (the item it was running is retried or failed, the rest go back
 * untouched); when a worker has done its share and must be recycled. Runtime-agnostic: the runtime
 * sends the chunks and reports outcomes and deaths.
 *
 * @module
 */

import { WorkerCrashedError } from '../errors.js';
import type { ExitInfo } from '../exit.js';
import { Deque } from '../internal/Deque.js';

/** The task a job runs, by module URL and name. */
export interface TaskRef {
  readonly module: string;
  readonly name: string;
}

/** One item's outcome. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: Error };

/** What a worker is sent: items (index and argument list) of one job, in order. */
export interface ChunkMessage {
  readonly chunk: number;
  readonly task: TaskRef;
  readonly items: readonly (readonly [index: number, args: readonly unknown[]])[];
}

/** One call (`map`, `imap`, ...) as the scheduler sees it. */
export interface Job {
  readonly task: TaskRef;
  readonly chunkSize: number;
  /** Each item's outcome, as it completes (in any order). */
  onOutcome(index: number, outcome: Outcome): void;
}

interface Item {
  readonly job: Job;
  readonly index: number;
  readonly args: readonly unknown[];
  attempts: number;
}

interface InFlight {
  readonly id: number;
  /** Items not yet answered, in the order the worker runs them. */
  readonly pending: Item[];
}

interface WorkerState {
  readonly chunks: InFlight[];
  /** Items handed to it so far (for `maxTasksPerWorker`). */
  given: number;
  /** It has had its share: no more chunks; recycled once idle. */
  retiring: boolean;
  /** Its current item was already failed (a timeout): its death blames nothing more. */
  blamed: boolean;
}

/** How the scheduler reaches the runtime. */
export interface SchedulerDeps {
  /** Sends a chunk to a worker. */
  dispatch(worker: string, chunk: ChunkMessage): void;
  /** A worker reached `maxTasksPerWorker` and has nothing in flight: replace it. */
  recycle(worker: string): void;
}

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Times an item is retried on a fresh worker after its worker died running it. */
  readonly maxRetries: number;
  /** Chunks in flight per worker. */
  readonly prefetch: number;
  /** Items a worker runs before it is replaced; undefined for no limit. */
  readonly maxTasksPerWorker: number | undefined;
}

/**
 * Schedules pool items over workers.
 *
 * @example
 * ```ts
 * const scheduler = new PoolScheduler({ maxRetries: 1, prefetch: 2, maxTasksPerWorker: undefined }, deps);
 * scheduler.addWorker('w1');
 * scheduler.submit(job, [[1], [2], [3]]);
 * ```
 */
export class PoolScheduler {
  readonly #options: SchedulerOptions;
  readonly #deps: SchedulerDeps;
  readonly #queue = new Deque<Item>();
  /** Items given back by a dead worker: they run before the rest of the queue. */
  #requeued: Item[] = [];
  readonly #workers = new Map<string, WorkerState>();
  /** Calls that were cancelled or failed: their items in flight are not requeued. */
  readonly #dropped = new WeakSet<Job>();
  #nextChunk = 1;

  constructor(options: SchedulerOptions, deps: SchedulerDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /** Items waiting for a worker. */
  get queued(): number {
    return this.#queue.length + this.#requeued.length;
  }

  /** Workers able to take work. */
  get workers(): number {
    return this.#workers.size;
  }

  /** Adds items of `job` (each an argument list) at the back of the queue. */
  submit(job: Job, items: Iterable<readonly [index: number, args: readonly unknown[]]>): void {
    for (const [index, args] of items) this.#queue.push({ job, index, args, attempts: 0 });
    this.#pump();
  }

  /** A worker is ready for chunks. */
  addWorker(worker: string): void {
    this.#workers.set(worker, { chunks: [], given: 0, retiring: false, blamed: false });
    this.#pump();
  }

  /**
   * A worker died. The item it was running (the first unanswered one) is retried on another
   * worker up to `maxRetries` times, then failed with `WorkerCrashedError`; its other items go
   * back to the front of the queue, untouched.
   */
  removeWorker(worker: string, exit: ExitInfo): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    this.#workers.delete(worker);
    const pending = state.chunks.flatMap((c) => c.pending);
    // The culprit is picked before dropped calls are filtered out: a dropped call's item that kills
    // its worker must not pin the blame on the next call's item.
    const culprit = state.blamed ? undefined : pending.shift();
    if (culprit !== undefined && !this.#dropped.has(culprit.job)) {
      if (exit.reason === 'shutdown' || exit.reason === 'normal') pending.unshift(culprit);
      else if (++culprit.attempts > this.#options.maxRetries) {
        culprit.job.onOutcome(culprit.index, {
          ok: false,
          error: new WorkerCrashedError(exit, culprit.attempts),
        });
      } else pending.unshift(culprit);
    }
    this.#requeued = [...pending.filter((item) => !this.#dropped.has(item.job)), ...this.#requeued];
    this.#pump();
  }

  /** A worker answered one item of a chunk. */
  outcome(worker: string, chunk: number, index: number, outcome: Outcome): void {
    const state = this.#workers.get(worker);
    const inFlight = state?.chunks.find((c) => c.id === chunk);
    const at = inFlight?.pending.findIndex((item) => item.index === index) ?? -1;
    if (state === undefined || inFlight === undefined || at < 0) return;
    const [item] = inFlight.pending.splice(at, 1);
    if (inFlight.pending.length === 0) state.chunks.splice(state.chunks.indexOf(inFlight), 1);
    item?.job.onOutcome(index, outcome);
    if (state.retiring && state.chunks.length === 0) {
      this.#workers.delete(worker);
      this.#deps.recycle(worker);
    }
    this.#pump();
  }

  /**
   * The item `worker` is running now — the first unanswered one — with its job, or undefined when
   * it is idle. (Items run in the order they were sent, so this is the one that started last.)
   */
  current(worker: string): { readonly job: Job; readonly index: number } | undefined {
    return this.#workers.get(worker)?.chunks[0]?.pending[0];
  }

  /**
   * Fails the item `worker` is running with `error` (it ran too long); the runtime then kills the
   * worker, whose death blames nothing more.
   */
  failCurrent(worker: string, error: Error): void {
    const state = this.#workers.get(worker);
    const chunk = state?.chunks[0];
    const item = chunk?.pending.shift();
    if (state === undefined || chunk === undefined || item === undefined) return;
    if (chunk.pending.length === 0) state.chunks.shift();
    state.blamed = true;
    state.retiring = true;
    item.job.onOutcome(item.index, { ok: false, error });
  }

  /** The runtime is killing `worker` on purpose: it gets no more chunks, and its death blames no item. */
  condemn(worker: string): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    state.retiring = true;
    state.blamed = true;
  }

  /** Drops the queued items of `job` (a cancelled or failed call); items in flight run out. */
  drop(job: Job): void {
    this.#dropped.add(job);
    const keep = this.#queue.drain().filter((item) => item.job !== job);
    for (const item of keep) this.#queue.push(item);
    this.#requeued = this.#requeued.filter((item) => item.job !== job);
  }

  /** Workers running items of `job` now (to kill them when the call is aborted). */
  workersRunning(job: Job): string[] {
    const found: string[] = [];
    for (const [worker, state] of this.#workers) {
      if (state.chunks.some((c) => c.pending.some((item) => item.job === job))) found.push(worker);
    }
    return found;
  }

  /** Removes and returns everything queued (the pool is terminating). */
  takeAll(): Item[] {
    const all = [...this.#requeued, ...this.#queue.drain()];
    this.#requeued = [];
    return all;
  }

  /** Hands out chunks level by level: every worker gets one before any gets a second. */
  #pump(): void {
    for (let level = 0; level < this.#options.prefetch; level++) {
      for (const [worker, state] of this.#workers) {
        if (this.queued === 0) return;
        if (state.retiring || state.chunks.length > level) continue;
        const chunk = this.#nextChunkFor(state);
        if (chunk !== undefined) this.#deps.dispatch(worker, chunk);
      }
    }
  }

  #nextChunkFor(state: WorkerState): ChunkMessage | undefined {
    const first = this.#requeued.shift() ?? this.#queue.shift();
    if (first === undefined) return undefined;
    const items = [first];
    const limit = this.#limitFor(state, first.job.chunkSize);
    // A requeued item runs alone: if it kills this worker too, nothing else is lost with it.
    if (first.attempts === 0) {
      while (items.length < limit) {
        const next = this.#requeued.length > 0 ? this.#requeued[0] : this.#queue.peek();
        if (next === undefined || next.job !== first.job || next.attempts > 0) break;
        items.push((this.#requeued.length > 0 ? this.#requeued.shift() : this.#queue.shift()) as Item);
      }
    }
    state.given += items.length;
    const max = this.#options.maxTasksPerWorker;
    if (max !== undefined && state.given >= max) state.retiring = true;
    const id = this.#nextChunk++;
    state.chunks.push({ id, pending: items });
    return { chunk: id, task: first.job.task, items: items.map((item) => [item.index, item.args] as const) };
  }

  #limitFor(state: WorkerState, chunkSize: number): number {
    const max = this.#options.maxTasksPerWorker;
    return max === undefined ? chunkSize : Math.max(1, Math.min(chunkSize, max - state.given));
  }
}

/**
 * Python's rule for `map`'s default chunk size: `ceil(n / (4 · workers))`, at least 1.
 *
 * @example
 * ```ts
 * defaultChunkSize(100, 4); // 7
 * ```
 */
export function defaultChunkSize(items: number, workers: number): number {
  return Math.max(1, Math.ceil(items / (4 * Math.max(1, workers))));
}
