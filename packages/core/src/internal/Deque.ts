/**
 * A FIFO queue with O(1) push and shift: a ring buffer whose capacity doubles when full, so a
 * long queue that is pushed and shifted in turn never copies its items again.
 */
export class Deque<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  #mask = 15;
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const all = new Array<T>(this.#length);
    for (let i = 0; i < this.#length; i++) all[i] = this.#items[(this.#head + i) & this.#mask] as T;
    this.#items = new Array<T | undefined>(16).fill(undefined);
    this.#mask = 15;
    this.#head = 0;
    this.#length = 0;
    return all;
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const items = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.#length; i++) items[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
