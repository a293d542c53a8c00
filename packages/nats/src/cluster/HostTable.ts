/**
 * A root's table of hosts, from the agents' heartbeats in KV `P_hosts`: which are up, which this
 * system's workers run on each, where the next one goes, and the death watch. A host is declared
 * down when its heartbeats stop for longer than the bound (`hostDownMs`, or three of its own
 * heartbeat periods if that is longer), when its agent stops answering ("no responders"), or when
 * it leaves; every link of this system on it then ends with `hostDown`.
 *
 * @module
 */

import { type KV, KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock, TimerHandle } from '@troupe/core';
import type { ClusterDeps, HostChoice, HostInfo } from '@troupe/node-runtime/spi';
import type { ClusterNames } from './clusterNames.js';
import type { Signer } from './signing.js';
import { type HostRecord, parseHostRecord } from './wire.js';

/** A link as the table tracks it. */
export interface TrackedLink {
  readonly id: string;
  readonly host: string | undefined;
  /** The host is gone: the link ends with `hostDown` and `why`. */
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

export class HostTable {
  readonly #o: HostTableOptions;
  readonly #hosts = new Map<string, HostState>();
  readonly #links = new Map<string, TrackedLink>();
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
        if (entry.operation !== 'PUT') this.#gone(entry.key, 'its agent left');
        else this.#heard(entry.key, entry.value, true);
      }
    })();
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
    if (state !== undefined && state.record.agent !== record.agent && state.up)
      this.#declareDown(key, 'its agent restarted');
    if (record.state === 'leaving') {
      this.#hosts.set(key, { record, seenAt: now, up: false });
      if (state?.up) this.#o.onHost({ host: key, up: false, reason: 'its agent is leaving' });
      return;
    }
    const up = fresh;
    this.#hosts.set(key, { record, seenAt: fresh ? now : now - this.#bound(record) - 1, up });
    if (up && !state?.up) this.#o.onHost({ host: key, up: true, reason: 'heartbeat' });
  }

  #gone(key: string, why: string): void {
    const state = this.#hosts.get(key);
    if (state?.up) this.#declareDown(key, why);
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
      if (state.up && silent > this.#bound(state.record))
        this.#declareDown(name, `missed heartbeats: none for ${Math.round(silent)} ms`);
    }
    this.#timer = this.#o.clock.setTimeout(() => this.#tick(), Math.max(50, this.#o.hostDownMs / 10));
  }

  #declareDown(host: string, why: string): void {
    const state = this.#hosts.get(host);
    if (state !== undefined) state.up = false;
    this.#o.onHost({ host, up: false, reason: why });
    for (const link of [...this.#links.values()]) if (link.host === host) link.lost(why);
  }

  /**
   * A link of this host got "no responders": asks the agent itself. An agent that does not answer
   * either is gone, and its host is declared down; true when it answered.
   */
  async check(host: string): Promise<boolean> {
    const { nc, names, signer } = this.#o;
    const subject = names.ping(host);
    const data = new Uint8Array(0);
    try {
      await nc.request(subject, data, { timeout: 2000, ...signer.sign(subject, data) });
      return true;
    } catch (error) {
      const why = /no responders/i.test(String((error as Error).message))
        ? 'its agent is gone (no responders)'
        : 'its agent did not answer a ping within 2000 ms';
      if (this.#hosts.get(host)?.up !== false) this.#declareDown(host, why);
      return false;
    }
  }

  /** The host a new worker goes to, or undefined when none `choice` allows is up. */
  choose(choice: HostChoice): string | undefined {
    const allowed = choice === '*' ? undefined : typeof choice === 'string' ? [choice] : choice;
    const up = [...this.#hosts]
      .filter(([name, state]) => state.up && (allowed === undefined || allowed.includes(name)))
      .map(([name]) => name);
    if (up.length === 0) return undefined;
    const load = (name: string) => this.#workersOn(name);
    const order = (name: string) => (allowed === undefined ? 0 : allowed.indexOf(name));
    return up.sort((a, b) => load(a) - load(b) || order(a) - order(b) || a.localeCompare(b))[0];
  }

  #workersOn(host: string): number {
    let n = 0;
    for (const link of this.#links.values()) if (link.host === host) n++;
    return n;
  }

  track(link: TrackedLink): void {
    this.#links.set(link.id, link);
  }

  untrack(link: TrackedLink): void {
    this.#links.delete(link.id);
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
