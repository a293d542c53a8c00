/**
 * The supervision contract: child specs, options, and the seam between the supervision logic
 * (in `@troupe/core`, runtime-agnostic, driven by a Clock) and the runtime that actually starts
 * and stops workers (`@troupe/node-runtime`).
 *
 * @module
 */

import type { ActorDefinition } from '../definitions.js';
import type { EscalationError, SupervisorStartError } from '../errors.js';
import type { Placement } from '../events.js';
import type { ExitInfo } from '../exit.js';

/**
 * When a child is restarted, as in OTP: `'permanent'` always, `'transient'` after an abnormal
 * exit only, `'temporary'` never.
 *
 * @example
 * ```ts
 * const restart: RestartType = 'transient';
 * ```
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * Where a restarted machine actor starts: from its input, or from its last persisted snapshot.
 *
 * @example
 * ```ts
 * const from: RestartFrom = 'lastSnapshot';
 * ```
 */
export type RestartFrom = 'fresh' | 'lastSnapshot';

/**
 * How long a child may take to stop: ms before it is killed, at once, or as long as it takes.
 *
 * @example
 * ```ts
 * const graceful: ShutdownValue = 2000;
 * const now: ShutdownValue = 'brutal_kill';
 * ```
 */
export type ShutdownValue = number | 'brutal_kill' | 'infinity';

/**
 * Which children restart when one exits.
 *
 * @example
 * ```ts
 * const strategy: Strategy = 'rest_for_one';
 * ```
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/**
 * Exponential backoff between restarts (Akka's BackoffSupervisor).
 *
 * @example
 * ```ts
 * const backoff: BackoffOptions = { minMs: 100, maxMs: 10_000, randomFactor: 0.2 };
 * ```
 */
export interface BackoffOptions {
  /** The first delay, ms. */
  readonly minMs: number;
  /** The largest delay, ms. */
  readonly maxMs: number;
  /** Adds up to this fraction of random jitter (0 = none). Default 0. */
  readonly randomFactor?: number;
  /** A child that stays up this long has its backoff reset. Default `maxMs`. */
  readonly resetAfterMs?: number;
}

/**
 * A worker child: an actor definition and its arguments.
 *
 * @example
 * ```ts
 * const counter: WorkerChildSpec<{ start: number }> = {
 *   id: 'counter',
 *   actor: Counter,
 *   args: { start: 0 },
 *   restart: 'permanent',
 *   shutdown: 5000,
 * };
 * ```
 */
export interface WorkerChildSpec<Args = unknown> {
  readonly id: string;
  readonly actor: ActorDefinition<Args, never, unknown>;
  /**
   * The argument of the actor's `init`, given to every incarnation. Default `undefined`, for an
   * actor whose `init` takes none (as Elixir accepts a bare module as a child spec).
   */
  readonly args?: Args;
  readonly restart?: RestartType;
  /**
   * Where a restarted machine actor starts: `'fresh'` (the default) from its input again, or
   * `'lastSnapshot'` from the snapshot it persisted last (its definition needs `persist: true`).
   * Only for machine actors (`fromMachine`).
   */
  readonly restartFrom?: RestartFrom;
  readonly shutdown?: ShutdownValue;
  readonly type?: 'worker';
  /** Where each incarnation runs, as in `spawn`. Default: the runtime's (a child process). */
  readonly placement?: Placement;
  /** Each incarnation's V8 heap limit in MiB, as in `spawn` (not for `'local'`). */
  readonly maxHeapMb?: number;
  /** Environment variables for each incarnation, as in `spawn`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each incarnation's working directory, as in `spawn` (placement `'process'` only). */
  readonly cwd?: string;
  /** Node flags added for each incarnation, as in `spawn`. */
  readonly execArgv?: readonly string[];
  /**
   * The hosts each incarnation may run on, as `spawn`'s `host` (needs the system's `cluster`): a
   * name, a list (the least loaded live one) or `'*'` (any live host). Each restart chooses
   * again, so a child whose host went down restarts on a live one.
   */
  readonly host?: string | readonly string[];
}

/**
 * A nested supervisor child.
 *
 * @example
 * ```ts
 * const db: SupervisorChildSpec = {
 *   id: 'db',
 *   type: 'supervisor',
 *   supervisor: { strategy: 'one_for_all', children: [connSpec, poolSpec] },
 * };
 * ```
 */
export interface SupervisorChildSpec {
  readonly id: string;
  readonly supervisor: SupervisorOptions;
  readonly restart?: RestartType;
  readonly shutdown?: ShutdownValue;
  readonly type: 'supervisor';
}

/**
 * One child of a supervisor. The worker arm takes any arguments (`unknown`), so a
 * `WorkerChildSpec<{ start: number }>` or an object literal is accepted as it is.
 *
 * @example
 * ```ts
 * const children: ChildSpec[] = [
 *   { id: 'counter', actor: Counter, args: { start: 0 } },
 *   { id: 'db', type: 'supervisor', supervisor: { strategy: 'one_for_one', children: [] } },
 * ];
 * ```
 */
export type ChildSpec = WorkerChildSpec<unknown> | SupervisorChildSpec;

/**
 * Options of a supervisor (static or dynamic). See `Supervisor` for what each means.
 *
 * @example
 * ```ts
 * const options: SupervisorOptions = {
 *   name: 'billing',
 *   strategy: 'one_for_one',
 *   maxRestarts: 3,
 *   withinMs: 5000,
 *   backoff: { minMs: 100, maxMs: 5000 },
 *   children: [{ id: 'counter', actor: Counter, args: { start: 0 } }],
 * };
 * ```
 */
export interface SupervisorOptions {
  /**
   * The supervisor's name: the `supervisor` of its events, in its errors, and in `troupe run`'s
   * title. A non-empty string. Default: `supervisor-1`, `supervisor-2`, ... in the order
   * `system.supervise` is called (`troupe run`: the module's file name). A nested supervisor is
   * named by its parent, `parent/id`, so the `name` of a nested supervisor's options is checked
   * but not used: a tree exported with a name for `troupe run` can be nested as it is.
   */
  readonly name?: string;
  readonly strategy: Strategy;
  /** Restarts allowed within `withinMs` before the supervisor gives up. Default 3. */
  readonly maxRestarts?: number;
  /** The window for `maxRestarts`, ms. Default 5000. */
  readonly withinMs?: number;
  readonly backoff?: BackoffOptions;
  /**
   * Kill and restart a worker child that does not answer a heartbeat within this many ms. Pings
   * start once the child is ready (its `init` has run).
   */
  readonly heartbeatMs?: number;
  readonly children: readonly ChildSpec[];
  /**
   * The most children at once, static and dynamic. Default, and the most it may be,
   * {@link MAX_WORKERS} (1024): nest supervisors for more.
   */
  readonly maxChildren?: number;
}

/**
 * A running child incarnation as the runtime reports it.
 *
 * @example
 * ```ts
 * const instance: ChildInstance = { pid: child.pid, exited: exitOf(child) };
 * ```
 */
export interface ChildInstance {
  /** The OS pid, when the child is a process. */
  readonly pid: number | undefined;
  /** Settles when this incarnation ends, however it ends (never rejects). */
  readonly exited: Promise<ExitInfo>;
}

/**
 * What the supervision logic needs from a runtime: starting and stopping worker children.
 *
 * @example
 * ```ts
 * const runtime: ChildRuntime = {
 *   start: async (spec, incarnation, { heartbeatMs }) => spawnWorker(spec, incarnation, heartbeatMs),
 *   stop: (spec, instance, shutdown) => stopWorker(instance, shutdown),
 *   retire: (spec) => closeMailbox(spec.id),
 * };
 * ```
 */
export interface ChildRuntime {
  /**
   * Starts one incarnation of a worker child; rejects if it fails to start (its `init` threw, its
   * module would not load). With `heartbeatMs`, the runtime kills a child that stops answering
   * heartbeats and reports the exit with reason `'timeout'`.
   */
  start(
    spec: WorkerChildSpec,
    incarnation: number,
    options: { readonly heartbeatMs?: number },
  ): Promise<ChildInstance>;
  /**
   * Stops an incarnation: asks it to stop, waits up to `shutdown` ms before killing it (at once for
   * `'brutal_kill'`, never for `'infinity'`), and resolves with its exit.
   */
  stop(spec: WorkerChildSpec, instance: ChildInstance, shutdown: ShutdownValue): Promise<ExitInfo>;
  /** The child will not be restarted again (the supervisor stopped or gave up on it). */
  retire?(spec: WorkerChildSpec): void;
}

/**
 * Where a child is in its lifecycle (see `childLifecycle`):
 *
 * | state        | meaning                                                                  |
 * |--------------|--------------------------------------------------------------------------|
 * | `starting`   | being started (`runtime.start`, or a nested supervisor's `start()`)      |
 * | `running`    | up                                                                       |
 * | `stopping`   | being stopped by its supervisor (a strategy restart, `stop()`, ...)      |
 * | `backingOff` | waiting out its backoff delay before a restart                           |
 * | `stopped`    | down: exited normally, or stopped by its supervisor                      |
 * | `failed`     | down after an abnormal exit or a failed start                            |
 *
 * @example
 * ```ts
 * const up = supervisor.children().every((c) => c.state === 'running');
 * ```
 */
export type ChildState = 'starting' | 'running' | 'stopping' | 'backingOff' | 'stopped' | 'failed';

/**
 * One child as `Supervisor.children()` reports it.
 *
 * @example
 * ```ts
 * const [first]: ChildStatus[] = supervisor.children();
 * console.log(first?.id, first?.state, first?.restarts);
 * ```
 */
export interface ChildStatus {
  readonly id: string;
  readonly type: 'worker' | 'supervisor';
  readonly state: ChildState;
  /** The OS pid of the current incarnation, when it is a running process. */
  readonly pid: number | undefined;
  /** Restarts so far, counting attempts that failed to start (for its own crashes and its siblings'). */
  readonly restarts: number;
  /** Which incarnation this is: 1 for the first start, one more per restart. */
  readonly incarnation: number;
}

/**
 * How a supervisor ended: `'shutdown'` after `stop()` (or after a failed `start()`, with the
 * {@link SupervisorStartError} as `error`, like OTP's `{shutdown, Reason}`), or `'escalated'` when
 * its restart intensity was exceeded.
 *
 * @example
 * ```ts
 * const exit: SupervisorExit = await supervisor.exited;
 * if (exit.reason === 'escalated') console.error(exit.error.maxRestarts, exit.error.withinMs);
 * ```
 */
export type SupervisorExit =
  | { readonly reason: 'shutdown'; readonly error?: SupervisorStartError }
  | { readonly reason: 'escalated'; readonly error: EscalationError };
