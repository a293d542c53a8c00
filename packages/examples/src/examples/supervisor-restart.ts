/**
 * supervisor-restart — a supervisor restarts a crashed child (new pid, same handle), then gives
 * up when the child crashes more than `maxRestarts` times within `withinMs`.
 */

import { type ActorContext, ActorSystem, defineActor, isMainModule } from '@troupe/node-runtime';

type Msg = { type: 'pid' } | { type: 'crash' };

export const Fragile = defineActor(import.meta.url, 'Fragile', {
  init: () => null,
  receive: (state, msg: Msg, ctx: ActorContext<Msg, number>) => {
    if (msg.type === 'crash') throw new Error('boom');
    ctx.reply(process.pid);
    return state;
  },
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const sup = await system.supervise({
    name: 'demo',
    strategy: 'one_for_one',
    maxRestarts: 2, // more than 2 restarts ...
    withinMs: 10_000, // ... within 10 s and the supervisor gives up
    children: [{ id: 'fragile', actor: Fragile, args: undefined, restart: 'permanent' }],
  });
  const fragile = sup.child<Msg, number>('fragile');
  if (fragile === undefined) throw new Error('no child');

  for (let crash = 1; crash <= 2; crash++) {
    const before = await fragile.ask({ type: 'pid' });
    const restarted = system.events.next((e) => e.type === 'restarted');
    fragile.send({ type: 'crash' });
    await restarted;
    const after = await fragile.ask({ type: 'pid' });
    console.log(
      `crash ${crash}: restarted (pid changed: ${before !== after}), restarts so far: ${sup.children()[0]?.restarts}`,
    );
  }

  fragile.send({ type: 'crash' }); // the third crash within the window
  const exit = await sup.exited;
  console.log(`crash 3: supervisor ${exit.reason} (${exit.error?.name})`);
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
