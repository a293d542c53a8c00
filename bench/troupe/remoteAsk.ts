/**
 * Troupe ask round trip from the root to an actor on another host: a node agent (`troupe node`,
 * its own process) on a nats-server on loopback, the actor a child process of that agent. Starts
 * its own server and agent.
 *
 *   remoteAsk.ts <n> queue|pipe        # the actor's mailbox (default queue)
 *
 * Prints one JSON line: {"rtt_us": ...} (the mean of n asks, after 300 to warm up).
 */

import { natsCluster } from '@troupe/nats';
import { ActorSystem } from '@troupe/node-runtime';
import { startNatsServer } from '../../test/support/natsProcess.js';
import { startAgent } from '../../test/support/nodeAgents.js';
import { Echo } from './askRoundTrip.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  const mailbox = (process.argv[3] ?? 'queue') as 'queue' | 'pipe';
  const server = await startNatsServer();
  const agent = await startAgent({ url: server.url, name: 'a' });
  try {
    await using system = await ActorSystem.start({ cluster: natsCluster({ servers: server.url }) });
    const echo = await system.spawn(Echo, undefined, { host: 'a', mailbox });
    for (let i = 0; i < 300; i++) await echo.ask({ n: i });
    const started = performance.now();
    for (let i = 0; i < n; i++) await echo.ask({ n: i });
    const elapsed = performance.now() - started;
    console.log(JSON.stringify({ rtt_us: (elapsed * 1000) / n }));
  } finally {
    await agent.kill();
    await server.stop();
  }
}
