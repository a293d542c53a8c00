/**
 * What the pool scheduler keeps about each worker: the chunks it holds, how far each is answered,
 * which batch it said it had begun, and how long its items take.
 *
 * @module
 */

import type { ChunkMessage } from './chunks.js';
import type { Job } from './Job.js';
import type { Run } from './Run.js';

/** A chunk a worker holds: item `k` of `args` has index `first + k`; those from `head` on are unanswered. */
export interface InFlight {
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

/** The message a chunk in flight is sent as. */
export function messageOf(inFlight: InFlight): ChunkMessage {
  const { id, job, first, args, lists, tries, eager } = inFlight;
  return {
    chunk: id,
    task: job.task,
    first,
    args,
    unary: !lists,
    ...(eager ? { eager: true } : {}),
    ...(tries > 0 ? { attempt: tries + 1 } : {}),
  };
}

/** One worker as the scheduler sees it. */
export interface WorkerState {
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

/** A worker that holds nothing yet. */
export function newWorkerState(): WorkerState {
  return {
    chunks: [],
    given: 0,
    retiring: false,
    blamed: false,
    timedOut: false,
    begun: 0,
    itemMs: undefined,
    busySince: undefined,
  };
}

/** The items a worker holds unanswered. */
export function unansweredItems(state: WorkerState): number {
  let count = 0;
  for (const chunk of state.chunks) count += chunk.args.length - chunk.head;
  return count;
}

/** The unanswered items of a chunk, as a run to queue again; undefined when all are answered. */
export function unanswered(chunk: InFlight): Run | undefined {
  if (chunk.head >= chunk.args.length) return undefined;
  const { job, first, args, lists, attempts, alone, tries, head } = chunk;
  return { job, base: first, args, lists, from: head, to: args.length, attempts, alone, tries };
}

/**
 * How many chunks at the head of `held` the unit answers from position `at` of `ids` answer
 * whole, as one run: each unanswered and of one item, in the order answered, consecutive items
 * of one call. 0 when the first is not such a chunk.
 */
export function unitRun(held: readonly InFlight[], ids: ArrayLike<number>, at: number): number {
  const head = held[0];
  if (head === undefined) return 0;
  let count = 0;
  for (; count < held.length && at + count < ids.length; count++) {
    const chunk = held[count] as InFlight;
    if (
      chunk.id !== ids[at + count] ||
      chunk.head !== 0 ||
      chunk.args.length !== 1 ||
      chunk.job !== head.job ||
      chunk.first !== head.first + count
    )
      break;
  }
  return count;
}
