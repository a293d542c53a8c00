/**
 * Troupe spawn to ready: the time from `system.spawn(Echo, ...)` to its resolution (the actor is
 * ready), for a process or thread actor, n times one after another. Stopping each actor is not
 * timed; one untimed spawn warms up first. Workers inherit `--import tsx` from this process.
 *
 *   spawnReady.ts <n> process | thread
 *
 * Prints one JSON line: {"ms": <mean ms per spawn>}.
 */

import { ActorSystem, type Placement } from '@troupe/node-runtime';
import { Echo } from './askRoundTrip.js';

const n = Number(process.argv[2] ?? 20);
const placement = (process.argv[3] ?? 'process') as Placement;
await using system = await ActorSystem.start();
await (await system.spawn(Echo, undefined, { placement })).stop();
let total = 0;
for (let i = 0; i < n; i++) {
  const started = performance.now();
  const echo = await system.spawn(Echo, undefined, { placement });
  total += performance.now() - started;
  await echo.stop();
}
console.log(JSON.stringify({ ms: total / n }));
