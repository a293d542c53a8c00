/**
 * Troupe ask round trip from the root to an actor in a child process (or a thread), on a given
 * mailbox. Prints one JSON line: {"rtt_us": ...}.
 */

import { type ActorContext, ActorSystem, defineActor, type Placement } from '@troupe/node-runtime';

export const Echo = defineActor(import.meta.url, 'Echo', {
  init: () => null,
  receive: (state, msg: { n: number }, ctx: ActorContext<{ n: number }, number>) => {
    ctx.reply(msg.n);
    return state;
  },
});

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20_000);
  const placement = (process.argv[3] ?? 'process') as Placement;
  const mailbox = (process.argv[4] ?? 'queue') as 'queue' | 'pipe';
  await using system = await ActorSystem.start();
  const echo = await system.spawn(Echo, undefined, { placement, mailbox });
  for (let i = 0; i < 200; i++) await echo.ask({ n: i });
  const started = performance.now();
  for (let i = 0; i < n; i++) await echo.ask({ n: i });
  const elapsed = performance.now() - started;
  console.log(JSON.stringify({ rtt_us: (elapsed * 1000) / n }));
}
