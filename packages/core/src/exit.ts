/**
 * How a worker ended: the typed exit reasons.
 *
 * | reason     | meaning                                                                  |
 * |------------|--------------------------------------------------------------------------|
 * | `normal`   | the actor stopped itself, the task returned, or the worker exited with 0 |
 * | `shutdown` | it was asked to stop (`ref.stop()`, system shutdown) and did             |
 * | `error`    | an uncaught exception, unhandled rejection or non-zero exit; see `error` |
 * | `signal`   | killed by a signal (`SIGKILL`, `SIGTERM`, ...); see `signal`             |
 * | `oom`      | ran out of memory (V8 heap limit or a thread's `resourceLimits`)         |
 * | `timeout`  | killed by Troupe because it did not stop within its shutdown grace time  |
 * | `hostDown` | its host (a node agent) stopped answering: missed heartbeats, or gone    |
 *
 * @module
 */

/**
 * The reasons a worker can exit for.
 *
 * @example
 * ```ts
 * const counts = Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
 * system.events.subscribe((e) => {
 *   if (e.type === 'exited') counts[e.exit.reason] += 1;
 * });
 * ```
 */
export const EXIT_REASONS = ['normal', 'shutdown', 'error', 'signal', 'oom', 'timeout', 'hostDown'] as const;

/**
 * One of {@link EXIT_REASONS}.
 *
 * @example
 * ```ts
 * const reason: ExitReason = (await handle.exited).reason;
 * if (reason === 'oom') console.warn('Out of memory: spawn it with a larger maxHeapMb');
 * ```
 */
export type ExitReason = (typeof EXIT_REASONS)[number];

/**
 * How a worker ended.
 *
 * @example
 * ```ts
 * const exit: ExitInfo = await ref.exited;
 * if (exit.reason === 'error') console.error(exit.error);
 * ```
 */
export interface ExitInfo {
  /** Why it ended. */
  readonly reason: ExitReason;
  /** The process or thread exit code, when it exited by itself. */
  readonly code: number | null;
  /** The signal that killed it (`'SIGKILL'`, ...), when one did. */
  readonly signal: string | null;
  /**
   * The error behind an `error` (or `oom`) exit: the remote error rebuilt here; for `hostDown`, a
   * `HostDownError` naming the host and why it was declared down.
   */
  readonly error?: Error;
}

/**
 * True for the exits OTP calls normal: `normal` and `shutdown`.
 *
 * @example
 * ```ts
 * const exit = await handle.exited;
 * if (!isNormalExit(exit)) console.error(`${handle.name} failed (${exit.reason})`, exit.error);
 * ```
 */
export function isNormalExit(exit: ExitInfo): boolean {
  return exit.reason === 'normal' || exit.reason === 'shutdown';
}
