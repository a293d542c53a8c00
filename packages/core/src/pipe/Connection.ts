/**
 * One end of a pipe: Python's `Connection`. Point-to-point, FIFO, at-most-once.
 *
 * @module
 */

import type { Clock, TimerHandle } from '../Clock.js';
import { Portable, type PortableData } from '../Codec.js';
import { BrokenPipeError, PipeClosedError, TimeoutError, WrongPipeEndError } from '../errors.js';
import { Deque } from '../internal/Deque.js';
import { untilClosed } from '../internal/untilClosed.js';
import { checkTimeout, checkWaitOptions } from '../validate.js';

/**
 * Which end of a pipe: the first or the second returned by `system.pipe()`.
 *
 * @example
 * ```ts
 * const [left, right] = system.pipe<string>();
 * const sides: PipeSide[] = [left.info.side, right.info.side]; // ['a', 'b']
 * ```
 */
export type PipeSide = 'a' | 'b';

/**
 * A pipe end's identity, as it travels inside messages.
 *
 * @example
 * ```ts
 * const [reader, writer] = system.pipe<string>({ duplex: false });
 * const info: PipeEndInfo = reader.info; // { pipe: '...', side: 'a', duplex: false }
 * console.log(reader.readable, writer.writable); // true true
 * ```
 */
export interface PipeEndInfo {
  readonly pipe: string;
  readonly side: PipeSide;
  /** False for a one-way pipe. */
  readonly duplex: boolean;
}

/**
 * A pipe end as the runtime passes it around: its {@link PipeEndInfo} and the key, made at random
 * with the pipe, that a worker shows when it claims the end. The key travels only inside the end
 * itself, so only a worker that was handed the end can claim it.
 */
export interface PipeEnd extends PipeEndInfo {
  readonly key: string;
}

/** What carries a pipe end's data; supplied by the runtime where the end is used. */
export interface PipeLink {
  /** Claims the end for this place; called before its first use. */
  attach(end: PipeEnd, connection: Connection<unknown, unknown>): void;
  /** Encodes and sends `value` to the other end; throws `SerializationError` synchronously. */
  send(end: PipeEndInfo, value: unknown): void;
  /** Tells the other end this one has closed. */
  close(end: PipeEndInfo): void;
  /** The end is leaving this place inside a message; returns what it had received, unread. */
  release(end: PipeEndInfo, unread: unknown[]): void;
}

/**
 * `recv` options.
 *
 * @example
 * ```ts
 * const first = await conn.recv({ timeoutMs: 1000 }); // rejects TimeoutError after a second
 * const second = await conn.recv({ signal: AbortSignal.timeout(1000) });
 * ```
 */
export interface RecvOptions {
  /** Reject with `TimeoutError` if nothing arrives within this many milliseconds. */
  readonly timeoutMs?: number;
  /** Reject with the signal's reason when it aborts. */
  readonly signal?: AbortSignal;
}

interface Waiter {
  wake(): void;
}

/**
 * An end of a pipe made by `system.pipe<A, B>()`. The first end sends `A` and receives `B`, the
 * second sends `B` and receives `A`; of a one-way pipe (`{ duplex: false }`) the first end only
 * receives and the second only sends, as in Python.
 *
 * After the other end closes (or its process dies) and what it sent is drained, `recv` rejects
 * `PipeClosedError`, `poll` reports ready, and `send` rejects `BrokenPipeError`. An end can be
 * handed to an actor inside a message or spawn arguments; it then belongs there, and using it
 * here throws.
 *
 * @typeParam In - what `recv` yields
 * @typeParam Out - what `send` takes
 *
 * @example
 * ```ts
 * const [left, right] = system.pipe<string, number>();
 * await left.send('ping');
 * console.log(await right.recv()); // 'ping'
 * await right.send(42);
 * console.log(await left.recv({ timeoutMs: 1000 })); // 42
 * ```
 */
export class Connection<In = unknown, Out = unknown> extends Portable implements AsyncIterable<In> {
  readonly #end: PipeEnd;
  readonly #info: PipeEndInfo;
  readonly #link: PipeLink;
  readonly #clock: Clock;
  readonly #inbox = new Deque<unknown>();
  readonly #waiters = new Set<Waiter>();
  #attached = false;
  #closedHere = false;
  #peerClosed = false;
  #transferred = false;

  /** @internal Made by the runtime (`system.pipe`, or an end arriving in a message). */
  constructor(end: PipeEnd, link: PipeLink, clock: Clock) {
    super();
    this.#end = end;
    this.#info = { pipe: end.pipe, side: end.side, duplex: end.duplex };
    this.#link = link;
    this.#clock = clock;
  }

  /** The pipe's id and this end's side. */
  get info(): PipeEndInfo {
    return this.#info;
  }

  /** True once this end or the other has closed. */
  get closed(): boolean {
    return this.#closedHere || this.#peerClosed;
  }

  /** True if this end can send. */
  get writable(): boolean {
    return this.#info.duplex || this.#info.side === 'b';
  }

  /** True if this end can receive. */
  get readable(): boolean {
    return this.#info.duplex || this.#info.side === 'a';
  }

  /**
   * Sends `value` to the other end. Throws `SerializationError` synchronously for a value that
   * cannot be sent; rejects `BrokenPipeError` if either end has closed.
   */
  send(value: Out): Promise<void> {
    this.#usable('send');
    if (!this.writable) throw new WrongPipeEndError('This end of a one-way pipe only receives');
    if (this.#closedHere) return Promise.reject(new BrokenPipeError('This end of the pipe is closed'));
    if (this.#peerClosed) return Promise.reject(new BrokenPipeError('The other end of the pipe has closed'));
    this.#link.send(this.#info, value);
    return Promise.resolve();
  }

  /**
   * Resolves with the next value the other end sent, waiting for one. Rejects
   * `PipeClosedError` once the other end has closed and everything it sent has been received,
   * `TimeoutError` past `timeoutMs`, `InvalidArgumentError` for options that are not valid (a
   * negative or NaN `timeoutMs`, say).
   */
  async recv(options: RecvOptions = {}): Promise<In> {
    checkWaitOptions(options, 'recv');
    this.#usable('recv');
    if (!this.readable) throw new WrongPipeEndError('This end of a one-way pipe only sends');
    for (;;) {
      if (this.#inbox.length > 0) return this.#inbox.shift() as In;
      if (this.#closedHere) throw new PipeClosedError('This end of the pipe is closed');
      if (this.#peerClosed) throw new PipeClosedError('The other end of the pipe has closed');
      const arrived = await this.#wait(options.timeoutMs, options.signal);
      if (!arrived) throw new TimeoutError(`Nothing arrived on the pipe within ${options.timeoutMs} ms`);
    }
  }

  /**
   * Resolves true when `recv` would not wait: data is there, or the other end has closed.
   * Waits up to `timeoutMs` (default 0: answer now); rejects `InvalidArgumentError` unless it is
   * a finite number ≥ 0.
   */
  async poll(timeoutMs = 0): Promise<boolean> {
    checkTimeout(timeoutMs, 'poll(timeoutMs)');
    this.#usable('poll');
    if (!this.readable) throw new WrongPipeEndError('This end of a one-way pipe only sends');
    if (this.#ready()) return true;
    if (timeoutMs <= 0) return false;
    await this.#wait(timeoutMs, undefined);
    return this.#ready();
  }

  /** Closes this end. The other end receives what was sent before, then sees the close. */
  close(): void {
    if (this.#transferred || this.#closedHere) return;
    this.#attach();
    this.#closedHere = true;
    this.#link.close(this.#info);
    this.#wakeAll();
  }

  /** Yields every value received until the other end closes. */
  [Symbol.asyncIterator](): AsyncGenerator<In, void, undefined> {
    return untilClosed(() => this.recv(), PipeClosedError);
  }

  /** @internal The runtime delivers a value from the other end. */
  deliver(value: unknown): void {
    this.#inbox.push(value);
    this.#wakeAll();
  }

  /** @internal The runtime reports the other end closed (or its process died). */
  peerClosed(): void {
    this.#peerClosed = true;
    this.#wakeAll();
  }

  toPortable(): PortableData {
    return { kind: 'pipe', data: this.#end };
  }

  /** Sent to another actor: this end belongs there now, with what it had not read yet. */
  override sent(): void {
    if (this.#transferred) return;
    this.#transferred = true;
    if (this.#attached) this.#link.release(this.#end, this.#inbox.drain());
    this.#wakeAll();
  }

  #usable(op: string): void {
    if (this.#transferred) {
      throw new WrongPipeEndError(
        `Cannot ${op}: this pipe end was handed to another actor and belongs there now`,
      );
    }
    this.#attach();
  }

  #attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    this.#link.attach(this.#end, this as Connection<unknown, unknown>);
  }

  #ready(): boolean {
    return this.#inbox.length > 0 || this.#peerClosed || this.#closedHere;
  }

  /** Resolves true when woken, false at the timeout; rejects when `signal` aborts. */
  #wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: TimerHandle | undefined;
      const done = () => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        wake: () => {
          done();
          resolve(true);
        },
      };
      const onAbort = () => {
        done();
        reject(signal?.reason);
      };
      this.#waiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = this.#clock.setTimeout(() => {
          done();
          resolve(false);
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }
}

/** True for a well-formed pipe end (as arrives inside a message). */
export function isPipeEnd(value: unknown): value is PipeEnd {
  if (typeof value !== 'object' || value === null) return false;
  const { pipe, side, duplex, key } = value as Record<string, unknown>;
  return (
    typeof pipe === 'string' &&
    (side === 'a' || side === 'b') &&
    typeof duplex === 'boolean' &&
    typeof key === 'string'
  );
}
