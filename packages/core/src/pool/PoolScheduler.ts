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

/** What a worker is sent: consecutive items of one job, in order. */
export interface ChunkMessage {
  readonly chunk: number;
  readonly task: TaskRef;
  /** The index of the chunk's first item in its call; the others follow it. */
  readonly first: number;
  /**
   * Each item's argument list, or its one argument when `unary` (the runtime may send a run of
   * numbers as a `Float64Array`, which copies in one go).
   */
  readonly args: ArrayLike<unknown>;
  /** Every item of the chunk takes exactly one argument (sent without its list). */
  readonly unary: boolean;
  /** Answer each item as soon as it completes (its call times its items). */
  readonly eager?: boolean;
  /**
   * Which run of its items this is, from 1 (left out for 1): a worker holding them died after
   * it had begun their batch, so they may have run before (see `taskContext().attempt`).
   */
  readonly attempt?: number;
  /**
   * A chunk too large for one message travels in parts, in order: this part's first item is
   * item `offset` of the chunk (answers count from the chunk's start). Left out for 0.
   */
  readonly offset?: number;
  /** The runtime could not send these items: the worker answers each as failed with this error. */
  readonly refused?: Error;
}

/**
 * A worker's answers for consecutive items of a chunk, starting at item `from` (its position in
 * the chunk): their values in order, and the positions (relative to `from`, ascending) that
 * failed instead.
 */
export interface ChunkAnswers {
  readonly chunk: number;
  readonly from: number;
  /** The values (a `Float64Array` when they are all numbers, which copies in one go). */
  readonly values: ArrayLike<unknown>;
  readonly failures: readonly (readonly [offset: number, error: Error])[];
}

/** One call (`map`, `imap`, ...) as the scheduler sees it. */
export interface Job {
  readonly task: TaskRef;
  readonly chunkSize: number;
  /** Items must be answered one by one as they complete (the call times them). */
  readonly eager?: boolean;
  /**
   * Successful items in bulk: `values[from]` .. `values[to - 1]` are the results of the items
   * `index`, `index + 1`, ... (optional: without it, successes go to `onOutcome` one by one).
   */
  onValues?(index: number, values: ArrayLike<unknown>, from: number, to: number): void;
  /** Each item's outcome, as it completes (in any order). */
  onOutcome(index: number, outcome: Outcome): void;
}

/** An item as {@link PoolScheduler.takeAll} returns it. */
export interface QueuedItem {
  readonly job: Job;
  readonly index: number;
  readonly args: readonly unknown[];
  readonly attempts: number;
}

/**
 * Queued items: consecutive items of one job, `args[from]` .. `args[to - 1]`, the item `args[k]`
 * having index `base + k` in its call. Items are never copied one by one while they wait.
 */
interface Run {
  readonly job: Job;
  readonly base: number;
  /** The call's items (an array, or a Float64Array when they are all numbers). */
  readonly args: ArrayLike<unknown>;
  /** Each entry of `args` is an argument list (else the item's one argument). */
  readonly lists: boolean;
  from: number;
  readonly to: number;
  /** Deaths it has caused (a retried item runs alone, in a run of its own). */
  readonly attempts: number;
  /** Suspected of killing a worker that had several unanswered items: it runs alone next. */
  readonly alone: boolean;
  /** Workers that died after beginning its batch: it may have run this many times already. */
  readonly tries: number;
}

/** A chunk a worker holds: item `k` of `args` has index `first + k`; those from `head` on are unanswered. */
interface InFlight {
  readonly id: number;
  /** The batch (message) it went in: a worker answers a batch's chunks together. */
  batch: number;
  readonly job: Job;
  readonly first: number;
  readonly args: ArrayLike<unknown>;
  readonly lists: boolean;
  readonly attempts: number;
  readonly alone: boolean;
  readonly tries: number;
  /**
   * Answered item by item, each answer out before the next item begins (a timed call's items,
   * and retried or suspected ones): its batch holds eager chunks only.
   */
  readonly eager: boolean;
  head: number;
}

/** Items `from` .. `to - 1` of `args`: a view of a typed array, a copy of an array. */
function sliceOf(args: ArrayLike<unknown>, from: number, to: number): ArrayLike<unknown> {
  return ArrayBuffer.isView(args)
    ? (args as Float64Array).subarray(from, to)
    : (args as readonly unknown[]).slice(from, to);
}

function unansweredItems(state: WorkerState): number {
  let count = 0;
  for (const chunk of state.chunks) count += chunk.args.length - chunk.head;
  return count;
}

function unanswered(chunk: InFlight): Run | undefined {
  if (chunk.head >= chunk.args.length) return undefined;
  const { job, first, args, lists, attempts, alone, tries, head } = chunk;
  return { job, base: first, args, lists, from: head, to: args.length, attempts, alone, tries };
}

/** Chunks going to one worker in one message. */
interface Batch {
  readonly id: number;
  readonly chunks: ChunkMessage[];
  items: number;
  /** More chunks may join it. */
  readonly open: boolean;
  /** Its chunks are eager (see InFlight); eager and other chunks never share a batch. */
  readonly eager: boolean;
}

interface WorkerState {
  readonly chunks: InFlight[];
  /** Items handed to it so far (for `maxTasksPerWorker`). */
  given: number;
  /** It has had its share: no more chunks; recycled once idle. */
  retiring: boolean;
  /** Its current item was already failed (a timeout): its death blames nothing more. */
  blamed: boolean;
  /** Its running item was failed for running too long: no other item of its batch had run. */
  timedOut: boolean;
  /**
   * The last batch it said it had begun (0: none). A batch it had not begun when it died was
   * only in transit: none of its items ran, so none is charged an attempt.
   */
  begun: number;
  /** How long its items take, ms (a moving average), once answers have told (with a clock). */
  itemMs: number | undefined;
  /** When it was last answered, or handed work while idle (with a clock). */
  busySince: number | undefined;
}

/** How the scheduler reaches the runtime. */
export interface SchedulerDeps {
  /**
   * Sends a batch of chunks to a worker, in one message. The worker runs them in order and may
   * hold its answers until the batch ends (or a few milliseconds have passed).
   */
  dispatch(worker: string, batch: ChunkMessage[]): void;
  /** A worker reached `maxTasksPerWorker` and has nothing in flight: replace it. */
  recycle(worker: string): void;
  /**
   * The time in ms. With it, the scheduler learns how long each worker's items take and holds
   * back `prefetchItems` for slow ones: a worker gets about `lookaheadMs` of work ahead, so the
   * last items of a call are not queued behind one busy worker while another idles.
   */
  now?(): number;
}

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Times an item is retried on a fresh worker after its worker died running it. */
  readonly maxRetries: number;
  /** Chunks in flight per worker (at least). */
  readonly prefetch: number;
  /**
   * Items in flight per worker, so small chunks still keep a worker busy: at most this many
   * (and, with a clock, about `lookaheadMs` of work). Default 64.
   */
  readonly prefetchItems?: number | undefined;
  /** With a clock: the work, in ms, a worker holds ahead when its items are slow. Default 20. */
  readonly lookaheadMs?: number | undefined;
  /** Items a worker runs before it is replaced; undefined for no limit. */
  readonly maxTasksPerWorker: number | undefined;
  /**
   * Small chunks share a batch (one message) up to this many items. A worker answers a batch's
   * chunks together, so when it dies, any unanswered item of its first batch may have been the
   * one running. Default 32; 1 sends every chunk on its own.
   */
  readonly batchItems?: number | undefined;
}

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
  readonly #queue = new Deque<Run>();
  /** Items given back by a dead worker: they run before the rest of the queue. */
  #requeued: Run[] = [];
  #queued = 0;
  readonly #workers = new Map<string, WorkerState>();
  /** Calls that were cancelled or failed: their items in flight are not requeued. */
  readonly #dropped = new WeakSet<Job>();
  #nextChunk = 1;
  #nextBatch = 1;

  constructor(options: SchedulerOptions, deps: SchedulerDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /** Items waiting for a worker. */
  get queued(): number {
    return this.#queued;
  }

  /** Workers able to take work. */
  get workers(): number {
    return this.#workers.size;
  }

  /** Adds items of `job` (each an index and an argument list) at the back of the queue. */
  submit(job: Job, items: Iterable<readonly [index: number, args: readonly unknown[]]>): void {
    let base = 0;
    let lists: (readonly unknown[])[] = [];
    const flush = () => {
      if (lists.length > 0) this.#enqueue(job, lists, base, true);
      lists = [];
    };
    for (const [index, args] of items) {
      if (index !== base + lists.length) {
        flush();
        base = index;
      }
      lists.push(args);
    }
    flush();
    this.#pump();
  }

  /**
   * Adds the items `args[k]` with indexes `first + k`, each the task's one argument (or, with
   * `lists`, its argument list). `args` is kept, not copied: the caller must not change it.
   */
  submitAll(job: Job, args: ArrayLike<unknown>, first = 0, lists = false): void {
    if (args.length > 0) this.#enqueue(job, args, first, lists);
    this.#pump();
  }

  #enqueue(job: Job, args: ArrayLike<unknown>, base: number, lists: boolean): void {
    this.#queue.push({
      job,
      base,
      args,
      lists,
      from: 0,
      to: args.length,
      attempts: 0,
      alone: false,
      tries: 0,
    });
    this.#queued += args.length;
  }

  /** A worker is ready for chunks. */
  addWorker(worker: string): void {
    this.#workers.set(worker, {
      chunks: [],
      given: 0,
      retiring: false,
      blamed: false,
      timedOut: false,
      begun: 0,
      itemMs: undefined,
      busySince: undefined,
    });
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
  }

  /**
   * A worker died. Batches run in order, so only its first unanswered batch can have been
   * running, and only if the worker had said it had begun it (see `begun`): if it had not, every
   * item goes back untouched — an item in transit is never charged for a death. If one item of
   * the begun batch was unanswered, it was running: it is retried on another worker up to
   * `maxRetries` times, then failed with `WorkerCrashedError`. If several were (answers travel
   * together), each of them runs alone next, uncharged, so the one that kills a worker again is
   * found without failing the others. Every other item goes back to the front of the queue,
   * untouched.
   */
  removeWorker(worker: string, exit: ExitInfo): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    this.#workers.delete(worker);
    const first = state.chunks.find((chunk) => chunk.head < chunk.args.length);
    const batch = first !== undefined && first.batch <= state.begun ? first.batch : undefined;
    const started: Run[] = [];
    const back: Run[] = [];
    const clean = exit.reason === 'shutdown' || exit.reason === 'normal';
    // A worker that ended cleanly answered all it ran; one killed for a timeout was running the
    // item that failed. Otherwise the begun batch's unanswered items may have run.
    const mayHaveRun = !clean && !state.timedOut;
    for (const chunk of state.chunks) {
      const rest = unanswered(chunk);
      if (rest !== undefined) (chunk.batch === batch ? started : back).push(rest);
    }
    // An item that may have run: its next run is a new attempt.
    const tried = (run: Run): Run => (mayHaveRun ? { ...run, tries: run.tries + 1 } : run);
    let suspects: Run[];
    const [head, ...others] = started;
    if (first?.eager === true && head !== undefined) {
      // Answered item by item: the first unanswered item is the one that was running; the
      // others had not begun, and go back untouched.
      suspects = [tried({ ...head, to: head.from + 1 })];
      back.unshift(...(head.from + 1 < head.to ? [{ ...head, from: head.from + 1 }] : []), ...others);
    } else suspects = started.map(tried);
    const abnormal = !clean && !state.blamed;
    const culprit =
      suspects.length === 1 && suspects[0]?.to === (suspects[0]?.from ?? 0) + 1 ? suspects[0] : undefined;
    if (abnormal && culprit !== undefined) {
      const attempts = culprit.attempts + 1;
      // A dropped call's item is neither retried nor reported, but it keeps the blame off others.
      if (attempts <= this.#options.maxRetries) back.unshift({ ...culprit, attempts });
      else if (!this.#dropped.has(culprit.job)) {
        culprit.job.onOutcome(culprit.base + culprit.from, {
          ok: false,
          error: new WorkerCrashedError(exit, attempts),
        });
      }
    } else if (abnormal) {
      const alone = suspects.flatMap((run) =>
        Array.from({ length: run.to - run.from }, (_, k) => ({
          ...run,
          from: run.from + k,
          to: run.from + k + 1,
          alone: true,
        })),
      );
      back.unshift(...alone);
    } else back.unshift(...suspects);
    const kept = back.filter((run) => !this.#dropped.has(run.job));
    for (const run of kept) this.#queued += run.to - run.from;
    this.#requeued = [...kept, ...this.#requeued];
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
    if (state !== undefined) this.#timeItems(state, before - unansweredItems(state));
    this.#pump();
  }

  /** Learns how long a worker's items take from the `answered` items it answered just now. */
  #timeItems(state: WorkerState, answered: number): void {
    const now = this.#deps.now?.();
    if (now === undefined || answered <= 0) return;
    if (state.busySince !== undefined) {
      const sample = (now - state.busySince) / answered;
      state.itemMs = state.itemMs === undefined ? sample : 0.7 * state.itemMs + 0.3 * sample;
    }
    state.busySince = state.chunks.length > 0 ? now : undefined;
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
    if (!state.retiring || state.chunks.length > 0) return;
    this.#workers.delete(worker);
    this.#deps.recycle(worker);
  }

  /**
   * The item `worker` is running now — the first unanswered one, once the worker has said it
   * began its batch — with its job, or undefined when it is idle or its next batch is still in
   * transit. (Items run in the order they were sent, so this is the one that started last.)
   */
  current(worker: string): { readonly job: Job; readonly index: number } | undefined {
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
    const keep = this.#queue.drain().filter((run) => run.job !== job);
    for (const run of keep) this.#queue.push(run);
    this.#requeued = this.#requeued.filter((run) => run.job !== job);
    this.#queued = 0;
    for (const run of [...this.#requeued, ...keep]) this.#queued += run.to - run.from;
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
    const all = [...this.#requeued, ...this.#queue.drain()].flatMap((run) =>
      Array.from({ length: run.to - run.from }, (_, k) => ({
        job: run.job,
        index: run.base + run.from + k,
        args: run.lists ? (run.args[run.from + k] as readonly unknown[]) : [run.args[run.from + k]],
        attempts: run.attempts,
      })),
    );
    this.#requeued = [];
    this.#queued = 0;
    return all;
  }

  /**
   * Hands out chunks level by level: every worker gets one before any gets a second. A worker is
   * refilled once it is down to `prefetch` chunks less one, or to half its `prefetchItems`, so
   * that small chunks go out in batches rather than one per answer.
   */
  #pump(): void {
    if (this.#queued === 0 || this.#workers.size === 0) return;
    const batches = new Map<string, Batch[]>();
    const order: [string, Batch][] = [];
    // The items each worker holds, counted once here and then kept up to date as chunks go out
    // (a refill of small chunks takes many rounds; counting every round was most of its cost).
    let wanting: { worker: string; state: WorkerState; held: number }[] = [];
    for (const [worker, state] of this.#workers) {
      const held = unansweredItems(state);
      if (this.#wantsMore(state, held, 2)) wanting.push({ worker, state, held });
    }
    while (wanting.length > 0 && this.#queued > 0) {
      // The workers with the fewest chunks in flight get one each, in turn, so a new worker fills
      // up before busy ones get more.
      let level = Number.POSITIVE_INFINITY;
      for (const { state } of wanting) level = Math.min(level, state.chunks.length);
      for (const one of wanting) {
        if (this.#queued === 0) break;
        if (one.state.chunks.length > level) continue;
        const cut = this.#nextChunkFor(one.state);
        if (cut === undefined) continue;
        one.held += cut[0].args.length;
        const mine = batches.get(one.worker) ?? [];
        batches.set(one.worker, mine);
        const added = this.#addToBatch(mine, cut);
        if (added !== undefined) order.push([one.worker, added]);
      }
      wanting = wanting.filter((one) => this.#wantsMore(one.state, one.held, 1));
    }
    for (const [worker, batch] of order) this.#deps.dispatch(worker, batch.chunks);
  }

  /**
   * Puts a chunk in the worker's open batch, or a new one. Retried or suspected items, and items
   * of a call that times its items, are eager: they share batches only with other eager chunks,
   * whose items the worker answers one by one, each answer out before the next item begins, so
   * when the worker dies, the first unanswered item of the batch is the one that was running.
   * Returns the new batch, if one was started.
   */
  #addToBatch(batches: Batch[], [message, inFlight]: readonly [ChunkMessage, InFlight]): Batch | undefined {
    const size = message.args.length;
    const limit = this.#options.batchItems ?? 32;
    const { eager } = inFlight;
    const open = batches.at(-1);
    if (open?.open && open.eager === eager && open.items + size <= limit) {
      inFlight.batch = open.id;
      open.chunks.push(message);
      open.items += size;
      return undefined;
    }
    inFlight.batch = this.#nextBatch++;
    const batch = { id: inFlight.batch, items: size, chunks: [message], open: size < limit, eager };
    batches.push(batch);
    return batch;
  }

  /**
   * Fewer than `prefetch` chunks, or fewer than `prefetchItems / share` items (`held`), in flight
   * (share 2 to start a refill, 1 to go on with one).
   */
  #wantsMore(state: WorkerState, held: number, share: number): boolean {
    if (state.retiring) return false;
    if (state.chunks.length < this.#options.prefetch) return true;
    return held < this.#itemWindow(state) / share;
  }

  /** Items a worker may hold: `prefetchItems`, or fewer when its items are known to be slow. */
  #itemWindow(state: WorkerState): number {
    const most = this.#options.prefetchItems ?? 64;
    if (state.itemMs === undefined || state.itemMs <= 0) return most;
    return Math.max(1, Math.min(most, Math.ceil((this.#options.lookaheadMs ?? 20) / state.itemMs)));
  }

  #peek(): Run | undefined {
    return this.#requeued[0] ?? this.#queue.peek();
  }

  /** Takes up to `count` items from the front run (which must hold them). */
  #take(run: Run, count: number): ArrayLike<unknown> {
    const taken =
      run.from === 0 && count === run.args.length ? run.args : sliceOf(run.args, run.from, run.from + count);
    run.from += count;
    this.#queued -= count;
    if (run.from >= run.to) {
      if (this.#requeued[0] === run) this.#requeued.shift();
      else this.#queue.shift();
    }
    return taken;
  }

  /**
   * The next chunk for a worker: consecutive items of the front run, joined with the runs behind
   * it while they continue it (same job, next indexes, untouched).
   */
  #nextChunkFor(state: WorkerState): readonly [ChunkMessage, InFlight] | undefined {
    const front = this.#peek();
    if (front === undefined) return undefined;
    const { job, lists, attempts, alone, tries } = front;
    const first = front.base + front.from;
    // A retried or suspected item runs alone: if it kills this worker too, nothing else is lost.
    const single = attempts > 0 || alone;
    const limit = single ? 1 : this.#limitFor(state, job.chunkSize);
    const parts = [{ args: this.#take(front, Math.min(limit, front.to - front.from)), lists }];
    let count = parts[0]?.args.length ?? 0;
    for (let next = this.#peek(); count < limit && next !== undefined; next = this.#peek()) {
      const continues =
        !single &&
        next.job === job &&
        next.attempts === 0 &&
        !next.alone &&
        next.tries === tries &&
        next.base + next.from === first + count;
      if (!continues) break;
      const taken = this.#take(next, Math.min(limit - count, next.to - next.from));
      parts.push({ args: taken, lists: next.lists });
      count += taken.length;
    }
    // Runs that give each item's argument list and runs that give the argument join as lists.
    const anyLists = parts.some((part) => part.lists);
    let args: ArrayLike<unknown> =
      parts.length === 1
        ? (parts[0]?.args ?? [])
        : parts.flatMap((part) =>
            anyLists && !part.lists ? Array.from(part.args, (arg) => [arg]) : Array.from(part.args),
          );
    state.given += args.length;
    const max = this.#options.maxTasksPerWorker;
    if (max !== undefined && state.given >= max) state.retiring = true;
    const unary =
      !anyLists || Array.prototype.every.call(args, (list) => (list as readonly unknown[]).length === 1);
    if (anyLists && unary) args = Array.from(args, (list) => (list as readonly unknown[])[0]);
    if (state.chunks.length === 0) state.busySince = this.#deps.now?.();
    const id = this.#nextChunk++;
    const eager = single || job.eager === true;
    const inFlight: InFlight = {
      id,
      batch: 0,
      job,
      first,
      args,
      lists: !unary,
      attempts,
      alone,
      tries,
      eager,
      head: 0,
    };
    state.chunks.push(inFlight);
    const message = {
      chunk: id,
      task: job.task,
      first,
      args,
      unary,
      ...(eager ? { eager: true } : {}),
      ...(tries > 0 ? { attempt: tries + 1 } : {}),
    };
    return [message, inFlight];
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
