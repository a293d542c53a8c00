/**
 * One child as its {@link Supervisor} keeps it: the resolved spec, the lifecycle actor, the
 * running incarnation, its backoff, and the restart it may be waiting for. It carries out what
 * the supervisor decides (start, stop, restart, back off, retire) and reports each step as a
 * {@link SupervisionEvent}; the decisions themselves stay in the supervisor.
 *
 * @module
 */

import { createActor, type Subscription } from 'xstate';
import type { Clock } from '../Clock.js';
import type { ExitInfo } from '../exit.js';
import { Backoff } from './Backoff.js';
import { type ChildHandle, type NestedSupervisor, startNested, startWorker } from './ChildHandle.js';
import { type ChildLifecycleActor, childLifecycle, childState, sendChecked } from './childLifecycle.js';
import type { SupervisionEvent } from './SupervisionEvent.js';
import type { ChildRuntime, ChildState, ChildStatus, SupervisorChildSpec } from './types.js';
import type { ResolvedBackoff, ResolvedChild } from './validateOptions.js';

/**
 * What a child needs from its supervisor.
 *
 * @example
 * ```ts
 * const env: ChildEnv = { supervisor: 'root', clock, runtime, heartbeatMs: undefined, backoff: undefined,
 *   random: Math.random, emit: console.log, nested: (spec) => makeSupervisor(spec), onExit: () => {} };
 * ```
 */
export interface ChildEnv {
  /** The supervisor's name, for events. */
  readonly supervisor: string;
  readonly clock: Clock;
  readonly runtime: ChildRuntime;
  readonly heartbeatMs: number | undefined;
  readonly backoff: ResolvedBackoff | undefined;
  readonly random: () => number;
  readonly emit: (event: SupervisionEvent) => void;
  /** Builds the nested supervisor for a supervisor child. */
  readonly nested: (spec: SupervisorChildSpec) => NestedSupervisor;
  /** Called when an incarnation ends, whoever ended it; the supervisor sorts out whether it cares. */
  readonly onExit: (child: SupervisedChild, incarnation: number, exit: ExitInfo) => void;
}

/**
 * A supervised child.
 *
 * @example
 * ```ts
 * const child = new SupervisedChild(resolveChildSpec(spec, 'spec'), env);
 * await child.start(); // starting → running
 * await child.stop();  // running → stopping → stopped
 * ```
 */
export class SupervisedChild {
  /** The spec with its defaults applied. */
  readonly resolved: ResolvedChild;
  /** The restart this child waits for (a token the supervisor shares among a group), if any. */
  pendingRestart: object | undefined;
  readonly #env: ChildEnv;
  readonly #actor: ChildLifecycleActor;
  readonly #subscription: Subscription;
  readonly #backoff: Backoff | undefined;
  #handle: ChildHandle | undefined;
  #nested: NestedSupervisor | undefined;
  #startedAt = 0;
  #retired = false;

  /** Creates the child in state `starting` (incarnation 1); {@link start} starts it. */
  constructor(resolved: ResolvedChild, env: ChildEnv) {
    this.resolved = resolved;
    this.#env = env;
    this.#backoff = env.backoff === undefined ? undefined : new Backoff(env.backoff, env.random);
    // The machine has no delayed transitions; should it gain one, it runs on the injected clock.
    const clock = {
      setTimeout: env.clock.setTimeout.bind(env.clock),
      clearTimeout: env.clock.clearTimeout.bind(env.clock),
    };
    this.#actor = createActor(childLifecycle, { input: { id: resolved.id }, clock });
    let last: ChildState | undefined;
    this.#subscription = this.#actor.subscribe((snapshot) => {
      if (snapshot.value === last) return;
      last = snapshot.value;
      env.emit({ type: 'childState', supervisor: env.supervisor, id: resolved.id, state: snapshot.value });
    });
    this.#actor.start();
  }

  get id(): string {
    return this.resolved.id;
  }

  get state(): ChildState {
    return childState(this.#actor);
  }

  /** True while `incarnation` is the one running. */
  isRunning(incarnation: number): boolean {
    return this.state === 'running' && this.#actor.getSnapshot().context.incarnation === incarnation;
  }

  /** What `Supervisor.children()` reports. */
  status(): ChildStatus {
    const { pid, restarts, incarnation } = this.#actor.getSnapshot().context;
    return { id: this.id, type: this.resolved.type, state: this.state, pid, restarts, incarnation };
  }

  /** Starts the current incarnation (state `starting`); rejects as the start does (state `failed`). */
  async start(): Promise<void> {
    const { incarnation } = this.#actor.getSnapshot().context;
    let handle: ChildHandle;
    try {
      handle = await this.#startIncarnation(incarnation);
    } catch (error) {
      sendChecked(this.#actor, { type: 'START_FAILED', error });
      throw error;
    }
    this.#handle = handle;
    this.#startedAt = this.#env.clock.now();
    sendChecked(this.#actor, { type: 'STARTED', pid: handle.pid });
    const { supervisor } = this.#env;
    this.#env.emit({ type: 'childStarted', supervisor, id: this.id, pid: handle.pid, incarnation });
    void handle.exited.then((exit) => this.#env.onExit(this, incarnation, exit));
  }

  /** Starts the next incarnation after `delayMs` of backoff (0 without); rejects as {@link start}. */
  async restart(delayMs: number): Promise<void> {
    sendChecked(this.#actor, { type: 'RESTART' });
    await this.start();
    const { pid, restarts } = this.#actor.getSnapshot().context;
    this.#env.emit({
      type: 'childRestarted',
      supervisor: this.#env.supervisor,
      id: this.id,
      pid,
      restarts,
      delayMs,
    });
  }

  /** Records that the running incarnation ended by itself: `stopped` or `failed`. */
  exited(exit: ExitInfo): void {
    const pid = this.#handle?.pid;
    this.#handle = undefined;
    sendChecked(this.#actor, { type: 'EXITED', exit });
    this.#env.emit({ type: 'childExited', supervisor: this.#env.supervisor, id: this.id, pid, exit });
  }

  /** The backoff delay before restarting it now (counting that restart); 0 without backoff. */
  nextDelay(): number {
    return this.#backoff?.next(this.#env.clock.now() - this.#startedAt) ?? 0;
  }

  /** Waits `delayMs` for a restart: `backingOff`. */
  backOff(delayMs: number): void {
    sendChecked(this.#actor, { type: 'BACKOFF', delayMs });
  }

  /**
   * Stops it within its shutdown value if it is running (`stopping`, then `stopped`), or cancels
   * the restart it is backing off for; a child already down stays as it is.
   */
  async stop(): Promise<void> {
    this.pendingRestart = undefined;
    const state = this.state;
    if (state === 'backingOff') sendChecked(this.#actor, { type: 'STOP' });
    if (state !== 'running' || this.#handle === undefined) return;
    const handle = this.#handle;
    sendChecked(this.#actor, { type: 'STOP' });
    const exit = await handle.stop(this.resolved.shutdown);
    this.#handle = undefined;
    sendChecked(this.#actor, { type: 'STOPPED', exit });
    this.#env.emit({
      type: 'childExited',
      supervisor: this.#env.supervisor,
      id: this.id,
      pid: handle.pid,
      exit,
    });
  }

  /**
   * It will not be started again: ends the lifecycle actor and tells the runtime, once (for a
   * nested supervisor, about every worker of its subtree).
   */
  retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.pendingRestart = undefined;
    this.#subscription.unsubscribe();
    this.#actor.stop();
    const { spec } = this.resolved;
    if (spec.type === 'supervisor') this.#nested?.retire();
    else this.#env.runtime.retire?.(spec);
  }

  #startIncarnation(incarnation: number): Promise<ChildHandle> {
    const { spec } = this.resolved;
    if (spec.type === 'supervisor') {
      this.#nested = this.#env.nested(spec);
      return startNested(this.#nested);
    }
    return startWorker(this.#env.runtime, spec, incarnation, this.#env.heartbeatMs);
  }
}
