/**
 * The root's one `revive`: rebuilds every portable that arrives in a frame from a worker or in a
 * queue item (an actor reference, a queue, a pipe end) as the root's own object, so a handle
 * reaches root code usable and goes on to another worker whole. A portable the root does not
 * know (an actor gone, a queue deleted, a pipe end without its key) stays plain data.
 */

import { Queue } from '@troupe/core';
import {
  type ActorAddress,
  isPipeEnd,
  type PortableData,
  type QueueBackend,
  type QueueClient,
} from '@troupe/core/spi';
import type { PipeRegistry } from './PipeRegistry.js';

export interface PortableSources {
  /** The root's handle of an actor, by id. */
  readonly handle: (id: string) => unknown;
  readonly pipes: PipeRegistry;
  readonly queues: QueueBackend;
  /** What the root's queue handles run their operations through. */
  readonly rootQueues: QueueClient;
}

/** Rebuilds `portable` from `sources`, or returns it as it came. */
export function revivePortable(portable: PortableData, sources: PortableSources): unknown {
  switch (portable.kind) {
    case 'actor': {
      const { id } = (portable.data ?? {}) as Partial<ActorAddress>;
      if (typeof id === 'string') return sources.handle(id) ?? portable;
      break;
    }
    case 'pipe':
      if (isPipeEnd(portable.data)) return sources.pipes.revive(portable.data) ?? portable;
      break;
    case 'queue': {
      const { id } = (portable.data ?? {}) as { id?: unknown };
      const info = typeof id === 'string' ? sources.queues.info(id) : undefined;
      if (info !== undefined) return new Queue(info, sources.rootQueues);
      break;
    }
  }
  return portable;
}
