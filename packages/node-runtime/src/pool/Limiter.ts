/**
 * Runs async jobs with at most `limit` of them running at once; the others wait their turn, first
 * come first served. A job that throws frees its place as one that returns does.
 */
export class Limiter {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`Limiter limit ${limit}`);
    this.#limit = limit;
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a place. */
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limit) this.#running++;
    // A job that ends hands its place straight to the next in line: `running` stays the same.
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#running--;
      else next();
    }
  }
}
