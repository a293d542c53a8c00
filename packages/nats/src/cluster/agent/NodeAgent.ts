/**
 * A node agent: the process on each host that runs workers for the cluster's systems
 * (`troupe node --nats <url> --name <host>`). It answers spawns of definitions its host can import
 * and starts each worker as a root would, under its own reaper (a SIGKILLed agent leaves no worker
 * behind); it heartbeats into KV `P_hosts`; it stops a worker whose ownership record moved to
 * another link (a host back from being declared down keeps no duplicates); and on `stop()`
 * (SIGTERM) it says it is leaving, then stops its workers newest first, politely, then by force.
 *
 * @module
 */

import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { KvWatchInclude } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { InvalidArgumentError } from '@troupe/core';
import { deferred } from '@troupe/core/spi';
import { checkHostName, defaultExecArgv, startWorker } from '@troupe/node-runtime/spi';
import { nanoid } from 'nanoid';
import { connectNats, DEFAULT_PREFIX } from '../../connectNats.js';
import { openBuckets } from '../buckets.js';
import { ClusterNames } from '../clusterNames.js';
import { checkClusterOptions, type NatsClusterOptions } from '../natsCluster.js';
import { Signer } from '../signing.js';
import {
  type HostRecord,
  jsonBytes,
  parseHostRecord,
  parseJson,
  parseOwnerRecord,
  parseSpawnRequest,
  type SpawnReply,
  type SpawnRequest,
} from '../wire.js';
import { AgentLink } from './AgentLink.js';

/**
 * How a node agent runs.
 *
 * @example
 * ```ts
 * const options: NodeAgentOptions = { servers: 'nats://127.0.0.1:4222', name: 'b', heartbeatMs: 500 };
 * ```
 */
export interface NodeAgentOptions extends Omit<NatsClusterOptions, 'hostDownMs' | 'spawnTimeoutMs'> {
  /** This host's name in the cluster: letters, digits, `_` and `-`. */
  readonly name: string;
  /** How often it heartbeats, in ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** How long a worker may take to stop when the agent stops, before it is killed, in ms. Default 5000. */
  readonly shutdownMs?: number;
  /** Node flags for its workers. Default: the agent's own (so a loader such as tsx carries over). */
  readonly execArgv?: readonly string[];
}

type Buckets = Awaited<ReturnType<typeof openBuckets>>;

const DEFAULT_HEARTBEAT_MS = 1000;
const DEFAULT_SHUTDOWN_MS = 5000;

/**
 * Starts a node agent on this host and resolves once it is heartbeating. Throws
 * `InvalidArgumentError` for a bad option; rejects with `BackendError` if NATS cannot be reached,
 * and with `InvalidArgumentError` if another agent is heartbeating under the same name.
 *
 * @example
 * ```ts
 * import { startNodeAgent } from '@troupe/nats';
 * const agent = await startNodeAgent({ servers: 'nats://127.0.0.1:4222', name: 'b' });
 * process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
 * ```
 */
export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  checkClusterOptions(options, 'startNodeAgent');
  checkHostName(options.name, 'name');
  for (const key of ['heartbeatMs', 'shutdownMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 50))
      throw new InvalidArgumentError(
        `${key} must be a whole number of milliseconds ≥ 50, got ${String(value)}`,
      );
  }
  const agent = new NodeAgent(options);
  await agent.start();
  return agent;
}

/**
 * A running node agent (see {@link startNodeAgent}).
 *
 * @example
 * ```ts
 * const agent = await startNodeAgent({ servers: 'nats://127.0.0.1:4222', name: 'b' });
 * console.log(agent.name, agent.workers, agent.dropped);
 * await agent.stop();
 * ```
 */
export class NodeAgent {
  /** This host's name in the cluster. */
  readonly name: string;
  /** This run of the agent. */
  readonly id = nanoid(10);
  readonly #options: NodeAgentOptions;
  readonly #names: ClusterNames;
  readonly #signer: Signer;
  readonly #links = new Map<string, AgentLink>();
  /** Links by the actor they run (what ownership records are keyed by). */
  readonly #byActor = new Map<string, AgentLink>();
  #conn: NatsConnection | undefined;
  #buckets: Buckets | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  #spawns: Subscription | undefined;
  readonly #closed = deferred<Error | undefined>();
  #dropped = 0;

  /** @internal Made by {@link startNodeAgent}. */
  constructor(options: NodeAgentOptions) {
    this.#options = options;
    this.name = options.name;
    this.#names = new ClusterNames(options.prefix ?? DEFAULT_PREFIX);
    this.#signer = new Signer(options.secret);
  }

  /** Workers running here. */
  get workers(): number {
    return this.#links.size;
  }

  /** Messages dropped: malformed, or not signed by the cluster's secret. */
  get dropped(): number {
    return this.#dropped;
  }

  /** @internal Connects, checks the name is free, answers spawns and starts heartbeating. */
  async start(): Promise<void> {
    const nc = await connectNats(this.#options, `troupe node ${this.name}`, true);
    this.#conn = nc;
    try {
      this.#buckets = await openBuckets(nc, this.#names);
      await this.#checkNameFree();
      this.#spawns = nc.subscribe(this.#names.spawn(this.name), {
        callback: (_error, msg) => this.#spawn(msg),
      });
      nc.subscribe(this.#names.ping(this.name), { callback: (_error, msg) => this.#ping(msg) });
      await this.#watchOwners();
      await this.#heartbeat();
      await nc.flush();
    } catch (error) {
      await nc.close();
      throw error;
    }
    this.#timer = setInterval(() => void this.#beat(), this.#heartbeatMs);
    // A connection closed for good (not by stop()): nothing can reach the workers any more.
    void nc.closed().then((error) => {
      if (this.#stopping !== undefined) return this.#closed.resolve(undefined);
      if (this.#timer !== undefined) clearInterval(this.#timer);
      for (const link of this.#links.values()) link.kill('SIGKILL');
      this.#closed.resolve(error ?? new Error('the NATS connection closed'));
    });
  }

  /**
   * Settles when the agent's connection has closed: with undefined after `stop()`, else with why
   * (the server gone for longer than the client retries): its workers have been killed, and the
   * agent should exit and be restarted by whatever runs it.
   */
  get closed(): Promise<Error | undefined> {
    return this.#closed.promise;
  }

  get #heartbeatMs(): number {
    return this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  get #nc(): NatsConnection {
    return this.#conn as NatsConnection;
  }

  async #checkNameFree(): Promise<void> {
    const { hosts } = this.#buckets as Buckets;
    const entry = await hosts.get(this.name);
    if (entry === null || entry.operation !== 'PUT') return;
    const record = parseHostRecord(this.#signer.open(this.name, entry.value));
    if (record === undefined || record.state !== 'up') return;
    if (Date.now() - record.time <= 3 * record.heartbeatMs)
      throw new InvalidArgumentError(
        `Host name ${this.name} is taken: an agent (pid ${record.pid}) heartbeats under it`,
      );
  }

  /** One heartbeat, and a ping down every link (a root that has gone answers "no responders"). */
  async #beat(): Promise<void> {
    for (const link of this.#links.values()) link.ping();
    await this.#heartbeat().catch(() => {});
  }

  async #heartbeat(state: HostRecord['state'] = 'up'): Promise<void> {
    const record: HostRecord = {
      host: this.name,
      agent: this.id,
      pid: process.pid,
      cpus: availableParallelism(),
      heartbeatMs: this.#heartbeatMs,
      time: Date.now(),
      state,
      workers: [...this.#links.values()].map((link) => link.summary),
      dropped: this.#dropped,
    };
    await this.#buckets?.hosts.put(this.name, this.#signer.seal(this.name, record));
  }

  /** A worker whose record now names another link (or none) is no longer this host's to run. */
  async #watchOwners(): Promise<void> {
    const { owners } = this.#buckets as Buckets;
    const watch = await owners.watch({ include: KvWatchInclude.UpdatesOnly });
    void (async () => {
      for await (const entry of watch) {
        const link = this.#byActor.get(entry.key);
        // A change older than the record its spawn was written with (the end of an earlier
        // incarnation, reaching the watch after this one's spawn) says nothing of this worker.
        if (link === undefined || entry.revision <= link.request.revision) continue;
        const record =
          entry.operation === 'PUT' ? parseOwnerRecord(this.#signer.open(entry.key, entry.value)) : undefined;
        // A record that does not read (or, where records are signed, a deletion: roots release a
        // record by writing it over) proves nothing.
        if (record === undefined && (entry.operation === 'PUT' || this.#signer.signing)) {
          this.#dropped++;
          continue;
        }
        if (record?.link !== link.id) link.kill('SIGKILL');
      }
    })();
  }

  #reply(msg: Msg, answer: SpawnReply | { readonly runs: boolean }): void {
    if (msg.reply === undefined) return;
    const data = jsonBytes(answer);
    try {
      this.#nc.publish(msg.reply, data, this.#signer.sign(msg.reply, data));
    } catch {
      // closed (the agent is stopping): the asker sees its request time out
    }
  }

  /** A root asks whether this agent is here, and whether it runs a link (`{ link }`). */
  #ping(msg: Msg): void {
    if (!this.#signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#dropped++;
      return;
    }
    const { link } = (parseJson(msg.data) ?? {}) as { link?: unknown };
    this.#reply(msg, { runs: typeof link === 'string' && this.#links.has(link) });
  }

  #spawn(msg: Msg): void {
    if (!this.#signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#dropped++;
      return;
    }
    const request = parseSpawnRequest(parseJson(msg.data));
    if (typeof request === 'string') {
      this.#dropped++;
      this.#reply(msg, refusal('InvalidArgumentError', `malformed spawn request (${request})`));
      return;
    }
    const refused = this.#refuse(request) ?? this.#stale(request);
    if (refused !== undefined) {
      this.#reply(msg, refusal('SpawnError', refused));
      return;
    }
    const { execArgv = defaultExecArgv() } = this.#options;
    let link: AgentLink;
    try {
      const worker = startWorker(
        request.placement,
        {
          execArgv: [...execArgv, ...request.execArgv],
          maxMessageBytes: request.maxMessageBytes,
          env: request.env,
          cwd: request.cwd,
        },
        request.maxHeapMb,
      );
      link = new AgentLink({
        nc: this.#nc,
        names: this.#names,
        signer: this.#signer,
        request,
        worker,
        onDropped: () => {
          this.#dropped++;
        },
        onEnded: (ended) => this.#forget(ended),
      });
    } catch (error) {
      this.#reply(msg, refusal('SpawnError', `could not start a worker: ${(error as Error).message}`));
      return;
    }
    this.#links.set(link.id, link);
    this.#byActor.get(request.actor.id)?.kill('SIGKILL'); // an earlier incarnation of the same actor
    this.#byActor.set(request.actor.id, link);
    this.#reply(msg, { ok: true, pid: link.worker.pid ?? null, agent: this.id });
  }

  /** Why this host will not run `request`, if it will not. */
  #refuse(request: SpawnRequest): string | undefined {
    if (this.#stopping !== undefined) return `host ${this.name} is leaving the cluster`;
    let path: string;
    try {
      const url = new URL(request.module);
      if (url.protocol !== 'file:')
        return `host ${this.name} imports only file: modules, not ${request.module}`;
      path = fileURLToPath(url);
    } catch {
      return `host ${this.name} cannot import module ${request.module}: not a URL`;
    }
    if (!existsSync(path)) return `host ${this.name} cannot import module ${request.module}: no such file`;
    if (request.cwd !== undefined && !(existsSync(request.cwd) && statSync(request.cwd).isDirectory()))
      return `host ${this.name} has no directory ${request.cwd} (cwd)`;
    return undefined;
  }

  /**
   * Why `request` is not new, if it is not: its link runs already (a request sent again, a replay),
   * or an incarnation of its actor here was written after it.
   */
  #stale(request: SpawnRequest): string | undefined {
    if (this.#links.has(request.link)) return `link ${request.link} runs already`;
    const running = this.#byActor.get(request.actor.id);
    if (running !== undefined && running.request.revision >= request.revision)
      return `a later incarnation of actor ${request.actor.id} runs here`;
    return undefined;
  }

  #forget(link: AgentLink): void {
    this.#links.delete(link.id);
    if (this.#byActor.get(link.request.actor.id) === link) this.#byActor.delete(link.request.actor.id);
  }

  /**
   * Leaves the cluster: says so in its heartbeat (no new spawns come), stops its workers newest
   * first (SIGTERM: an actor finishes its message; killed after `shutdownMs`), then disconnects.
   * Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      // No spawn reaches a leaving agent (nor races a new agent under the same name).
      this.#spawns?.unsubscribe();
      await this.#heartbeat('leaving').catch(() => {});
      const grace = this.#options.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
      for (const link of [...this.#links.values()].reverse()) {
        link.kill('SIGTERM');
        const timer = setTimeout(() => link.kill('SIGKILL'), grace);
        await link.worker.exited;
        clearTimeout(timer);
      }
      await this.#nc.drain().catch(() => this.#nc.close());
    })();
    return this.#stopping;
  }
}

function refusal(name: string, message: string): SpawnReply {
  return { ok: false, error: { name, message } };
}
