/**
 * `natsCluster({ servers })`: a system's other hosts, reached through NATS. Pass it to
 * `ActorSystem.start({ cluster })`; run a node agent (`troupe node --nats <url> --name <host>`)
 * on each host.
 *
 * @module
 */

import { InvalidArgumentError } from '@troupe/core';
import type { Cluster, ClusterDeps, ClusterFactory } from '@troupe/node-runtime/spi';
import { nanoid } from 'nanoid';
import { checkMs, checkWhere, connectNats, DEFAULT_PREFIX, type NatsWhere } from '../connectNats.js';
import { openBuckets } from './buckets.js';
import { ClusterNames } from './clusterNames.js';
import { HostTable } from './HostTable.js';
import { RemoteLink } from './RemoteLink.js';
import { SystemView } from './SystemView.js';
import { Signer } from './signing.js';

/**
 * Where the cluster's NATS is, and how its hosts are watched.
 *
 * @example
 * ```ts
 * const options: NatsClusterOptions = { servers: 'nats://127.0.0.1:4222', hostDownMs: 3000 };
 * ```
 */
export interface NatsClusterOptions extends NatsWhere {
  /**
   * How long a host may go without a heartbeat before it is declared down and its actors exit
   * with reason `hostDown`, in ms (at least three of its agent's heartbeat periods). Default 5000.
   */
  readonly hostDownMs?: number;
  /** How long an agent may take to answer a spawn, in ms. Default 10 000. */
  readonly spawnTimeoutMs?: number;
  /**
   * A secret shared by the roots and agents of this cluster: every message and record is signed
   * with it (HMAC-SHA256), and whatever is not is dropped and counted. Default: none (anyone who
   * may publish on the prefix's subjects is trusted; see docs/distributed.md).
   */
  readonly secret?: string;
}

const DEFAULT_HOST_DOWN_MS = 5000;
const DEFAULT_SPAWN_TIMEOUT_MS = 10_000;

/** Checks what roots and agents share: where NATS is and the secret. */
export function checkClusterOptions(options: unknown, fn: string): asserts options is NatsClusterOptions {
  checkWhere(options, fn);
  const o = options as NatsClusterOptions;
  checkMs(o, 'hostDownMs');
  checkMs(o, 'spawnTimeoutMs');
  if (o.secret !== undefined && !(typeof o.secret === 'string' && o.secret.length >= 16))
    throw new InvalidArgumentError('secret must be a string of at least 16 characters');
}

/**
 * Other hosts for a system's actors, supervised children and pool workers, on NATS: pass it to
 * `ActorSystem.start({ cluster })`. Throws `InvalidArgumentError` for a bad option now;
 * `ActorSystem.start` rejects with `BackendError` if the server cannot be reached or has no
 * JetStream (the cluster keeps its hosts and owners in KV buckets).
 *
 * @example
 * ```ts
 * import { ActorSystem } from '@troupe/node-runtime';
 * import { natsCluster } from '@troupe/nats';
 *
 * await using system = await ActorSystem.start({ cluster: natsCluster({ servers: 'nats://127.0.0.1:4222' }) });
 * const counter = await system.spawn(Counter, { start: 0 }, { host: 'b' });
 * console.log(await counter.ask({ type: 'get' }), counter.host); // 0 'b'
 * ```
 */
export function natsCluster(options: NatsClusterOptions): ClusterFactory {
  checkClusterOptions(options, 'natsCluster');
  return { kind: 'nats', open: (deps) => openCluster(options, deps) };
}

async function openCluster(options: NatsClusterOptions, deps: ClusterDeps): Promise<Cluster> {
  const names = new ClusterNames(options.prefix ?? DEFAULT_PREFIX);
  const root = nanoid(10);
  const nc = await connectNats(options, `troupe root ${root}`, true);
  let dropped = 0;
  const onDropped = () => {
    dropped++;
  };
  try {
    const signer = new Signer(options.secret);
    const buckets = await openBuckets(nc, names);
    const hosts = new HostTable({
      nc,
      kv: buckets.hosts,
      names,
      signer,
      clock: deps.clock,
      hostDownMs: options.hostDownMs ?? DEFAULT_HOST_DOWN_MS,
      onHost: deps.onHost,
      onDropped,
    });
    await hosts.start();
    const view = new SystemView(buckets.systems, signer, root, deps);
    view.start();
    // Closed for good (the server away longer than `maxReconnectAttempts` allows): no worker can be
    // reached any more, and each ends with `hostDown` saying so.
    void nc.closed().then((error) => {
      hosts.loseAll(
        `this system's NATS connection closed${error === undefined ? '' : ` (${error.message})`}`,
      );
      hosts.close();
    });
    const context = {
      nc,
      names,
      signer,
      root,
      owners: buckets.owners,
      hosts,
      spawnTimeoutMs: options.spawnTimeoutMs ?? DEFAULT_SPAWN_TIMEOUT_MS,
      onDropped,
    };
    return {
      startWorker: (launch) => new RemoteLink(context, launch, hosts.choose(launch.host)),
      hosts: () => hosts.hosts(),
      get dropped() {
        return dropped;
      },
      close: async () => {
        hosts.close();
        await view.close();
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
