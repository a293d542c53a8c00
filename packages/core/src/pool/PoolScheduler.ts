/**
 * The decisions of a pool: which items go to which worker, in chunks, with a few chunks in flight
 * per worker (credit-based prefetch, so a worker never waits a round trip); what happens to a
 * worker's items when it dies (see `blame`); how long an item may run (its call's deadline); when
 * a worker has done its share and must be recycled. Runtime-agnostic: the runtime sends the
 * chunks and reports what its workers answer and when they die.
 *
 * @module
 */

import { TimeoutError } from '../errors.js';
import type { ExitInfo } from '../exit.js';
import { addToBatch, type Batch } from './batches.js';
import { blame } from './blame.js';
import type { ChunkAnswers, ChunkMessage, RefusedChunk, UnitAnswers } from './chunks.js';
import { unitAnswer } from './chunks.js';
import { Deadlines, type RunningItem } from './Deadlines.js';
import type { Job, QueuedItem } from './Job.js';
import { timeItems, wantsMore } from './pace.js';
import { RunQueue } from './RunQueue.js';
import type { SchedulerDeps, SchedulerOptions } from './SchedulerOptions.js';

export type { SchedulerDeps, SchedulerOptions } from './SchedulerOptions.js';

import type { InFlight, WorkerState } from './WorkerState.js';
import { messageOf, newWorkerState, unansweredItems, unitRun } from './WorkerState.js';

/**
 * Schedules pool items over workers.
 *
 * @example
 * ```ts
 * const scheduler = new PoolScheduler({ maxRetries: 1, prefetch: 2, maxTasksPerWorker: undefined }, deps);
 * scheduler.addWorker('w1');
 * scheduler.submitAll(job, [1, 2, 3]); // items 0, 1 and 2, each one argument
 * ```
 */
export class PoolScheduler {
  readonly #options: SchedulerOptions;
  readonly #deps: SchedulerDeps;
  readonly #now: (() => number) | undefined;
  readonly #queue = new RunQueue();
  readonly #workers = new Map<string, WorkerState>();
  readonly #deadlines: Deadlines | undefined;
  /** Calls that were cancelled or failed: their items in flight are not requeued. */
  readonly #dropped = new WeakSet<Job>();
  #nextChunk = 1;
  #nextBatch = 1;

  constructor(options: SchedulerOptions, deps: SchedulerDeps) {
    this.#options = options;
    this.#deps = deps;
    const { clock } = deps;
    this.#now = deps.now ?? (clock === undefined ? undefined : () => clock.now());
    this.#deadlines =
      clock === undefined ? undefined : new Deadlines(clock, (worker, ms) => this.#expired(worker, ms));
  }

  /** Items waiting for a worker. */
  get queued(): number {
    return this.#queue.count;
  }

  /** Workers able to take work. */
  get workers(): number {
    return this.#workers.size;
  }

  /** Adds items of `job` (each an index and an argument list) at the back of the queue. */
  submit(job: Job, items: Iterable<readonly [index: number, args: readonly unknown[]]>): void {
    this.#queue.enqueueIndexed(job, items);
    this.#pump();
  }

  /**
   * Adds the items `args[k]` with indexes `first + k`, each the task's one argument (or, with
   * `lists`, its argument list). `args` is kept, not copied: the caller must not change it.
   */
  submitAll(job: Job, args: ArrayLike<unknown>, first = 0, lists = false): void {
    if (args.length > 0) this.#queue.enqueue(job, args, first, lists);
    this.#pump();
  }

  /** A worker is ready for chunks. */
  addWorker(worker: string): void {
    this.#workers.set(worker, newWorkerState());
    this.#pump();
  }

  /**
   * A worker says it has begun the batch holding `chunk` (it says so before running any of it).
   * Batches run in order, so every batch before it has begun too.
   */
  begun(worker: string, chunk: number): void {
    const state = this.#workers.get(worker);
    const inFlight = state?.chunks.find((c) => c.id === chunk);
    if (state !== undefined && inFlight !== undefined) state.begun = Math.max(state.begun, inFlight.batch);
    this.#watch(worker);
  }

  /** A worker died: its items are charged, retried or put back as {@link blame} decides. */
  removeWorker(worker: string, exit: ExitInfo): void {
    this.#deadlines?.clear(worker);
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    this.#workers.delete(worker);
    const { back, failed } = blame(state, exit, this.#options.maxRetries);
    // A dropped call's item is neither retried nor reported, but it keeps the blame off others.
    if (failed !== undefined && !this.#dropped.has(failed.job)) {
      failed.job.onOutcome(failed.index, { ok: false, error: failed.error });
    }
    this.#queue.requeue(back.filter((run) => !this.#dropped.has(run.job)));
    this.#pump();
  }

  /**
   * A worker answered consecutive items of one or more chunks. Items run, and are answered, in
   * order: an answer for items already answered is ignored, as is one that skips items (it cannot
   * come).
   */
  answers(worker: string, answers: ChunkAnswers | readonly ChunkAnswers[]): void {
    const state = this.#workers.get(worker);
    const before = state === undefined ? 0 : unansweredItems(state);
    if (Array.isArray(answers)) for (const one of answers) this.#answer(worker, one);
    else this.#answer(worker, answers as ChunkAnswers);
    this.#answered(worker, state, before);
  }

  /**
   * A worker answered whole single-item chunks, in columns: the same as {@link answers} with
   * each chunk's answers in turn, but a run of chunks at the head of what the worker holds that
   * are consecutive items of one call is settled in one go (one `onValues` for the run).
   */
  unitAnswers(worker: string, answers: UnitAnswers): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    const before = unansweredItems(state);
    const { chunks, values, failures } = answers;
    // Failures are rare: with any, every chunk goes the one-by-one way.
    const failed = failures.length === 0 ? undefined : new Map(failures);
    for (let i = 0; i < chunks.length; ) {
      const run = failed === undefined ? unitRun(state.chunks, chunks, i) : 0;
      if (run > 0) {
        this.#settleUnits(worker, state, values, i, run);
        i += run;
        continue;
      }
      this.#answer(worker, unitAnswer(chunks[i] as number, values[i], failed?.get(i)));
      i++;
    }
    this.#answered(worker, state, before);
  }

  /** After answers: learns how long `worker`'s items take, refills, and times its next item. */
  #answered(worker: string, state: WorkerState | undefined, before: number): void {
    if (state !== undefined) timeItems(state, before - unansweredItems(state), this.#now?.());
    this.#pump();
    this.#watch(worker);
  }

  /**
   * The item `worker` is running now — the first unanswered one, once the worker has said it
   * began its batch — with its job, or undefined when it is idle or its next batch is still in
   * transit. (Items run in the order they were sent, so this is the one that started last.)
   */
  current(worker: string): RunningItem | undefined {
    const state = this.#workers.get(worker);
    const chunk = state?.chunks[0];
    if (chunk === undefined || chunk.head >= chunk.args.length || chunk.batch > (state?.begun ?? 0))
      return undefined;
    return { job: chunk.job, index: chunk.first + chunk.head };
  }

  /**
   * Fails the item `worker` is running with `error` (it ran too long); the runtime then kills the
   * worker, whose death blames nothing more.
   */
  failCurrent(worker: string, error: Error): void {
    const state = this.#workers.get(worker);
    const chunk = state?.chunks[0];
    if (state === undefined || chunk === undefined || chunk.head >= chunk.args.length) return;
    const index = chunk.first + chunk.head++;
    if (chunk.head >= chunk.args.length) state.chunks.shift();
    state.blamed = true;
    state.timedOut = true;
    state.retiring = true;
    chunk.job.onOutcome(index, { ok: false, error });
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
    this.#queue.drop(job);
  }

  /** Workers running items of `job` now (to kill them when the call is aborted). */
  workersRunning(job: Job): string[] {
    const found: string[] = [];
    for (const [worker, state] of this.#workers) {
      if (state.chunks.some((c) => c.job === job && c.head < c.args.length)) found.push(worker);
    }
    return found;
  }

  /**
   * The job of the first unanswered item `worker` holds, whether or not it has said it began its
   * batch: the item it is running, or will run next.
   */
  headJob(worker: string): Job | undefined {
    return this.#workers.get(worker)?.chunks.find((c) => c.head < c.args.length)?.job;
  }

  /** The chunks of `job` that `worker` holds with items unanswered (to tell it to skip them). */
  chunksHeld(worker: string, job: Job): number[] {
    const chunks = this.#workers.get(worker)?.chunks ?? [];
    return chunks.filter((c) => c.job === job && c.head < c.args.length).map((c) => c.id);
  }

  /** Removes and returns everything queued (the pool is terminating), requeued items first. */
  takeAll(): QueuedItem[] {
    return this.#queue.takeAll();
  }

  #answer(worker: string, answers: ChunkAnswers): void {
    const state = this.#workers.get(worker);
    const inFlight =
      state?.chunks[0]?.id === answers.chunk
        ? state.chunks[0]
        : state?.chunks.find((c) => c.id === answers.chunk);
    if (state === undefined || inFlight === undefined || answers.from > inFlight.head) return;
    const { values, failures } = answers;
    const end = Math.min(values.length, inFlight.args.length - answers.from);
    let at = inFlight.head - answers.from;
    for (const [offset, error] of failures) {
      if (offset < at) continue;
      if (offset >= end) break;
      this.#deliver(inFlight, values, at, offset, answers.from);
      inFlight.head++;
      inFlight.job.onOutcome(inFlight.first + answers.from + offset, { ok: false, error });
      at = offset + 1;
    }
    if (at < end) this.#deliver(inFlight, values, at, end, answers.from);
    this.#afterAnswer(worker, state, inFlight);
  }

  /** Settles the successful answers `values[from]` .. `values[to - 1]` (positions `offset + from` ...). */
  #deliver(inFlight: InFlight, values: ArrayLike<unknown>, from: number, to: number, offset: number): void {
    if (to <= from) return;
    const index = inFlight.first + offset + from;
    inFlight.head += to - from;
    const { job } = inFlight;
    if (job.onValues !== undefined) job.onValues(index, values, from, to);
    else for (let k = from; k < to; k++) job.onOutcome(index + k - from, { ok: true, value: values[k] });
  }

  /** Settles the first `count` chunks `worker` holds (see {@link unitRun}) with `values[at]` ... */
  #settleUnits(
    worker: string,
    state: WorkerState,
    values: ArrayLike<unknown>,
    at: number,
    count: number,
  ): void {
    const { job, first } = state.chunks[0] as InFlight;
    for (let k = 0; k < count; k++) (state.chunks[k] as InFlight).head = 1;
    state.chunks.splice(0, count);
    if (job.onValues !== undefined) job.onValues(first, values, at, at + count);
    else for (let k = 0; k < count; k++) job.onOutcome(first + k, { ok: true, value: values[at + k] });
    this.#retireIfDone(worker, state);
  }

  /**
   * After an answer: a finished chunk frees its credit, and a retiring worker with nothing left
   * in flight is recycled.
   */
  #afterAnswer(worker: string, state: WorkerState, inFlight: InFlight): void {
    if (inFlight.head < inFlight.args.length) return;
    // Chunks are answered in order: the finished one is nearly always the first.
    if (state.chunks[0] === inFlight) state.chunks.shift();
    else {
      const at = state.chunks.indexOf(inFlight);
      if (at >= 0) state.chunks.splice(at, 1);
    }
    this.#retireIfDone(worker, state);
  }

  /** A retiring worker with nothing left in flight is recycled. */
  #retireIfDone(worker: string, state: WorkerState): void {
    if (!state.retiring || state.chunks.length > 0) return;
    this.#workers.delete(worker);
    this.#deadlines?.clear(worker);
    this.#deps.recycle(worker);
  }

  /** Times the item `worker` is running now, if its call has a deadline. */
  #watch(worker: string): void {
    this.#deadlines?.watch(worker, this.current(worker));
  }

  /** `worker` ran its item past the deadline: the item fails, and the worker is killed. */
  #expired(worker: string, ms: number): void {
    this.failCurrent(worker, new TimeoutError(`A pool task ran longer than ${ms} ms; its worker was killed`));
    this.#deps.kill?.(worker);
  }

  /**
   * Hands out chunks level by level: every worker gets one before any gets a second. A worker is
   * refilled once it is down to `prefetch` chunks less one, or to half its `prefetchItems`, so
   * that small chunks go out in batches rather than one per answer. Chunks the runtime could not
   * send fail their items, which frees their credit for the next round.
   */
  #pump(): void {
    for (;;) {
      const refused = this.#dispatchRound();
      if (refused.length === 0) return;
      for (const [worker, refusal] of refused) this.#refuse(worker, refusal);
    }
  }

  /** One round of {@link #pump}: returns the chunks the runtime refused, with their workers. */
  #dispatchRound(): [string, RefusedChunk][] {
    const refused: [string, RefusedChunk][] = [];
    if (this.#queue.count === 0 || this.#workers.size === 0) return refused;
    const batches = new Map<string, Batch[]>();
    const order: [string, Batch][] = [];
    // The items each worker holds, counted once here and then kept up to date as chunks go out
    // (a refill of small chunks takes many rounds; counting every round was most of its cost).
    let wanting: { worker: string; state: WorkerState; held: number }[] = [];
    for (const [worker, state] of this.#workers) {
      const held = unansweredItems(state);
      if (wantsMore(state, held, 2, this.#options)) wanting.push({ worker, state, held });
    }
    while (wanting.length > 0 && this.#queue.count > 0) {
      // The workers with the fewest chunks in flight get one each, in turn, so a new worker fills
      // up before busy ones get more.
      let level = Number.POSITIVE_INFINITY;
      for (const { state } of wanting) level = Math.min(level, state.chunks.length);
      for (const one of wanting) {
        if (this.#queue.count === 0) break;
        if (one.state.chunks.length > level) continue;
        const cut = this.#nextChunkFor(one.state);
        if (cut === undefined) continue;
        one.held += cut[0].args.length;
        const mine = batches.get(one.worker) ?? [];
        batches.set(one.worker, mine);
        const added = addToBatch(mine, cut[0], cut[1], this.#options.batchItems ?? 32, this.#nextBatch);
        if (added !== undefined) {
          this.#nextBatch++;
          order.push([one.worker, added]);
        }
      }
      wanting = wanting.filter((one) => wantsMore(one.state, one.held, 1, this.#options));
    }
    for (const [worker, batch] of order) {
      this.#deps.dispatch(worker, batch.chunks, (refusal) => refused.push([worker, refusal]));
      this.#watch(worker);
    }
    return refused;
  }

  /** Fails every unanswered item of a chunk the runtime could not send, as a worker would answer. */
  #refuse(worker: string, { chunk, error }: RefusedChunk): void {
    const state = this.#workers.get(worker);
    const inFlight = state?.chunks.find((c) => c.id === chunk);
    if (inFlight === undefined) return;
    const count = inFlight.args.length - inFlight.head;
    const failures = Array.from({ length: count }, (_, k) => [k, error] as const);
    this.#answer(worker, { chunk, from: inFlight.head, values: new Array(count), failures });
    this.#watch(worker);
  }

  /** The next chunk for a worker, as it is sent and as the scheduler keeps it in flight. */
  #nextChunkFor(state: WorkerState): readonly [ChunkMessage, InFlight] | undefined {
    const max = this.#options.maxTasksPerWorker;
    const inFlight = this.#queue.cut(
      max === undefined ? Number.POSITIVE_INFINITY : max - state.given,
      this.#nextChunk,
    );
    if (inFlight === undefined) return undefined;
    this.#nextChunk++;
    state.given += inFlight.args.length;
    if (max !== undefined && state.given >= max) state.retiring = true;
    if (state.chunks.length === 0) state.busySince = this.#now?.();
    state.chunks.push(inFlight);
    return [messageOf(inFlight), inFlight];
  }
}
