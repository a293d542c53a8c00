/**
 * The two decisions OTP makes when a child exits: is it restarted (its restart type against the
 * exit reason), and which children go down and come back with it (the strategy).
 *
 * @module
 */

import { type ExitInfo, isNormalExit } from '../exit.js';
import type { RestartType, Strategy } from './types.js';

/**
 * Whether a child that exited with `exit` is restarted: `'permanent'` always, `'transient'` only
 * after an abnormal exit (not `'normal'` or `'shutdown'`), `'temporary'` never.
 *
 * @example
 * ```ts
 * mustRestart('transient', { reason: 'normal', code: 0, signal: null }); // false
 * mustRestart('transient', { reason: 'signal', code: null, signal: 'SIGKILL' }); // true
 * ```
 */
export function mustRestart(restart: RestartType, exit: ExitInfo): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isNormalExit(exit);
    case 'temporary':
      return false;
    default: {
      const never: never = restart;
      throw new Error(`Unknown restart type ${String(never)}`);
    }
  }
}

/**
 * The children restarted together with `child` (in start order, `child` included): itself under
 * `one_for_one`, all of them under `one_for_all`, itself and those started after it under
 * `rest_for_one`.
 *
 * @example
 * ```ts
 * restartGroup('rest_for_one', ['a', 'b', 'c'], 'b'); // ['b', 'c']
 * ```
 */
export function restartGroup<T>(strategy: Strategy, children: readonly T[], child: T): T[] {
  switch (strategy) {
    case 'one_for_one':
      return [child];
    case 'one_for_all':
      return [...children];
    case 'rest_for_one':
      return children.slice(children.indexOf(child));
    default: {
      const never: never = strategy;
      throw new Error(`Unknown strategy ${String(never)}`);
    }
  }
}
