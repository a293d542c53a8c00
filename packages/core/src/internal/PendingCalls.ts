/**
 * Calls awaiting an answer by numeric id, each settled exactly once: by its answer, its
 * timeout (through the injected clock), its abort signal, or `rejectAll` when the peer dies.
 */

import type { Clock, TimerHandle } from '../Clock.js';
import { deferred } from './deferred.js';

interface Entry {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Options for one pending call. */
export interface PendingOptions {
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Builds the timeout error. */
  readonly onTimeout: (timeoutMs: number) => Error;
}

export class PendingCalls {
  readonly #clock: Clock;
  readonly #entries = new Map<number, Entry>();
  #nextId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Registers a call and returns its id and promise. Rejects at once if `signal` is already
   * aborted (the id is then never used).
   */
  create<T>(options: PendingOptions): { id: number; promise: Promise<T> } {
    const id = this.#nextId++;
    const { promise, resolve, reject } = deferred<T>();
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return { id, promise };
    }
    const entry: Entry = {
      resolve: resolve as (value: unknown) => void,
      reject,
      timer: undefined,
      signal,
      onAbort: undefined,
    };
    if (timeoutMs !== undefined) {
      entry.timer = this.#clock.setTimeout(() => this.reject(id, options.onTimeout(timeoutMs)), timeoutMs);
    }
    if (signal !== undefined) {
      entry.onAbort = () => this.reject(id, signal.reason);
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    this.#entries.set(id, entry);
    return { id, promise };
  }

  /** Settles call `id` with a value; false if it was already settled. */
  resolve(id: number, value: unknown): boolean {
    const entry = this.#take(id);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Settles call `id` with an error; false if it was already settled. */
  reject(id: number, error: unknown): boolean {
    const entry = this.#take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Rejects every pending call (the peer died or the channel closed). */
  rejectAll(error: () => unknown): void {
    for (const id of [...this.#entries.keys()]) this.reject(id, error());
  }

  #take(id: number): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    return entry;
  }
}
