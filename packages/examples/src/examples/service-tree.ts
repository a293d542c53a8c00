/**
 * service-tree — a small long-running service: a supervision tree exported as `supervisor`, so
 * `troupe run` can start it and show its live status table:
 *
 *   pnpm troupe run packages/examples/src/examples/service-tree.ts
 *
 * Kill one of its pids from another terminal and watch the restart count go up. Run from the
 * gallery or on its own (`node --import tsx`), it starts the tree, uses it, prints its status and
 * stops it.
 */

import {
  type ActorContext,
  ActorSystem,
  defineActor,
  isMainModule,
  type SupervisorOptions,
} from '@troupe/node-runtime';
import { Light } from './machine-light.js';

type CounterMsg = { type: 'add'; n: number } | { type: 'total' };

/** Keeps a running total. */
export const Totaliser = defineActor(import.meta.url, 'Totaliser', {
  init: () => 0,
  receive: (total, msg: CounterMsg, ctx: ActorContext<CounterMsg, number>) => {
    if (msg.type === 'total') ctx.reply(total);
    return msg.type === 'add' ? total + msg.n : total;
  },
});

/** The tree `troupe run` starts: two workers, each restarted on its own when it dies. */
export const supervisor: SupervisorOptions = {
  name: 'service',
  strategy: 'one_for_one',
  maxRestarts: 5,
  withinMs: 10_000,
  children: [
    { id: 'totaliser', actor: Totaliser, args: undefined },
    { id: 'light', actor: Light, args: undefined },
  ],
};

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const sup = await system.supervise(supervisor);
  const totaliser = sup.child<CounterMsg, number>('totaliser');
  totaliser?.send({ type: 'add', n: 2 });
  totaliser?.send({ type: 'add', n: 3 });
  console.log(`total: ${await totaliser?.ask({ type: 'total' })}`);
  for (const child of sup.children()) {
    console.log(
      `${child.id}: ${child.state}, own process: ${child.pid !== undefined && child.pid !== process.pid}`,
    );
  }
  await sup.stop();
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
