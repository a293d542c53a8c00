/**
 * A pool's workers: starting them (a few at a time), replacing those that exit while work is
 * wanted, sending them their batches, and handing what they answer to the scheduler. Every frame
 * goes through `wire.ts`.
 */

import { availableParallelism } from 'node:os';
import {
  type Clock,
  type ExitInfo,
  type Placement,
  PoolBrokenError,
  PoolTerminatedError,
} from '@troupe/core';
import {
  assertNever,
  type ChunkMessage,
  type PoolScheduler,
  type RefusedChunk,
  taskAddress,
} from '@troupe/core/spi';
import type { ActorHandle } from '../root/ActorHandle.js';
import type { HostChoice, HostInfo } from '../shared/cluster.js';
import { hostForWorker } from './hostForWorker.js';
import { Limiter } from './Limiter.js';
import type { PoolOptions } from './PoolOptions.js';
import type { PoolWorkerArgs } from './PoolWorker.js';
import { readWorkerFrame, type SkipFrame, sendBatch, skipFrame, type WorkerNote } from './wire.js';

/** Workers of one pool starting at once (two per CPU, at most 8): see `PoolOptions.size`. */
const STARTS_IN_FLIGHT = Math.max(1, Math.min(8, 2 * availableParallelism()));

/**
 * A started pool worker: its handle, and its link to the pool, which is its own channel (`pool`
 * frames beside the batches it is sent as actor messages).
 */
export interface PoolWorkerLink {
  readonly handle: ActorHandle<never, unknown>;
  /** Sends the worker a note, out of turn (its batches wait in turn as actor messages). */
  send(frame: SkipFrame): void;
  /** Where the worker's frames go, as they arrive. */
  listen(listener: (frame: unknown) => void): void;
}

/** What a pool needs from its actor system. */
export interface PoolHost {
  readonly clock: Clock;
  /** The system is shutting down: no more workers. */
  readonly shuttingDown: boolean;
  /** The system's hosts (none without a cluster). */
  hosts(): readonly HostInfo[];
  /** Starts a pool worker (an internal actor: nothing else can address it). */
  spawnWorker(
    args: PoolWorkerArgs,
    placement: Exclude<Placement, 'local'>,
    hosts: string | readonly string[] | undefined,
  ): Promise<PoolWorkerLink>;
}

/** The pool as its workers see it. */
export interface WorkersOwner {
  /** A worker that exits now is replaced (the pool is open, or closed with work left). */
  wantsWorkers(): boolean;
  /** The pool takes no more workers (terminated or broken). */
  ended(): boolean;
  /** No worker can be had: the pool ends so, failing its calls with `error`. */
  end(state: 'terminated' | 'broken', error: Error): void;
}

/**
 * The workers of one pool, by actor id.
 *
 * @example
 * ```ts
 * const workers = new PoolWorkers(host, options, 4, owner, scheduler);
 * await workers.start();
 * ```
 */
export class PoolWorkers {
  readonly #host: PoolHost;
  readonly #options: PoolOptions;
  readonly #size: number;
  readonly #owner: WorkersOwner;
  readonly #scheduler: () => PoolScheduler;
  readonly #links = new Map<string, PoolWorkerLink>();
  /** Bounds the workers starting at once, at the pool's start and when replacing workers. */
  readonly #starts = new Limiter(STARTS_IN_FLIGHT);
  #startFailures = 0;

  constructor(
    host: PoolHost,
    options: PoolOptions,
    size: number,
    owner: WorkersOwner,
    scheduler: () => PoolScheduler,
  ) {
    this.#host = host;
    this.#options = options;
    this.#size = size;
    this.#owner = owner;
    this.#scheduler = scheduler;
  }

  /** The pids of the current workers (process placement). */
  get pids(): number[] {
    return [...this.#links.values()].flatMap((w) => (w.handle.pid === undefined ? [] : [w.handle.pid]));
  }

  /** Starts the pool's workers; resolves once each has started, or the pool has ended. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.#size }, () => this.#startWorker()));
  }

  /** Sends a batch to a worker; a chunk that cannot be sent at all goes to `refuse`. */
  send(worker: string, batch: ChunkMessage[], refuse: (refused: RefusedChunk) => void): void {
    const link = this.#links.get(worker);
    if (link !== undefined) sendBatch((frame) => link.handle.send(frame as never), batch, refuse);
  }

  /** Tells a worker to skip `chunks` (their call was aborted) if it has not begun them. */
  skip(worker: string, chunks: readonly number[]): void {
    this.#links.get(worker)?.send(skipFrame(chunks));
  }

  /** Kills a worker (it is replaced if work is wanted). */
  kill(worker: string): void {
    this.#links.get(worker)?.handle.kill();
  }

  /** Stops a worker that has done its share (it is replaced). */
  recycle(worker: string): void {
    void this.#links.get(worker)?.handle.stop();
  }

  /** Kills every worker; resolves once they are gone. */
  async killAll(): Promise<void> {
    for (const link of this.#links.values()) link.handle.kill();
    await Promise.all([...this.#links.values()].map((link) => link.handle.exited));
  }

  /** Stops every worker politely; resolves once they are gone. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => link.handle.stop()));
  }

  /** Starts a worker (waiting for a place among the starts in flight), trying again if it fails. */
  async #startWorker(): Promise<void> {
    // Each attempt gives its place back before the next, so retries never wait on themselves.
    while (!(await this.#starts.run(() => this.#tryStartWorker())));
  }

  /** Where a pool across hosts starts its next worker (see hostForWorker); undefined: here. */
  #nextHost(): HostChoice | undefined {
    const { hosts, size, sizePerHost } = this.#options;
    if (hosts === undefined) return undefined;
    const on = (host: string) => [...this.#links.values()].filter((l) => l.handle.host === host).length;
    return hostForWorker(hosts, { size, sizePerHost }, this.#host.hosts(), on);
  }

  /** One attempt: true once done (started, or no worker is wanted), false to try again. */
  async #tryStartWorker(): Promise<boolean> {
    if (this.#owner.ended()) return true;
    if (this.#host.shuttingDown) {
      this.#owner.end('terminated', new PoolTerminatedError('The actor system is shutting down'));
      return true;
    }
    const init = this.#options.initializer;
    let link: PoolWorkerLink;
    try {
      link = await this.#host.spawnWorker(
        {
          initializer:
            init === undefined ? undefined : { task: taskAddress(init.task), args: init.args ?? [] },
        },
        this.#options.placement ?? 'process',
        this.#nextHost(),
      );
    } catch (error) {
      this.#startFailures++;
      if (this.#startFailures > (this.#options.maxStartFailures ?? 2 * this.#size + 2)) {
        this.#owner.end(
          'broken',
          new PoolBrokenError('Pool workers keep failing to start', { cause: error }),
        );
        return true;
      }
      return false;
    }
    this.#startFailures = 0;
    const id = link.handle.id;
    this.#links.set(id, link);
    const scheduler = this.#scheduler();
    link.listen((frame) => this.#read(scheduler, id, frame));
    void link.handle.exited.then((exit) => this.#onExit(id, exit));
    scheduler.addWorker(id);
    return true;
  }

  /** Hands what a worker sent to the scheduler. */
  #read(scheduler: PoolScheduler, worker: string, frame: unknown): void {
    let note: WorkerNote;
    try {
      note = readWorkerFrame(frame);
    } catch {
      // A worker that answers in no form it could have sent is broken: its death requeues (or
      // blames) its items, as any death does, so no call waits on it.
      this.kill(worker);
      return;
    }
    switch (note.kind) {
      case 'begun':
        scheduler.begun(worker, note.begun);
        break;
      case 'answers':
        scheduler.answers(worker, note.answers);
        break;
      case 'units':
        scheduler.unitAnswers(worker, note.answers);
        break;
      default:
        assertNever(note);
    }
  }

  #onExit(worker: string, exit: ExitInfo): void {
    this.#links.delete(worker);
    this.#scheduler().removeWorker(worker, exit);
    if (this.#owner.wantsWorkers()) void this.#startWorker();
  }
}
