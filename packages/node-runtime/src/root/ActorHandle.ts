/**
 * The root's reference to a running actor: an {@link ActorRef} plus what only the root knows
 * (its pid, placement and exit).
 *
 * @module
 */

import type { ActorRef, AskOptions, ExitInfo, Placement, WaitOptions } from '@troupe/core';
import { checkWaitOptions, Portable, type PortableData } from '@troupe/core/spi';
import { checkAskOptions, checkSignal } from '../options.js';
import type { Recipient, Router } from './Router.js';
import type { WorkerCell } from './WorkerCell.js';

/**
 * A running actor as the root sees it. It is an {@link ActorRef}: send it inside messages or
 * spawn arguments and the receiving actor can talk to this actor too.
 *
 * @typeParam Msg - the messages the actor accepts
 * @typeParam Reply - what its asks resolve with
 *
 * @example
 * ```ts
 * const counter = await system.spawn(Counter, { start: 0 });
 * counter.send({ type: 'inc' });
 * console.log(await counter.ask({ type: 'get' }), counter.pid, counter.placement);
 * const exit = await counter.stop(); // { reason: 'shutdown', ... }
 * ```
 */
export class ActorHandle<Msg = unknown, Reply = unknown> extends Portable implements ActorRef<Msg, Reply> {
  #cell: WorkerCell;
  readonly #router: Router;
  /** Supervised: the handle outlives each incarnation, and its mailbox waits between them. */
  readonly #supervised: boolean;
  #retired = false;

  /** @internal Made by `ActorSystem.spawn` and by supervisors. */
  constructor(cell: WorkerCell, router: Router, supervised = false) {
    super();
    this.#cell = cell;
    this.#router = router;
    this.#supervised = supervised;
    controls.set(this as ActorHandle, {
      adopt: (next) => {
        this.#cell = next;
      },
      retire: () => {
        this.#retired = true;
      },
    });
  }

  /** Unique id within the system. */
  get id(): string {
    return this.#cell.id;
  }

  /** The name given at spawn, or the id. */
  get name(): string {
    return this.#cell.name;
  }

  /** Where the actor runs. */
  get placement(): Placement {
    return this.#cell.placement;
  }

  /** The OS process id (`'process'` placement only; on its own host, for a remote actor). */
  get pid(): number | undefined {
    return this.#cell.pid;
  }

  /** The host it runs on, for an actor spawned with `{ host }`; undefined on this host. */
  get host(): string | undefined {
    return this.#cell.host;
  }

  /**
   * Messages waiting in the actor's queue mailbox (not counting those its worker has taken
   * ahead); undefined for a pipe mailbox, whose messages wait in the worker.
   */
  get mailboxDepth(): number | undefined {
    return this.#router.mailboxDepth(this.id);
  }

  /** True until the actor has exited (for a supervised actor: until its supervisor gives it up). */
  get isAlive(): boolean {
    return (this.#supervised && !this.#retired) || this.#cell.phase !== 'exited';
  }

  /** How the actor exited, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#cell.exitInfo;
  }

  /** Settles with the exit when the actor ends, however it ends. */
  get exited(): Promise<ExitInfo> {
    this.#cell.watch();
    return this.#cell.exited;
  }

  send(msg: Msg): void {
    this.#router.deliver(this.#recipient, { t: 'send', body: msg });
  }

  /**
   * `send`'s waiting form: for a bounded queue mailbox (`mailboxCapacity`), waits while it is full
   * (rejects `QueueFullError` past `timeoutMs`) instead of sending the message to dead letters.
   * Otherwise the same as `send`. Throws `InvalidArgumentError` for options that are not valid.
   */
  sendAsync(msg: Msg, options?: WaitOptions): Promise<void> {
    checkWaitOptions(options, 'sendAsync');
    return this.#router.deliver(this.#recipient, { t: 'sendAsync', body: msg, options }) as Promise<void>;
  }

  ask(msg: Msg, options?: AskOptions): Promise<Reply> {
    checkAskOptions(options);
    return this.#router.deliver(this.#recipient, { t: 'ask', body: msg, options }) as Promise<Reply>;
  }

  /** This actor as the Router finds it: by its current incarnation. */
  get #recipient(): Recipient {
    return { id: this.#cell.id, name: this.#cell.name, cell: this.#cell };
  }

  stop(): Promise<ExitInfo> {
    return this.#cell.stop();
  }

  /**
   * Sends a signal to the actor's worker now (default `SIGKILL`); a thread or local actor is
   * terminated whatever the signal. For tests and operators: the exit is reported as usual.
   * Throws `InvalidArgumentError` for a name that is not a signal, and leaves the actor running.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#cell.kill(checkSignal(signal));
  }

  toPortable(): PortableData {
    return { kind: 'actor', data: { id: this.id, name: this.name } };
  }
}

interface HandleControl {
  adopt(cell: WorkerCell): void;
  retire(): void;
}

const controls = new WeakMap<ActorHandle, HandleControl>();

/** @internal A supervised actor's next incarnation takes over its handle. */
export function adoptIncarnation(handle: ActorHandle, cell: WorkerCell): void {
  controls.get(handle)?.adopt(cell);
}

/** @internal A supervised actor will not be restarted again: its handle behaves as exited. */
export function retireHandle(handle: ActorHandle): void {
  controls.get(handle)?.retire();
}
