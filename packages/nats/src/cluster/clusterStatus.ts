/**
 * One view of a cluster, read from NATS by anyone with access (`troupe status --nats <url>`): its
 * hosts and their heartbeats, each system's actors on them (state, restarts, mailbox depth), and
 * the queues kept in JetStream (depth, pending acks, redeliveries, dead letters).
 *
 * @module
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { checkWhere, connectNats, DEFAULT_PREFIX, type NatsWhere } from '../connectNats.js';
import { CONSUMER, Names } from '../names.js';
import { ClusterNames } from './clusterNames.js';
import { Signer } from './signing.js';
import { type AgentWorker, parseHostRecord, type SystemRecord } from './wire.js';

/**
 * What {@link clusterStatus} reads.
 *
 * @example
 * ```ts
 * const status: ClusterStatus = await clusterStatus({ servers: 'nats://127.0.0.1:4222' });
 * for (const host of status.hosts) console.log(host.name, host.state, host.workers.length);
 * ```
 */
export interface ClusterStatus {
  readonly hosts: readonly {
    readonly name: string;
    /** `up`: heartbeating in time; `down`: silent past the bound; `left`: stopped in order. */
    readonly state: 'up' | 'down' | 'left';
    readonly lastHeartbeat: Date;
    readonly agentPid: number;
    readonly cpus: number;
    readonly workers: readonly AgentWorker[];
    /** Messages its agent dropped: malformed, or not signed. */
    readonly dropped: number;
  }[];
  readonly systems: readonly (SystemRecord & { readonly stale: boolean })[];
  readonly queues: readonly {
    readonly name: string;
    readonly depth: number;
    readonly pendingAcks: number;
    readonly redelivered: number;
    readonly deadLetters: number;
  }[];
}

const KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Reads the cluster's state from NATS: hosts, the systems' remote actors, and queues. Records not
 * signed by `secret` (when given) are left out. Rejects with `BackendError` if NATS cannot be
 * reached.
 *
 * @example
 * ```ts
 * import { clusterStatus } from '@troupe/nats';
 * const { hosts, systems, queues } = await clusterStatus({ servers: 'nats://127.0.0.1:4222' });
 * ```
 */
export async function clusterStatus(
  where: NatsWhere & { readonly secret?: string; readonly hostDownMs?: number },
): Promise<ClusterStatus> {
  checkWhere(where, 'clusterStatus');
  const prefix = where.prefix ?? DEFAULT_PREFIX;
  const names = new ClusterNames(prefix);
  const signer = new Signer(where.secret);
  const nc = await connectNats(where, 'troupe status');
  try {
    const kvm = new Kvm(nc);
    const records = async (bucket: string) => {
      const kv = await kvm.open(bucket).catch(() => undefined);
      const found: [string, unknown][] = [];
      if (kv === undefined) return found;
      // A bucket nobody has made yet (no agent, no system so far) holds nothing.
      const keys = await kv.keys().catch(() => undefined);
      for await (const key of keys ?? []) {
        const entry = KEY.test(key) ? await kv.get(key) : null;
        if (entry?.operation === 'PUT') found.push([key, signer.open(key, entry.value)]);
      }
      return found;
    };
    const now = Date.now();
    const hosts = (await records(names.hostsBucket)).flatMap(([, value]) => {
      const r = parseHostRecord(value);
      if (r === undefined) return [];
      const silent = now - r.time > Math.max(where.hostDownMs ?? 5000, 3 * r.heartbeatMs);
      const state = r.state === 'leaving' ? ('left' as const) : silent ? ('down' as const) : ('up' as const);
      return [
        {
          name: r.host,
          state,
          lastHeartbeat: new Date(r.time),
          agentPid: r.pid,
          cpus: r.cpus,
          workers: state === 'up' ? r.workers : [],
          dropped: r.dropped,
        },
      ];
    });
    const systems = (await records(names.systemsBucket)).flatMap(([, value]) => {
      const r = value as SystemRecord | undefined;
      if (typeof r?.root !== 'string' || !Array.isArray(r.actors) || typeof r.time !== 'number') return [];
      return [{ ...r, stale: now - r.time > 5000 }];
    });
    return {
      hosts: hosts.sort((a, b) => a.name.localeCompare(b.name)),
      systems,
      queues: await queueStatus(nc, prefix),
    };
  } finally {
    await nc.close();
  }
}

async function queueStatus(
  nc: Parameters<typeof jetstreamManager>[0],
  prefix: string,
): Promise<ClusterStatus['queues']> {
  const jsm = await jetstreamManager(nc).catch(() => undefined);
  if (jsm === undefined) return [];
  const names = new Names(prefix);
  const dead = new Map<string, number>();
  const dlq = await jsm.streams
    .info(names.dlqStream, { subjects_filter: `${prefix}.dlq.>` })
    .catch(() => undefined);
  for (const [subject, count] of Object.entries(dlq?.state.subjects ?? {}))
    dead.set(subject.slice(`${prefix}.dlq.`.length), count);
  const queues: {
    name: string;
    depth: number;
    pendingAcks: number;
    redelivered: number;
    deadLetters: number;
  }[] = [];
  for await (const info of jsm.streams.list()) {
    const queue = names.queueOf(info.config.name);
    if (queue === undefined) continue;
    const consumer = await jsm.consumers.info(info.config.name, CONSUMER).catch(() => undefined);
    queues.push({
      name: queue,
      depth: info.state.messages,
      pendingAcks: consumer?.num_ack_pending ?? 0,
      redelivered: consumer?.num_redelivered ?? 0,
      deadLetters: dead.get(queue) ?? 0,
    });
  }
  return queues.sort((a, b) => a.name.localeCompare(b.name));
}
