/**
 * What the runner gives a definition's `init` besides its arguments, out of sight of user code: a
 * way to report to the root, to crash from outside a message, and the state to restore (machine
 * actors use these), and a pool worker's link to its pool.
 */

import type { InitContext } from '../definitions.js';
import type { PoolLink } from '../pool/PoolLink.js';
import type { ActorReport } from '../protocol.js';

/** The key the runner puts its link under in the init context. */
export const RUNNER_LINK: unique symbol = Symbol('troupe.runnerLink');

/** The runner's side of a machine actor, or of a pool worker. */
export interface RunnerLink {
  /** The persisted state to restore from, when the root sent one. */
  readonly restore: unknown;
  /** Sends a report to the root; throws `SerializationError` for a value that cannot be sent. */
  report(report: ActorReport): void;
  /** Crashes the actor with `error`, as a throw from `receive` would. */
  crash(error: unknown): void;
  /** A pool worker's link to its pool. */
  readonly pool?: PoolLink;
}

/** The runner link in an init context, if the runner gave one. */
export function runnerLinkOf(ctx: InitContext): RunnerLink | undefined {
  return (ctx as InitContext & { [RUNNER_LINK]?: RunnerLink })[RUNNER_LINK];
}

/**
 * A pool worker's link to its pool, from its init context; undefined where the runner gives none.
 *
 * @example
 * ```ts
 * init: (args, ctx) => ({ link: poolLinkOf(ctx) }),
 * ```
 */
export function poolLinkOf(ctx: InitContext): PoolLink | undefined {
  return runnerLinkOf(ctx)?.pool;
}
