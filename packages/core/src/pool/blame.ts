/**
 * What a worker's death does to the items it held: which one is charged with it (retried, or
 * failed with `WorkerCrashedError`), which run alone next, and which go back untouched.
 *
 * @module
 */

import { WorkerCrashedError } from '../errors.js';
import type { ExitInfo } from '../exit.js';
import type { Job } from './Job.js';
import type { Run } from './Run.js';
import { unanswered, type WorkerState } from './WorkerState.js';

/** What becomes of a dead worker's items. */
export interface Verdict {
  /** To queue again, at the front, in this order. */
  readonly back: Run[];
  /** The item that killed the worker once too often: its index and the error it fails with. */
  readonly failed?: { readonly job: Job; readonly index: number; readonly error: WorkerCrashedError };
}

/**
 * Batches run in order, so only a worker's first unanswered batch can have been running, and
 * only if the worker had said it had begun it: if it had not, every item goes back untouched —
 * an item in transit is never charged for a death. If one item of the begun batch was
 * unanswered, it was running: it is retried up to `maxRetries` times, then failed. If several
 * were (answers travel together), each of them runs alone next, uncharged, so the one that kills
 * a worker again is found without failing the others. Every other item goes back untouched. A
 * worker lost with its host (`hostDown`) charges nothing: what may have run there runs again (a
 * new attempt, as the task's attempt number says), however many `maxRetries` allows.
 *
 * @example
 * ```ts
 * const { back, failed } = blame(state, { reason: 'signal', code: null, signal: 'SIGKILL' }, 1);
 * ```
 */
export function blame(state: WorkerState, exit: ExitInfo, maxRetries: number): Verdict {
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
  // A worker lost with its host died of nothing it ran: what may have run goes again, uncharged.
  const abnormal = !clean && !state.blamed && exit.reason !== 'hostDown';
  const culprit =
    suspects.length === 1 && suspects[0]?.to === (suspects[0]?.from ?? 0) + 1 ? suspects[0] : undefined;
  if (abnormal && culprit !== undefined) {
    const attempts = culprit.attempts + 1;
    if (attempts <= maxRetries) back.unshift({ ...culprit, attempts });
    else {
      const error = new WorkerCrashedError(exit, attempts);
      return { back, failed: { job: culprit.job, index: culprit.base + culprit.from, error } };
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
  return { back };
}
