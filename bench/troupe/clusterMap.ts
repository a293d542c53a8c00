/**
 * `pool.map` across hosts against the same pool on this host: two node agents (`troupe node`,
 * each its own process) on a nats-server on loopback, a pool of `sizePerHost: 1` on each, against
 * `system.pool({ size: 2 })` here. The task squares its argument; the pool is warmed with one map
 * first, and the next is timed. Starts its own server and agents.
 *
 *   clusterMap.ts <n> hosts|local
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { natsCluster } from '@troupe/nats';
import { ActorSystem } from '@troupe/node-runtime';
import { type NatsServer, startNatsServer } from '../../test/support/natsProcess.js';
import { type Agent, startAgent } from '../../test/support/nodeAgents.js';
import { square } from './poolMap.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  const onHosts = process.argv[3] !== 'local';
  let server: NatsServer | undefined;
  const agents: Agent[] = [];
  try {
    if (onHosts) {
      server = await startNatsServer();
      const url = server.url;
      agents.push(...(await Promise.all(['a', 'b'].map((name) => startAgent({ url, name })))));
    }
    await using system = await ActorSystem.start(
      server === undefined ? {} : { cluster: natsCluster({ servers: server.url }) },
    );
    const pool = await system.pool(onHosts ? { hosts: ['a', 'b'], sizePerHost: 1 } : { size: 2 });
    const items = Array.from({ length: n }, (_, i) => i);
    await pool.map(square, items);
    const started = performance.now();
    const results = await pool.map(square, items);
    const elapsed = performance.now() - started;
    if (results[n - 1] !== (n - 1) * (n - 1)) throw new Error('wrong result');
    console.log(JSON.stringify({ items_per_s: n / (elapsed / 1000) }));
  } finally {
    await Promise.all(agents.map((agent) => agent.kill()));
    await server?.stop();
  }
}
