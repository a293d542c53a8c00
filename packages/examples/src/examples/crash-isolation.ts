/**
 * crash-isolation — one actor crashes; its sibling, in another process, keeps serving. The crash
 * arrives as data: a typed exit reason carrying the remote error and its stack.
 */

import { type ActorContext, ActorSystem, defineActor, isMainModule } from '@troupe/node-runtime';

type Msg = { type: 'work'; input: number } | { type: 'crash' };

export const Worker = defineActor(import.meta.url, 'Worker', {
  init: () => 0,
  receive: (done, msg: Msg, ctx: ActorContext<Msg, number>) => {
    if (msg.type === 'crash') throw new Error('something went badly wrong');
    ctx.reply(msg.input * 2);
    return done + 1;
  },
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const fragile = await system.spawn(Worker, undefined, { name: 'fragile' });
  const sturdy = await system.spawn(Worker, undefined, { name: 'sturdy' });

  fragile.send({ type: 'crash' });
  const exit = await fragile.exited;
  console.log(`fragile exited: reason=${exit.reason}, error=${exit.error?.message}`);

  // Its sibling never noticed.
  console.log(`sturdy still answers: 21 * 2 = ${await sturdy.ask({ type: 'work', input: 21 })}`);
  // Asking the dead one fails at once with a typed error, never hangs.
  const failure = await fragile.ask({ type: 'work', input: 1 }).catch((error: Error) => error.name);
  console.log(`asking fragile now: ${failure}`);
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
