/**
 * Warm standby workers: started with the system's default launch and left idle, so that a spawn
 * or a supervised restart adopts one instead of booting Node, the runtime and any loader from
 * scratch. A worker that has not been sent its `init` frame sends nothing and waits for one, so a
 * started worker is a standby until a cell takes its link and sends `init`.
 *
 * Each standby taken is replaced in the background once the worker that took it has started. One
 * that dies while idle is replaced too, without any exit being reported (no actor ran in it); if
 * they keep dying, the placement stops keeping standbys and its workers start cold, which reports
 * whatever is wrong as a spawn error.
 */

import type { Clock, Placement } from '@troupe/core';
import type { StandbyCounts } from '../options.js';
import type { WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';

/** The placements that start workers of their own, and so can keep standbys. */
export type StandbyPlacement = keyof StandbyCounts;

/** Idle deaths within DEATH_WINDOW_MS after which a placement keeps no more standbys. */
const MAX_IDLE_DEATHS = 3;
const DEATH_WINDOW_MS = 10_000;

export interface StandbyOptions {
  readonly counts: StandbyCounts;
  /** The system's default launch: what standbys start with, and what a launch must be to take one. */
  readonly launch: WorkerLaunch;
  readonly clock: Clock;
  /** Starts one worker (startWorker, with no heap limit of its own). */
  readonly start: (placement: StandbyPlacement, launch: WorkerLaunch) => WorkerLink;
}

/** One placement's standbys. */
interface Shelf {
  readonly placement: StandbyPlacement;
  readonly count: number;
  /** Started and not taken, oldest first (the likeliest to have booted). */
  readonly idle: WorkerLink[];
  /** When idle ones died, within the window. */
  deaths: number[];
  /** Standbys kept dying: none are started any more. */
  exhausted: boolean;
}

export class Standby {
  readonly #options: StandbyOptions;
  readonly #shelves = new Map<Placement, Shelf>();
  #closed = false;

  constructor(options: StandbyOptions) {
    this.#options = options;
    for (const placement of ['process', 'thread'] as const) {
      const count = options.counts[placement];
      if (count > 0)
        this.#shelves.set(placement, { placement, count, idle: [], deaths: [], exhausted: false });
    }
  }

  /** Idle standbys (some may still be booting), every placement together. */
  get size(): number {
    let size = 0;
    for (const shelf of this.#shelves.values()) size += shelf.idle.length;
    return size;
  }

  /** Starts the standbys. */
  fill(): void {
    for (const shelf of this.#shelves.values()) this.#refill(shelf);
  }

  /**
   * A standby for a worker to be started on `placement` with `launch` and `maxHeapMb`, if one is
   * idle and was started exactly so (a heap limit of its own, or other flags, need a fresh
   * worker). Its replacement starts as soon as the adopted worker first answers (it is ready, or
   * failed) or ends: a standby taken while still booting would otherwise boot alongside its own
   * replacement, and on a small machine take longer than a cold start.
   */
  take(placement: Placement, launch: WorkerLaunch, maxHeapMb: number | undefined): WorkerLink | undefined {
    const shelf = this.#shelves.get(placement);
    if (shelf === undefined || this.#closed || maxHeapMb !== undefined) return undefined;
    if (!sameLaunch(launch, this.#options.launch)) return undefined;
    const link = shelf.idle.shift();
    if (link === undefined) return undefined;
    let replaced = false;
    const replace = () => {
      if (replaced) return;
      replaced = true;
      this.#refill(shelf);
    };
    void link.exited.then(replace);
    return {
      pid: link.pid,
      transport: link.transport,
      exited: link.exited,
      kill: (signal) => link.kill(signal),
      attach: (receive) =>
        link.attach((chunk) => {
          receive(chunk);
          replace();
        }),
    };
  }

  /** Stops keeping standbys, kills the idle ones and resolves once they have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = [...this.#shelves.values()].flatMap((shelf) => shelf.idle.splice(0));
    for (const link of idle) link.kill('SIGKILL');
    await Promise.all(idle.map((link) => link.exited));
  }

  #refill(shelf: Shelf): void {
    while (!this.#closed && !shelf.exhausted && shelf.idle.length < shelf.count) this.#startOne(shelf);
  }

  #startOne(shelf: Shelf): void {
    let link: WorkerLink;
    try {
      link = this.#options.start(shelf.placement, this.#options.launch);
    } catch {
      // The launch itself is refused (a thread given flags it does not take): every cold start
      // would throw the same, and a spawn reports it to whoever asked for the worker.
      shelf.exhausted = true;
      return;
    }
    shelf.idle.push(link);
    void link.exited.then(() => {
      const at = shelf.idle.indexOf(link);
      if (at === -1) return; // taken (its cell reports the exit), or killed by close()
      shelf.idle.splice(at, 1);
      this.#noteDeath(shelf);
      this.#refill(shelf);
    });
  }

  #noteDeath(shelf: Shelf): void {
    const now = this.#options.clock.now();
    shelf.deaths = shelf.deaths.filter((at) => now - at < DEATH_WINDOW_MS);
    shelf.deaths.push(now);
    if (shelf.deaths.length >= MAX_IDLE_DEATHS) shelf.exhausted = true;
  }
}

function sameLaunch(a: WorkerLaunch, b: WorkerLaunch): boolean {
  return (
    a.maxMessageBytes === b.maxMessageBytes &&
    a.env === b.env &&
    a.cwd === b.cwd &&
    a.prefixOutput === b.prefixOutput &&
    a.execArgv.length === b.execArgv.length &&
    a.execArgv.every((flag, i) => flag === b.execArgv[i])
  );
}
