/**
 * A queue backend from `ActorSystem.start({ backend })`, opened before the root that uses it
 * exists (opening it connects, which is asynchronous; making the root is not). What it reports
 * goes to the root once the root binds its handlers.
 *
 * @module
 */

import type { FailedItem, QueueBackend, QueueBackendDeps } from '@troupe/core';
import type { ResolvedSystemOptions } from '../options.js';

/** An opened backend, and how its root receives what it reports. */
export interface OpenedBackend {
  readonly backend: QueueBackend;
  /** The root's handlers: what the backend reported before this waited, and goes to them now. */
  bind(handlers: Pick<QueueBackendDeps, 'onFailed' | 'onStarving'>): void;
}

/** Opens the system's `backend`, if it has one (the embedded one is made by the root). */
export async function openBackend(options: ResolvedSystemOptions): Promise<OpenedBackend | undefined> {
  const { backend: factory, clock, maxMessageBytes: maxTakeBytes } = options;
  if (factory === undefined) return undefined;
  let handlers: Pick<QueueBackendDeps, 'onFailed' | 'onStarving'> | undefined;
  const early: FailedItem[] = [];
  const backend = await factory.open({
    clock,
    maxTakeBytes,
    onFailed: (failed) => (handlers === undefined ? early.push(failed) : handlers.onFailed(failed)),
    onStarving: (queue, holders) => handlers?.onStarving(queue, holders),
  });
  return {
    backend,
    bind: (bound) => {
      handlers = bound;
      for (const failed of early.splice(0)) bound.onFailed(failed);
    },
  };
}
