/**
 * Limits on what one option may ask for, so that a typo (`size: 1e6`) is refused at the call
 * instead of forking a process per unit until the machine gives out.
 *
 * @module
 */

/**
 * The most workers one option may ask for: a pool's `size`, a supervisor's `maxChildren` (and
 * its list of children), and each placement's `standby` count. 1024. A larger value is refused
 * with `InvalidArgumentError` naming the option and this maximum. For more, use several pools or
 * nest supervisors.
 *
 * @example
 * ```ts
 * import { ActorSystem, MAX_WORKERS } from '@troupe/node-runtime';
 * await using system = await ActorSystem.start();
 * const pool = await system.pool({ size: Math.min(wanted, MAX_WORKERS) });
 * ```
 */
export const MAX_WORKERS = 1024;
