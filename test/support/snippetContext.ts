/**
 * What the docs' code blocks take as given: the running `system` their prose assumes, and the
 * application's own actors, tasks and types that a guide uses but is not about (a `DbPool`, a
 * `Job`, `chargeCard`). `test/snippets.test.ts` type-checks each block with the names it uses
 * without declaring or importing them taken from the blocks before it on its page, then from here.
 * Only types matter: this module is never run.
 */

import {
  type ActorContext,
  type ActorSystem,
  type Connection,
  defineActor,
  defineTask,
} from '@troupe/node-runtime';

/** A started system (Getting started: `await using system = await ActorSystem.start()`). */
export declare const system: ActorSystem;

// Pool (docs/pool.md).
export const add = defineTask(import.meta.url, 'add', (a: number, b: number) => a + b);
export const risky = defineTask(import.meta.url, 'risky', (x: number) => {
  if (x < 0) throw new RangeError(`negative: ${x}`);
  return Math.sqrt(x);
});
export declare const items: number[];
export declare const hugeIterable: Iterable<number>;
export declare function alreadyCharged(order: string): Promise<boolean>;
export declare function chargeCard(order: string): Promise<string>;

// Queues and pipes (docs/queues-and-pipes.md).
export interface Job {
  readonly id: number;
}
export declare function handle(job: Job): void;
export interface Request {
  readonly path: string;
}
export interface Response {
  readonly status: number;
  readonly body: string;
}
export const Server = defineActor(import.meta.url, 'Server', {
  init: (args: { conn: Connection<Request, Response> }) => args.conn,
  receive: (conn) => conn,
});

// Supervision (docs/supervision.md).
export type DbMsg = { type: 'query'; sql: string };
export type DbReply = unknown[];
export const DbPool = defineActor(import.meta.url, 'DbPool', {
  init: (args: { size: number }) => args.size,
  receive: (size, msg: DbMsg, ctx: ActorContext<DbMsg, DbReply>) => {
    ctx.reply([msg.sql]);
    return size;
  },
});
export const Cache = defineActor(import.meta.url, 'Cache', {
  init: (_args: Record<string, never>) => new Map<string, unknown>(),
  receive: (cache, _msg: { type: 'clear' }) => cache,
});

// Actors across hosts (docs/distributed.md): the counter and task of Getting started.
export const Counter = defineActor(import.meta.url, 'Counter', {
  init: (args: { start: number }) => args.start,
  receive: (
    n,
    msg: { type: 'inc' } | { type: 'get' },
    ctx: ActorContext<{ type: 'inc' } | { type: 'get' }, number>,
  ) => {
    if (msg.type === 'get') ctx.reply(n);
    return msg.type === 'inc' ? n + 1 : n;
  },
});
export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);
