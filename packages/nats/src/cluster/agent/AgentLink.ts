/**
 * The agent's side of one remote worker: relays the bytes the root publishes on the link's `down`
 * subject into the worker, and the worker's bytes onto `up`, unread (the agent does not speak the
 * worker protocol; the root does), each piece numbered so that a lost one ends the link instead of
 * garbling it. Its last `up` reports the exit. The root going away ("no responders" on a frame or
 * on the ping the agent sends every heartbeat; where messages are signed, confirmed by a ping the
 * root does not answer) kills the worker: no worker outlives the system that started it.
 *
 * @module
 */

import { constants } from 'node:os';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { RawExit, WorkerLink } from '@troupe/node-runtime/spi';
import type { ClusterNames } from '../clusterNames.js';
import type { Signer } from '../signing.js';
import {
  type AgentWorker,
  EXIT_HEADER,
  jsonBytes,
  parseJson,
  SEQ_BYTES,
  type SpawnRequest,
  sequenced,
  sequenceOf,
} from '../wire.js';

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
  /** The sequence numbers of the next piece up, and of the next one expected down. */
  #nextUp = 0;
  #nextDown = 0;
  /** Why the link is being ended by this side (a gap in the stream), if it is. */
  #lost: string | undefined;
  /**
   * A "no responders" arrived for the root while messages are signed (a forgery could say so): the
   * worker is killed at the next ping unless the root's signed answer to one comes first.
   */
  #suspect = false;

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
    this.worker.attach((chunk) => this.#data(chunk));
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

  /**
   * Tells the root this side is here (an empty message, which it answers): a root that has gone
   * answers "no responders". A root under suspicion that has not answered since is taken for gone.
   */
  ping(): void {
    if (this.#suspect) {
      this.worker.kill('SIGKILL');
      return;
    }
    this.#publish(new Uint8Array(0));
  }

  /** Bytes from the worker: the next pieces of the stream up. */
  #data(chunk: Uint8Array): void {
    const max = this.#o.nc.info?.max_payload ?? 1024 * 1024;
    for (const piece of sequenced(chunk, max, () => this.#nextUp++)) this.#publish(piece);
  }

  /** Publishes a piece, or (`exit`) the exit record as the link's last message. */
  #publish(data: Uint8Array, exit = false): void {
    if (this.#ended) return;
    const { nc, names, signer } = this.#o;
    const subject = names.up(this.id);
    const h = signer.headers(subject, data) ?? (exit ? natsHeaders() : undefined);
    if (exit) h?.set(EXIT_HEADER, '1');
    try {
      nc.publish(subject, data, { reply: names.down(this.id), ...(h === undefined ? {} : { headers: h }) });
    } catch {
      // The agent's connection is closed: its root cannot be reached, so the worker is done for.
      this.worker.kill('SIGKILL');
    }
  }

  #down(msg: Msg): void {
    if (msg.headers?.code === NO_RESPONDERS) {
      // The root is gone, and so is its worker; where messages are signed, a forged status could
      // say so too: the root's signed answer to a ping decides.
      if (!this.#o.signer.signing) this.worker.kill('SIGKILL');
      else if (!this.#suspect) {
        this.#suspect = true;
        this.#publish(new Uint8Array(0));
      }
      return;
    }
    if (!this.#o.signer.verify(msg.subject, msg.data, msg.headers)) {
      this.#o.onDropped();
      return;
    }
    if (msg.data.length === 0) {
      this.#suspect = false; // the root's answer to a ping
      return;
    }
    if (sequenceOf(msg.data) !== this.#nextDown) {
      // A piece went missing (core NATS drops in-flight messages on a reconnect): what follows
      // cannot be read as frames. The root hears why in the exit record.
      this.#lost ??= 'its link lost messages (a gap in the stream from its root)';
      this.worker.kill('SIGKILL');
      return;
    }
    this.#nextDown++;
    this.worker.transport.write([msg.data.subarray(SEQ_BYTES)]);
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
      try {
        this.#o.nc.publish(msg.reply, data, this.#o.signer.sign(msg.reply, data));
      } catch {
        // closed: the asker sees its request time out
      }
    }
  }

  /** Kills the worker (its ownership moved elsewhere, or the agent is going). */
  kill(signal: NodeJS.Signals): void {
    this.worker.kill(signal);
  }

  #exited(raw: RawExit): void {
    const { error } = raw;
    const exit = jsonBytes({
      code: raw.code,
      signal: raw.signal,
      oom: raw.oom,
      ...(raw.stderrTail === undefined ? {} : { stderrTail: raw.stderrTail.slice(-STDERR_TAIL_BYTES) }),
      ...(error === undefined
        ? {}
        : {
            error: {
              name: error.name,
              message: error.message,
              ...(error.stack ? { stack: error.stack } : {}),
            },
          }),
      ...(this.#lost === undefined ? {} : { lost: this.#lost }),
    });
    this.#publish(exit, true);
    this.#ended = true;
    for (const sub of this.#subs) sub.unsubscribe();
    this.#o.onEnded(this);
  }
}
