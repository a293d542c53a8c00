/**
 * Troupe restart latency: a supervised (one_for_one) process actor is killed with SIGKILL n times;
 * each time an ask is sent right after the kill (it waits in the actor's queue mailbox for the new
 * incarnation) and the time from the kill until that ask resolves is what counts. The supervisor
 * allows more than n restarts, so it never gives up. With `standby`, the system keeps one warm
 * standby process (`standby: { process: 1 }`) that each restart adopts. The kills come back to
 * back unless `pauseMs` is given: then each kill waits that long (untimed) after the last answer,
 * so the standby that replaced the last one has had time to boot.
 *
 *   restartLatency.ts <n> [standby [pauseMs]]
 *
 * Prints one JSON line: {"ms": <mean ms per restart>}.
 */

import { setTimeout } from 'node:timers/promises';
import { ActorSystem } from '@troupe/node-runtime';
import { Echo } from './askRoundTrip.js';

const n = Number(process.argv[2] ?? 20);
const standby = process.argv[3] === 'standby';
const pauseMs = Number(process.argv[4] ?? 0);
await using system = await ActorSystem.start(standby ? { standby: { process: 1 } } : {});
const supervisor = await system.supervise({
  strategy: 'one_for_one',
  maxRestarts: n + 10,
  children: [{ id: 'echo', actor: Echo, args: undefined }],
});
const echo = supervisor.child<{ n: number }, number>('echo');
if (echo === undefined) throw new Error('no child echo');
await echo.ask({ n: 0 });
let total = 0;
for (let i = 0; i < n; i++) {
  if (pauseMs > 0) await setTimeout(pauseMs);
  const pid = echo.pid;
  if (pid === undefined) throw new Error('the child has no pid');
  const started = performance.now();
  process.kill(pid, 'SIGKILL');
  const answer = await echo.ask({ n: i });
  total += performance.now() - started;
  if (answer !== i || echo.pid === pid) throw new Error(`no restart: answer ${answer}, pid ${echo.pid}`);
}
await supervisor.stop();
console.log(JSON.stringify({ ms: total / n }));
