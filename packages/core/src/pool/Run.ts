/**
 * A run: queued items of one call, kept as a slice of its items (never copied one by one while
 * they wait).
 *
 * @module
 */

import type { Job } from './Job.js';

/**
 * Queued items: consecutive items of one job, `args[from]` .. `args[to - 1]`, the item `args[k]`
 * having index `base + k` in its call.
 */
export interface Run {
  readonly job: Job;
  readonly base: number;
  /** The call's items (an array, or a typed array when they are all numbers). */
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
