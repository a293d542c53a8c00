/**
 * The pool's view of its actor system ({@link PoolSystem}): pool workers are `PoolWorker` actors
 * with pipe mailboxes, marked internal (nothing else can address them), whose `pool` frames go
 * straight over their cell's channel; the pool's own actor is a `PoolActor` in the root.
 *
 * @module
 */

import type { ActorDefinition, Clock } from '@troupe/core';
import type { ActorHandle } from '../root/ActorHandle.js';
import type { Registry } from '../root/Registry.js';
import type { HostInfo } from '../shared/cluster.js';
import type { SpawnOptions } from '../spawnOptions.js';
import type { Pool, PoolSystem } from './Pool.js';
import { PoolActor } from './PoolActor.js';
import { PoolWorker } from './PoolWorker.js';

/** What the pool uses of the system that starts it. */
export interface PoolParent {
  readonly clock: Clock;
  readonly isShutDown: boolean;
  hosts(): readonly HostInfo[];
  spawn<Args, Msg, Reply>(
    definition: ActorDefinition<Args, Msg, Reply>,
    args: Args,
    options?: SpawnOptions,
  ): Promise<ActorHandle<Msg, Reply>>;
}

/**
 * The system as a pool sees it.
 *
 * @example
 * ```ts
 * const pool = new Pool(poolSystem(system, registry), options, size);
 * ```
 */
export function poolSystem(system: PoolParent, registry: Registry<ActorHandle>): PoolSystem {
  return {
    clock: system.clock,
    get shuttingDown() {
      return system.isShutDown;
    },
    hosts: () => system.hosts(),
    spawnWorker: async (args, placement, host) => {
      const options = { placement, mailbox: 'pipe', ...(host === undefined ? {} : { host }) } as const;
      const handle = (await system.spawn(PoolWorker, args, options)) as ActorHandle<never, unknown>;
      registry.markInternal(handle.id);
      void handle.exited.then(() => registry.unmarkInternal(handle.id));
      const cell = registry.cell(handle.id);
      return {
        handle,
        send: (frame) => cell?.sendPool(frame),
        listen: (listener) => {
          if (cell !== undefined) cell.onPoolFrame = listener;
        },
      };
    },
    spawnActor: (id) => system.spawn(PoolActor, { pool: id }, { placement: 'local' }),
  };
}

/**
 * Starts `pool` among what the system's shutdown stops (`topLevel`); one that fails to start is
 * terminated and left out, and this rejects with its error.
 */
export async function startPool(pool: Pool, topLevel: Set<{ stop(): Promise<unknown> }>): Promise<Pool> {
  const entry = { stop: () => pool.terminate() };
  topLevel.add(entry);
  try {
    await pool.start();
  } catch (error) {
    topLevel.delete(entry);
    await pool.terminate();
    throw error;
  }
  return pool;
}
