/**
 * `natsBackend({ servers })`: the queue backend a system opens on NATS JetStream.
 *
 * @module
 */

import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import {
  BackendError,
  type QueueBackend,
  type QueueBackendDeps,
  type QueueBackendFactory,
} from '@troupe/core';
import { checkMs, checkWhere, connectNats, DEFAULT_PREFIX, serverList } from './connectNats.js';
import { DeadLetters } from './DeadLetters.js';
import { NatsQueueBackend } from './NatsQueueBackend.js';
import { Names } from './names.js';

/**
 * How to reach NATS, and how Troupe's queues behave there.
 *
 * @example
 * ```ts
 * const options: NatsBackendOptions = { servers: 'nats://127.0.0.1:4222', ackWaitMs: 10_000 };
 * ```
 */
export interface NatsBackendOptions {
  /** One server URL or several (`nats://host:4222`). */
  readonly servers: string | readonly string[];
  /**
   * Starts every stream and subject Troupe makes, so deployments sharing a server do not meet.
   * Letters, digits, `_` and `-`. Default `'TROUPE'`.
   */
  readonly prefix?: string;
  /**
   * How long a consumer that has vanished without a word (its host gone) keeps an item before
   * the server delivers it again, in ms. A live consumer renews its items well before this.
   * Default 30 000.
   */
  readonly ackWaitMs?: number;
  /** How long to try to connect before `ActorSystem.start` rejects, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /**
   * Anything else the NATS client takes: credentials (`user`/`pass`, `token`, `authenticator`),
   * `tls`, `name`, reconnect settings. See docs/distributed.md for securing a deployment.
   */
  readonly connection?: Omit<NodeConnectionOptions, 'servers'>;
}

const DEFAULT_ACK_WAIT_MS = 30_000;

function checkOptions(options: NatsBackendOptions): void {
  checkWhere(options, 'natsBackend');
  checkMs(options, 'ackWaitMs');
}

/**
 * Queues and queue mailboxes on NATS JetStream: pass it to `ActorSystem.start({ backend })`.
 * Items outlive the root; several systems (on several hosts) share a queue by its `name`. Throws
 * `InvalidArgumentError` for a bad option now; `ActorSystem.start` rejects with `BackendError`
 * if the server cannot be reached or has no JetStream.
 *
 * @example
 * ```ts
 * import { ActorSystem } from '@troupe/node-runtime';
 * import { natsBackend } from '@troupe/nats';
 *
 * await using system = await ActorSystem.start({ backend: natsBackend({ servers: 'nats://127.0.0.1:4222' }) });
 * const jobs = system.queue<string>({ name: 'jobs', capacity: 1000 });
 * await jobs.put('hello');
 * ```
 */
export function natsBackend(options: NatsBackendOptions): QueueBackendFactory {
  checkOptions(options);
  return { kind: 'nats', open: (deps) => openNatsBackend(options, deps) };
}

async function openNatsBackend(options: NatsBackendOptions, deps: QueueBackendDeps): Promise<QueueBackend> {
  const names = new Names(options.prefix ?? DEFAULT_PREFIX);
  const servers = serverList(options);
  const nc = await connectNats(options);
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await ensureShared(jsm, names);
    const deadLetters = new DeadLetters(js, jsm, names, deps.onFailed);
    const backend = new NatsQueueBackend({
      nc,
      jsm,
      js,
      names,
      deps,
      deadLetters,
      ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
    });
    // Another system closed a queue: its takers here see it.
    nc.subscribe(`${names.prefix}.meta.>`, {
      callback: (_error, msg) => backend.markClosed(msg.subject.slice(`${names.prefix}.meta.`.length)),
    });
    // The server stopped delivering an item: one backend of the group moves it to dead letters.
    nc.subscribe('$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>', {
      queue: `${names.prefix}-dead-letters`,
      callback: (_error, msg) => {
        let advisory: { stream?: unknown; stream_seq?: unknown; deliveries?: unknown };
        try {
          advisory = msg.json();
        } catch {
          return;
        }
        const { stream, stream_seq: seq, deliveries } = advisory;
        if (typeof stream === 'string' && typeof seq === 'number' && typeof deliveries === 'number')
          void deadLetters.moveStored(stream, seq, deliveries).catch(() => {});
      },
    });
    return backend;
  } catch (error) {
    await nc.close();
    throw new BackendError(`NATS at ${servers.join(', ')} refused JetStream: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The dead-letter and queue-state streams every queue shares. */
async function ensureShared(jsm: Awaited<ReturnType<typeof jetstreamManager>>, names: Names): Promise<void> {
  const add = async (config: Parameters<typeof jsm.streams.add>[0]) => {
    try {
      await jsm.streams.add(config);
    } catch (error) {
      // Made before (by this or another system): fine as long as it is there.
      if ((await jsm.streams.info(config.name).catch(() => undefined)) === undefined) throw error;
    }
  };
  await add({
    name: names.dlqStream,
    subjects: [`${names.prefix}.dlq.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  });
  await add({
    name: names.metaStream,
    subjects: [`${names.prefix}.meta.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
    discard: DiscardPolicy.Old,
  });
}
