/**
 * The root's reference to a machine actor: an {@link ActorHandle} whose messages are the
 * machine's events, plus its latest snapshot, kept current without a round trip per read.
 *
 * @module
 */

import { InvalidArgumentError, type MachineSnapshot } from '@troupe/core';
import { checkFunction, fail, isMachineEvent } from '@troupe/core/spi';
import type { AnyStateMachine, EmittedFrom, EventFromLogic } from 'xstate';
import { ActorHandle } from './ActorHandle.js';
import type { MachineMirror } from './MachineMirror.js';
import type { Router } from './Router.js';
import type { WorkerCell } from './WorkerCell.js';

/**
 * A running machine actor. `send` delivers events (typed from the machine); `ask` resolves with
 * the first event the machine emits while handling the asked event; `snapshot()` and
 * `subscribe()` read the state the root keeps current.
 *
 * @example
 * ```ts
 * const light = await system.spawn(Light, undefined);
 * light.send({ type: 'NEXT' });
 * const unsubscribe = light.subscribe((s) => console.log(s.value));
 * console.log(light.snapshot().value);
 * ```
 */
export class MachineHandle<TMachine extends AnyStateMachine = AnyStateMachine> extends ActorHandle<
  EventFromLogic<TMachine>,
  EmittedFrom<TMachine>
> {
  readonly #mirror: MachineMirror;

  /** @internal Made by `ActorSystem.spawn` and by supervisors. */
  constructor(cell: WorkerCell, router: Router, mirror: MachineMirror, supervised = false) {
    super(cell, router, supervised);
    this.#mirror = mirror;
  }

  /** Sends an event. Throws `InvalidArgumentError` for a value that is not an event object. */
  override send(event: EventFromLogic<TMachine>): void {
    super.send(checkEvent(event));
  }

  /** Asks with an event: resolves with the first event the machine emits while handling it. */
  override ask(
    event: EventFromLogic<TMachine>,
    options?: Parameters<ActorHandle['ask']>[1],
  ): Promise<EmittedFrom<TMachine>> {
    return super.ask(checkEvent(event), options);
  }

  /**
   * The machine's latest snapshot (value, context, status; output once done), as of its last
   * change. After the actor has exited, the last one it reported.
   */
  snapshot(): MachineSnapshot<TMachine> {
    const snapshot = this.#mirror.snapshot;
    if (snapshot === undefined) throw new InvalidArgumentError('The machine has not reported a snapshot yet');
    return snapshot as MachineSnapshot<TMachine>;
  }

  /** Calls `listener` with each new snapshot, from any incarnation; returns the unsubscribe function. */
  subscribe(listener: (snapshot: MachineSnapshot<TMachine>) => void): () => void {
    checkFunction(listener, 'subscribe(listener)');
    return this.#mirror.changes.subscribe(listener as never);
  }
}

function checkEvent<E>(event: E): E {
  if (!isMachineEvent(event)) fail('event', 'an object with a string type (a machine event)', event);
  return event;
}
