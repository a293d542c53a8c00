/**
 * The pool's queue of items waiting for a worker, kept as runs (consecutive items of one call,
 * never copied one by one while they wait), and the cutting of the next chunk from its front.
 *
 * @module
 */

import { Deque } from '../internal/Deque.js';
import type { Job, QueuedItem } from './Job.js';

/**
 * Queued items: consecutive items of one job, `args[from]` .. `args[to - 1]`, the item `args[k]`
 * having index `base + k` in its call.
 */
export interface Run {
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

/** The next chunk's items, as {@link RunQueue.cut} takes them from the queue. */
export interface Cut {
  readonly job: Job;
  /** The index of its first item in its call. */
  readonly first: number;
  /** Each item's one argument when `unary`, else its argument list. */
  readonly args: ArrayLike<unknown>;
  readonly unary: boolean;
  readonly attempts: number;
  readonly alone: boolean;
  readonly tries: number;
  /** A retried or suspected item, cut alone. */
  readonly single: boolean;
}

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
 * queue.cut(() => 2); // items 0 and 1
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

  /** Puts runs back at the front, in their order, ahead of those already given back. */
  requeue(runs: readonly Run[]): void {
    for (const run of runs) this.#count += run.to - run.from;
    this.#requeued = [...runs, ...this.#requeued];
  }

  /** Drops the queued items of `job`. */
  drop(job: Job): void {
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
   * while they continue it (same job, next indexes, untouched), up to `limitFor(job)` items. A
   * retried or suspected item is cut alone: if it kills its worker too, nothing else is lost.
   */
  cut(limitFor: (job: Job) => number): Cut | undefined {
    const front = this.#peek();
    if (front === undefined) return undefined;
    const { job, lists, attempts, alone, tries } = front;
    const first = front.base + front.from;
    const single = attempts > 0 || alone;
    const limit = single ? 1 : limitFor(job);
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
    return { job, first, args, unary, attempts, alone, tries, single };
  }

  #peek(): Run | undefined {
    return this.#requeued[0] ?? this.#queue.peek();
  }

  /** Takes up to `count` items from the front run (which must hold them). */
  #take(run: Run, count: number): ArrayLike<unknown> {
    const taken =
      run.from === 0 && count === run.args.length ? run.args : sliceOf(run.args, run.from, run.from + count);
    run.from += count;
    this.#count -= count;
    if (run.from >= run.to) {
      if (this.#requeued[0] === run) this.#requeued.shift();
      else this.#queue.shift();
    }
    return taken;
  }
}
