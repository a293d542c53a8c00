/**
 * The defaults of supervision, in one place. `Supervisor.ts` documents each; the validation
 * applies them.
 *
 * @module
 */

/**
 * The default of every optional supervision setting.
 *
 * | setting                        | default       |
 * |--------------------------------|---------------|
 * | child `restart`                | `'permanent'` |
 * | worker child `shutdown`        | `5000` ms     |
 * | supervisor child `shutdown`    | `'infinity'`  |
 * | `maxRestarts`                  | `3`           |
 * | `withinMs`                     | `5000` ms     |
 * | `backoff.randomFactor`         | `0`           |
 * | `backoff.resetAfterMs`         | `backoff.maxMs` |
 * | `maxChildren`                  | `1024` (`MAX_WORKERS`, also the most it may be) |
 * | `heartbeatMs`                  | none          |
 *
 * @example
 * ```ts
 * import { SUPERVISOR_DEFAULTS } from '@troupe/core';
 * console.log(SUPERVISOR_DEFAULTS.maxRestarts); // 3
 * ```
 */
export const SUPERVISOR_DEFAULTS = {
  restart: 'permanent',
  workerShutdownMs: 5000,
  supervisorShutdown: 'infinity',
  maxRestarts: 3,
  withinMs: 5000,
  randomFactor: 0,
} as const;
