/**
 * Waiting the way queue calls wait: try, and try again until the call's `timeoutMs`, its
 * `signal`, or whoever holds the cancel function given to `onWait` ends it.
 *
 * @module
 */

import type { BackendWaitOptions } from '@troupe/core';

/** Pauses between tries of an attempt that does not wait itself (a put to a full stream). */
const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 100;

/** Registers what to call if the wait is cancelled while an attempt runs (ends that attempt). */
export type OnCancel = (stop: () => void) => () => boolean;

/**
 * Runs `attempt` (given the milliseconds left) until it returns a value; rejects with
 * `timedOut()` when the time is up, or with the reason it was cancelled. An attempt that
 * resolves quickly with nothing is tried again after a pause that grows to 100 ms; one that
 * waited (a pull request) at once.
 */
export async function waitFor<T>(
  attempt: (remainingMs: number, onCancel: OnCancel) => Promise<T | undefined>,
  options: BackendWaitOptions | undefined,
  timedOut: () => Error,
): Promise<T> {
  const deadline =
    options?.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  const ended: { by?: { reason: unknown } } = {};
  const endedBy = () => ended.by;
  const stops = new Set<() => void>();
  const onCancel: OnCancel = (stop) => {
    stops.add(stop);
    return () => stops.delete(stop);
  };
  const cancel = (reason: unknown) => {
    ended.by ??= { reason };
    for (const stop of stops) stop();
  };
  const signal = options?.signal;
  const onAbort = () => cancel(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  options?.onWait?.(cancel);
  let pause = FIRST_PAUSE_MS;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (ended.by !== undefined) throw ended.by.reason;
      const started = Date.now();
      const value = await attempt(Math.max(0, deadline - started), onCancel);
      if (value !== undefined) return value;
      const by = endedBy();
      if (by !== undefined) throw by.reason;
      const now = Date.now();
      if (now >= deadline) throw timedOut();
      if (now - started < pause) {
        let off = () => false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pause, deadline - now));
          off = onCancel(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        off();
        pause = Math.min(MAX_PAUSE_MS, pause * 2);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
