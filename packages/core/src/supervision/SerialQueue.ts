/**
 * A supervisor's mailbox: its operations (start, stop, a child's exit, a restart due, ...) run
 * one at a time, in the order they arrive, as an OTP supervisor handles one message at a time.
 *
 * @module
 */

import { rethrowUncaught } from './rethrowUncaught.js';

/**
 * Runs async operations one after another.
 *
 * @example
 * ```ts
 * const ops = new SerialQueue();
 * ops.post(async () => { await stopChildren(); });
 * await ops.run(async () => console.log('runs after the stop completes'));
 * ```
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `op` once every operation queued before it has settled; settles as `op` does. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(op);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Queues `op` with nobody waiting for it (a child's exit, a restart falling due). Its failure,
   * which would be a bug, is rethrown as an uncaught error.
   */
  post(op: () => Promise<void>): void {
    this.run(op).catch(rethrowUncaught);
  }
}
