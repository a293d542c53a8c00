/**
 * What the host gives a definition's `init` besides its arguments, out of sight of user code: a
 * way to report to the root, to crash from outside a message, and the state to restore. Only
 * machine actors use it.
 */

import type { InitContext } from '../definitions.js';
import type { ActorReport } from '../protocol.js';

/** The key the host puts its link under in the init context. */
export const HOST_LINK: unique symbol = Symbol('troupe.hostLink');

/** The host's side of a machine actor. */
export interface HostLink {
  /** The persisted state to restore from, when the root sent one. */
  readonly restore: unknown;
  /** Sends a report to the root; throws `SerializationError` for a value that cannot be sent. */
  report(report: ActorReport): void;
  /** Crashes the actor with `error`, as a throw from `receive` would. */
  crash(error: unknown): void;
}

/** The host link in an init context, if the host gave one. */
export function hostLinkOf(ctx: InitContext): HostLink | undefined {
  return (ctx as InitContext & { [HOST_LINK]?: HostLink })[HOST_LINK];
}
