/**
 * The raw `@nats-io/jetstream` client doing the work of `troupe/natsQueue.ts`, as a competent user
 * of the client would write it: the same objects (as JSON), a work-queue stream with file
 * storage and a durable pull consumer with explicit acks. Starts its own nats-server.
 *
 *   rawJetStream.ts <n> throughput   # publishes n with up to 256 awaiting their acks; a consumer
 *                                    # (its own connection) consumes and acks each; timed to the last
 *   rawJetStream.ts <n> latency      # n times: a pending `next()`, then a publish; publish → message
 *
 * Prints one JSON line: {"items_per_s": ...} or {"rtt_us": ...} (the median).
 */

import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '../../test/support/natsProcess.js';

const n = Number(process.argv[2] ?? 10_000);
const latency = process.argv[3] === 'latency';
const server = await startNatsServer();
const producerConnection = await connect({ servers: server.url });
const consumerConnection = await connect({ servers: server.url });
try {
  const jsm = await jetstreamManager(producerConnection);
  await jsm.streams.add({
    name: 'BENCH',
    subjects: ['bench.q'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
  await jsm.consumers.add('BENCH', { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
  const js = jetstream(producerConnection);
  const consumer = await jetstream(consumerConnection).consumers.get('BENCH', 'bench');
  const item = (id: number) => JSON.stringify({ id, op: 'add', payload: [1, 2, 3], s: 'hello' });
  if (latency) {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const next = consumer.next({ expires: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 1));
      const started = performance.now();
      await js.publish('bench.q', item(i));
      const msg = await next;
      msg?.ack();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({ rtt_us: (times[Math.floor(times.length / 2)] as number) * 1000 }));
  } else {
    const started = performance.now();
    const consumed = (async () => {
      let count = 0;
      const messages = await consumer.consume({ max_messages: 1024 });
      for await (const msg of messages) {
        const { id } = msg.json<{ id: number }>();
        if (id !== count) throw new Error(`item ${count} arrived as ${id}`);
        msg.ack();
        if (++count === n) break;
      }
      return count;
    })();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < n; i++) {
      const ack = js.publish('bench.q', item(i));
      inFlight.add(ack);
      void ack.finally(() => inFlight.delete(ack));
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const got = await consumed;
    const elapsed = performance.now() - started;
    if (got !== n) throw new Error(`consumer got ${got} of ${n}`);
    console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
  }
} finally {
  await producerConnection.close();
  await consumerConnection.close();
  await server.stop();
}
