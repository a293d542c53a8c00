/**
 * The events of an actor system: one stream covering every worker.
 *
 * @module
 */

import type { ExitInfo } from './exit.js';
import type { ActorAddress, InspectionRecord } from './protocol.js';

/**
 * Where a worker runs.
 *
 * @example
 * ```ts
 * const placement: Placement = 'thread';
 * await system.spawn(Counter, { start: 0 }, { placement });
 * ```
 */
export type Placement = 'process' | 'thread' | 'local';

/**
 * The placements, for validation and iteration.
 *
 * @example
 * ```ts
 * const wanted = process.env.TROUPE_PLACEMENT ?? 'process';
 * if (!PLACEMENTS.includes(wanted as Placement)) throw new Error(`Unknown placement: ${wanted}`);
 * ```
 */
export const PLACEMENTS: readonly Placement[] = ['process', 'thread', 'local'];

/**
 * A worker started and is ready (an actor ran `init`, a task began).
 *
 * @example
 * ```ts
 * const spawned = system.events.next((e): e is SpawnedEvent => e.type === 'spawned');
 * await system.spawn(Counter, { start: 0 }, { name: 'counter' });
 * const { name, placement, pid } = await spawned; // 'counter', 'process', 12345
 * ```
 */
export interface SpawnedEvent {
  readonly type: 'spawned';
  readonly id: string;
  readonly name: string;
  readonly placement: Placement;
  /** The OS process id, for `'process'` placement. */
  readonly pid: number | undefined;
  /** The host it runs on, for an actor spawned on a node agent (`{ host }`); else undefined. */
  readonly host?: string | undefined;
  readonly time: number;
}

/**
 * A worker ended.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'exited' && !isNormalExit(e.exit)) console.error(`${e.name}: ${describeExit(e.exit)}`);
 * });
 * ```
 */
export interface ExitedEvent {
  readonly type: 'exited';
  readonly id: string;
  readonly name: string;
  readonly placement: Placement;
  readonly pid: number | undefined;
  /** The host it ran on, for an actor spawned on a node agent; else undefined. */
  readonly host?: string | undefined;
  readonly exit: ExitInfo;
  readonly time: number;
}

/**
 * A node agent's host joined the cluster, or came back after it was declared down.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'hostUp') console.log(`host ${e.host} is up`);
 * });
 * ```
 */
export interface HostUpEvent {
  readonly type: 'hostUp';
  readonly host: string;
  readonly time: number;
}

/**
 * A host was declared down: it missed its heartbeats, its agent is gone, or it is leaving. Every
 * actor this system ran on it exits with reason `hostDown`; on a host that is leaving in order,
 * its agent stops them instead, and their exits follow.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'hostDown') console.warn(`host ${e.host} is down: ${e.reason}`);
 * });
 * ```
 */
export interface HostDownEvent {
  readonly type: 'hostDown';
  readonly host: string;
  /** Why: missed heartbeats, no responders, or the agent left. */
  readonly reason: string;
  readonly time: number;
}

/**
 * A message could not be delivered (its actor had stopped, or was never reachable).
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'deadLetter') console.warn(`Not delivered to ${e.to.name}: ${e.reason}`, e.message);
 * });
 * ```
 */
export interface DeadLetterEvent {
  readonly type: 'deadLetter';
  readonly to: ActorAddress;
  readonly message: unknown;
  /** Why it was not delivered. */
  readonly reason: string;
  readonly time: number;
}

/**
 * A pipe between two child processes now runs over a direct OS connection.
 *
 * @example
 * ```ts
 * const [left, right] = system.pipe<number>();
 * const linked = system.events.next((e): e is PipeLinkedEvent => e.type === 'pipeLinked');
 * await system.process(player, left, true);
 * await system.process(player, right, false);
 * console.log((await linked).pipe); // from now on the root relays nothing for this pipe
 * ```
 */
export interface PipeLinkedEvent {
  readonly type: 'pipeLinked';
  readonly pipe: string;
  readonly time: number;
}

/**
 * A supervisor restarted one of its children.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'restarted') {
 *     console.log(`${e.supervisor}/${e.child}: restart ${e.restarts}, after ${e.delayMs} ms`);
 *   }
 * });
 * ```
 */
export interface RestartedEvent {
  readonly type: 'restarted';
  readonly supervisor: string;
  /** The child's id in its spec. */
  readonly child: string;
  /**
   * The child's actor id, as in its `spawned` and `exited` events (it keeps it across
   * incarnations); undefined for a nested supervisor.
   */
  readonly id: string | undefined;
  /** The new incarnation's pid, for a child process. */
  readonly pid: number | undefined;
  /** Restarts of this child so far. */
  readonly restarts: number;
  /** The backoff waited before this restart, ms. */
  readonly delayMs: number;
  readonly time: number;
}

/**
 * A supervisor gave up after too many restarts, and stopped its children.
 *
 * @example
 * ```ts
 * const escalated = system.events.next((e): e is EscalatedEvent => e.type === 'escalated');
 * const { supervisor, error } = await escalated; // error: an EscalationError
 * console.error(`${supervisor} gave up: ${error.message}`);
 * ```
 */
export interface EscalatedEvent {
  readonly type: 'escalated';
  readonly supervisor: string;
  readonly error: Error;
  readonly time: number;
}

/**
 * A supervised child moved to another lifecycle state.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'childState') console.log(`${e.supervisor}/${e.child} is ${e.state}`);
 * });
 * ```
 */
export interface ChildStateEvent {
  readonly type: 'childState';
  readonly supervisor: string;
  readonly child: string;
  /** `starting`, `running`, `stopping`, `backingOff`, `stopped` or `failed`. */
  readonly state: string;
  readonly time: number;
}

/**
 * An xstate inspection event from a machine actor, in whatever process it runs.
 *
 * @example
 * ```ts
 * system.inspect((e) => {
 *   if (e.type === 'inspection') console.log(e.pid, e.id, e.inspection.type, e.inspection.event);
 * });
 * ```
 */
export interface InspectionEventRecord {
  readonly type: 'inspection';
  /** The Troupe actor (machine actor) it came from. */
  readonly id: string;
  readonly name: string;
  /** The OS process id of its worker, for `'process'` placement. */
  readonly pid: number | undefined;
  readonly inspection: InspectionRecord;
  readonly time: number;
}

/**
 * An actor's queue mailbox has a backlog: emitted when it reaches 64 messages waiting, again at
 * 128, 256 and so on, and afresh once the backlog has drained below a quarter of the last mark.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'mailboxDepth') console.warn(`${e.name} has ${e.depth} messages waiting`);
 * });
 * ```
 */
export interface MailboxDepthEvent {
  readonly type: 'mailboxDepth';
  readonly id: string;
  readonly name: string;
  /** The pid of the actor's current worker, for `'process'` placement. */
  readonly pid: number | undefined;
  /** Messages waiting. */
  readonly depth: number;
  readonly time: number;
}

/**
 * A machine actor could not be restored from its last snapshot, and started fresh instead.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'restoreFailed') console.warn(`${e.name} started fresh:`, e.error.message);
 * });
 * ```
 */
export interface RestoreFailedEvent {
  readonly type: 'restoreFailed';
  readonly id: string;
  readonly name: string;
  readonly pid: number | undefined;
  /** Why the restore failed, with the worker's stack. */
  readonly error: Error;
  readonly time: number;
}

/**
 * A worker sent a frame it had no right to send, and the root refused it: a claim on a pipe end
 * it was never handed (without the end's key, or while another worker holds it), or pipe traffic
 * for an end it does not hold. Nothing of it reached anyone; the worker goes on. A program that
 * only uses Troupe's API never causes one: treat it as a sign of a compromised or buggy worker.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type === 'security') console.error(`Refused from ${e.name} (pid ${e.pid}): ${e.reason}`);
 * });
 * ```
 */
export interface SecurityEvent {
  readonly type: 'security';
  /** What the refused frame was about. */
  readonly what: 'pipe';
  /** The worker that sent it: its actor id and name, and pid for `'process'` placement. */
  readonly id: string;
  readonly name: string;
  readonly pid: number | undefined;
  /** Why it was refused. */
  readonly reason: string;
  readonly time: number;
}

/**
 * Every event on `system.events`.
 *
 * @example
 * ```ts
 * system.events.subscribe((e: SystemEvent) => {
 *   if (e.type === 'exited') console.log(e.name, e.exit.reason);
 * });
 * ```
 */
export type SystemEvent =
  | SpawnedEvent
  | ExitedEvent
  | DeadLetterEvent
  | PipeLinkedEvent
  | RestartedEvent
  | EscalatedEvent
  | ChildStateEvent
  | InspectionEventRecord
  | RestoreFailedEvent
  | MailboxDepthEvent
  | SecurityEvent
  | HostUpEvent
  | HostDownEvent;
