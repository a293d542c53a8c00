/**
 * Troupe spawn to ready: the time from `system.spawn(Echo, ...)` to its resolution (the actor is
 * ready), for a process or thread actor, n times one after another. Stopping each actor is not
 * timed; one untimed spawn warms up first. Workers inherit `--import tsx` from this process.
 * With `standby`, the system keeps one warm standby worker of that placement. The spawns come
 * back to back unless `pauseMs` is given: then each spawn waits that long (untimed) after the last
 * one stopped, so the standby that replaced the last one has had time to boot.
 *
 *   spawnReady.ts <n> process | thread [standby [pauseMs]]
 *
 * Prints one JSON line: {"ms": <mean ms per spawn>}.
 */

import { setTimeout } from 'node:timers/promises';
import { ActorSystem, type Placement } from '@troupe/node-runtime';
import { Echo } from './askRoundTrip.js';

const n = Number(process.argv[2] ?? 20);
const placement = (process.argv[3] ?? 'process') as Placement;
const standby = process.argv[4] === 'standby';
const pauseMs = Number(process.argv[5] ?? 0);
await using system = await ActorSystem.start(standby ? { standby: { [placement]: 1 } } : {});
await (await system.spawn(Echo, undefined, { placement })).stop();
let total = 0;
for (let i = 0; i < n; i++) {
  if (pauseMs > 0) await setTimeout(pauseMs);
  const started = performance.now();
  const echo = await system.spawn(Echo, undefined, { placement });
  total += performance.now() - started;
  await echo.stop();
}
console.log(JSON.stringify({ ms: total / n }));
