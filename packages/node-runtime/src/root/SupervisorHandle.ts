/**
 * A running supervisor, as `system.supervise()` returns it.
 *
 * @module
 */

import {
  type ChildSpec,
  type ChildStatus,
  InvalidArgumentError,
  type Supervisor,
  type SupervisorExit,
} from '@troupe/core';
import { describeKind } from '@troupe/core/spi';
import type { AnyStateMachine } from 'xstate';
import type { ActorHandle } from './ActorHandle.js';
import { MachineHandle } from './MachineHandle.js';
import type { SupervisedChildren } from './SupervisedChildren.js';

/**
 * A supervisor and its children. A child's handle is stable across its restarts: messages sent
 * to it while it restarts wait in its mailbox for the next incarnation.
 *
 * @example
 * ```ts
 * const sup = await system.supervise({ strategy: 'one_for_one', children: [counterSpec] });
 * const counter = sup.child<CounterMsg, number>('counter');
 * console.log(sup.children()); // [{ id: 'counter', state: 'running', restarts: 0, ... }]
 * await sup.stop();
 * ```
 */
export class SupervisorHandle {
  /** The supervisor's name (in events and the status table). */
  readonly name: string;
  readonly #supervisor: Supervisor;
  readonly #children: SupervisedChildren;

  /** @internal Made by `ActorSystem.supervise`. */
  constructor(name: string, supervisor: Supervisor, children: SupervisedChildren) {
    this.name = name;
    this.#supervisor = supervisor;
    this.#children = children;
  }

  /**
   * The handle of the worker child with this id (children of nested supervisors included), or
   * undefined when there is none. Throws `InvalidArgumentError` for an id that is not a string.
   */
  child<Msg = unknown, Reply = unknown>(id: string): ActorHandle<Msg, Reply> | undefined {
    return this.#children.handle(checkId(id)) as ActorHandle<Msg, Reply> | undefined;
  }

  /**
   * The handle of the machine child with this id (a `fromMachine` actor), typed by its machine.
   * Throws `InvalidArgumentError` when that child is not a machine actor.
   *
   * @example
   * ```ts
   * const counter = sup.machine<typeof counterMachine>('counter');
   * console.log(counter?.snapshot().context);
   * ```
   */
  machine<TMachine extends AnyStateMachine>(id: string): MachineHandle<TMachine> | undefined {
    const handle = this.#children.handle(checkId(id));
    if (handle === undefined) return undefined;
    if (!(handle instanceof MachineHandle))
      throw new InvalidArgumentError(`Child '${id}' is not a machine actor`);
    return handle as MachineHandle<TMachine>;
  }

  /** Each child's id, type, lifecycle state, pid and restart count, in start order. */
  children(): ChildStatus[] {
    return this.#supervisor.children();
  }

  /** Adds and starts a child at run time (dynamic supervision). */
  startChild(spec: ChildSpec): Promise<void> {
    return this.#supervisor.startChild(spec);
  }

  /** Stops a child and removes it; it is not restarted. */
  terminateChild(id: string): Promise<void> {
    return this.#supervisor.terminateChild(id);
  }

  /** Stops every child in reverse start order, then the supervisor. */
  stop(): Promise<void> {
    return this.#supervisor.stop();
  }

  /** Settles when the supervisor stops, or gives up (escalation) after too many restarts. */
  get exited(): Promise<SupervisorExit> {
    return this.#supervisor.exited;
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string')
    throw new InvalidArgumentError(`A child id is a string, got ${describeKind(id)}`);
  return id;
}
