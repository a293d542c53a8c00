/**
 * A supervisor starts, watches and restarts its children, as OTP's `supervisor` and Elixir's
 * `Supervisor` do. Children are workers (actors, started by a {@link ChildRuntime}) or nested
 * supervisors (run here), so supervisors make trees of any depth. Every default below is also in
 * {@link SUPERVISOR_DEFAULTS}, which the option checks apply.
 *
 * ## Child specification
 *
 * - `id` (required): a non-empty string, unique among the supervisor's children.
 * - `actor` (workers, required): the actor definition.
 * - `args` (workers): the argument of the actor's `init`; defaults to `undefined`, so an actor whose
 *   `init` takes none needs no `args`.
 * - `supervisor` (supervisors, required): the nested supervisor's {@link SupervisorOptions}.
 * - `type`: `'worker'` (the default) or `'supervisor'`.
 * - `restart`: when the child is restarted (below); defaults to `'permanent'`.
 * - `shutdown`: how the child is stopped (below); defaults to `5000` for workers and to
 *   `'infinity'` for supervisors.
 *
 * ## Restart values (`restart`)
 *
 * - `'permanent'`: always restarted.
 * - `'transient'`: restarted only after an abnormal exit (a reason other than `'normal'` or
 *   `'shutdown'`).
 * - `'temporary'`: never restarted, whatever the reason, not even when a sibling's restart stops
 *   it under `one_for_all` or `rest_for_one`; once down it is removed from the supervisor.
 *
 * A child that exits and is not restarted stays among the children as `stopped` (a temporary one
 * is removed). As in OTP, a later `one_for_all` or `rest_for_one` restart that covers it starts it
 * again.
 *
 * ## Shutdown values (`shutdown`)
 *
 * - a number of ms ≥ 0: the child is asked to stop, and killed if it has not within that time.
 *   The default for workers, `5000`.
 * - `'brutal_kill'`: killed at once, unasked.
 * - `'infinity'`: asked, and waited for however long it takes. The default for supervisors, whose
 *   own children each stop within their own shutdown values; a nested supervisor is always waited
 *   for, whatever its value.
 *
 * ## Exit reasons
 *
 * `'normal'` and `'shutdown'` are normal exits; `'error'`, `'signal'`, `'oom'`, `'timeout'` and
 * `'hostDown'` are abnormal (a child that missed its heartbeat exits with `'timeout'`; one whose
 * host was declared down, with `'hostDown'`, and its restart goes to a live host). A nested supervisor that
 * gives up exits with `'error'` and its {@link EscalationError}; a child whose restart fails to
 * start counts as exiting with `'error'`. Exits of children the supervisor is itself stopping
 * (for a strategy restart, `stop()` or `terminateChild`) are not failures and restart nothing.
 *
 * ## Strategies (`strategy`, required)
 *
 * - `'one_for_one'`: only the exited child is restarted.
 * - `'one_for_all'`: the other children are stopped in reverse start order, then all of them are
 *   restarted in start order.
 * - `'rest_for_one'`: the children started after the exited one are stopped in reverse order,
 *   then it and they are restarted in start order.
 *
 * ## Restart intensity (`maxRestarts`, `withinMs`)
 *
 * When more than `maxRestarts` restarts (default `3`) happen within a sliding window of
 * `withinMs` (default `5000` ms), the supervisor stops all its children in reverse order and
 * fails: `exited` resolves `{ reason: 'escalated', error }`, and its own supervisor sees a crashed
 * child. One restart of a group counts once.
 *
 * ## Backoff (`backoff`, default none)
 *
 * Each restart waits `min(maxMs, minMs · 2^n) · (1 + random() · randomFactor)` ms, where `n` is the
 * exited child's consecutive restarts, reset to 0 once it has stayed up `resetAfterMs` (default
 * `maxMs`); `randomFactor` defaults to `0`. Meanwhile the children to restart are `backingOff`.
 *
 * ## Heartbeat (`heartbeatMs`, default none) and dynamic children (`maxChildren`, default `1024`)
 *
 * `heartbeatMs` is handed to the runtime, which kills a worker that stops answering and reports it
 * as a `'timeout'` exit. `startChild` adds children at run time, up to `maxChildren` at once
 * (counting children that are down but not removed); `terminateChild` stops and removes one.
 * `maxChildren` defaults to {@link MAX_WORKERS} (1024), which is also the most it, or the list of
 * `children`, may be: a supervisor of more children is refused with `InvalidArgumentError`, and a
 * tree of nested supervisors holds more.
 *
 * ## The runtime
 *
 * Workers are started with `runtime.start(spec, incarnation, { heartbeatMs })` (incarnation 1, then
 * one more per restart) and stopped with `runtime.stop(spec, instance, shutdown)`, always with the
 * caller's own spec object. `runtime.retire(spec)` says a worker will not start again: it was
 * removed (temporary, `terminateChild`, a failed `startChild`), or the top supervisor stopped or
 * gave up. A nested supervisor leaves that to its parent, which may start the subtree again.
 *
 * @module
 */

import type { Clock, TimerHandle } from '../Clock.js';
import {
  EscalationError,
  InvalidArgumentError,
  MaxChildrenError,
  SupervisorNotRunningError,
  SupervisorStartError,
} from '../errors.js';
import type { ExitInfo } from '../exit.js';
import { deferred } from '../internal/deferred.js';
import { errorExit, type NestedSupervisor } from './ChildHandle.js';
import { RestartIntensity } from './RestartIntensity.js';
import { SerialQueue } from './SerialQueue.js';
import type { ChildEnv, SupervisedChild } from './SupervisedChild.js';

/**
 * The child machinery (and xstate with it) loads on first use, so the workers, which import this
 * module with the rest of the package but never supervise, do not pay for it at start-up.
 */
let childModule: Promise<typeof import('./SupervisedChild.js')> | undefined;
function childMachinery(): Promise<typeof import('./SupervisedChild.js')> {
  childModule ??= import('./SupervisedChild.js');
  return childModule;
}

import { eventReporter, type SupervisionEvent } from './SupervisionEvent.js';
import { mustRestart, restartGroup } from './strategy.js';
import type { ChildRuntime, ChildSpec, ChildStatus, SupervisorExit, SupervisorOptions } from './types.js';
import { type ResolvedOptions, resolveChildSpec, resolveSupervisorOptions } from './validateOptions.js';

/**
 * What a supervisor runs on besides its runtime.
 *
 * @example
 * ```ts
 * const deps: SupervisorDeps = { clock: realClock, name: 'root', onEvent: (e) => console.log(e) };
 * ```
 */
export interface SupervisorDeps {
  /** Every timer (backoff, restart window) goes through it. */
  readonly clock: Clock;
  /** Jitter for backoff, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /**
   * Names it in events and errors, over `options.name`; nested supervisors are `${name}/${id}`.
   * Default `options.name`, then `'supervisor'`.
   */
  readonly name?: string;
  /** Receives the {@link SupervisionEvent}s of this supervisor and of those nested in it. */
  readonly onEvent?: (event: SupervisionEvent) => void;
}

type Status = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * A supervisor of worker and supervisor children. Options are checked here, when it is made
 * (an {@link InvalidArgumentError} names the option).
 *
 * @example
 * ```ts
 * const supervisor = new Supervisor(
 *   {
 *     strategy: 'one_for_one',
 *     maxRestarts: 3,
 *     withinMs: 5000,
 *     children: [
 *       { id: 'cache', actor: Cache, args: { size: 100 } },
 *       { id: 'jobs', type: 'supervisor', supervisor: { strategy: 'one_for_all', children: [] } },
 *     ],
 *   },
 *   runtime,
 *   { clock: realClock, name: 'app' },
 * );
 * await supervisor.start();
 * await supervisor.startChild({ id: 'job-1', actor: Job, args: { n: 1 }, restart: 'transient' });
 * console.log(supervisor.children());
 * await supervisor.stop();
 * ```
 */
export class Supervisor {
  /** How it ended: `'shutdown'` after `stop()` (or a failed start), `'escalated'` when it gave up. */
  readonly exited: Promise<SupervisorExit>;
  readonly #options: ResolvedOptions;
  readonly #name: string;
  readonly #env: ChildEnv;
  readonly #intensity: RestartIntensity;
  readonly #ops = new SerialQueue();
  readonly #exit = deferred<SupervisorExit>();
  readonly #children: SupervisedChild[] = [];
  readonly #timers = new Map<object, TimerHandle>();
  #status: Status = 'idle';
  #started: Promise<void> | undefined;
  /** False for a nested supervisor: its parent retires its workers (see {@link NestedSupervisor}). */
  #retiresChildren = true;

  constructor(options: SupervisorOptions, runtime: ChildRuntime, deps: SupervisorDeps) {
    this.#options = resolveSupervisorOptions(options);
    this.#name = deps.name ?? options.name ?? 'supervisor';
    this.#intensity = new RestartIntensity(deps.clock, this.#options.maxRestarts, this.#options.withinMs);
    this.exited = this.#exit.promise;
    this.#env = {
      supervisor: this.#name,
      clock: deps.clock,
      runtime,
      heartbeatMs: this.#options.heartbeatMs,
      backoff: this.#options.backoff,
      random: deps.random ?? Math.random,
      emit: eventReporter(deps.onEvent),
      nested: (spec) => {
        const nested = new Supervisor(spec.supervisor, runtime, {
          ...deps,
          name: `${this.#name}/${spec.id}`,
        });
        nested.#retiresChildren = false;
        return {
          start: () => nested.start(),
          stop: () => nested.stop(),
          exited: nested.exited,
          retire: () => nested.#retireChildren(),
        };
      },
      onExit: (child, incarnation, exit) => this.#ops.post(() => this.#childExited(child, incarnation, exit)),
    };
  }

  /**
   * Starts the children in order. If one fails to start, stops those started, in reverse order,
   * and rejects {@link SupervisorStartError} naming it (its error is the `cause`). Calling it again
   * returns the same promise.
   */
  start(): Promise<void> {
    this.#started ??= this.#ops.run(() => this.#startAll());
    return this.#started;
  }

  /** Stops all children in reverse start order, each within its shutdown value. Idempotent. */
  stop(): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status === 'stopped' || this.#status === 'failed') return;
      this.#status = 'stopping';
      await this.#shutdown();
      this.#finish({ reason: 'shutdown' });
    });
  }

  /**
   * Adds a child at run time and starts it. Rejects {@link InvalidArgumentError} for a bad spec or
   * a duplicate id, {@link MaxChildrenError} past `maxChildren`, {@link SupervisorStartError} when
   * it fails to start (it is then not added).
   */
  async startChild(spec: ChildSpec): Promise<void> {
    const resolved = resolveChildSpec(spec, 'spec');
    return this.#ops.run(async () => {
      this.#assertRunning('startChild');
      if (this.#children.some((c) => c.id === resolved.id)) {
        throw new InvalidArgumentError(
          `Invalid spec.id: supervisor ${this.#name} already has a child '${resolved.id}'`,
        );
      }
      if (this.#children.length >= this.#options.maxChildren) {
        throw new MaxChildrenError(this.#name, this.#options.maxChildren);
      }
      const { SupervisedChild } = await childMachinery();
      const child = new SupervisedChild(resolved, this.#env);
      this.#children.push(child);
      try {
        await child.start();
      } catch (cause) {
        this.#remove(child);
        throw new SupervisorStartError(this.#name, child.id, { cause });
      }
    });
  }

  /** Stops a child within its shutdown value and removes it; it is not restarted. */
  terminateChild(id: string): Promise<void> {
    return this.#ops.run(async () => {
      this.#assertRunning('terminateChild');
      const child = this.#children.find((c) => c.id === id);
      if (child === undefined) {
        throw new InvalidArgumentError(`Invalid id: supervisor ${this.#name} has no child '${id}'`);
      }
      await child.stop();
      this.#remove(child);
      this.#dropIdleTimers();
    });
  }

  /** The children, in start order. */
  children(): ChildStatus[] {
    return this.#children.map((c) => c.status());
  }

  async #startAll(): Promise<void> {
    if (this.#status !== 'idle') throw new SupervisorNotRunningError(`Supervisor ${this.#name} was stopped`);
    this.#status = 'starting';
    const { SupervisedChild } = await childMachinery();
    for (const resolved of this.#options.children) {
      const child = new SupervisedChild(resolved, this.#env);
      this.#children.push(child);
      try {
        await child.start();
      } catch (cause) {
        const error = new SupervisorStartError(this.#name, child.id, { cause });
        await this.#shutdown();
        this.#finish({ reason: 'shutdown', error });
        throw error;
      }
    }
    this.#status = 'running';
  }

  async #childExited(child: SupervisedChild, incarnation: number, exit: ExitInfo): Promise<void> {
    if (this.#status !== 'running' || !child.isRunning(incarnation)) return;
    child.exited(exit);
    await this.#handleDown(child, exit);
  }

  /** `child` is down (exited, or its restart failed to start): restart what the strategy says. */
  async #handleDown(child: SupervisedChild, exit: ExitInfo): Promise<void> {
    if (!mustRestart(child.resolved.restart, exit)) {
      if (child.resolved.restart === 'temporary') this.#remove(child);
      return;
    }
    if (!this.#intensity.record()) return this.#escalate(child.id, exit);
    const delayMs = child.nextDelay();
    const group = restartGroup(this.#options.strategy, this.#children, child);
    for (const other of group.toReversed()) if (other !== child) await other.stop();
    const token = {};
    for (const member of group) {
      if (member !== child && member.resolved.restart === 'temporary') this.#remove(member);
      else member.pendingRestart = token;
    }
    this.#dropIdleTimers();
    if (delayMs <= 0) return this.#restart(token, 0);
    for (const member of this.#pending(token)) member.backOff(delayMs);
    const restartDue = () => this.#ops.post(() => this.#restart(token, delayMs));
    this.#timers.set(token, this.#env.clock.setTimeout(restartDue, delayMs));
  }

  /** Restarts, in start order, the children still waiting for the restart `token`. */
  async #restart(token: object, delayMs: number): Promise<void> {
    this.#timers.delete(token);
    for (const child of this.#pending(token)) {
      if (this.#status !== 'running') return;
      if (child.pendingRestart !== token) continue; // a later restart took it over
      child.pendingRestart = undefined;
      try {
        await child.restart(delayMs);
      } catch (error) {
        await this.#handleDown(child, errorExit(error));
      }
    }
  }

  async #escalate(child: string, exit: ExitInfo): Promise<void> {
    const { maxRestarts, withinMs } = this.#options;
    const error = new EscalationError(this.#name, maxRestarts, withinMs, {
      cause: exit.error,
      child,
      lastExit: exit,
    });
    this.#status = 'stopping';
    this.#env.emit({ type: 'escalated', supervisor: this.#name, error });
    await this.#shutdown();
    this.#finish({ reason: 'escalated', error });
  }

  /** Cancels pending restarts, stops every child in reverse start order and retires them. */
  async #shutdown(): Promise<void> {
    for (const timer of this.#timers.values()) this.#env.clock.clearTimeout(timer);
    this.#timers.clear();
    for (const child of this.#children.toReversed()) await child.stop();
    if (this.#retiresChildren) this.#retireChildren();
  }

  #retireChildren(): void {
    for (const child of this.#children) child.retire();
  }

  #finish(exit: SupervisorExit): void {
    this.#status = exit.reason === 'escalated' ? 'failed' : 'stopped';
    this.#exit.resolve(exit);
  }

  #remove(child: SupervisedChild): void {
    this.#children.splice(this.#children.indexOf(child), 1);
    child.retire();
  }

  #pending(token: object): SupervisedChild[] {
    return this.#children.filter((c) => c.pendingRestart === token);
  }

  /** Cancels the backoff timers no child waits for any more. */
  #dropIdleTimers(): void {
    for (const [token, timer] of this.#timers) {
      if (this.#pending(token).length > 0) continue;
      this.#env.clock.clearTimeout(timer);
      this.#timers.delete(token);
    }
  }

  #assertRunning(what: string): void {
    if (this.#status === 'running') return;
    throw new SupervisorNotRunningError(
      `Supervisor ${this.#name} is not running (${this.#status}): ${what} refused`,
    );
  }
}
