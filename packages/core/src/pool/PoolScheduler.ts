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
import type { TaskAddress } from './poolRequest.js';

/** The task a job runs, by module URL and name. */
export type TaskRef = TaskAddress;

/** One item's outcome. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: Error };

/** What a worker is sent: items (index and argument list) of one job, in order. */
export interface ChunkMessage {
  readonly chunk: number;
  readonly task: TaskRef;
  /** The items' indexes in their call. */
  readonly indexes: readonly number[];
  /** Each item's argument list, or its one argument when `unary`. */
  readonly args: readonly unknown[];
  /** Every item of the chunk takes exactly one argument (sent without its list). */
  readonly unary: boolean;
  /** Answer each item as soon as it completes (its call times its items). */
  readonly eager?: boolean;
}

/**
 * A worker's answers for consecutive items of a chunk, starting at item `from` (its position in
 * the chunk): their values in order, and the positions (relative to `from`) that failed instead.
 */
export interface ChunkAnswers {
  readonly chunk: number;
  readonly from: number;
  readonly values: readonly unknown[];
  readonly failures: readonly (readonly [offset: number, error: Error])[];
}

/** One call (`map`, `imap`, ...) as the scheduler sees it. */
export interface Job {
  readonly task: TaskRef;
  readonly chunkSize: number;
  /** Items must be answered one by one as they complete (the call times them). */
  readonly eager?: boolean;
  /** A successful item's value (optional: without it, successes go to `onOutcome` too). */
  onValue?(index: number, value: unknown): void;
  /** Each item's outcome, as it completes (in any order). */
  onOutcome(index: number, outcome: Outcome): void;
}

interface Item {
  readonly job: Job;
  readonly index: number;
  readonly args: readonly unknown[];
  attempts: number;
  /** Suspected of killing a worker that had several unanswered items: it runs alone next. */
  alone: boolean;
}

interface InFlight {
  readonly id: number;
  /** The chunk's items in the order the worker runs them; those from `head` on are unanswered. */
  readonly items: Item[];
  head: number;
}

function unanswered(chunk: InFlight): Item[] {
  return chunk.items.slice(chunk.head);
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
  /** Chunks in flight per worker (at least). */
  readonly prefetch: number;
  /** Items in flight per worker (at least), so small chunks still keep a worker busy. Default 64. */
  readonly prefetchItems?: number | undefined;
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
    for (const [index, args] of items) this.#queue.push({ job, index, args, attempts: 0, alone: false });
    this.#pump();
  }

  /** Adds the items `argLists[i]` with indexes `first + i`, without a tuple per item. */
  submitAll(job: Job, argLists: readonly (readonly unknown[])[], first = 0): void {
    for (let i = 0; i < argLists.length; i++) {
      this.#queue.push({
        job,
        index: first + i,
        args: argLists[i] as readonly unknown[],
        attempts: 0,
        alone: false,
      });
    }
    this.#pump();
  }

  /** A worker is ready for chunks. */
  addWorker(worker: string): void {
    this.#workers.set(worker, { chunks: [], given: 0, retiring: false, blamed: false });
    this.#pump();
  }

  /**
   * A worker died. Chunks run in order, so only its first chunk had started. If one item of that
   * chunk was unanswered, it was running: it is retried on another worker up to `maxRetries`
   * times, then failed with `WorkerCrashedError`. If several were (answers of quick items travel
   * in batches), each of them runs alone next, so the one that kills a worker again is found
   * without failing the others. Every other item goes back to the front of the queue, untouched.
   */
  removeWorker(worker: string, exit: ExitInfo): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    this.#workers.delete(worker);
    const [started, ...waiting] = state.chunks;
    const suspects = started === undefined ? [] : unanswered(started);
    const rest = waiting.flatMap(unanswered);
    const abnormal = exit.reason !== 'shutdown' && exit.reason !== 'normal';
    if (abnormal && !state.blamed && suspects.length === 1) {
      const culprit = suspects[0] as Item;
      // A dropped call's item is neither retried nor reported, but it keeps the blame off others.
      if (this.#dropped.has(culprit.job)) suspects.length = 0;
      else if (++culprit.attempts > this.#options.maxRetries) {
        suspects.length = 0;
        culprit.job.onOutcome(culprit.index, {
          ok: false,
          error: new WorkerCrashedError(exit, culprit.attempts),
        });
      }
    } else if (abnormal && !state.blamed) {
      for (const item of suspects) item.alone = true;
    }
    this.#requeued = [...suspects, ...rest, ...this.#requeued].filter((item) => !this.#dropped.has(item.job));
    this.#pump();
  }

  /**
   * A worker answered consecutive items of a chunk. Items answered out of turn (they should not
   * be) are matched one by one.
   */
  answers(worker: string, answers: ChunkAnswers): void {
    const state = this.#workers.get(worker);
    const inFlight = state?.chunks.find((c) => c.id === answers.chunk);
    if (state === undefined || inFlight === undefined) return;
    const failures = answers.failures.length === 0 ? undefined : new Map(answers.failures);
    const { values } = answers;
    for (let offset = 0; offset < values.length; offset++) {
      const item = inFlight.items[answers.from + offset];
      if (item === undefined) break;
      const failure = failures?.get(offset);
      // The common case (the next item, a value, a job that takes values) costs no allocation.
      if (failure === undefined && item.job.onValue !== undefined && inFlight.items[inFlight.head] === item) {
        inFlight.head++;
        item.job.onValue(item.index, values[offset]);
        if (!this.#afterAnswer(worker, state, inFlight)) break;
        continue;
      }
      const outcome: Outcome =
        failure === undefined ? { ok: true, value: values[offset] } : { ok: false, error: failure };
      if (!this.#settle(worker, answers.chunk, item.index, outcome)) break;
    }
    this.#pump();
  }

  /** A worker answered one item of a chunk. */
  outcome(worker: string, chunk: number, index: number, outcome: Outcome): void {
    this.#settle(worker, chunk, index, outcome);
    this.#pump();
  }

  /** Records one answer; true while the worker is still in service. */
  #settle(worker: string, chunk: number, index: number, outcome: Outcome): boolean {
    const state = this.#workers.get(worker);
    const inFlight =
      state?.chunks[0]?.id === chunk ? state.chunks[0] : state?.chunks.find((c) => c.id === chunk);
    if (state === undefined || inFlight === undefined) return false;
    let item: Item | undefined;
    if (inFlight.items[inFlight.head]?.index === index) {
      // Answers come in the order the worker runs the items: the common case is the next one.
      item = inFlight.items[inFlight.head++];
    } else {
      const at = inFlight.items.findIndex((it, i) => i >= inFlight.head && it.index === index);
      if (at < 0) return true;
      [item] = inFlight.items.splice(at, 1);
    }
    item?.job.onOutcome(index, outcome);
    return this.#afterAnswer(worker, state, inFlight);
  }

  /**
   * After an answer: a finished chunk frees its credit, and a retiring worker with nothing left
   * in flight is recycled. True while the worker is still in service.
   */
  #afterAnswer(worker: string, state: WorkerState, inFlight: InFlight): boolean {
    if (inFlight.head < inFlight.items.length) return true;
    const at = state.chunks.indexOf(inFlight);
    if (at >= 0) state.chunks.splice(at, 1);
    if (!state.retiring || state.chunks.length > 0) return true;
    this.#workers.delete(worker);
    this.#deps.recycle(worker);
    return false;
  }

  /**
   * The item `worker` is running now — the first unanswered one — with its job, or undefined when
   * it is idle. (Items run in the order they were sent, so this is the one that started last.)
   */
  current(worker: string): { readonly job: Job; readonly index: number } | undefined {
    const chunk = this.#workers.get(worker)?.chunks[0];
    return chunk?.items[chunk.head];
  }

  /**
   * Fails the item `worker` is running with `error` (it ran too long); the runtime then kills the
   * worker, whose death blames nothing more.
   */
  failCurrent(worker: string, error: Error): void {
    const state = this.#workers.get(worker);
    const chunk = state?.chunks[0];
    const item = chunk?.items[chunk.head];
    if (state === undefined || chunk === undefined || item === undefined) return;
    chunk.head++;
    if (chunk.head >= chunk.items.length) state.chunks.shift();
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
      if (state.chunks.some((c) => unanswered(c).some((item) => item.job === job))) found.push(worker);
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
    // Level by level: the workers with the fewest chunks in flight get one each, in turn, so a new
    // worker fills up before busy ones get more, and a worker below its minimum is topped up.
    for (let progress = true; progress && this.queued > 0; ) {
      progress = false;
      const wanting = [...this.#workers].filter(([, state]) => this.#wantsMore(state));
      const level = Math.min(...wanting.map(([, state]) => state.chunks.length));
      for (const [worker, state] of wanting) {
        if (this.queued === 0) return;
        if (state.chunks.length > level) continue;
        const chunk = this.#nextChunkFor(state);
        if (chunk === undefined) continue;
        this.#deps.dispatch(worker, chunk);
        progress = true;
      }
    }
  }

  /** Fewer than `prefetch` chunks, or fewer than `prefetchItems` items, in flight. */
  #wantsMore(state: WorkerState): boolean {
    if (state.retiring) return false;
    if (state.chunks.length < this.#options.prefetch) return true;
    const inFlight = state.chunks.reduce((n, c) => n + c.items.length - c.head, 0);
    return inFlight < (this.#options.prefetchItems ?? 64);
  }

  #nextChunkFor(state: WorkerState): ChunkMessage | undefined {
    const first = this.#requeued.shift() ?? this.#queue.shift();
    if (first === undefined) return undefined;
    const items = [first];
    const limit = this.#limitFor(state, first.job.chunkSize);
    // A retried or suspected item runs alone: if it kills this worker too, nothing else is lost.
    if (first.attempts === 0 && !first.alone) {
      while (items.length < limit) {
        const next = this.#requeued.length > 0 ? this.#requeued[0] : this.#queue.peek();
        if (next === undefined || next.job !== first.job || next.attempts > 0 || next.alone) break;
        items.push((this.#requeued.length > 0 ? this.#requeued.shift() : this.#queue.shift()) as Item);
      }
    }
    state.given += items.length;
    const max = this.#options.maxTasksPerWorker;
    if (max !== undefined && state.given >= max) state.retiring = true;
    const id = this.#nextChunk++;
    state.chunks.push({ id, items, head: 0 });
    const unary = items.every((item) => item.args.length === 1);
    return {
      chunk: id,
      task: first.job.task,
      indexes: items.map((item) => item.index),
      args: unary ? items.map((item) => item.args[0]) : items.map((item) => item.args),
      unary,
      ...(first.job.eager ? { eager: true } : {}),
    };
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
