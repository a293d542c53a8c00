/**
 * The pool as an actor: other actors map through a pool by asking its reference. The actor runs
 * in the root (placement `'local'`), beside the pool it serves, and forwards each request to it.
 */

import {
  type ActorContext,
  DefinitionError,
  defineActor,
  type PoolRequest,
  type TaskDefinition,
} from '@troupe/core';
import { failAsk, findDefinition } from '@troupe/core/spi';

/** What the actor asks of the pool it serves (the `Pool`; named here so this module imports none). */
export interface ServedPool {
  map(task: never, items: never, options: { chunkSize?: number }): Promise<unknown>;
  mapSettled(task: never, items: never, options: { chunkSize?: number }): Promise<unknown>;
  starmap(task: never, items: never, options: { chunkSize?: number }): Promise<unknown>;
  apply(task: never, ...args: never[]): Promise<unknown>;
}

/** The pools of this process, by the id their actor was given. */
export const livePools = new Map<string, ServedPool>();

export const PoolActor = defineActor(import.meta.url, 'TroupePool', {
  init: (args: { readonly pool: string }) => args.pool,
  receive: async (id, request: PoolRequest, ctx: ActorContext<PoolRequest, unknown>) => {
    try {
      await serve(id, request, ctx);
    } catch (error) {
      // The request fails; the pool's actor keeps serving everyone else.
      failAsk(
        ctx as ActorContext<unknown, unknown>,
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    return id;
  },
});

async function serve(
  id: string,
  request: PoolRequest,
  ctx: ActorContext<PoolRequest, unknown>,
): Promise<void> {
  const pool = livePools.get(id);
  if (pool === undefined) throw new Error(`Pool ${id} is gone`);
  // Only a task this program defined: a request never makes the root import a module.
  const task = findDefinition(request?.task?.module, request?.task?.name, 'task') as
    | TaskDefinition<never, unknown>
    | undefined;
  if (task === undefined) {
    throw new DefinitionError(
      `${String(request?.task?.module)} defines no task named '${String(request?.task?.name)}' that the root has loaded ` +
        '(a task used through pool.ref must be imported by the program that starts the system)',
    );
  }
  const options =
    'chunkSize' in request && request.chunkSize !== undefined ? { chunkSize: request.chunkSize } : {};
  switch (request.type) {
    case 'map':
      ctx.reply(await pool.map(task as never, request.items as never, options));
      break;
    case 'mapSettled':
      ctx.reply(await pool.mapSettled(task as never, request.items as never, options));
      break;
    case 'starmap':
      ctx.reply(await pool.starmap(task as never, request.items as never, options));
      break;
    case 'apply':
      ctx.reply(await pool.apply(task as never, ...(request.args as never[])));
      break;
  }
}
