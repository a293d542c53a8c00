/**
 * An actor's queue mailbox, seen from the root: messages and asks become items in a hub queue
 * that lives outside the actor, so what is queued while it crashes waits for its next
 * incarnation, and several actors may share one queue. Asks made through it are answered by
 * whichever actor takes them, under ids of the system.
 */

import {
  ActorCrashedError,
  ActorStoppedError,
  type AskOptions,
  AskTimeoutError,
  type Codec,
  type ExitInfo,
  isNormalExit,
  type WaitOptions,
} from '@troupe/core';
import {
  type ActorAddress,
  type Awaitable,
  type MailboxItem,
  type PendingCalls,
  type QueueInfo,
  type QueueItem,
  readMailboxItem,
  unpackItem,
  whenReady,
} from '@troupe/core/spi';
import type { QueueHub } from './QueueHub.js';

export interface QueueMailboxOptions {
  readonly hub: QueueHub;
  readonly info: QueueInfo;
  /** The system made it for one actor (true) or the user passed a queue to share (false). */
  readonly private: boolean;
  readonly codec: Codec;
  /** Asks made through mailboxes, system-wide. */
  readonly asks: PendingCalls;
  readonly deadLetter: (to: ActorAddress, message: unknown, reason: string) => void;
  /** The backlog grew to `depth` (64, 128, 256, ... messages waiting). */
  readonly onDepth?: (to: ActorAddress, depth: number) => void;
}

/** The first backlog reported as a `mailboxDepth` event. */
const DEPTH_MARK = 64;

export class QueueMailbox {
  readonly info: QueueInfo;
  readonly private: boolean;
  readonly #o: QueueMailboxOptions;
  /** The last backlog mark reported (0: none since the backlog was last small). */
  #mark = 0;
  /** The depth last read from a network backend. */
  #depth = 0;

  constructor(options: QueueMailboxOptions) {
    this.#o = options;
    this.info = options.info;
    this.private = options.private;
  }

  /** Queues a message. A full bounded mailbox sends it to dead letters instead of waiting. */
  send(to: ActorAddress, body: unknown): void {
    const item = this.#encode({ $troupe: 'send', body }, body);
    const backend = this.#o.hub.backend;
    if (this.info.capacity === null)
      void backend.put(this.info.id, item).catch(() => this.#dead(to, body, 'mailbox closed'));
    else
      void Promise.resolve(backend.tryPut(this.info.id, item)).then(
        (put) => put || this.#dead(to, body, 'mailbox full'),
        () => this.#dead(to, body, 'mailbox closed'),
      );
    if (this.#o.onDepth !== undefined) this.#watchDepth(to);
  }

  /** Reports the backlog each time it doubles past 64; it starts over once the backlog is small. */
  #watchDepth(to: ActorAddress): void {
    const depth = this.depth();
    if (depth < this.#mark / 4) this.#mark = 0;
    const next = this.#mark === 0 ? DEPTH_MARK : this.#mark * 2;
    if (depth < next) return;
    this.#mark = next;
    this.#o.onDepth?.(to, depth);
  }

  /** Queues a message, waiting while a bounded mailbox is full. */
  sendAsync(body: unknown, options: WaitOptions | undefined): Promise<void> {
    return this.#o.hub.backend.put(this.info.id, this.#encode({ $troupe: 'send', body }, body), options);
  }

  /** Queues an ask; its reply comes back under a system-wide id. */
  ask(to: ActorAddress, body: unknown, options: AskOptions | undefined): Promise<unknown> {
    const { asks } = this.#o;
    const { id, promise } = asks.create<unknown>({
      timeoutMs: options?.timeoutMs,
      signal: options?.signal,
      onTimeout: (ms) => new AskTimeoutError(to.name, ms),
    });
    let item: Uint8Array;
    try {
      item = this.#encode({ $troupe: 'ask', id, body }, body);
    } catch (error) {
      promise.catch(() => {});
      asks.reject(id, error);
      throw error;
    }
    this.#o.hub.backend.put(this.info.id, item, options).catch((error: unknown) => asks.reject(id, error));
    return promise;
  }

  /** Queues the stop marker behind the messages already queued. */
  stopInTurn(): void {
    void this.#o.hub.backend.put(this.info.id, this.#encode({ $troupe: 'stop' }, undefined)).catch(() => {});
  }

  /** An item that will not be delivered (it crashed its actor, or no actor is left for it). */
  fail(to: ActorAddress, queued: QueueItem, reason: string, exit: ExitInfo | undefined): void {
    const item = readMailboxItem(unpackItem(queued, (bytes) => this.#o.codec.decode(bytes)));
    if (item.$troupe === 'stop') return;
    if (item.$troupe === 'ask') {
      this.#o.asks.reject(
        item.id,
        exit === undefined || isNormalExit(exit)
          ? new ActorStoppedError(to.name, exit)
          : new ActorCrashedError(to.name, exit),
      );
    }
    this.#dead(to, item.body, reason);
  }

  /** The actor is gone for good: close the mailbox and fail what is left in it. */
  close(to: ActorAddress, exit: ExitInfo): void {
    const backend = this.#o.hub.backend;
    const id = this.info.id;
    const drain = (): Awaitable<void> =>
      whenReady(backend.tryTake(id, 'closing', 256), (items): Awaitable<void> => {
        if (items.length === 0) {
          if (this.private) this.#o.hub.delete(id);
          return;
        }
        void Promise.resolve(backend.ack(id, 'closing', items.length)).catch(() => {});
        for (const queued of items) this.fail(to, queued, `actor exited (${exit.reason})`, exit);
        return drain();
      });
    // The embedded backend answers at once, so this is done on return; a network backend answers
    // later, and what is left is failed as it comes.
    try {
      const done = whenReady(backend.close(id), drain);
      if (done instanceof Promise) done.catch(() => {});
    } catch {
      // A mailbox already gone: nothing is left in it.
    }
  }

  /** Messages waiting in the mailbox (with a network backend, as last read: it reads again). */
  depth(): number {
    const size = this.#o.hub.backend.size(this.info.id);
    if (!(size instanceof Promise)) return size;
    size.then(
      (n) => {
        this.#depth = n;
      },
      () => {},
    );
    return this.#depth;
  }

  #encode(item: MailboxItem, body: unknown): Uint8Array {
    return this.#o.codec.encode(item, 'msg', body);
  }

  #dead(to: ActorAddress, body: unknown, reason: string): void {
    this.#o.deadLetter(to, body, reason);
  }
}
