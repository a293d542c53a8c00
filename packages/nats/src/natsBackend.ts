/**
 * `natsBackend({ servers })`: the queue backend a system opens on NATS JetStream.
 *
 * @module
 */

import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import {
  BackendError,
  InvalidArgumentError,
  type QueueBackend,
  type QueueBackendDeps,
  type QueueBackendFactory,
} from '@troupe/core';
import { DeadLetters } from './DeadLetters.js';
import { NatsQueueBackend } from './NatsQueueBackend.js';
import { checkPrefix, Names } from './names.js';

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

const DEFAULT_PREFIX = 'TROUPE';
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

function checkOptions(options: NatsBackendOptions): void {
  const o = options as Partial<NatsBackendOptions> | null;
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError(`natsBackend options must be an object, got ${String(o)}`);
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    !servers.every((s) => typeof s === 'string' && s.length > 0)
  )
    throw new InvalidArgumentError(
      `servers must be a server URL or a non-empty list of them, got ${JSON.stringify(o.servers)}`,
    );
  if (o.prefix !== undefined && !(typeof o.prefix === 'string' && checkPrefix(o.prefix)))
    throw new InvalidArgumentError(
      `prefix must be letters, digits, _ or - (1 to 32), got ${JSON.stringify(o.prefix)}`,
    );
  for (const key of ['ackWaitMs', 'connectTimeoutMs'] as const) {
    const value = o[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 100))
      throw new InvalidArgumentError(
        `${key} must be an integer number of milliseconds ≥ 100, got ${String(value)}`,
      );
  }
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
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect({
      ...options.connection,
      servers,
      timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new BackendError(
      `Could not connect to NATS at ${servers.join(', ')}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
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
