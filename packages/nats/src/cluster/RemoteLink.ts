/**
 * The root's side of one remote worker: a {@link WorkerLink} whose bytes travel on NATS to the
 * node agent that runs the worker. To the root's cell it is a child process like any other: the
 * same frames go down and come up, in order (one publisher, one subject each way). It writes the
 * actor's ownership record, asks the agent for the worker, holds what the cell writes until the
 * agent has answered, and ends with the agent's report of the exit, or with `hostDown`.
 *
 * @module
 */

import type { KV } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { SpawnError } from '@troupe/core';
import { deferred } from '@troupe/core/spi';
import type { RawExit, RemoteLaunch, WorkerLink } from '@troupe/node-runtime/spi';
import { nanoid } from 'nanoid';
import type { ClusterNames } from './clusterNames.js';
import type { HostTable, TrackedLink } from './HostTable.js';
import type { Signer } from './signing.js';
import {
  EXIT_HEADER,
  jsonBytes,
  parseExitRecord,
  parseJson,
  parseOwnerRecord,
  SEQ_BYTES,
  type SpawnReply,
  type SpawnRequest,
  sequenced,
  sequenceOf,
} from './wire.js';

/** What every link of one cluster shares. */
export interface LinkContext {
  readonly nc: NatsConnection;
  readonly names: ClusterNames;
  readonly signer: Signer;
  /** This system's id. */
  readonly root: string;
  readonly owners: KV;
  readonly hosts: HostTable;
  readonly spawnTimeoutMs: number;
  readonly onDropped: () => void;
}

const NO_RESPONDERS = 503;

export class RemoteLink implements WorkerLink, TrackedLink {
  readonly id = nanoid(12);
  readonly host: string | undefined;
  readonly #ctx: LinkContext;
  #pid: number | undefined;
  #state: 'starting' | 'running' | 'ended' = 'starting';
  /** What the cell wrote before the agent had answered. */
  #held: Uint8Array[] = [];
  #receive: ((chunk: Uint8Array) => void) | undefined;
  #sub: Subscription | undefined;
  #killWhenStarted: NodeJS.Signals | undefined;
  /** The actor whose ownership record this link wrote, once written. */
  #owned: string | undefined;
  /** The run of the agent that started the worker, once it has answered. */
  #agent: string | undefined;
  /** The sequence numbers of the next piece down, and of the next one expected up. */
  #nextDown = 0;
  #nextUp = 0;
  readonly #exited = deferred<RawExit>();
  readonly transport = {
    write: (chunks: Uint8Array[]) => this.#write(chunks),
    close: () => {},
  };

  /** Starts the worker on `host`; with none (nothing `launch.host` allows is up) it ends at once. */
  constructor(ctx: LinkContext, launch: RemoteLaunch, host: string | undefined) {
    this.#ctx = ctx;
    this.host = host;
    if (host === undefined) {
      const choice = typeof launch.host === 'string' ? launch.host : launch.host.join(', ');
      this.#end({
        code: null,
        signal: null,
        oom: false,
        error: new SpawnError(
          choice === '*' ? 'No host is up in the cluster' : `No host of ${choice} is up in the cluster`,
        ),
      });
      return;
    }
    ctx.hosts.track(this);
    try {
      this.#sub = ctx.nc.subscribe(ctx.names.up(this.id), {
        callback: (_error, msg) => this.#fromAgent(msg),
      });
    } catch (error) {
      this.lost(`this system's NATS connection failed (${(error as Error).message})`);
      return;
    }
    void this.#start(launch, host);
  }

  get agent(): string | undefined {
    return this.#agent;
  }

  /** Ended (checked after an await, where the compiler's narrowing no longer holds). */
  get #ended(): boolean {
    return this.#state === 'ended';
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  get exited(): Promise<RawExit> {
    return this.#exited.promise;
  }

  attach(receive: (chunk: Uint8Array) => void): void {
    this.#receive = receive;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#state === 'starting') this.#killWhenStarted = signal;
    if (this.#state === 'running') this.#sendKill(signal);
  }

  #sendKill(signal: NodeJS.Signals): void {
    const { nc, names, signer } = this.#ctx;
    const subject = names.kill(this.id);
    const data = jsonBytes({ signal });
    nc.request(subject, data, { timeout: 5000, ...signer.sign(subject, data) }).catch((error: unknown) => {
      if (/no responders/i.test(String((error as Error).message))) void this.#noResponders();
    });
  }

  /** The host is gone. */
  lost(why: string): void {
    if (this.host !== undefined)
      this.#end({ code: null, signal: null, oom: false, hostDown: { host: this.host, why } });
  }

  async #start(launch: RemoteLaunch, host: string): Promise<void> {
    const { nc, names, signer, root, spawnTimeoutMs } = this.#ctx;
    let revision: number;
    try {
      revision = await this.#own(launch, host);
    } catch (error) {
      this.#end({ code: null, signal: null, oom: false, error: error as Error });
      return;
    }
    if (this.#ended) return;
    const request: SpawnRequest = {
      v: 1,
      link: this.id,
      root,
      revision,
      placement: launch.placement,
      kind: launch.kind,
      module: launch.module,
      actor: { id: launch.actor.id, name: launch.actor.name },
      execArgv: launch.execArgv,
      maxMessageBytes: launch.maxMessageBytes,
      ...(launch.maxHeapMb === undefined ? {} : { maxHeapMb: launch.maxHeapMb }),
      ...(launch.env === undefined ? {} : { env: launch.env }),
      ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
    };
    const subject = names.spawn(host);
    const data = jsonBytes(request);
    let reply: Msg;
    try {
      reply = await nc.request(subject, data, { timeout: spawnTimeoutMs, ...signer.sign(subject, data) });
    } catch (error) {
      const noResponders = /no responders/i.test(String((error as Error).message));
      if (noResponders) void this.#ctx.hosts.check(host);
      this.lost(
        noResponders
          ? 'no agent answered the spawn (no responders)'
          : `its agent did not answer a spawn within ${spawnTimeoutMs} ms`,
      );
      return;
    }
    const answer = parseJson(reply.data) as SpawnReply | undefined;
    if (!signer.verify(reply.subject, reply.data, reply.headers) || typeof answer?.ok !== 'boolean') {
      this.#ctx.onDropped();
      this.#end({
        code: null,
        signal: null,
        oom: false,
        error: new SpawnError(`Host ${host} sent a malformed answer`),
      });
      return;
    }
    if (!answer.ok) {
      const error = new SpawnError(`Host ${host} refused: ${String(answer.error?.message)}`);
      this.#end({ code: null, signal: null, oom: false, error });
      return;
    }
    this.#pid = typeof answer.pid === 'number' ? answer.pid : undefined;
    this.#agent = typeof answer.agent === 'string' ? answer.agent : undefined;
    // Declared lost while the agent was starting it: the worker must not run on.
    if (this.#ended) {
      this.#sendKill('SIGKILL');
      return;
    }
    this.#state = 'running';
    const held = this.#held;
    this.#held = [];
    if (held.length > 0) this.#write(held);
    if (this.#killWhenStarted !== undefined) this.kill(this.#killWhenStarted);
  }

  /**
   * Writes the actor's ownership record: created, or (over a record of this system whose link has
   * ended) compared-and-set. Another live owner makes the spawn fail.
   */
  async #own(launch: RemoteLaunch, host: string): Promise<number> {
    const { owners, signer, root } = this.#ctx;
    const key = launch.actor.id;
    const value = signer.seal(key, { host, link: this.id, root });
    let revision: number;
    try {
      revision = await owners.create(key, value);
    } catch {
      const entry = await owners.get(key);
      const record = entry === null ? undefined : parseOwnerRecord(signer.open(key, entry.value));
      // Another system's live record stops the spawn; a released one (no link) is free to take.
      if (entry !== null && record !== undefined && record.root !== root && record.link !== '')
        throw new SpawnError(
          `Actor ${launch.actor.name} (${key}) is owned by another system (link ${record.link} on host ${record.host})`,
        );
      revision = await owners.update(key, value, entry?.revision ?? 0);
    }
    this.#owned = key;
    if (this.#state === 'ended') this.#disown();
    return revision;
  }

  /**
   * Releases the record: written over (signed, where there is a secret, so a forged deletion is
   * told apart) with no link, which an agent still running the worker takes as its cue to stop it.
   */
  #disown(): void {
    const key = this.#owned;
    if (key === undefined) return;
    const { owners, signer, root } = this.#ctx;
    void owners.put(key, signer.seal(key, { host: '', link: '', root })).catch(() => {});
    this.#owned = undefined;
  }

  #write(chunks: Uint8Array[]): void {
    if (this.#state === 'ended') return;
    if (this.#state === 'starting') {
      this.#held.push(...chunks);
      return;
    }
    const { nc, names, signer } = this.#ctx;
    const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
    const subject = names.down(this.id);
    const reply = names.up(this.id);
    try {
      // A frame larger than the server takes in one message goes in pieces: the worker's decoder
      // joins them, as it joins a pipe's.
      for (const piece of sequenced(bytes, nc.info?.max_payload ?? 1024 * 1024, () => this.#nextDown++))
        nc.publish(subject, piece, { reply, ...signer.sign(subject, piece) });
    } catch (error) {
      // The connection is closed: the worker cannot be reached any more.
      this.lost(`this system's NATS connection failed (${(error as Error).message})`);
    }
  }

  #fromAgent(msg: Msg): void {
    if (this.#state === 'ended') return;
    if (msg.headers?.code === NO_RESPONDERS) {
      void this.#noResponders();
      return;
    }
    const { signer } = this.#ctx;
    if (!signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#ctx.onDropped();
      return;
    }
    if (msg.headers?.get(EXIT_HEADER) === '1') {
      this.#exitReported(msg.data);
      return;
    }
    if (msg.data.length === 0) {
      // The agent's ping: this side is here (signed, so a forged "no responders" cannot fool it).
      if (msg.reply !== undefined) this.#pong(msg.reply);
      return;
    }
    if (sequenceOf(msg.data) !== this.#nextUp) {
      this.lost('its link lost messages (a gap in the stream from its agent)');
      this.#sendKill('SIGKILL');
      return;
    }
    this.#nextUp++;
    this.#receive?.(msg.data.subarray(SEQ_BYTES));
  }

  #pong(reply: string): void {
    const empty = new Uint8Array(0);
    try {
      this.#ctx.nc.publish(reply, empty, this.#ctx.signer.sign(reply, empty));
    } catch {
      // closed: the agent's next ping gets no answer
    }
  }

  #exitReported(data: Uint8Array): void {
    const record = parseExitRecord(parseJson(data));
    if (record === undefined) {
      this.#ctx.onDropped();
      return;
    }
    if (record.lost !== undefined) {
      this.lost(record.lost);
      return;
    }
    const error =
      record.error === undefined ? undefined : Object.assign(new Error(record.error.message), record.error);
    this.#end({
      code: record.code,
      signal: record.signal,
      oom: record.oom,
      ...(record.stderrTail === undefined ? {} : { stderrTail: record.stderrTail }),
      ...(error === undefined ? {} : { error }),
    });
  }

  /** Nobody listens on the worker's side: its agent is gone, or no longer has it. */
  async #noResponders(): Promise<void> {
    if (this.host !== undefined && this.#state !== 'ended') await this.#ctx.hosts.check(this.host, this);
  }

  #end(raw: RawExit): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#held = [];
    this.#sub?.unsubscribe();
    this.#ctx.hosts.untrack(this);
    // The record goes with the worker: an agent that still runs it (a host back from the dead)
    // sees that and stops it; a restart writes a new one.
    this.#disown();
    this.#exited.resolve(raw);
  }
}
