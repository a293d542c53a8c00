/**
 * Building requests to a pool's actor reference, from inside any actor.
 *
 * @module
 */

import type { ActorRef } from '../ActorRef.js';
import type { TaskDefinition } from '../definitions.js';

/**
 * A task as it travels: its module URL and name.
 *
 * @example
 * ```ts
 * const request = poolRequest.apply(square, 7);
 * const address: TaskAddress = request.task; // { module: 'file:///app/tasks.js', name: 'square' }
 * ```
 */
export interface TaskAddress {
  readonly module: string;
  readonly name: string;
}

/**
 * What an actor asks a pool's reference; build these with {@link poolRequest}.
 *
 * @example
 * ```ts
 * const request: PoolRequest = poolRequest.map(square, [1, 2, 3]);
 * ```
 */
export type PoolRequest =
  | {
      readonly type: 'map' | 'mapSettled';
      readonly task: TaskAddress;
      readonly items: readonly unknown[];
      readonly chunkSize?: number;
    }
  | {
      readonly type: 'starmap';
      readonly task: TaskAddress;
      readonly items: readonly (readonly unknown[])[];
      readonly chunkSize?: number;
    }
  | { readonly type: 'apply'; readonly task: TaskAddress; readonly args: readonly unknown[] };

/**
 * A pool as other actors see it: ask it with {@link poolRequest}.
 *
 * @example
 * ```ts
 * export const Squarer = defineActor(import.meta.url, 'Squarer', {
 *   init: (args: { pool: PoolRef }) => args.pool,
 *   receive: async (pool, xs: number[], ctx: ActorContext<number[], number[]>) => {
 *     ctx.reply((await pool.ask(poolRequest.map(square, xs))) as number[]);
 *     return pool;
 *   },
 * });
 * const pool = await system.pool({ size: 2 });
 * const squarer = await system.spawn(Squarer, { pool: pool.ref });
 * console.log(await squarer.ask([1, 2, 3])); // [1, 4, 9]
 * ```
 */
export type PoolRef = ActorRef<PoolRequest, unknown>;

/**
 * Requests for a pool's reference (`pool.ref`), so an actor can map through a pool it was handed.
 * Tasks travel by module URL and name, like everything else.
 *
 * @example
 * ```ts
 * // inside an actor given `pool: PoolRef` in its arguments
 * const squares = (await pool.ask(poolRequest.map(square, [1, 2, 3]))) as number[];
 * ```
 */
export const poolRequest = {
  /** `pool.map(task, items)`: results in input order. */
  map<A, R>(task: TaskDefinition<[A], R>, items: readonly A[], chunkSize?: number) {
    return { type: 'map', ...listRequest(task, items, chunkSize) } as const;
  },
  /** `pool.mapSettled(task, items)`: every outcome. */
  mapSettled<A, R>(task: TaskDefinition<[A], R>, items: readonly A[], chunkSize?: number) {
    return { type: 'mapSettled', ...listRequest(task, items, chunkSize) } as const;
  },
  /** `pool.starmap(task, argumentLists)`. */
  starmap<Args extends unknown[], R>(
    task: TaskDefinition<Args, R>,
    items: readonly Args[],
    chunkSize?: number,
  ) {
    return { type: 'starmap', ...listRequest(task, items, chunkSize) } as const;
  },
  /** `pool.apply(task, ...args)`. */
  apply<Args extends unknown[], R>(task: TaskDefinition<Args, R>, ...args: Args) {
    return { type: 'apply', task: taskAddress(task), args } as const;
  },
};

/** How a task travels: its module URL and name. */
export function taskAddress(task: { readonly module: string; readonly name: string }): TaskAddress {
  return { module: task.module, name: task.name };
}

function listRequest<T>(
  task: TaskDefinition<never, unknown>,
  items: readonly T[],
  chunkSize: number | undefined,
) {
  return { task: taskAddress(task), items, ...(chunkSize ? { chunkSize } : {}) };
}
