/**
 * queue-workers — producers and consumers in separate processes, sharing one queue. Every item
 * is consumed exactly once; closing the queue lets the consumers drain it and finish.
 */

import { ActorSystem, defineTask, isMainModule, type Queue } from '@troupe/node-runtime';

export const produce = defineTask(
  import.meta.url,
  'produce',
  async (jobs: Queue<number>, from: number, count: number) => {
    for (let n = from; n < from + count; n++) await jobs.put(n); // waits while the queue is full
  },
);

export const consume = defineTask(import.meta.url, 'consume', async (jobs: Queue<number>) => {
  let sum = 0;
  let count = 0;
  for await (const n of jobs) {
    sum += n; // the work
    count++;
  }
  return { count, sum }; // the loop ends once the queue is closed and drained
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const jobs = system.queue<number>({ capacity: 1000 }); // bounded: producers wait for room
  const consumers = await Promise.all([1, 2].map(() => system.process(consume, jobs)));
  const producers = await Promise.all(
    [0, 1, 2].map((i) => system.process(produce, jobs, i * 10_000, 10_000)),
  );
  await Promise.all(producers.map((p) => p.join()));
  await jobs.close();
  const results = await Promise.all(consumers.map((c) => c.result()));
  const total = results.reduce((acc, r) => ({ count: acc.count + r.count, sum: acc.sum + r.sum }), {
    count: 0,
    sum: 0,
  });
  console.log(
    `3 producers, 2 consumers: ${total.count} items, sum ${total.sum} (expected ${(29_999 * 30_000) / 2})`,
  );
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
