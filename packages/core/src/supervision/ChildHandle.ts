/**
 * One running incarnation of a child, seen the same way whether it is a worker (started by the
 * {@link ChildRuntime}) or a nested supervisor (run here, in core): it has a pid, an `exited`
 * promise that never rejects, and a `stop` that resolves with the exit.
 *
 * @module
 */

import type { ExitInfo } from '../exit.js';
import type { ChildRuntime, ShutdownValue, SupervisorExit, WorkerChildSpec } from './types.js';

/**
 * A running incarnation of a child.
 *
 * @example
 * ```ts
 * const handle = await startWorker(runtime, spec, 1, undefined);
 * const exit = await handle.stop(5000);
 * ```
 */
export interface ChildHandle {
  /** The OS pid, when the child is a process. */
  readonly pid: number | undefined;
  /** Settles (never rejects) when the incarnation ends by itself or is stopped. */
  readonly exited: Promise<ExitInfo>;
  /** Stops it within `shutdown` and resolves with how it ended (never rejects). */
  stop(shutdown: ShutdownValue): Promise<ExitInfo>;
}

/**
 * What a nested supervisor looks like from its parent (a `Supervisor`, without importing it). A
 * nested supervisor leaves retiring its workers to its parent: when it stops or gives up, the
 * parent may well start the same subtree again.
 *
 * @example
 * ```ts
 * const nested: NestedSupervisor = {
 *   start: () => supervisor.start(),
 *   stop: () => supervisor.stop(),
 *   exited: supervisor.exited,
 *   retire: () => {},
 * };
 * ```
 */
export interface NestedSupervisor {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly exited: Promise<SupervisorExit>;
  /** None of the subtree's workers will start again: tells the runtime, all the way down. */
  retire(): void;
}

/**
 * An exit with reason `'error'` carrying `cause` (wrapped in an `Error` if it is not one).
 *
 * @example
 * ```ts
 * errorExit(new Error('boom')); // { reason: 'error', code: null, signal: null, error }
 * ```
 */
export function errorExit(cause: unknown): ExitInfo {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  return { reason: 'error', code: null, signal: null, error };
}

/**
 * Starts one incarnation of a worker child through the runtime; rejects as the runtime does.
 *
 * @example
 * ```ts
 * const handle = await startWorker(runtime, spec, 1, 1000); // with a 1 s heartbeat
 * ```
 */
export async function startWorker(
  runtime: ChildRuntime,
  spec: WorkerChildSpec,
  incarnation: number,
  heartbeatMs: number | undefined,
): Promise<ChildHandle> {
  const instance = await runtime.start(spec, incarnation, heartbeatMs === undefined ? {} : { heartbeatMs });
  return {
    pid: instance.pid,
    exited: instance.exited,
    stop: (shutdown) => runtime.stop(spec, instance, shutdown).catch(errorExit),
  };
}

function supervisorExitInfo(exit: SupervisorExit): ExitInfo {
  if (exit.reason === 'escalated') return errorExit(exit.error);
  return { reason: 'shutdown', code: null, signal: null };
}

/**
 * Starts a nested supervisor. Its escalation is its exit with reason `'error'` (the
 * `EscalationError` as `error`), which its parent handles like any crash; stopping it stops its
 * whole subtree, each child within its own shutdown value.
 *
 * @example
 * ```ts
 * const handle = await startNested(new Supervisor(options, runtime, { clock, name: 'root/db' }));
 * ```
 */
export async function startNested(supervisor: NestedSupervisor): Promise<ChildHandle> {
  await supervisor.start();
  return {
    pid: undefined,
    exited: supervisor.exited.then(supervisorExitInfo),
    stop: () =>
      supervisor
        .stop()
        .then(() => supervisor.exited)
        .then(supervisorExitInfo, errorExit),
  };
}
