/**
 * The items of a queue, or those one consumer holds, each with the number of times it has been
 * handed out: two parallel rings, so an item costs no object of its own.
 *
 * @module
 */

import type { QueueItem } from './QueueBackend.js';

export class ItemRing {
  #values: QueueItem[] = new Array<QueueItem>(16).fill(undefined);
  #deliveries = new Int32Array(16);
  #mask = 15;
  #head = 0;
  #length = 0;
  /** The deliveries of the item the last {@link shift} removed. */
  shiftedDeliveries = 0;

  get length(): number {
    return this.#length;
  }

  push(value: QueueItem, deliveries: number): void {
    if (this.#length > this.#mask) this.#grow();
    const at = (this.#head + this.#length) & this.#mask;
    this.#values[at] = value;
    this.#deliveries[at] = deliveries;
    this.#length++;
  }

  /** Removes the oldest item and returns it (its deliveries in {@link shiftedDeliveries}). */
  shift(): QueueItem {
    const at = this.#head;
    const value = this.#values[at];
    this.shiftedDeliveries = this.#deliveries[at] as number;
    this.#values[at] = undefined;
    this.#head = (at + 1) & this.#mask;
    this.#length--;
    return value;
  }

  /** Removes the `n` oldest items (all of them, if fewer). */
  drop(n: number): void {
    for (let i = Math.min(n, this.#length); i > 0; i--) this.shift();
  }

  /** Removes every item: values and deliveries, oldest first. */
  drain(): { values: QueueItem[]; deliveries: number[] } {
    const values = new Array<QueueItem>(this.#length);
    const deliveries = new Array<number>(this.#length);
    for (let i = 0; i < this.#length; i++) {
      const at = (this.#head + i) & this.#mask;
      values[i] = this.#values[at];
      deliveries[i] = this.#deliveries[at] as number;
    }
    this.#values = new Array<QueueItem>(16).fill(undefined);
    this.#deliveries = new Int32Array(16);
    this.#mask = 15;
    this.#head = 0;
    this.#length = 0;
    return { values, deliveries };
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const values = new Array<QueueItem>(capacity).fill(undefined);
    const deliveries = new Int32Array(capacity);
    for (let i = 0; i < this.#length; i++) {
      const at = (this.#head + i) & this.#mask;
      values[i] = this.#values[at];
      deliveries[i] = this.#deliveries[at] as number;
    }
    this.#values = values;
    this.#deliveries = deliveries;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
