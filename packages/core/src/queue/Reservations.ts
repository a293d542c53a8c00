/**
 * Places in a bounded queue reserved for producers in other processes, so that their puts need
 * not wait a round trip each. A producer whose put is admitted is granted a few more places
 * (at most an eighth of the queue's capacity, and only places free then); its next puts use them
 * at once and travel to the root in one batch. Reserved places count as taken for everyone else,
 * so the queue never holds more than its capacity. A producer hands back what it did not use, and
 * a producer that dies loses its reservation.
 *
 * @module
 */

/** The places reserved in one queue, by producer. */
export class Reservations {
  readonly #byProducer = new Map<string, number>();
  #total = 0;

  /** Places reserved, all producers together. */
  get total(): number {
    return this.#total;
  }

  /**
   * Reserves up to `want` places for `producer`: no more than `free` (places neither filled nor
   * reserved) and no more than an eighth of `capacity` (so several producers can hold some).
   * Returns how many were reserved.
   */
  grant(producer: string, want: number, free: number, capacity: number): number {
    const held = this.#byProducer.get(producer) ?? 0;
    const most = Math.max(1, Math.floor(capacity / 8)) - held;
    const granted = Math.max(0, Math.min(want, free, most));
    if (granted > 0) {
      this.#byProducer.set(producer, held + granted);
      this.#total += granted;
    }
    return granted;
  }

  /** `producer` fills `n` of its places (returns how many it had: the rest were not reserved). */
  use(producer: string, n: number): number {
    const used = Math.min(n, this.#byProducer.get(producer) ?? 0);
    this.release(producer, used);
    return used;
  }

  /** `producer` gives back `n` of its places (or all it has, if fewer). Returns how many. */
  release(producer: string, n: number): number {
    const held = this.#byProducer.get(producer) ?? 0;
    const released = Math.min(n, held);
    if (held - released === 0) this.#byProducer.delete(producer);
    else this.#byProducer.set(producer, held - released);
    this.#total -= released;
    return released;
  }

  /** `producer` is gone: every place it held is free again. Returns how many. */
  drop(producer: string): number {
    return this.release(producer, Number.POSITIVE_INFINITY);
  }
}
