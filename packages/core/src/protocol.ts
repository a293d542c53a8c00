/**
 * The wire protocol between the root and a worker: tagged unions, one frame each, encoded by
 * the channel's {@link Codec}. Every switch over a message is exhaustive, checked by
 * {@link assertNever}.
 *
 * The first frame on a channel is always `init` (root → worker); the worker answers `ready`
 * once its definition is loaded and `init` has run, or `crash` if that failed.
 *
 * @module
 */

import type { PipeToRoot, PipeToWorker } from './pipe/pipeFrames.js';
import type { QueueInfo } from './queue/QueueBackend.js';
import type { QueueCallMessage } from './queue/queueCall.js';

export type * from './pipe/pipeFrames.js';

/** What a worker runs: an actor (a message loop) or a task (one call, then exit). */
export type WorkKind = 'actor' | 'task';

/**
 * The identity of an actor as it travels: enough to address it through the root.
 *
 * @example
 * ```ts
 * system.events.subscribe((e) => {
 *   if (e.type !== 'deadLetter') return;
 *   const { id, name }: ActorAddress = e.to;
 *   console.warn(`A message for ${name} (${id}) was dropped: ${e.reason}`);
 * });
 * ```
 */
export interface ActorAddress {
  readonly id: string;
  readonly name: string;
}

/** Root → worker: the first frame. */
export interface InitMessage {
  readonly t: 'init';
  readonly kind: WorkKind;
  /** The module URL that registers the definition. */
  readonly module: string;
  /** The definition's name within its module. */
  readonly name: string;
  /** The actor's `init` argument, or the task's argument list. */
  readonly args: unknown;
  /** The actor's own address (`ctx.self`). */
  readonly self: ActorAddress;
  /**
   * The queue the actor takes its messages from ({@link MailboxItem}s). Absent: messages come
   * over the channel itself (`send`, `ask`, `stop` frames), the pipe mailbox.
   */
  readonly mailbox?: QueueInfo | undefined;
  /** A persisted state to restore the actor from (a machine actor restarted from its last snapshot). */
  readonly restore?: unknown;
}

/**
 * A message in a queue mailbox, as the root puts it; `stop` stops the actor in turn. Any other
 * value found in a mailbox (put there with `queue.put` on a shared mailbox) is a plain message.
 */
export type MailboxItem =
  | { readonly $troupe: 'send'; readonly body: unknown }
  | { readonly $troupe: 'ask'; readonly id: number; readonly body: unknown }
  | { readonly $troupe: 'stop' };

/** Reads a value taken from a mailbox: an envelope the root made, or a plain message. */
export function readMailboxItem(value: unknown): MailboxItem {
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, '$troupe')) {
    const item = value as { $troupe?: unknown; id?: unknown };
    if (item.$troupe === 'send' || item.$troupe === 'stop') return value as MailboxItem;
    if (item.$troupe === 'ask' && typeof item.id === 'number') return value as MailboxItem;
  }
  return { $troupe: 'send', body: value };
}

/** Root → worker: a one-way message for the actor. */
export interface SendMessage {
  readonly t: 'send';
  readonly body: unknown;
}

/** Root → worker: a message whose reply is awaited under `id`. */
export interface AskMessage {
  readonly t: 'ask';
  readonly id: number;
  readonly body: unknown;
}

/** Root → worker: finish the current message, run `terminate`, exit. */
export interface StopMessage {
  readonly t: 'stop';
}

/** Root → worker: a heartbeat; the worker's main thread answers `pong` at once. */
export interface PingMessage {
  readonly t: 'ping';
  readonly id: number;
}

/**
 * Root → worker: another consumer of queue `q` waits on it while it is empty, and this worker
 * holds items of it it has fetched ahead and not handed to `get`: give them back (`giveBack`).
 */
export interface QueueReclaimMessage {
  readonly t: 'qreclaim';
  readonly q: string;
}

/**
 * Worker → root: the process is exiting (`process.exit` in actor code). `during`: it exits while
 * handling a message from its queue mailbox, which therefore is not redelivered.
 */
export interface ExitingMessage {
  readonly t: 'exiting';
  readonly code: number;
  readonly during: boolean;
}

/** Worker → root: the answer to a heartbeat. */
export interface PongMessage {
  readonly t: 'pong';
  readonly id: number;
}

/** Either way: the answer to an ask (`ask` or `routeAsk`) with the same id. */
export interface ReplyMessage {
  readonly t: 'reply';
  readonly id: number;
  readonly value: unknown;
  /** Answers an ask that came through a queue mailbox (ids of the system, not the channel). */
  readonly viaMailbox?: boolean;
}

/** Either way: an ask with this id failed. */
export interface FailMessage {
  readonly t: 'fail';
  readonly id: number;
  readonly error: Error;
  /** Fails an ask that came through a queue mailbox. */
  readonly viaMailbox?: boolean;
}

/** Worker → root: ready for messages. */
export interface ReadyMessage {
  readonly t: 'ready';
}

/** Worker → root: the worker is about to exit because of this error. */
export interface CrashMessage {
  readonly t: 'crash';
  readonly error: Error;
  /** It crashed while handling a message from its queue mailbox: that message is the poison. */
  readonly during?: boolean;
}

/** Worker → root: the task returned this value. */
export interface DoneMessage {
  readonly t: 'done';
  readonly value: unknown;
}

/** Worker → root: stopped as asked (or by itself, `self: true`); about to exit. */
export interface StoppedMessage {
  readonly t: 'stopped';
  readonly self: boolean;
}

/**
 * What a machine actor tells the root besides answers: its snapshot after a change (and, when it
 * persists, the persisted form), an xstate inspection event, or that a restore failed and it
 * started fresh.
 */
export type ActorReport =
  | {
      readonly kind: 'snapshot';
      readonly snapshot: SnapshotView;
      /** `getPersistedSnapshot()`, when the actor persists and is still active. */
      readonly persisted?: unknown;
    }
  | { readonly kind: 'inspect'; readonly inspection: InspectionRecord }
  | { readonly kind: 'restoreFailed'; readonly error: Error };

/**
 * A state machine's snapshot as the root keeps it: plain data.
 *
 * @example
 * ```ts
 * system.inspect((e) => {
 *   if (e.type !== 'inspection' || e.inspection.snapshot === undefined) return;
 *   const view: SnapshotView = e.inspection.snapshot;
 *   console.log(view.status, view.value, view.context);
 * });
 * ```
 */
export interface SnapshotView {
  readonly value: unknown;
  readonly context: unknown;
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  readonly output?: unknown;
  readonly error?: unknown;
}

/**
 * An xstate inspection event as it travels: the actor refs in it become their session ids, and a
 * snapshot becomes its {@link SnapshotView}.
 *
 * @example
 * ```ts
 * system.inspect((e) => {
 *   if (e.type !== 'inspection') return;
 *   const record: InspectionRecord = e.inspection;
 *   if (record.type === '@xstate.event') console.log(record.actorId, record.sourceId, record.event);
 * });
 * ```
 */
export interface InspectionRecord {
  /** `@xstate.actor`, `@xstate.event`, `@xstate.snapshot`, `@xstate.microstep`, `@xstate.action`, ... */
  readonly type: string;
  /** The session id of the machine actor this came from (the root of its actor tree). */
  readonly rootId: string;
  /** The session id of the xstate actor it is about. */
  readonly actorId: string;
  /** For `@xstate.event`: the session id of the sender, if an actor sent it. */
  readonly sourceId?: string;
  readonly event?: unknown;
  readonly snapshot?: SnapshotView;
  /** For `@xstate.action`: the action's type and params. */
  readonly action?: { readonly type: string; readonly params: unknown };
}

/** Worker → root: a machine actor's {@link ActorReport}. */
export interface ReportMessage {
  readonly t: 'report';
  readonly report: ActorReport;
}

/**
 * Worker → root: deliver `body` to another actor, `to` by id. `name` is the name the sender knows
 * it by, for a dead letter's address when the root no longer knows the actor.
 */
export interface RouteMessage {
  readonly t: 'route';
  readonly to: string;
  readonly name?: string;
  readonly body: unknown;
}

/** Worker → root: ask another actor; the root answers with `reply` or `fail` under `id`. */
export interface RouteAskMessage {
  readonly t: 'routeAsk';
  readonly to: string;
  readonly name?: string;
  readonly id: number;
  readonly body: unknown;
  readonly timeoutMs: number | undefined;
}

/** Worker → root: stop another actor; the root answers `reply` with its exit info under `id`. */
export interface RouteStopMessage {
  readonly t: 'routeStop';
  readonly to: string;
  readonly name?: string;
  readonly id: number;
}

/** Worker → root: a queue operation, one variant per `op`; checked by the root with `checkQueueCall`. */
export type {
  AnsweredQueueOp,
  QueueAnswers,
  QueueArgs,
  QueueCall,
  QueueCallMessage,
  QueueOp,
  TakeArg,
} from './queue/queueCall.js';

/**
 * Either way, beside the actor's messages: a pool's note to one of its workers, or the worker's
 * answers to its pool, on the same channel as the batches it is sent. Only a pool worker may send
 * one; its body is shaped and read by the runtime's pool wire format.
 */
export interface PoolFrame {
  readonly t: 'pool';
  readonly body: unknown;
}

/** Every frame the root sends to a worker. */
export type ToWorker =
  | InitMessage
  | SendMessage
  | AskMessage
  | StopMessage
  | ReplyMessage
  | FailMessage
  | PipeToWorker
  | PingMessage
  | QueueReclaimMessage
  | PoolFrame;

/** Every frame a worker sends to the root. */
export type FromWorker =
  | ReadyMessage
  | ReplyMessage
  | FailMessage
  | CrashMessage
  | DoneMessage
  | StoppedMessage
  | RouteMessage
  | RouteAskMessage
  | RouteStopMessage
  | QueueCallMessage
  | PipeToRoot
  | PongMessage
  | ExitingMessage
  | ReportMessage
  | PoolFrame;

// Records keyed by the tag unions: the compiler insists every tag is listed.
const toWorkerTags: Record<ToWorker['t'], true> = {
  init: true,
  send: true,
  ask: true,
  stop: true,
  reply: true,
  fail: true,
  pipe: true,
  ping: true,
  qreclaim: true,
  pool: true,
};
const fromWorkerTags: Record<FromWorker['t'], true> = {
  ready: true,
  reply: true,
  fail: true,
  crash: true,
  done: true,
  stopped: true,
  route: true,
  routeAsk: true,
  routeStop: true,
  qcall: true,
  pipe: true,
  pong: true,
  exiting: true,
  report: true,
  pool: true,
};

function hasTag(value: unknown, tags: Record<string, true>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const tag = (value as { t?: unknown }).t;
  return typeof tag === 'string' && Object.hasOwn(tags, tag);
}

/** True when a decoded value is a frame the root may send. */
export function isToWorker(value: unknown): value is ToWorker {
  return hasTag(value, toWorkerTags);
}

/** True when a decoded value is a frame a worker may send. */
export function isFromWorker(value: unknown): value is FromWorker {
  return hasTag(value, fromWorkerTags);
}

export { assertNever } from './internal/assertNever.js';
