/**
 * A task running in its own process: Troupe's `multiprocessing.Process`.
 *
 * @module
 */

import { constants } from 'node:os';
import type { Clock, ExitInfo } from '@troupe/core';
import { checkTimeout } from '@troupe/core/spi';
import type { WorkerCell } from './WorkerCell.js';

/**
 * A handle on a task started by {@link ActorSystem.process}.
 *
 * @typeParam Result - what the task returns
 *
 * @example
 * ```ts
 * const p = await system.process(hello, 'world');
 * await p.join();
 * console.log(p.exitInfo?.reason, p.exitCode); // 'normal' 0
 * ```
 */
export class ProcessHandle<Result = unknown> {
  readonly #cell: WorkerCell;
  readonly #clock: Clock;

  /** @internal Made by `ActorSystem.process`. */
  constructor(cell: WorkerCell, clock: Clock) {
    this.#cell = cell;
    this.#clock = clock;
  }

  /** The OS process id. */
  get pid(): number | undefined {
    return this.#cell.pid;
  }

  /** True until the process has exited. */
  get isAlive(): boolean {
    return this.#cell.phase !== 'exited';
  }

  /** How it exited, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#cell.exitInfo;
  }

  /**
   * Python's `exitcode`: `null` while running, the exit code once exited, or the negated signal
   * number when a signal killed it.
   */
  get exitCode(): number | null {
    const exit = this.#cell.exitInfo;
    if (exit === undefined) return null;
    if (exit.signal !== null) return -(constants.signals[exit.signal as NodeJS.Signals] ?? 0);
    return exit.code;
  }

  /** Settles with the exit when the process ends. */
  get exited(): Promise<ExitInfo> {
    this.#cell.watch();
    return this.#cell.exited;
  }

  /**
   * Waits for the process to end, at most `timeoutMs` when given. Resolves with the exit, or with
   * `undefined` if the time ran out first; never rejects (like Python's `join`).
   */
  join(timeoutMs?: number): Promise<ExitInfo | undefined> {
    this.#cell.watch();
    if (timeoutMs === undefined) return this.#cell.exited;
    checkTimeout(timeoutMs, 'join(timeoutMs)');
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => resolve(undefined), timeoutMs);
      void this.#cell.exited.then((exit) => {
        this.#clock.clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  /**
   * Resolves with the task's return value; rejects with `ActorCrashedError` (the remote error
   * as its cause) if the task threw or the process died.
   */
  result(): Promise<Result> {
    this.#cell.watch();
    return this.#cell.result as Promise<Result>;
  }

  /** Sends SIGTERM (Python's `terminate()`). */
  terminate(): void {
    this.#cell.kill('SIGTERM');
  }

  /** Sends SIGKILL (Python's `kill()`). */
  kill(): void {
    this.#cell.kill('SIGKILL');
  }
}
