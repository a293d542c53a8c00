/**
 * Troupe queue throughput, producer process → consumer process, through the system's queue hub.
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { ActorSystem, defineTask, type Queue } from '@troupe/node-runtime';
import { timedDrain } from '../lib/timedDrain.js';

export const producer = defineTask(import.meta.url, 'producer', async (q: Queue<number>, n: number) => {
  for (let i = 0; i < n; i++) await q.put(i);
  await q.put(-1);
});

export const consumer = defineTask(import.meta.url, 'consumer', async (q: Queue<number>) => {
  let n = 0;
  while ((await q.get()) !== -1) n++;
  return n;
});

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 200_000);
  await using system = await ActorSystem.start();
  const q = system.queue<number>();
  const c = await system.process(consumer, q);
  const p = await system.process(producer, q, n);
  console.log(JSON.stringify(await timedDrain(n, p, () => c.result())));
}
