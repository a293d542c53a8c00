/**
 * Queue throughput with what users send: small objects `{ id, op, payload: [1, 2, 3], s }`, one
 * `await q.put(item)` per item in a producer process and one `await q.get()` per item in the
 * consumer, on a bounded queue (`capacity: 10000`) or an unbounded one. The consumer is another
 * process, or the root itself. Timed from when both sides are running to the consumer's last get.
 *
 *   queueObjects.ts <n> bounded|unbounded process|root
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { ActorSystem, defineTask, type Queue } from '@troupe/node-runtime';
import { timedDrain } from '../lib/timedDrain.js';

/** One message, as a user's program would send it. */
export interface Item {
  readonly id: number;
  readonly op: string;
  readonly payload: readonly number[];
  readonly s: string;
}

/** The bounded queue's capacity (Python's side uses the same). */
const CAPACITY = 10_000;

export const producer = defineTask(import.meta.url, 'producer', async (q: Queue<Item | null>, n: number) => {
  for (let i = 0; i < n; i++) await q.put({ id: i, op: 'add', payload: [1, 2, 3], s: 'hello' });
  await q.put(null);
});

/** Takes items until the end marker; returns how many, checking each one is whole. */
async function drain(q: Queue<Item | null>): Promise<number> {
  let count = 0;
  for (;;) {
    const item = await q.get();
    if (item === null) return count;
    if (item.id !== count || item.payload[2] !== 3)
      throw new Error(`item ${count} arrived as ${JSON.stringify(item)}`);
    count++;
  }
}

export const consumer = defineTask(import.meta.url, 'consumer', (q: Queue<Item | null>) => drain(q));

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 200_000);
  const bounded = process.argv[3] !== 'unbounded';
  const inRoot = process.argv[4] === 'root';
  await using system = await ActorSystem.start();
  const q = system.queue<Item | null>(bounded ? { capacity: CAPACITY } : {});
  const c = inRoot ? undefined : await system.process(consumer, q);
  const p = await system.process(producer, q, n);
  console.log(JSON.stringify(await timedDrain(n, p, () => (c === undefined ? drain(q) : c.result()))));
}
