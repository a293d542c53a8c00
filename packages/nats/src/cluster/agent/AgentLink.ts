/**
 * The agent's side of one remote worker: relays the bytes the root publishes on the link's `down`
 * subject into the worker, and the worker's bytes onto `up`, unread (the agent does not speak the
 * worker protocol; the root does). Its last `up` reports the exit. The root going away ("no
 * responders" on a frame or on the ping the agent sends every heartbeat) kills the worker: no
 * worker outlives the system that started it.
 *
 * @module
 */

import { constants } from 'node:os';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { RawExit, WorkerLink } from '@troupe/node-runtime/spi';
import type { ClusterNames } from '../clusterNames.js';
import type { Signer } from '../signing.js';
import { type AgentWorker, EXIT_HEADER, jsonBytes, parseJson, type SpawnRequest } from '../wire.js';

const NO_RESPONDERS = 503;
const STDERR_TAIL_BYTES = 2048;

export interface AgentLinkOptions {
  readonly nc: NatsConnection;
  readonly names: ClusterNames;
  readonly signer: Signer;
  readonly request: SpawnRequest;
  readonly worker: WorkerLink;
  readonly onDropped: () => void;
  /** The worker has ended and its exit was reported. */
  readonly onEnded: (link: AgentLink) => void;
}

export class AgentLink {
  readonly id: string;
  readonly request: SpawnRequest;
  readonly worker: WorkerLink;
  readonly #o: AgentLinkOptions;
  readonly #subs: Subscription[];
  #ended = false;

  constructor(options: AgentLinkOptions) {
    this.#o = options;
    this.request = options.request;
    this.id = options.request.link;
    this.worker = options.worker;
    const { nc, names } = options;
    this.#subs = [
      nc.subscribe(names.down(this.id), { callback: (_error, msg) => this.#down(msg) }),
      nc.subscribe(names.kill(this.id), { callback: (_error, msg) => this.#kill(msg) }),
    ];
    this.worker.attach((chunk) => this.#up(chunk));
    void this.worker.exited.then((raw) => this.#exited(raw));
  }

  /** What the heartbeat says of it. */
  get summary(): AgentWorker {
    const { request } = this;
    return {
      link: this.id,
      root: request.root,
      actor: request.actor,
      pid: this.worker.pid ?? null,
      placement: request.placement,
    };
  }

  /** Tells the root this side is here; a root that has gone answers "no responders". */
  ping(): void {
    this.#up(new Uint8Array(0));
  }

  /** Publishes worker bytes, or (`exit`) the exit record as the link's last message. */
  #up(chunk: Uint8Array, exit = false): void {
    if (this.#ended) return;
    const { nc, names, signer } = this.#o;
    const subject = names.up(this.id);
    const h = signer.headers(subject, chunk) ?? (exit ? natsHeaders() : undefined);
    if (exit) h?.set(EXIT_HEADER, '1');
    nc.publish(subject, chunk, { reply: names.down(this.id), ...(h === undefined ? {} : { headers: h }) });
  }

  #down(msg: Msg): void {
    if (msg.headers?.code === NO_RESPONDERS) {
      // The root is gone: so is its worker.
      this.worker.kill('SIGKILL');
      return;
    }
    if (!this.#o.signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#o.onDropped();
      return;
    }
    if (msg.data.length > 0) this.worker.transport.write([msg.data]);
  }

  #kill(msg: Msg): void {
    if (!this.#o.signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#o.onDropped();
      return;
    }
    const { signal } = (parseJson(msg.data) ?? {}) as { signal?: unknown };
    if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) {
      this.#o.onDropped();
      return;
    }
    this.worker.kill(signal as NodeJS.Signals);
    if (msg.reply !== undefined) {
      const data = jsonBytes({ ok: true });
      this.#o.nc.publish(msg.reply, data, this.#o.signer.sign(msg.reply, data));
    }
  }

  /** Kills the worker (its ownership moved elsewhere, or the agent is going). */
  kill(signal: NodeJS.Signals): void {
    this.worker.kill(signal);
  }

  #exited(raw: RawExit): void {
    const exit = jsonBytes({
      code: raw.code,
      signal: raw.signal,
      oom: raw.oom,
      ...(raw.stderrTail === undefined ? {} : { stderrTail: raw.stderrTail.slice(-STDERR_TAIL_BYTES) }),
    });
    this.#up(exit, true);
    this.#ended = true;
    for (const sub of this.#subs) sub.unsubscribe();
    this.#o.onEnded(this);
  }
}
