/**
 * Troupe pipe round trip between two child processes (over the direct link the system sets up).
 * The client measures its own loop. Prints one JSON line: {"rtt_us": ...}.
 */

import { ActorSystem, type Connection, defineTask } from '@troupe/node-runtime';

export const echo = defineTask(import.meta.url, 'echo', async (conn: Connection<unknown, unknown>) => {
  for await (const value of conn) await conn.send(value);
});

export const client = defineTask(
  import.meta.url,
  'client',
  async (conn: Connection<unknown, unknown>, n: number) => {
    for (let i = 0; i < 200; i++) {
      await conn.send({ n: i });
      await conn.recv();
    }
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      await conn.send({ n: i });
      await conn.recv();
    }
    const elapsed = performance.now() - started;
    conn.close();
    return (elapsed * 1000) / n;
  },
);

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20_000);
  await using system = await ActorSystem.start();
  const [a, b] = system.pipe<unknown>();
  const linked = system.events.next((e) => e.type === 'pipeLinked');
  const server = await system.process(echo, b);
  const caller = await system.process(client, a, n);
  await linked;
  const rtt = await caller.result();
  await server.join();
  console.log(JSON.stringify({ rtt_us: rtt, relayed: system.stats().relayedPipeFrames }));
}
