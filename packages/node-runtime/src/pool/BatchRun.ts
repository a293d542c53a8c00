/**
 * Running one batch of chunks in a pool worker: the items of each chunk in order, their answers
 * collected (numbers straight into a typed array) and sent together at the end of the batch,
 * and every few milliseconds before that, so when a worker dies the pool knows which items it had
 * finished (all but those of the batch it was running, at most BATCH_MS' worth).
 */

import { type ChunkAnswers, type ChunkMessage, setTaskAttempt } from '@troupe/core/spi';
import { isInt32, PACK_NUMBERS_FROM, type PackedNumbers } from './packNumbers.js';

/** Sends answers to the root, out before the next item begins. */
export type SendAnswers = (answers: ChunkAnswers[]) => Promise<void>;

/**
 * Answers wait together at most this long; a slower item is answered on its own. Every answer
 * message costs the root time that two busy workers on two cores would rather have: answering
 * every 4 ms instead of every 1 ms made a CPU-bound map about 5% faster here.
 */
const BATCH_MS = 4;
/** The most items a quick run goes between looks at the clock. */
const MAX_STRIDE = 4096;

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(`Non-error thrown: ${String(error)}`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

const NO_NUMBERS = new Float64Array(0);

/**
 * The answers of one stretch of a chunk. While every answer is a number they go straight into a
 * `Float64Array`, sent as one copy (as an `Int32Array` when every one is an int32, so the root
 * reads integers back as integers); the first other value or failure turns it into a plain array.
 */
class Segment {
  numbers: Float64Array;
  count = 0;
  /** Every number so far is an int32. */
  integers = true;
  mixed: unknown[] | undefined;
  failures: [number, Error][] = [];

  /** A segment too short to travel packed collects a plain array from the start. */
  constructor(capacity: number) {
    if (capacity < PACK_NUMBERS_FROM) {
      this.numbers = NO_NUMBERS;
      this.mixed = [];
    } else this.numbers = new Float64Array(capacity);
  }

  value(value: unknown): void {
    if (this.mixed === undefined && typeof value === 'number') {
      this.numbers[this.count++] = value;
      if (this.integers && !isInt32(value)) this.integers = false;
    } else {
      this.#toMixed().push(value);
      this.count++;
    }
  }

  failure(error: unknown): void {
    this.failures.push([this.count, errorOf(error)]);
    this.#toMixed().push(undefined);
    this.count++;
  }

  values(): PackedNumbers | unknown[] {
    if (this.mixed !== undefined) return this.mixed;
    const numbers = this.numbers.subarray(0, this.count);
    if (this.count < PACK_NUMBERS_FROM) return Array.from(numbers);
    if (this.integers) return new Int32Array(numbers);
    return this.count === this.numbers.length ? this.numbers : this.numbers.slice(0, this.count);
  }

  #toMixed(): unknown[] {
    this.mixed ??= Array.from(this.numbers.subarray(0, this.count));
    return this.mixed;
  }
}

/** Runs the chunks of a batch in order, collecting their answers. */
export class BatchRun {
  readonly #send: SendAnswers;
  /** Answers of finished chunks (and finished parts of the current one), not yet sent. */
  #pending: ChunkAnswers[] = [];
  #chunk = 0;
  #from = 0;
  #segment = new Segment(0);
  #since = performance.now();
  /** Items between looks at the clock: doubles while items are quick, shrinks when they are not. */
  #stride = 1;
  #lastLook = this.#since;
  /** What the last item of a quick run returned when it was a promise. */
  #awaiting: PromiseLike<unknown> | undefined;

  constructor(send: SendAnswers) {
    this.#send = send;
  }

  async run(fn: (...args: unknown[]) => unknown, msg: ChunkMessage): Promise<void> {
    setTaskAttempt(msg.attempt);
    this.#chunk = msg.chunk;
    this.#from = msg.offset ?? 0;
    const count = msg.args.length;
    this.#segment = new Segment(count);
    for (let i = 0; i < count; ) {
      i = msg.eager ? this.#runOne(fn, msg, i) : this.#runQuick(fn, msg, i, count);
      const awaiting = this.#awaiting;
      if (awaiting !== undefined) {
        this.#awaiting = undefined;
        try {
          this.#segment.value(await awaiting);
        } catch (error) {
          this.#segment.failure(error);
        }
      }
      if (msg.eager || (i < count && this.#due())) await this.flush(count - i);
    }
    this.#endSegment(0);
  }

  /**
   * Runs items from `i` while they answer synchronously and no flush is due, and returns the
   * next index; an item that returned a promise ends the run, its promise left in #awaiting.
   * A plain loop in a plain function, so V8 optimises it after a few thousand quick items.
   */
  #runQuick(fn: (...args: unknown[]) => unknown, msg: ChunkMessage, from: number, count: number): number {
    const { args, unary } = msg;
    const segment = this.#segment;
    let look = from + this.#stride;
    for (let i = from; i < count; ) {
      let value: unknown;
      try {
        value = unary ? fn(args[i]) : fn(...(args[i] as unknown[]));
      } catch (error) {
        segment.failure(error);
        i++;
        continue;
      }
      i++;
      if (isThenable(value)) {
        this.#awaiting = value;
        return i;
      }
      segment.value(value);
      if (i >= look) {
        if (this.#due()) return i;
        look = i + this.#stride;
      }
    }
    return count;
  }

  /** One item, whose answer is sent as soon as it is known. */
  #runOne(fn: (...args: unknown[]) => unknown, msg: ChunkMessage, i: number): number {
    const args = msg.args[i];
    try {
      const value = msg.unary ? fn(args) : fn(...(args as unknown[]));
      if (isThenable(value)) this.#awaiting = value;
      else this.#segment.value(value);
    } catch (error) {
      this.#segment.failure(error);
    }
    return i + 1;
  }

  /** Answers every item of a chunk (part) as failed with `error`, without running it. */
  failAll(msg: ChunkMessage, error: Error): void {
    const count = msg.args.length;
    this.#pending.push({
      chunk: msg.chunk,
      from: msg.offset ?? 0,
      values: new Array(count),
      failures: Array.from({ length: count }, (_, k) => [k, error] as const),
    });
  }

  /** Whether answers have waited BATCH_MS; adjusts how often the clock is read. */
  #due(): boolean {
    const now = performance.now();
    const sinceLook = now - this.#lastLook;
    this.#lastLook = now;
    if (sinceLook < BATCH_MS / 8) this.#stride = Math.min(MAX_STRIDE, this.#stride * 2);
    else if (sinceLook > BATCH_MS / 2) this.#stride = Math.max(1, this.#stride >> 2);
    return now - this.#since > BATCH_MS;
  }

  /** Sends everything answered so far, and lets it leave before the next item starts. */
  async flush(remaining = 0): Promise<void> {
    this.#endSegment(remaining);
    this.#since = performance.now();
    if (this.#pending.length === 0) return;
    const answers = this.#pending;
    this.#pending = [];
    // Out before the next item begins: the pool tells the running item from the finished ones
    // by what it has heard.
    await this.#send(answers);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Closes the current segment's answers; `remaining` items of the chunk are still to run. */
  #endSegment(remaining: number): void {
    const segment = this.#segment;
    if (segment.count === 0) return;
    this.#pending.push({
      chunk: this.#chunk,
      from: this.#from,
      values: segment.values(),
      failures: segment.failures,
    });
    this.#from += segment.count;
    this.#segment = new Segment(remaining);
  }
}
