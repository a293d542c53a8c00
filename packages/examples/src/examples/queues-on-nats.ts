/**
 * queues-on-nats — a queue that outlives its root, shared by two systems through NATS JetStream.
 * "Host A" puts orders into the named queue `orders` and stops; "host B", started afterwards,
 * opens the same queue and drains it with two worker processes.
 *
 * Needs a nats-server with JetStream: it uses `NATS_URL` if set, else starts one on loopback
 * (`nats-server` on PATH; Debian: `apt-get install nats-server`), else says so and skips.
 */

import { natsBackend } from '@troupe/nats';
import { ActorSystem, defineTask, isMainModule, type Queue } from '@troupe/node-runtime';
import { startServer } from '../natsServer.js';

interface Order {
  readonly id: number;
  readonly item: string;
}

export const placeOrders = defineTask(
  import.meta.url,
  'placeOrders',
  async (orders: Queue<Order>, n: number) => {
    for (let id = 1; id <= n; id++) await orders.put({ id, item: id % 2 === 0 ? 'tea' : 'cake' });
  },
);

/** Works orders until the queue is closed and drained; each is finished (taskDone) after its work. */
export const workOrders = defineTask(import.meta.url, 'workOrders', async (orders: Queue<Order>) => {
  const ids: number[] = [];
  for await (const order of orders) {
    ids.push(order.id); // the work
    orders.taskDone();
  }
  return ids;
});

export async function run(): Promise<void> {
  const own = process.env.NATS_URL === undefined ? await startServer() : undefined;
  const url = process.env.NATS_URL ?? own?.url;
  if (url === undefined) {
    console.log('queues-on-nats: skipped (needs nats-server on PATH, or NATS_URL)');
    return;
  }
  const options = { name: 'orders', joinable: true };
  try {
    {
      await using hostA = await ActorSystem.start({ backend: natsBackend({ servers: url }) });
      const orders = hostA.queue<Order>(options);
      await (await hostA.process(placeOrders, orders, 20)).join();
      console.log('Host A put 20 orders into "orders" and stopped.');
    }
    await using hostB = await ActorSystem.start({ backend: natsBackend({ servers: url }) });
    const orders = hostB.queue<Order>(options);
    const workers = await Promise.all([1, 2].map(() => hostB.process(workOrders, orders)));
    await orders.join(); // every order finished
    await orders.close(); // the workers' loops end
    const ids = (await Promise.all(workers.map((w) => w.result()))).flat().sort((a, b) => a - b);
    const once = new Set(ids).size === ids.length ? 'each once' : 'some more than once';
    console.log(`Host B's 2 workers finished ${ids.length} orders: ${ids[0]}..${ids.at(-1)}, ${once}.`);
  } finally {
    own?.stop();
  }
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
