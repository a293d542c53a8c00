/**
 * Troupe memory of an idle actor: n Echo actors are spawned, each answers one ask, then the memory
 * is read. A process actor's is its worker's resident set (VmRSS in /proc/<pid>/status); a thread
 * actor's is what this process's RSS grew by from before the first spawn. Workers inherit
 * `--import tsx` from this process (a thread registers tsx itself).
 *
 *   idleMemory.ts <n> process | thread
 *
 * Prints one JSON line: {"mb": <mean MiB per actor>}.
 */

import { ActorSystem, type Placement } from '@troupe/node-runtime';
import { rssOf } from '../lib/rss.js';
import { Echo } from './askRoundTrip.js';

const n = Number(process.argv[2] ?? 4);
const placement = (process.argv[3] ?? 'process') as Placement;
await using system = await ActorSystem.start();
const before = process.memoryUsage().rss;
let total = 0;
for (let i = 0; i < n; i++) {
  const echo = await system.spawn(Echo, undefined, { placement });
  await echo.ask({ n: i });
  if (echo.pid !== undefined) total += rssOf(echo.pid);
}
if (placement === 'thread') total = (process.memoryUsage().rss - before) / 2 ** 20;
console.log(JSON.stringify({ mb: total / n }));
