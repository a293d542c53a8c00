/**
 * The pool as an actor: other actors map through a pool by asking its reference. The actor runs
 * in the root (placement `'local'`), beside the pool it serves, and forwards each request to it.
 * Its arguments travel through the codec like any actor's, so it finds its pool by id in this
 * module's directory, which a pool joins with {@link servePool}.
 */

import {
  type ActorContext,
  DefinitionError,
  defineActor,
  type PoolRequest,
  type TaskDefinition,
} from '@troupe/core';
import { assertNever, failAsk, findDefinition } from '@troupe/core/spi';

/** What the pool's actor asks of its pool. */
export interface PoolService {
  map(
    task: TaskDefinition<[unknown], unknown>,
    items: readonly unknown[],
    options: { chunkSize?: number },
  ): Promise<unknown>;
  mapSettled(
    task: TaskDefinition<[unknown], unknown>,
    items: readonly unknown[],
    options: { chunkSize?: number },
  ): Promise<unknown>;
  starmap(
    task: TaskDefinition<unknown[], unknown>,
    items: readonly unknown[][],
    options: { chunkSize?: number },
  ): Promise<unknown>;
  apply(task: TaskDefinition<unknown[], unknown>, ...args: unknown[]): Promise<unknown>;
}

/** The pools of this process served by an actor, by the id their actor was given. */
const directory = new Map<string, PoolService>();
let nextId = 1;

/**
 * Puts a pool in the directory; returns the id its actor is started with (`{ pool: id }`) and a
 * function that takes it out again.
 */
export function servePool(pool: PoolService): { readonly id: string; readonly close: () => void } {
  const id = `pool-${nextId++}`;
  directory.set(id, pool);
  return { id, close: () => directory.delete(id) };
}

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
  const pool = directory.get(id);
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
    default:
      assertNever(request);
  }
}
