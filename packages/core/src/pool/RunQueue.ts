/**
 * The pool's queue of items waiting for a worker, kept as runs (consecutive items of one call,
 * never copied one by one while they wait), and the cutting of the next chunk from its front.
 *
 * @module
 */

import { Deque } from '../internal/Deque.js';
import type { Job, QueuedItem } from './Job.js';
import type { Run } from './Run.js';
import type { InFlight } from './WorkerState.js';

export type { Run } from './Run.js';

/** Items `from` .. `to - 1` of `args`: a view of a typed array, a copy of an array. */
export function sliceOf(args: ArrayLike<unknown>, from: number, to: number): ArrayLike<unknown> {
  return ArrayBuffer.isView(args)
    ? (args as Float64Array).subarray(from, to)
    : (args as readonly unknown[]).slice(from, to);
}

/**
 * Items waiting for a worker: runs given back by a dead worker first, then the rest in the order
 * submitted.
 *
 * @example
 * ```ts
 * const queue = new RunQueue();
 * queue.enqueue(job, [1, 2, 3], 0, false);
 * queue.cut(2, 1); // items 0 and 1, as chunk 1
 * ```
 */
export class RunQueue {
  readonly #queue = new Deque<Run>();
  /** Items given back by a dead worker: they run before the rest of the queue. */
  #requeued: Run[] = [];
  #count = 0;

  /** Items waiting. */
  get count(): number {
    return this.#count;
  }

  /** Adds the items `args[k]` (indexes `base + k`) at the back. `args` is kept, not copied. */
  enqueue(job: Job, args: ArrayLike<unknown>, base: number, lists: boolean): void {
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
    this.#count += args.length;
  }

  /** Adds items (each an index and an argument list) at the back, consecutive indexes as one run. */
  enqueueIndexed(job: Job, items: Iterable<readonly [index: number, args: readonly unknown[]]>): void {
    let base = 0;
    let lists: (readonly unknown[])[] = [];
    for (const [index, args] of items) {
      if (index !== base + lists.length) {
        if (lists.length > 0) this.enqueue(job, lists, base, true);
        lists = [];
        base = index;
      }
      lists.push(args);
    }
    if (lists.length > 0) this.enqueue(job, lists, base, true);
  }

  /** Puts runs back at the front, in their order, ahead of those already given back. */
  requeue(runs: readonly Run[]): void {
    for (const run of runs) this.#count += run.to - run.from;
    this.#requeued = [...runs, ...this.#requeued];
  }

  /** Drops the queued items of `job`. */
  drop(job: Job): void {
    // Nothing queued (a call that ends has usually handed out all its items): the queue's storage
    // is left alone, so the code that reads it stays optimised.
    if (this.#count === 0) return;
    const keep = this.#queue.drain().filter((run) => run.job !== job);
    for (const run of keep) this.#queue.push(run);
    this.#requeued = this.#requeued.filter((run) => run.job !== job);
    this.#count = 0;
    for (const run of [...this.#requeued, ...keep]) this.#count += run.to - run.from;
  }

  /** Removes and returns everything queued, given-back items first, one by one. */
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
    this.#count = 0;
    return all;
  }

  /**
   * Takes the next chunk: consecutive items of the front run, joined with the runs behind it
   * while they continue it (same job, next indexes, untouched): up to its job's `chunkSize`
   * items, and at most `most` (at least one, whatever `most` says), as chunk `id` in flight. A
   * retried or suspected item is cut alone: if it kills its worker too, nothing else is lost.
   */
  cut(most: number, id: number): InFlight | undefined {
    const front = this.#peek();
    if (front === undefined) return undefined;
    const { job, lists, attempts, alone, tries } = front;
    const first = front.base + front.from;
    const single = attempts > 0 || alone;
    const limit = single ? 1 : Math.max(1, Math.min(job.chunkSize, most));
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
    const unary =
      !anyLists || Array.prototype.every.call(args, (list) => (list as readonly unknown[]).length === 1);
    if (anyLists && unary) args = Array.from(args, (list) => (list as readonly unknown[])[0]);
    const eager = single || job.eager === true || job.timeoutMs !== undefined;
    return { id, batch: 0, job, first, args, lists: !unary, attempts, alone, tries, eager, head: 0 };
  }

  #peek(): Run | undefined {
    // Read in bounds only: a read past the end of an empty array costs optimised code its place.
    return this.#requeued.length > 0 ? this.#requeued[0] : this.#queue.peek();
  }

  /** Takes up to `count` items from the front run (which must hold them). */
  #take(run: Run, count: number): ArrayLike<unknown> {
    const taken =
      run.from === 0 && count === run.args.length
        ? run.args
        : count === 1
          ? [run.args[run.from]]
          : sliceOf(run.args, run.from, run.from + count);
    run.from += count;
    this.#count -= count;
    if (run.from >= run.to) {
      if (this.#requeued.length > 0 && this.#requeued[0] === run) this.#requeued.shift();
      else this.#queue.shift();
    }
    return taken;
  }
}
