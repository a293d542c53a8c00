/**
 * An error nobody can handle is rethrown, never swallowed: on a fresh microtask, where it becomes
 * an uncaught exception (the host's `uncaughtException`, or a crash).
 *
 * @module
 */

/**
 * Rethrows `error` on a fresh microtask.
 *
 * @example
 * ```ts
 * void doInBackground().catch(rethrowUncaught);
 * ```
 */
export function rethrowUncaught(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
