/**
 * Errors of the pool. Re-exported by `errors.ts`, the index of every Troupe error.
 *
 * @module
 */

import { describeExit } from '../describeExit.js';
import type { ExitInfo } from '../exit.js';
import { TroupeError } from './TroupeError.js';

/**
 * A pool worker died while running this item (after its retries, if any). `exit` carries the exit
 * code or signal.
 *
 * @example
 * ```ts
 * import { WorkerCrashedError } from '@troupe/core';
 * await pool.map(risky, items).catch((err) => {
 *   if (err instanceof WorkerCrashedError) console.log(err.exit.signal);
 * });
 * ```
 */
export class WorkerCrashedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_WORKER_CRASHED';
  declare readonly code: typeof WorkerCrashedError.code;
  /** How the worker that ran the item last exited. */
  readonly exit: ExitInfo;
  /** How many workers the item was given to. */
  readonly attempts: number;

  constructor(exit: ExitInfo, attempts: number) {
    super(
      `A pool worker died running this item (${describeExit(exit)}; ${attempts} attempt${attempts === 1 ? '' : 's'})`,
      exit.error === undefined ? undefined : { cause: exit.error },
    );
    this.exit = exit;
    this.attempts = attempts;
  }
}

/**
 * The pool cannot keep workers alive (its initializer keeps failing, or workers die at start):
 * pending work is rejected instead of waiting forever.
 *
 * @example
 * ```ts
 * import { PoolBrokenError } from '@troupe/core';
 * await pool.map(square, [1, 2]).catch((err) => err instanceof PoolBrokenError);
 * ```
 */
export class PoolBrokenError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_POOL_BROKEN';
  declare readonly code: typeof PoolBrokenError.code;
}

/**
 * The pool was terminated (or closed) before this work completed.
 *
 * @example
 * ```ts
 * import { PoolTerminatedError } from '@troupe/core';
 * const pending = pool.map(slow, items);
 * await pool.terminate();
 * await pending.catch((err) => err instanceof PoolTerminatedError); // true
 * ```
 */
export class PoolTerminatedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_POOL_TERMINATED';
  declare readonly code: typeof PoolTerminatedError.code;
}
