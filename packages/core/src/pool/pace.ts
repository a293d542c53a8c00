/**
 * How much work a pool worker holds ahead: a few chunks at least, up to `prefetchItems` items, or
 * about `lookaheadMs` of work once its items are known to be slow (learnt from its answers).
 *
 * @module
 */

import type { WorkerState } from './WorkerState.js';

/** The settings that pace a worker (see `SchedulerOptions`). */
export interface PaceOptions {
  readonly prefetch: number;
  readonly prefetchItems?: number | undefined;
  readonly lookaheadMs?: number | undefined;
}

/**
 * Fewer than `prefetch` chunks, or fewer than `prefetchItems / share` items (`held`), in flight
 * (share 2 to start a refill, 1 to go on with one).
 *
 * @example
 * ```ts
 * if (wantsMore(state, unansweredItems(state), 2, options)) refill(state);
 * ```
 */
export function wantsMore(state: WorkerState, held: number, share: number, options: PaceOptions): boolean {
  if (state.retiring) return false;
  if (state.chunks.length < options.prefetch) return true;
  return held < itemWindow(state, options) / share;
}

/** Items a worker may hold: `prefetchItems`, or fewer when its items are known to be slow. */
function itemWindow(state: WorkerState, options: PaceOptions): number {
  const most = options.prefetchItems ?? 64;
  if (state.itemMs === undefined || state.itemMs <= 0) return most;
  return Math.max(1, Math.min(most, Math.ceil((options.lookaheadMs ?? 20) / state.itemMs)));
}

/**
 * Learns how long a worker's items take from the `answered` items it answered just now (`now`,
 * ms; undefined without a clock).
 *
 * @example
 * ```ts
 * timeItems(state, before - unansweredItems(state), clock.now());
 * ```
 */
export function timeItems(state: WorkerState, answered: number, now: number | undefined): void {
  if (now === undefined || answered <= 0) return;
  if (state.busySince !== undefined) {
    const sample = (now - state.busySince) / answered;
    state.itemMs = state.itemMs === undefined ? sample : 0.7 * state.itemMs + 0.3 * sample;
  }
  state.busySince = state.chunks.length > 0 ? now : undefined;
}
