/**
 * The pool as an actor: other actors map through a pool by asking its reference. The actor runs
 * in the root (placement `'local'`), beside the pool it serves, and forwards each request to it.
 */

import { type ActorContext, defineActor, type PoolRequest, type TaskDefinition } from '@troupe/core';
import { loadDefinition } from '@troupe/core/spi';
import type { Pool } from '../Pool.js';

/** The pools of this process, by the id their actor was given. */
export const livePools = new Map<string, Pool>();

export const PoolActor = defineActor(import.meta.url, 'TroupePool', {
  init: (args: { readonly pool: string }) => args.pool,
  receive: async (id, request: PoolRequest, ctx: ActorContext<PoolRequest, unknown>) => {
    const pool = livePools.get(id);
    if (pool === undefined) throw new Error(`Pool ${id} is gone`);
    const task = (await loadDefinition(request.task.module, request.task.name, 'task')) as TaskDefinition<
      never,
      unknown
    >;
    const options =
      'chunkSize' in request && request.chunkSize !== undefined ? { chunkSize: request.chunkSize } : {};
    switch (request.type) {
      case 'map':
        ctx.reply(await pool.map(task as never, request.items, options));
        break;
      case 'mapSettled':
        ctx.reply(await pool.mapSettled(task as never, request.items, options));
        break;
      case 'starmap':
        ctx.reply(await pool.starmap(task as never, request.items as never, options));
        break;
      case 'apply':
        ctx.reply(await pool.apply(task as never, ...(request.args as never[])));
        break;
    }
    return id;
  },
});
