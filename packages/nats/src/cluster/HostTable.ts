/**
 * A root's table of hosts, from the agents' heartbeats in KV `P_hosts`: which are up, which this
 * system's workers run on each, where the next one goes, and the death watch. A host is declared
 * down, and every link of this system on it ends with `hostDown`, when its heartbeats stop for
 * longer than the bound (`hostDownMs`, or three of its own heartbeat periods if that is longer),
 * or when its agent is gone ("no responders" twice, a short while apart). One that leaves is no
 * longer chosen; its agent stops its workers, and if it falls silent first, the bound ends them.
 *
 * @module
 */

import { type KV, KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock, TimerHandle } from '@troupe/core';
import { allowedHosts, type ClusterDeps, type HostChoice, type HostInfo } from '@troupe/node-runtime/spi';
import type { ClusterNames } from './clusterNames.js';
import type { Signer } from './signing.js';
import { type HostRecord, jsonBytes, parseHostRecord, parseJson } from './wire.js';

/** A link as the table tracks it. */
export interface TrackedLink {
  readonly id: string;
  readonly host: string | undefined;
  /** The run of the agent that started its worker, once it has answered. */
  readonly agent: string | undefined;
  /** The worker is gone with its host (or its agent lost it): the link ends with `hostDown`. */
  lost(why: string): void;
}

interface HostState {
  record: HostRecord;
  /** When the last heartbeat arrived, by the root's clock. */
  seenAt: number;
  up: boolean;
}

export interface HostTableOptions {
  readonly nc: NatsConnection;
  readonly kv: KV;
  readonly names: ClusterNames;
  readonly signer: Signer;
  readonly clock: Clock;
  readonly hostDownMs: number;
  readonly onHost: ClusterDeps['onHost'];
  /** A message that was malformed or not signed. */
  readonly onDropped: () => void;
}

/** What a ping says of a link: the agent runs it, does not, or did not answer. */
type Answer = 'runs' | 'lost' | 'no responders' | 'silent';

export class HostTable {
  readonly #o: HostTableOptions;
  readonly #hosts = new Map<string, HostState>();
  readonly #links = new Map<string, TrackedLink>();
  /** Hosts being checked after a "no responders", so one check runs at a time. */
  readonly #checking = new Set<string>();
  #timer: TimerHandle | undefined;
  #watch: Awaited<ReturnType<KV['watch']>> | undefined;
  #closed = false;

  constructor(options: HostTableOptions) {
    this.#o = options;
  }

  /** Reads the heartbeats there are, then follows them. */
  async start(): Promise<void> {
    const { kv } = this.#o;
    // What is there now, then what changes (a heartbeat missed in between comes again soon).
    const watch = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
    this.#watch = watch;
    for await (const key of await kv.keys()) {
      const entry = await kv.get(key);
      if (entry?.operation === 'PUT') this.#heard(key, entry.value, false);
    }
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.#heard(entry.key, entry.value, true);
        // Agents never delete their record (they say they are leaving): a deletion is an
        // operator's purge, or, where records are signed, a forgery, which proves nothing.
        else if (this.#o.signer.signing) this.#o.onDropped();
        else this.#gone(entry.key, 'its record was removed');
      }
    })().catch(() => {});
    this.#tick();
  }

  #heard(key: string, value: Uint8Array, isUpdate: boolean): void {
    const record = parseHostRecord(this.#o.signer.open(key, value));
    if (record === undefined || record.host !== key) {
      this.#o.onDropped();
      return;
    }
    const now = this.#o.clock.now();
    // A heartbeat older than the bound when this system starts comes from a host that is gone.
    const fresh = isUpdate || Date.now() - record.time <= this.#bound(record);
    const state = this.#hosts.get(key);
    // A new run of the agent under this name: what the old run ran is gone with it.
    if (state !== undefined && state.record.agent !== record.agent) {
      for (const link of this.#linksOn(key))
        if (link.agent !== undefined && link.agent !== record.agent) link.lost('its agent restarted');
    }
    if (record.state === 'leaving') {
      // Its agent stops its workers and reports their exits; if it dies first, its silence ends them.
      this.#hosts.set(key, { record, seenAt: now, up: false });
      if (state?.up) this.#o.onHost({ host: key, up: false, reason: 'its agent is leaving' });
      return;
    }
    const up = fresh;
    this.#hosts.set(key, { record, seenAt: fresh ? now : now - this.#bound(record) - 1, up });
    if (up && !state?.up) this.#o.onHost({ host: key, up: true, reason: 'heartbeat' });
  }

  #gone(key: string, why: string): void {
    this.#declareDown(key, why);
    this.#hosts.delete(key);
  }

  /** How long a host may go without a heartbeat. */
  #bound(record: HostRecord): number {
    return Math.max(this.#o.hostDownMs, 3 * record.heartbeatMs);
  }

  #tick(): void {
    if (this.#closed) return;
    const now = this.#o.clock.now();
    for (const [name, state] of this.#hosts) {
      const silent = now - state.seenAt;
      // A leaving host that went silent before its workers' exits arrived ends them too.
      const watched = state.up || this.#linksOn(name).length > 0;
      if (watched && silent > this.#bound(state.record))
        this.#declareDown(name, `missed heartbeats: none for ${Math.round(silent)} ms`);
    }
    this.#timer = this.#o.clock.setTimeout(() => this.#tick(), Math.max(50, this.#o.hostDownMs / 10));
  }

  /** Declares `host` down (once: the event goes out if it was up) and ends every link on it. */
  #declareDown(host: string, why: string): void {
    const state = this.#hosts.get(host);
    const wasUp = state?.up === true;
    if (state !== undefined) state.up = false;
    if (wasUp) this.#o.onHost({ host, up: false, reason: why });
    for (const link of this.#linksOn(host)) link.lost(why);
  }

  #linksOn(host: string): TrackedLink[] {
    return [...this.#links.values()].filter((link) => link.host === host);
  }

  /**
   * Asks the agent of `host` whether it runs `link` (signed, so a forged "no responders" proves
   * nothing). An agent that runs it: nothing happens. One that does not: the link alone is lost.
   * No responders twice, a short while apart (an agent reconnecting has its subscriptions back
   * by then): the host is declared down. No answer at all: its heartbeats decide.
   */
  async check(host: string, link?: TrackedLink): Promise<void> {
    if (link === undefined && this.#checking.has(host)) return;
    if (link === undefined) this.#checking.add(host);
    try {
      let answer = await this.#ping(host, link);
      if (answer === 'no responders') {
        await new Promise<void>((resolve) =>
          this.#o.clock.setTimeout(() => resolve(), Math.min(1000, this.#o.hostDownMs / 5)),
        );
        answer = await this.#ping(host, link);
      }
      if (answer === 'no responders') this.#declareDown(host, 'its agent is gone (no responders)');
      else if (answer === 'lost') link?.lost('its agent no longer runs this worker');
    } finally {
      if (link === undefined) this.#checking.delete(host);
    }
  }

  async #ping(host: string, link: TrackedLink | undefined): Promise<Answer> {
    const { nc, names, signer } = this.#o;
    const subject = names.ping(host);
    const data = jsonBytes(link === undefined ? {} : { link: link.id });
    try {
      const reply = await nc.request(subject, data, { timeout: 2000, ...signer.sign(subject, data) });
      if (!signer.verify(reply.subject, reply.data, reply.headers)) {
        this.#o.onDropped();
        return 'silent';
      }
      const { runs } = (parseJson(reply.data) ?? {}) as { runs?: unknown };
      return link === undefined || runs === true ? 'runs' : 'lost';
    } catch (error) {
      return /no responders/i.test(String((error as Error).message)) ? 'no responders' : 'silent';
    }
  }

  /** The host a new worker goes to, or undefined when none `choice` allows is up. */
  choose(choice: HostChoice): string | undefined {
    const allowed = allowedHosts(choice);
    const up = [...this.#hosts]
      .filter(([name, state]) => state.up && (allowed === undefined || allowed.includes(name)))
      .map(([name]) => name);
    if (up.length === 0) return undefined;
    const load = (name: string) => this.#workersOn(name);
    const order = (name: string) => (allowed === undefined ? 0 : allowed.indexOf(name));
    return up.sort((a, b) => load(a) - load(b) || order(a) - order(b) || a.localeCompare(b))[0];
  }

  #workersOn(host: string): number {
    return this.#linksOn(host).length;
  }

  track(link: TrackedLink): void {
    this.#links.set(link.id, link);
  }

  untrack(link: TrackedLink): void {
    this.#links.delete(link.id);
  }

  /** Ends every link (this system's connection to NATS is gone for good). */
  loseAll(why: string): void {
    for (const link of [...this.#links.values()]) link.lost(why);
  }

  /** Every host heard of, by name. */
  hosts(): HostInfo[] {
    const sorted = [...this.#hosts].sort(([a], [b]) => a.localeCompare(b));
    return sorted.map(([name, state]) => ({
      name,
      up: state.up,
      lastHeartbeat: state.record.time,
      workers: this.#workersOn(name),
      cpus: state.record.cpus,
    }));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#watch?.stop();
  }
}
