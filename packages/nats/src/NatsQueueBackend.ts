/**
 * Troupe's queues on NATS JetStream (see `natsBackend`). One work-queue stream per queue, with
 * file storage and one durable pull consumer with explicit acks:
 * - a bounded queue is a stream of at most `capacity` messages that refuses more (`discard:
 *   new`): `put` retries until there is room or its timeout (`QueueFullError`);
 * - an item a consumer holds is acked when it is finished (at `get`, or `taskDone` for a joinable
 *   queue), which removes it from the stream; while held, its lease is renewed (`+WPI`), so a
 *   long handler is not mistaken for a dead one;
 * - a consumer that dies gives its items back at once (`-NAK`); one that vanishes without a word
 *   (its host gone) has them redelivered after the ack timeout. After `maxDeliveries`
 *   deliveries the server stops, and the item moves to the dead letters (`deadLetters.ts`).
 *
 * @module
 */

import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import {
  type Awaitable,
  BackendError,
  type BackendWaitOptions,
  type QueueBackend,
  type QueueBackendDeps,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  type QueueInfo,
  type QueueItem,
  type QueueOptions,
  TimeoutError,
} from '@troupe/core';
import { checkQueueOptions, sameQueue } from '@troupe/core/spi';
import { nanoid } from 'nanoid';
import type { DeadLetters } from './DeadLetters.js';
import { Held } from './Held.js';
import { CONSUMER, type Names } from './names.js';
import { MAX_PULL_WAIT_MS, nak, pull } from './pull.js';
import { ensureQueue, type QueueState, queueState } from './queueStreams.js';
import { waitFor } from './waitFor.js';
import { deliveryOf, fromMessage, MalformedItem, STREAM_FULL, toMessage } from './wire.js';

/** A publish that did not reach the server is a `BackendError` where nobody waits to try again. */
function settled(outcome: boolean | Error): boolean {
  if (outcome instanceof Error)
    throw new BackendError(`NATS did not take a put: ${outcome.message}`, { cause: outcome });
  return outcome;
}

/** How long one publish waits for the server's answer (a put with a longer timeout tries again). */
const PUBLISH_WAIT_MS = 5000;
const MIN_PUBLISH_WAIT_MS = 50;

export interface NatsQueueBackendParts {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly names: Names;
  readonly deps: QueueBackendDeps;
  readonly deadLetters: DeadLetters;
  readonly ackWaitMs: number;
}

export class NatsQueueBackend implements QueueBackend {
  readonly #p: NatsQueueBackendParts;
  readonly #queues = new Map<string, QueueState>();
  readonly #held = new Held();
  /** Renews the lease of every held item. */
  readonly #lease: ReturnType<typeof setInterval>;

  constructor(parts: NatsQueueBackendParts) {
    this.#p = parts;
    this.#lease = setInterval(() => this.#held.renew(parts.nc), Math.max(100, parts.ackWaitMs / 3));
    this.#lease.unref?.();
  }

  create(options: QueueOptions = {}): QueueInfo {
    checkQueueOptions(options);
    if (options.name !== undefined) {
      const known = this.#queues.get(options.name);
      if (known !== undefined) return sameQueue(known.info, options);
    }
    const state = queueState(options.name ?? nanoid(10), options, this.#p.names);
    this.#queues.set(state.info.id, state);
    state.ready = ensureQueue(this.#p.jsm, state, this.#p.ackWaitMs, this.#p.names.metaStream);
    state.ready.catch(() => {});
    return state.info;
  }

  info(queue: string): QueueInfo | undefined {
    return this.#queues.get(queue)?.info;
  }

  isClosed(queue: string): boolean {
    return this.#queues.get(queue)?.closed ?? true;
  }

  /** A queue closed elsewhere (another system): its waiting takers look again. */
  markClosed(queue: string): void {
    const state = this.#queues.get(queue);
    if (state === undefined || state.closed) return;
    state.closed = true;
    for (const wake of state.wakers) wake();
  }

  async put(queue: string, item: QueueItem, options?: BackendWaitOptions): Promise<void> {
    const state = await this.#ready(queue);
    // One message id for every try: a try whose answer was lost is not queued twice.
    const msgID = nanoid();
    let unreachable: unknown;
    await waitFor(
      async (remainingMs) => {
        const outcome = await this.#publish(state, item, msgID, remainingMs);
        if (outcome instanceof Error) unreachable = outcome;
        return outcome === true || undefined;
      },
      options,
      () =>
        unreachable === undefined
          ? new QueueFullError(`Queue ${queue} is full (capacity ${state.info.capacity})`)
          : new TimeoutError(`NATS did not take the put to queue ${queue} in time`, { cause: unreachable }),
    );
  }

  async admit(
    queue: string,
    item: QueueItem,
    _reserve: unknown,
    options?: BackendWaitOptions,
  ): Promise<number> {
    // No places are reserved: each bounded put from another process is admitted on its own.
    await this.put(queue, item, options);
    return 0;
  }

  putReserved(): number {
    return 0;
  }

  release(): void {}

  async tryPut(queue: string, item: QueueItem): Promise<boolean> {
    return settled(await this.#publish(await this.#ready(queue), item, nanoid()));
  }

  async tryPutAll(queue: string, items: readonly QueueItem[]): Promise<number> {
    const state = await this.#ready(queue);
    if (state.info.capacity === null) {
      // Nothing is refused for room: every publish is on its way at once, in order.
      for (const outcome of await Promise.all(items.map((item) => this.#publish(state, item, nanoid()))))
        settled(outcome);
      return items.length;
    }
    // One at a time, so what went in is exactly the first `n`.
    let n = 0;
    while (n < items.length && settled(await this.#publish(state, items[n], nanoid()))) n++;
    return n;
  }

  /**
   * Publishes `item`: true once queued, false when the stream is full, the error when the server
   * did not answer (worth trying again). Throws `QueueClosedError` once closed.
   */
  async #publish(
    state: QueueState,
    item: QueueItem,
    msgID: string,
    waitMs = PUBLISH_WAIT_MS,
  ): Promise<boolean | Error> {
    if (state.closed) throw new QueueClosedError(`Queue ${state.info.id} is closed`);
    const { data, headers } = toMessage(item);
    const timeout = Math.max(MIN_PUBLISH_WAIT_MS, Math.min(PUBLISH_WAIT_MS, waitMs));
    try {
      await this.#p.js.publish(state.subject, data, { headers, msgID, timeout });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === STREAM_FULL) return false;
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async take(
    queue: string,
    consumer: string,
    max: number,
    options?: BackendWaitOptions,
  ): Promise<QueueItem[]> {
    const state = await this.#ready(queue);
    // What is there now; a server that does not answer costs no more than the take's timeout.
    const now = await this.#pullItems(state, consumer, max, undefined, options?.timeoutMs);
    if (now.length > 0) return now;
    return waitFor(
      async (wait, onCancel) => {
        if (state.closed) {
          // Closed: what is left is still handed out, then the queue is drained.
          const rest = await this.#pullItems(state, consumer, max, undefined);
          if (rest.length > 0) return rest;
          throw new QueueClosedError(`Queue ${queue} is closed and drained`);
        }
        const request = pull(this.#p.nc, state.stream, 1, Math.min(wait, MAX_PULL_WAIT_MS));
        const stop = () => request.cancel();
        state.wakers.add(stop);
        const offCancel = onCancel(stop);
        const offGone = this.#held.onGone(consumer, stop);
        try {
          const items = this.#accept(state, consumer, await request.done);
          return items.length > 0 ? items : undefined;
        } finally {
          state.wakers.delete(stop);
          offCancel();
          offGone();
        }
      },
      options,
      () => new QueueEmptyError(`Queue ${queue} stayed empty`),
    );
  }

  async tryTake(queue: string, consumer: string, max: number): Promise<QueueItem[]> {
    return this.#pullItems(await this.#ready(queue), consumer, max, undefined);
  }

  async #pullItems(
    state: QueueState,
    consumer: string,
    max: number,
    waitMs: number | undefined,
    limitMs?: number,
  ) {
    return this.#accept(state, consumer, await pull(this.#p.nc, state.stream, max, waitMs, limitMs).done);
  }

  /** The items of delivered messages, now held by `consumer`; a malformed one goes to dead letters. */
  #accept(state: QueueState, consumer: string, messages: Msg[]): QueueItem[] {
    const items: QueueItem[] = [];
    for (const msg of messages) {
      const delivery = deliveryOf(msg.reply);
      if (delivery === undefined) continue;
      let item: QueueItem;
      try {
        item = fromMessage(msg.data, msg.headers);
      } catch (error) {
        if (!(error instanceof MalformedItem)) throw error;
        void this.#p.deadLetters.move(state.info.id, msg, delivery.deliveries, `malformed: ${error.message}`);
        continue;
      }
      if (!this.#held.alive(consumer)) {
        // The consumer died while this was on its way.
        nak(this.#p.nc, msg);
        continue;
      }
      this.#held.add(consumer, state.info.id, { msg, deliveries: delivery.deliveries });
      items.push(item);
    }
    return items;
  }

  ack(queue: string, consumer: string, n: number): void {
    for (const { msg } of this.#held.oldest(consumer, queue, n)) msg.respond('+ACK');
  }

  giveBack(queue: string, consumer: string, n: number): void {
    for (const { msg } of this.#held.newest(consumer, queue, n)) nak(this.#p.nc, msg);
  }

  taskDone(queue: string, consumer: string, n: number): void {
    this.ack(queue, consumer, n);
  }

  async join(queue: string, options?: BackendWaitOptions): Promise<void> {
    const state = await this.#ready(queue);
    // A work-queue stream drops a message when it is acked: empty is every item finished.
    await waitFor(
      async () => {
        // A server that does not answer now is asked again, until the join's timeout.
        const info = await this.#p.jsm.streams.info(state.stream).catch(() => undefined);
        return info?.state.messages === 0 ? true : undefined;
      },
      options,
      () => new TimeoutError(`Queue ${queue} was not finished within ${options?.timeoutMs} ms`),
    );
  }

  async size(queue: string): Promise<number> {
    const state = await this.#ready(queue);
    const info = await this.#p.jsm.consumers.info(state.stream, CONSUMER).catch((error: unknown) => {
      throw new BackendError(`NATS did not say how many items queue ${queue} holds`, { cause: error });
    });
    return info.num_pending;
  }

  async close(queue: string): Promise<void> {
    const state = await this.#ready(queue);
    await this.#p.js
      .publish(this.#p.names.metaSubject(queue), JSON.stringify({ closed: true }))
      .catch((error: unknown) => {
        throw new BackendError(`NATS did not take the close of queue ${queue}`, { cause: error });
      });
    this.markClosed(state.info.id);
  }

  consumerGone(consumer: string, poisoned?: string): Awaitable<void> {
    const held = this.#held.gone(consumer);
    for (const [queue, entries] of held) {
      const state = this.#queues.get(queue);
      const fail = queue === poisoned || state?.onConsumerDeath === 'fail';
      // The oldest is the item in hand; the rest waited in its read-ahead and go back.
      entries.forEach(({ msg, deliveries }, i) => {
        if (i === 0 && fail) {
          const reason = queue === poisoned ? 'it crashed its consumer' : 'its consumer died';
          void this.#p.deadLetters.move(queue, msg, deliveries, reason, consumer);
        } else if (state !== undefined && deliveries >= state.maxDeliveries) {
          // The server would not deliver it again (and says so only when someone next asks).
          const reason = `delivered ${deliveries} times, and its consumers died`;
          void this.#p.deadLetters.move(queue, msg, deliveries, reason, consumer);
        } else nak(this.#p.nc, msg);
      });
    }
  }

  async delete(queue: string): Promise<void> {
    const state = this.#queues.get(queue);
    if (state === undefined) return;
    this.#queues.delete(queue);
    this.markClosed(queue);
    await state.ready;
    await this.#p.jsm.streams.delete(state.stream);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.#lease);
    for (const consumer of this.#held.consumers()) this.consumerGone(consumer);
    // A server already gone (or going) cannot be drained: the connection just closes.
    await this.#p.nc.drain().catch(() => this.#p.nc.close().catch(() => {}));
  }

  async #ready(queue: string): Promise<QueueState> {
    const state = this.#queues.get(queue);
    if (state === undefined) throw new QueueClosedError(`Queue ${queue} is not known here`);
    await state.ready;
    return state;
  }
}
