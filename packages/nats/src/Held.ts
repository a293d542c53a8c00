/**
 * The messages each consumer holds, per queue, oldest first: acked from the front as items are
 * finished, given back from the back (read-ahead), all given back when the consumer dies.
 *
 * @module
 */

import type { Msg, NatsConnection } from '@nats-io/transport-node';

export interface HeldMessage {
  readonly msg: Msg;
  /** How many times the server has delivered it, this time included. */
  readonly deliveries: number;
}

export class Held {
  readonly #byConsumer = new Map<string, Map<string, HeldMessage[]>>();
  /** Consumers that have died: a message that reaches one of them goes straight back. */
  readonly #gone = new Set<string>();
  /** What to call when a consumer dies (its waiting takes end). */
  readonly #onGone = new Map<string, Set<() => void>>();

  alive(consumer: string): boolean {
    return !this.#gone.has(consumer);
  }

  add(consumer: string, queue: string, held: HeldMessage): void {
    let queues = this.#byConsumer.get(consumer);
    if (queues === undefined) {
      queues = new Map();
      this.#byConsumer.set(consumer, queues);
    }
    let list = queues.get(queue);
    if (list === undefined) {
      list = [];
      queues.set(queue, list);
    }
    list.push(held);
  }

  /** Removes and returns the `n` oldest messages `consumer` holds of `queue`. */
  oldest(consumer: string, queue: string, n: number): HeldMessage[] {
    const list = this.#byConsumer.get(consumer)?.get(queue);
    return list === undefined ? [] : list.splice(0, n);
  }

  /** Removes and returns the `n` newest, oldest of them first. */
  newest(consumer: string, queue: string, n: number): HeldMessage[] {
    const list = this.#byConsumer.get(consumer)?.get(queue);
    if (list === undefined || n <= 0) return [];
    return list.splice(Math.max(0, list.length - n));
  }

  /** Calls `fn` if `consumer` dies; returns how to stop that. */
  onGone(consumer: string, fn: () => void): () => void {
    let fns = this.#onGone.get(consumer);
    if (fns === undefined) {
      fns = new Set();
      this.#onGone.set(consumer, fns);
    }
    fns.add(fn);
    return () => {
      fns.delete(fn);
      if (fns.size === 0 && this.#onGone.get(consumer) === fns) this.#onGone.delete(consumer);
    };
  }

  /** `consumer` died: everything it held, by queue, oldest first; its waits end. */
  gone(consumer: string): Map<string, HeldMessage[]> {
    this.#gone.add(consumer);
    const held = this.#byConsumer.get(consumer) ?? new Map<string, HeldMessage[]>();
    this.#byConsumer.delete(consumer);
    for (const fn of this.#onGone.get(consumer) ?? []) fn();
    this.#onGone.delete(consumer);
    return held;
  }

  consumers(): string[] {
    return [...this.#byConsumer.keys()];
  }

  /** Tells the server every held message is still being worked on (its ack timer starts over). */
  renew(nc: NatsConnection): void {
    for (const queues of this.#byConsumer.values())
      for (const list of queues.values())
        for (const { msg } of list) if (msg.reply) nc.publish(msg.reply, '+WPI');
  }
}
