/**
 * A worker's answers applied to the chunk they answer: each item's outcome goes to its call, in
 * order, successes in bulk where the call takes them so.
 *
 * @module
 */

import type { ChunkAnswers } from './chunks.js';
import type { InFlight } from './WorkerState.js';

/**
 * Settles the items of `inFlight` that `answers` answers and were not answered before, moving its
 * `head` on. Items run, and are answered, in order: answers for items already answered are
 * ignored, as is an answer that skips items (it cannot come).
 *
 * @example
 * ```ts
 * applyAnswers(inFlight, { chunk: inFlight.id, from: 0, values: [1, 4, 9], failures: [] });
 * ```
 */
export function applyAnswers(inFlight: InFlight, answers: ChunkAnswers): void {
  if (answers.from > inFlight.head) return;
  const { values, failures } = answers;
  const end = Math.min(values.length, inFlight.args.length - answers.from);
  let at = inFlight.head - answers.from;
  for (const [offset, error] of failures) {
    if (offset < at) continue;
    if (offset >= end) break;
    deliver(inFlight, values, at, offset, answers.from);
    inFlight.head++;
    inFlight.job.onOutcome(inFlight.first + answers.from + offset, { ok: false, error });
    at = offset + 1;
  }
  if (at < end) deliver(inFlight, values, at, end, answers.from);
}

/** Settles the successful answers `values[from]` .. `values[to - 1]` (positions `offset + from` ...). */
function deliver(
  inFlight: InFlight,
  values: ArrayLike<unknown>,
  from: number,
  to: number,
  offset: number,
): void {
  if (to <= from) return;
  const index = inFlight.first + offset + from;
  inFlight.head += to - from;
  const { job } = inFlight;
  if (job.onValues !== undefined) job.onValues(index, values, from, to);
  else for (let k = from; k < to; k++) job.onOutcome(index + k - from, { ok: true, value: values[k] });
}
