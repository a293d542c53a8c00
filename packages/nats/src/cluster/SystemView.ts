/**
 * A root's view of its actors on other hosts, written to KV `P_systems` under its system id every
 * second while it runs and removed when it closes: what `troupe status` shows of their state,
 * restarts and mailboxes (an agent knows only that it runs them).
 *
 * @module
 */

import { hostname } from 'node:os';
import type { KV } from '@nats-io/kv';
import type { TimerHandle } from '@troupe/core';
import type { ClusterDeps } from '@troupe/node-runtime/spi';
import type { Signer } from './signing.js';
import type { SystemRecord } from './wire.js';

const EVERY_MS = 1000;

export class SystemView {
  readonly #kv: KV;
  readonly #signer: Signer;
  readonly #root: string;
  readonly #deps: ClusterDeps;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(kv: KV, signer: Signer, root: string, deps: ClusterDeps) {
    this.#kv = kv;
    this.#signer = signer;
    this.#root = root;
    this.#deps = deps;
  }

  start(): void {
    if (this.#closed) return;
    void this.#write();
    this.#timer = this.#deps.clock.setTimeout(() => this.start(), EVERY_MS);
  }

  async #write(): Promise<void> {
    const record: SystemRecord = {
      root: this.#root,
      pid: process.pid,
      hostname: hostname(),
      time: Date.now(),
      actors: this.#deps.describe().map((a) => ({
        id: a.id,
        name: a.name,
        host: a.host,
        pid: a.pid ?? null,
        state: a.state,
        restarts: a.restarts,
        mailboxDepth: a.mailboxDepth ?? null,
      })),
    };
    await this.#kv.put(this.#root, this.#signer.seal(this.#root, record)).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    await this.#kv.delete(this.#root).catch(() => {});
  }
}
