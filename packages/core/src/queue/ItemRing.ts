/**
 * The items of a queue, or those one consumer holds, each with the number of times it has been
 * handed out: two parallel {@link Deque}s (values, and counts that stay small integers), so an
 * item costs no object of its own.
 *
 * @module
 */

import { Deque } from '../internal/Deque.js';
import type { QueueItem } from './QueueBackend.js';

export class ItemRing {
  #values = new Deque<QueueItem>();
  #deliveries = new Deque<number>();
  /** The deliveries of the item the last {@link shift} removed. */
  shiftedDeliveries = 0;

  get length(): number {
    return this.#values.length;
  }

  push(value: QueueItem, deliveries: number): void {
    this.#values.push(value);
    this.#deliveries.push(deliveries);
  }

  /** The oldest item, left in place (undefined when empty). */
  peek(): QueueItem {
    return this.#values.peek();
  }

  /** Removes the oldest item and returns it (its deliveries in {@link shiftedDeliveries}). */
  shift(): QueueItem {
    this.shiftedDeliveries = this.#deliveries.shift() ?? 0;
    return this.#values.shift();
  }

  /** Removes the `n` oldest items (all of them, if fewer). */
  drop(n: number): void {
    for (let i = Math.min(n, this.length); i > 0; i--) this.shift();
  }

  /** Removes every item: values and deliveries, oldest first. */
  drain(): { values: QueueItem[]; deliveries: number[] } {
    return { values: this.#values.drain(), deliveries: this.#deliveries.drain() };
  }
}
