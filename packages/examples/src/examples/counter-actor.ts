/**
 * counter-actor — an actor holds state and handles one message at a time. The same definition
 * runs in a child process, a worker thread, or in-process; only the placement changes.
 */

import {
  type ActorContext,
  ActorSystem,
  defineActor,
  isMainModule,
  type Placement,
} from '@troupe/node-runtime';

type CounterMsg = { type: 'inc'; by: number } | { type: 'get' };

export const Counter = defineActor(import.meta.url, 'Counter', {
  init: (args: { start: number }) => args.start, // the initial state
  // Returns the next state; ctx.reply answers an ask.
  receive: (n, msg: CounterMsg, ctx: ActorContext<CounterMsg, number>) => {
    if (msg.type === 'get') ctx.reply(n);
    return msg.type === 'inc' ? n + msg.by : n;
  },
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  for (const placement of ['process', 'thread', 'local'] satisfies Placement[]) {
    const counter = await system.spawn(Counter, { start: 0 }, { placement });
    for (let i = 1; i <= 10; i++) counter.send({ type: 'inc', by: i }); // fire and forget, in order
    const total = await counter.ask({ type: 'get' }, { timeoutMs: 5000 }); // request / reply
    console.log(`${placement.padEnd(7)} counter: 1 + 2 + ... + 10 = ${total}`);
    await counter.stop();
  }
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
