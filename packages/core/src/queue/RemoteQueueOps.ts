/**
 * Queue operations from inside a worker: each becomes a `qcall` frame to the root, which runs it
 * on the backend. Puts on unbounded queues do not wait for an answer; they are gathered and sent
 * in batches, flushed before any other frame so that order across channels is kept. A put on a
 * bounded queue waits for its answer, which reserves places for the puts after it (see
 * `Reservations`): those go at once, gathered like unbounded ones, until the places run out; what
 * the worker does not use it hands back as soon as it stops putting.
 *
 * @module
 */

import type { PendingCalls } from '../internal/PendingCalls.js';
import { type TakenItems, toWire } from './itemRun.js';
import { itemWireBytes, type QueueItem, type WaitOptions } from './QueueBackend.js';
import type { QueueOps } from './QueueClient.js';
import {
  type AnsweredQueueOp,
  type QueueAnswers,
  type QueueArgs,
  type QueueCallMessage,
  queueCall,
} from './queueCall.js';

/** Items gathered per batch frame before it is sent regardless. */
const BATCH_BYTES = 256 * 1024;
/**
 * Places a bounded put asks to have reserved with it (the root grants at most an eighth of the
 * queue's capacity, and only places free then): the puts after it go at once, in one batch.
 */
const RESERVE_WANT = 1024;
/** What a gathered put returns: one promise for all of them, already resolved. */
const GATHERED: Promise<void> = Promise.resolve();

export class RemoteQueueOps implements QueueOps {
  readonly #sendFrame: (message: QueueCallMessage) => void;
  readonly #pending: PendingCalls;
  readonly #schedule: (fn: () => void) => void;
  /** The most bytes of items in one batch frame. */
  readonly #batchLimit: number;
  #batchQueue: string | undefined;
  #batch: QueueItem[] = [];
  #batchBytes = 0;
  #scheduled = false;
  readonly #acks = new Map<string, number>();
  /** Places reserved for this worker in bounded queues, by queue. */
  readonly #reserved = new Map<string, number>();
  /** Queues put to since the last flush: the places of the others are handed back. */
  readonly #putting = new Set<string>();
  /**
   * Admitted puts on their way, by queue: while one waits at the root, later puts go the same
   * way (behind it, in order), not into places, which would overtake it.
   */
  readonly #admitting = new Map<string, number>();
  /** Acks for the queue acked last, not yet in #acks: a draining consumer counts without a map. */
  #ackQueue: string | undefined;
  #ackCount = 0;

  /**
   * @param send - sends a frame to the root (through the worker's channel)
   * @param pending - the worker's pending calls, answered by `reply` / `fail`
   * @param schedule - runs a function soon after the current task (Node: `setImmediate`)
   * @param maxMessageBytes - the channel's message limit: a batch frame holds at most this many
   *   bytes of items, so it fits the frame limit whatever the items
   */
  constructor(
    send: (message: QueueCallMessage) => void,
    pending: PendingCalls,
    schedule: (fn: () => void) => void,
    maxMessageBytes = BATCH_BYTES,
  ) {
    this.#sendFrame = send;
    this.#pending = pending;
    this.#schedule = schedule;
    this.#batchLimit = Math.min(BATCH_BYTES, maxMessageBytes);
  }

  put(queue: string, item: QueueItem, options: WaitOptions | undefined, bounded: boolean): Promise<void> {
    if (options?.signal !== undefined) return this.#call('put', queue, item, options);
    if (bounded && !this.#takePlace(queue)) {
      // No place reserved: this put waits for room, and reserves places for the next ones.
      this.#putting.add(queue);
      this.#admitting.set(queue, (this.#admitting.get(queue) ?? 0) + 1);
      const admitted = () => {
        const left = (this.#admitting.get(queue) ?? 1) - 1;
        if (left > 0) this.#admitting.set(queue, left);
        else this.#admitting.delete(queue);
      };
      return this.#call('admit', queue, [item, RESERVE_WANT], options).then(
        (reserved) => {
          admitted();
          if (reserved > 0) this.#reserved.set(queue, (this.#reserved.get(queue) ?? 0) + reserved);
        },
        (error: unknown) => {
          admitted();
          throw error;
        },
      );
    }
    this.#gather(queue, item);
    return GATHERED;
  }

  /** Uses a place reserved in `queue`, if there is one and no admitted put is on its way. */
  #takePlace(queue: string): boolean {
    const places = this.#reserved.get(queue) ?? 0;
    if (places === 0 || this.#admitting.has(queue)) return false;
    this.#reserved.set(queue, places - 1);
    this.#putting.add(queue);
    return true;
  }

  #gather(queue: string, item: QueueItem): void {
    const bytes = itemWireBytes(item);
    if (this.#batch.length > 0 && (this.#batchQueue !== queue || this.#batchBytes + bytes > this.#batchLimit))
      this.flush();
    this.#batchQueue = queue;
    this.#batch.push(item);
    this.#batchBytes += bytes;
    if (this.#batchBytes >= this.#batchLimit) this.flush();
    else this.#soon();
  }

  #soon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      this.flush();
    });
  }

  /** Sends the gathered puts and acks now. Called before any other frame leaves the worker. */
  flush(): void {
    this.#gatherAcks();
    if (this.#acks.size > 0) {
      const acks = [...this.#acks];
      this.#acks.clear();
      for (const [q, n] of acks) this.#sendFrame(queueCall('ack', 0, q, n, undefined));
    }
    const queue = this.#batchQueue;
    if (queue !== undefined && this.#batch.length > 0) {
      const items = this.#batch;
      this.#batch = [];
      this.#batchBytes = 0;
      this.#batchQueue = undefined;
      this.#sendFrame(queueCall('puts', 0, queue, toWire(items), undefined));
    }
    this.#releaseIdle();
  }

  /**
   * Hands back the places of queues not put to since the last flush; keeps the others' (a
   * producer still putting), and looks again at the next flush, which it makes sure comes.
   */
  #releaseIdle(): void {
    if (this.#reserved.size === 0) return;
    for (const [queue, places] of this.#reserved) {
      if (this.#putting.has(queue)) continue;
      this.#reserved.delete(queue);
      if (places > 0) this.#sendFrame(queueCall('release', 0, queue, places, undefined));
    }
    this.#putting.clear();
    if (this.#reserved.size > 0) this.#soon();
  }

  /** Any other frame: the puts gathered so far go first. */
  #send(message: QueueCallMessage): void {
    this.flush();
    this.#sendFrame(message);
  }

  tryPut(queue: string, item: QueueItem): Promise<boolean> {
    if (!this.#takePlace(queue)) return this.#call('tryPut', queue, item, undefined);
    this.#gather(queue, item);
    return Promise.resolve(true);
  }

  take(queue: string, max: number, options: WaitOptions | undefined): Promise<TakenItems> {
    // The acks gathered for this queue ride along: [max, acked].
    this.#gatherAcks();
    const acked = this.#acks.get(queue) ?? 0;
    this.#acks.delete(queue);
    return this.#call('take', queue, acked === 0 ? max : [max, acked], options);
  }

  tryTake(queue: string, max: number): Promise<TakenItems> {
    return this.#call('tryTake', queue, max, undefined);
  }

  ack(queue: string, n: number): void {
    // Gathered and sent with the next frame (or soon after), not one frame per item.
    if (queue !== this.#ackQueue) {
      this.#gatherAcks();
      this.#ackQueue = queue;
    }
    this.#ackCount += n;
    if (!this.#scheduled) this.#soon();
  }

  /** Moves the acks counted for the last queue into #acks. */
  #gatherAcks(): void {
    const queue = this.#ackQueue;
    if (queue === undefined || this.#ackCount === 0) return;
    this.#acks.set(queue, (this.#acks.get(queue) ?? 0) + this.#ackCount);
    this.#ackCount = 0;
  }

  taskDone(queue: string, n: number): void {
    this.#send(queueCall('taskDone', 0, queue, n, undefined));
  }

  giveBack(queue: string, n: number): void {
    this.#send(queueCall('giveBack', 0, queue, n, undefined));
  }

  join(queue: string, options: WaitOptions | undefined): Promise<void> {
    return this.#call('join', queue, undefined, options);
  }

  size(queue: string): Promise<number> {
    return this.#call('size', queue, undefined, undefined);
  }

  close(queue: string): Promise<void> {
    return this.#call('close', queue, undefined, undefined);
  }

  /**
   * A call answered by the root. Timeouts run at the root (so a wait that times out there frees
   * its place); an abort sends `cancel`, and if the answer won the race it is still delivered.
   */
  #call<Op extends AnsweredQueueOp>(
    op: Op,
    queue: string,
    arg: QueueArgs[Op],
    options: WaitOptions | undefined,
  ): Promise<QueueAnswers[Op]> {
    const { id, promise } = this.#pending.create<QueueAnswers[Op]>({
      onTimeout: () => new Error('unreachable'),
    });
    this.#send(queueCall(op, id, queue, arg, options?.timeoutMs));
    const signal = options?.signal;
    if (signal !== undefined) {
      const cancel = () => this.#send(queueCall('cancel', 0, queue, id, undefined));
      if (signal.aborted) cancel();
      else {
        signal.addEventListener('abort', cancel, { once: true });
        const off = () => signal.removeEventListener('abort', cancel);
        promise.then(off, off);
      }
      // A call cancelled by the signal rejects with the signal's reason, as a local wait would.
      return promise.catch((error: unknown) => {
        throw signal.aborted ? signal.reason : error;
      });
    }
    return promise;
  }
}
