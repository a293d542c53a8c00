/**
 * Troupe queues on NATS JetStream (or, for comparison, the embedded backend), with what users
 * send: the small objects of `queueObjects.ts`. Starts its own nats-server on loopback.
 *
 *   natsQueue.ts <n> throughput nats|embedded   # a producer process puts n objects (`await put`
 *                                               # each), a consumer process gets them (`await get`
 *                                               # each); timed from both running to the last get
 *   natsQueue.ts <n> latency nats|embedded      # n times: a get waiting in the root, then a put
 *                                               # from the root; the time from put to get
 *
 * Prints one JSON line: {"items_per_s": ...} or {"rtt_us": ...} (the median put → get time).
 */

import { natsBackend } from '@troupe/nats';
import { ActorSystem } from '@troupe/node-runtime';
import { startNatsServer } from '../../test/support/natsProcess.js';
import { timedDrain } from '../lib/timedDrain.js';
import { consumer, type Item, producer } from './queueObjects.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  const latency = process.argv[3] === 'latency';
  const onNats = process.argv[4] !== 'embedded';
  const server = onNats ? await startNatsServer() : undefined;
  try {
    await using system = await ActorSystem.start(
      server === undefined ? {} : { backend: natsBackend({ servers: server.url }) },
    );
    const q = system.queue<Item | null>({ name: `bench-${process.pid}` });
    if (latency) {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const got = q.get();
        // Let the get reach the backend (and, on NATS, its pull request the server) first.
        await new Promise((resolve) => setTimeout(resolve, 1));
        const started = performance.now();
        await q.put({ id: i, op: 'add', payload: [1, 2, 3], s: 'hello' });
        await got;
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(JSON.stringify({ rtt_us: (times[Math.floor(times.length / 2)] as number) * 1000 }));
    } else {
      const c = await system.process(consumer, q);
      const p = await system.process(producer, q, n);
      console.log(JSON.stringify(await timedDrain(n, p, () => c.result())));
    }
  } finally {
    await server?.stop();
  }
}
