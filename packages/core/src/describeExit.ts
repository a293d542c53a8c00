/**
 * The one-line description of how a worker ended, used in error messages and crash reports.
 *
 * @module
 */

import type { ExitInfo } from './exit.js';

/**
 * A one-line description of an exit, for messages.
 *
 * @example
 * ```ts
 * const exit = await handle.exited;
 * console.log(`${handle.name} ended: ${describeExit(exit)}`); // 'normal', 'killed by SIGKILL', 'error: boom'
 * ```
 */
export function describeExit(exit: ExitInfo): string {
  switch (exit.reason) {
    case 'signal':
      return `killed by ${exit.signal ?? 'a signal'}`;
    case 'error':
      return exit.error === undefined ? 'error' : `error: ${exit.error.message}`;
    case 'hostDown':
      return exit.error === undefined ? 'host down' : exit.error.message;
    default:
      return exit.reason;
  }
}
