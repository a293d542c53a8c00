/**
 * Every error Troupe raises, each with a stable `code`.
 *
 * Errors cross process boundaries with name, message, stack, `code` and `cause` (see
 * {@link Codec}); on the receiving side an error whose code belongs to a class below is rebuilt
 * as that class, so `instanceof` works across processes.
 *
 * @module
 */

import { describeExit } from './describeExit.js';
import type { ExitInfo } from './exit.js';

/**
 * Options accepted by every Troupe error constructor.
 *
 * @example
 * ```ts
 * try {
 *   await loadSettings();
 * } catch (cause) {
 *   throw new TroupeError('Cannot start: the settings did not load', { cause });
 * }
 * ```
 */
export interface TroupeErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * The base class of every Troupe error.
 *
 * @example
 * ```ts
 * import { TroupeError } from '@troupe/core';
 * try {
 *   await ref.ask({ type: 'get' }, { timeoutMs: 10 });
 * } catch (err) {
 *   if (err instanceof TroupeError) console.log(err.code);
 * }
 * ```
 */
export class TroupeError extends Error {
  /** The code of this class's errors, the key it is rebuilt by after crossing a process boundary. */
  static readonly code: string = 'ERR_TROUPE';
  /** A stable, machine-readable code such as `ERR_TROUPE_ASK_TIMEOUT`: its class's `code`. */
  readonly code: string;

  constructor(message: string, options?: TroupeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as { readonly code?: unknown }).code as string;
  }
}

/**
 * A value cannot be encoded faithfully (a function, a symbol, a `WeakMap`, ...). Thrown
 * synchronously at the call site; nothing is sent.
 *
 * @example
 * ```ts
 * import { SerializationError } from '@troupe/core';
 * try {
 *   ref.send({ handler: () => 1 });
 * } catch (err) {
 *   if (err instanceof SerializationError) console.log(err.path); // 'msg.handler'
 * }
 * ```
 */
export class SerializationError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SERIALIZATION';
  declare readonly code: typeof SerializationError.code;
  /** Where the offending value sits, e.g. `msg.items[2].handler`. */
  readonly path: string;

  constructor(path: string, what: string, options?: TroupeErrorOptions) {
    super(
      `Cannot serialize ${path}: ${what} cannot cross a process boundary. ` +
        'Send plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Error) instead.',
      options,
    );
    this.path = path;
  }
}

/**
 * An encoded message is larger than `maxMessageBytes`. Thrown at the sender; nothing is sent.
 *
 * @example
 * ```ts
 * import { MessageTooLargeError } from '@troupe/core';
 * try {
 *   ref.send(new Uint8Array(100 * 1024 * 1024));
 * } catch (err) {
 *   if (err instanceof MessageTooLargeError) console.log(err.size, err.limit);
 * }
 * ```
 */
export class MessageTooLargeError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_MESSAGE_TOO_LARGE';
  declare readonly code: typeof MessageTooLargeError.code;
  /** The encoded size in bytes. */
  readonly size: number;
  /** The configured `maxMessageBytes`. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      `Message of ${size} bytes exceeds maxMessageBytes (${limit}). ` +
        'Split it, or raise maxMessageBytes in ActorSystem.start().',
    );
    this.size = size;
    this.limit = limit;
  }
}

/**
 * The peer broke the wire protocol (a frame header announcing more than `maxMessageBytes`,
 * bytes that do not decode, an unknown message tag). The connection is closed and the peer is
 * treated as crashed.
 *
 * @example
 * ```ts
 * import { ProtocolError } from '@troupe/core';
 * const exit = await ref.exited;
 * if (exit.error instanceof ProtocolError) console.log('peer sent a bad frame');
 * ```
 */
export class ProtocolError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_PROTOCOL';
  declare readonly code: typeof ProtocolError.code;
}

/**
 * An `ask` got no reply within its `timeoutMs`. The late reply, if any, is discarded.
 *
 * @example
 * ```ts
 * import { AskTimeoutError } from '@troupe/core';
 * await ref.ask({ type: 'slow' }, { timeoutMs: 50 }).catch((err) => {
 *   if (err instanceof AskTimeoutError) console.log('too slow');
 * });
 * ```
 */
export class AskTimeoutError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_ASK_TIMEOUT';
  declare readonly code: typeof AskTimeoutError.code;
  /** The timeout that elapsed. */
  readonly timeoutMs: number;

  constructor(actor: string, timeoutMs: number) {
    super(`Actor ${actor} did not reply within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The actor has stopped (or is stopping): an `ask` to it is rejected at once.
 *
 * @example
 * ```ts
 * import { ActorStoppedError } from '@troupe/core';
 * await ref.stop();
 * await ref.ask({ type: 'get' }).catch((err) => err instanceof ActorStoppedError); // true
 * ```
 */
export class ActorStoppedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_ACTOR_STOPPED';
  declare readonly code: typeof ActorStoppedError.code;
  /** How the actor exited, when it has. */
  readonly exit: ExitInfo | undefined;

  constructor(actor: string, exit?: ExitInfo) {
    super(
      exit === undefined
        ? `Actor ${actor} is stopping`
        : `Actor ${actor} has stopped (reason: ${exit.reason})`,
      exit?.error === undefined ? undefined : { cause: exit.error },
    );
    this.exit = exit;
  }
}

/**
 * The actor died (crash, signal, out of memory) while this call was pending. The remote error,
 * if any, is the `cause`.
 *
 * @example
 * ```ts
 * import { ActorCrashedError } from '@troupe/core';
 * await ref.ask({ type: 'boom' }).catch((err) => {
 *   if (err instanceof ActorCrashedError) console.log(err.exit.reason, err.cause);
 * });
 * ```
 */
export class ActorCrashedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_ACTOR_CRASHED';
  declare readonly code: typeof ActorCrashedError.code;
  /** How the actor exited. */
  readonly exit: ExitInfo;

  constructor(actor: string, exit: ExitInfo) {
    super(
      `Actor ${actor} exited (${describeExit(exit)}) before replying`,
      exit.error === undefined ? undefined : { cause: exit.error },
    );
    this.exit = exit;
  }
}

/**
 * An actor handled an `ask` without calling `ctx.reply`.
 *
 * @example
 * ```ts
 * import { NoReplyError } from '@troupe/core';
 * await ref.ask({ type: 'inc' }).catch((err) => err instanceof NoReplyError);
 * ```
 */
export class NoReplyError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_NO_REPLY';
  declare readonly code: typeof NoReplyError.code;

  constructor(actor: string) {
    super(`Actor ${actor} handled an ask without calling ctx.reply()`);
  }
}

/**
 * A definition could not be registered or found: a duplicate name in one module, an unknown
 * name, or a module that cannot be imported in the worker.
 *
 * @example
 * ```ts
 * import { DefinitionError, defineTask } from '@troupe/core';
 * defineTask(import.meta.url, 'twice', (x: number) => 2 * x);
 * try {
 *   defineTask(import.meta.url, 'twice', (x: number) => 2 * x);
 * } catch (err) {
 *   console.log(err instanceof DefinitionError); // true: duplicate name
 * }
 * ```
 */
export class DefinitionError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_DEFINITION';
  declare readonly code: typeof DefinitionError.code;
}

/**
 * An actor's `init` threw, or its worker could not start. `spawn` rejects with this; the
 * remote error is the `cause`.
 *
 * @example
 * ```ts
 * import { SpawnError } from '@troupe/core';
 * await system.spawn(Broken, {}).catch((err) => err instanceof SpawnError);
 * ```
 */
export class SpawnError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SPAWN';
  declare readonly code: typeof SpawnError.code;
}

/**
 * An option or argument is invalid. The message names the option.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from '@troupe/core';
 * await ActorSystem.start({ maxMessageBytes: -1 }).catch((err) => err instanceof InvalidArgumentError);
 * ```
 */
export class InvalidArgumentError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_INVALID_ARGUMENT';
  declare readonly code: typeof InvalidArgumentError.code;
}

/**
 * The actor system has shut down (or is shutting down); it takes no new work.
 *
 * @example
 * ```ts
 * import { SystemShutdownError } from '@troupe/core';
 * await system.shutdown();
 * await system.spawn(Counter, { start: 0 }).catch((err) => err instanceof SystemShutdownError);
 * ```
 */
export class SystemShutdownError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SYSTEM_SHUTDOWN';
  declare readonly code: typeof SystemShutdownError.code;
}

/**
 * A worker exited with a non-zero exit code without reporting an error (for example it called
 * `process.exit(3)`).
 *
 * @example
 * ```ts
 * import { ProcessExitError } from '@troupe/core';
 * const exit = await handle.exited;
 * if (exit.error instanceof ProcessExitError) console.log(exit.error.exitCode);
 * ```
 */
export class ProcessExitError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_PROCESS_EXIT';
  declare readonly code: typeof ProcessExitError.code;
  /** The worker's exit code. */
  readonly exitCode: number;

  constructor(exitCode: number, detail?: string) {
    super(`Worker exited with code ${exitCode}${detail === undefined ? '' : `: ${detail}`}`);
    this.exitCode = exitCode;
  }
}

/**
 * An error raised in another worker whose class is not known here. It keeps the remote
 * `name`, `message`, `stack`, `code` and `cause`.
 *
 * @example
 * ```ts
 * import { RemoteError } from '@troupe/core';
 * const exit = await ref.exited;
 * if (exit.error instanceof RemoteError) console.log(exit.error.name, exit.error.stack);
 * ```
 */
export class RemoteError extends Error {
  /** The remote error's `code`, when it had one. */
  readonly code: string | undefined;

  constructor(name: string, message: string, code?: string, options?: TroupeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.code = code;
  }
}

/**
 * A wait (such as a joinable queue's `join`) did not complete within its `timeoutMs`.
 *
 * @example
 * ```ts
 * import { TimeoutError } from '@troupe/core';
 * await queue.join({ timeoutMs: 1000 }).catch((err) => err instanceof TimeoutError);
 * ```
 */
export class TimeoutError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_TIMEOUT';
  declare readonly code: typeof TimeoutError.code;
}

/**
 * A `put` on a full queue did not find room within its `timeoutMs` (or `tryPut` found none).
 *
 * @example
 * ```ts
 * import { QueueFullError } from '@troupe/core';
 * await queue.put(job, { timeoutMs: 100 }).catch((err) => err instanceof QueueFullError);
 * ```
 */
export class QueueFullError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_FULL';
  declare readonly code: typeof QueueFullError.code;
}

/**
 * A `get` on an empty queue found nothing within its `timeoutMs`.
 *
 * @example
 * ```ts
 * import { QueueEmptyError } from '@troupe/core';
 * await queue.get({ timeoutMs: 100 }).catch((err) => err instanceof QueueEmptyError);
 * ```
 */
export class QueueEmptyError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_EMPTY';
  declare readonly code: typeof QueueEmptyError.code;
}

/**
 * The queue is closed: `put` rejects at once, and `get` rejects once what was left is drained.
 *
 * @example
 * ```ts
 * import { QueueClosedError } from '@troupe/core';
 * await queue.close();
 * await queue.put(1).catch((err) => err instanceof QueueClosedError); // true
 * ```
 */
export class QueueClosedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_CLOSED';
  declare readonly code: typeof QueueClosedError.code;
}

/**
 * `taskDone()` was called more times than this consumer took items from a joinable queue (or on
 * a queue that is not joinable).
 *
 * @example
 * ```ts
 * import { TaskDoneError } from '@troupe/core';
 * try { await queue.taskDone(); } catch (err) { console.log(err instanceof TaskDoneError); }
 * ```
 */
export class TaskDoneError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_TASK_DONE';
  declare readonly code: typeof TaskDoneError.code;
}

/**
 * The other end of the pipe closed (or its process died) and nothing is left to read: Python's
 * `EOFError`.
 *
 * @example
 * ```ts
 * import { PipeClosedError } from '@troupe/core';
 * await conn.recv().catch((err) => err instanceof PipeClosedError);
 * ```
 */
export class PipeClosedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_PIPE_CLOSED';
  declare readonly code: typeof PipeClosedError.code;
}

/**
 * `send` on a pipe whose other end has closed (or whose process died), or on an end closed here.
 *
 * @example
 * ```ts
 * import { BrokenPipeError } from '@troupe/core';
 * await conn.send('hi').catch((err) => err instanceof BrokenPipeError);
 * ```
 */
export class BrokenPipeError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_BROKEN_PIPE';
  declare readonly code: typeof BrokenPipeError.code;
}

/**
 * A pipe end was used the wrong way: sending on the receive-only end of a one-way pipe, or
 * receiving on its send-only end.
 *
 * @example
 * ```ts
 * import { WrongPipeEndError } from '@troupe/core';
 * const [reader, writer] = system.pipe<string>({ duplex: false });
 * try { reader.send('x'); } catch (err) { console.log(err instanceof WrongPipeEndError); }
 * ```
 */
export class WrongPipeEndError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_WRONG_PIPE_END';
  declare readonly code: typeof WrongPipeEndError.code;
}

/**
 * A supervisor could not start one of its children: `start()` rejects with this after stopping
 * the children it had started, in reverse order (and `startChild` rejects with it when the new
 * child fails to start). The child's own error is the `cause`.
 *
 * @example
 * ```ts
 * import { SupervisorStartError } from '@troupe/core';
 * await supervisor.start().catch((err) => {
 *   if (err instanceof SupervisorStartError) console.log(err.childId, err.cause);
 * });
 * ```
 */
export class SupervisorStartError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SUPERVISOR_START';
  declare readonly code: typeof SupervisorStartError.code;
  /** The id of the child that failed to start. */
  readonly childId: string;

  constructor(supervisor: string, childId: string, options?: TroupeErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Supervisor ${supervisor} could not start child '${childId}'${detail}`, options);
    this.childId = childId;
  }
}

/**
 * A supervisor gave up: its children needed more than `maxRestarts` restarts within `withinMs`.
 * It stopped all its children and failed; its own supervisor sees it exit with this error (and
 * restarts it, or gives up in turn).
 *
 * @example
 * ```ts
 * import { EscalationError } from '@troupe/core';
 * const exit = await supervisor.exited;
 * if (exit.reason === 'escalated' && exit.error instanceof EscalationError) {
 *   console.log(exit.error.supervisor, exit.error.maxRestarts, exit.error.withinMs);
 * }
 * ```
 */
export class EscalationError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_ESCALATION';
  declare readonly code: typeof EscalationError.code;
  /** The name of the supervisor that gave up. */
  readonly supervisor: string;
  /** Its `maxRestarts`. */
  readonly maxRestarts: number;
  /** Its `withinMs`. */
  readonly withinMs: number;
  /** The id of the child whose exit was one restart too many, when known. */
  readonly child: string | undefined;
  /** How that child ended, when known; its `error` is also this error's `cause`. */
  readonly lastExit: ExitInfo | undefined;

  constructor(
    supervisor: string,
    maxRestarts: number,
    withinMs: number,
    options?: TroupeErrorOptions & { readonly child?: string; readonly lastExit?: ExitInfo },
  ) {
    const last =
      options?.child === undefined
        ? ''
        : ` child '${options.child}'${options.lastExit === undefined ? '' : ` ended (${describeExit(options.lastExit)})`},`;
    super(
      `Supervisor ${supervisor} gave up:${last} more than ${maxRestarts} restart(s) within ${withinMs} ms ` +
        '(raise maxRestarts or withinMs, or add backoff, if this is expected)',
      options,
    );
    this.supervisor = supervisor;
    this.maxRestarts = maxRestarts;
    this.withinMs = withinMs;
    this.child = options?.child;
    this.lastExit = options?.lastExit;
  }
}

/**
 * `startChild` on a supervisor that already has `maxChildren` children.
 *
 * @example
 * ```ts
 * import { MaxChildrenError } from '@troupe/core';
 * await supervisor.startChild(spec).catch((err) => err instanceof MaxChildrenError);
 * ```
 */
export class MaxChildrenError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_MAX_CHILDREN';
  declare readonly code: typeof MaxChildrenError.code;
  /** The configured `maxChildren`. */
  readonly maxChildren: number;

  constructor(supervisor: string, maxChildren: number) {
    super(
      `Supervisor ${supervisor} already has maxChildren (${maxChildren}) children; ` +
        'terminate one first, or raise maxChildren',
    );
    this.maxChildren = maxChildren;
  }
}

/**
 * A supervisor was asked for work (`startChild`, `terminateChild`) while it is not running: not
 * started yet, stopped, or failed.
 *
 * @example
 * ```ts
 * import { SupervisorNotRunningError } from '@troupe/core';
 * await supervisor.stop();
 * await supervisor.startChild(spec).catch((err) => err instanceof SupervisorNotRunningError); // true
 * ```
 */
export class SupervisorNotRunningError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SUPERVISOR_NOT_RUNNING';
  declare readonly code: typeof SupervisorNotRunningError.code;
}

/**
 * A pool worker died while running this item (after its retries, if any). `exit` carries the exit
 * code or signal.
 *
 * @example
 * ```ts
 * import { WorkerCrashedError } from '@troupe/core';
 * await pool.map(risky, items).catch((err) => {
 *   if (err instanceof WorkerCrashedError) console.log(err.exit.signal);
 * });
 * ```
 */
export class WorkerCrashedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_WORKER_CRASHED';
  declare readonly code: typeof WorkerCrashedError.code;
  /** How the worker that ran the item last exited. */
  readonly exit: ExitInfo;
  /** How many workers the item was given to. */
  readonly attempts: number;

  constructor(exit: ExitInfo, attempts: number) {
    super(
      `A pool worker died running this item (${describeExit(exit)}; ${attempts} attempt${attempts === 1 ? '' : 's'})`,
      exit.error === undefined ? undefined : { cause: exit.error },
    );
    this.exit = exit;
    this.attempts = attempts;
  }
}

/**
 * The pool cannot keep workers alive (its initializer keeps failing, or workers die at start):
 * pending work is rejected instead of waiting forever.
 *
 * @example
 * ```ts
 * import { PoolBrokenError } from '@troupe/core';
 * await pool.map(square, [1, 2]).catch((err) => err instanceof PoolBrokenError);
 * ```
 */
export class PoolBrokenError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_POOL_BROKEN';
  declare readonly code: typeof PoolBrokenError.code;
}

/**
 * The pool was terminated (or closed) before this work completed.
 *
 * @example
 * ```ts
 * import { PoolTerminatedError } from '@troupe/core';
 * const pending = pool.map(slow, items);
 * await pool.terminate();
 * await pending.catch((err) => err instanceof PoolTerminatedError); // true
 * ```
 */
export class PoolTerminatedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_POOL_TERMINATED';
  declare readonly code: typeof PoolTerminatedError.code;
}

/**
 * Any error class, as the rebuild table holds them.
 *
 * @example
 * ```ts
 * const cls: ErrorClass | undefined = errorClassesByCode.get('ERR_TROUPE_ASK_TIMEOUT');
 * console.log(cls === AskTimeoutError); // true
 * ```
 */
export type ErrorClass = new (...args: never[]) => Error;

/**
 * An error class that carries its code: `static readonly code`, the same as its instances'.
 *
 * @example
 * ```ts
 * const cls: CodedErrorClass = QueueFullError;
 * console.log(cls.code); // 'ERR_TROUPE_QUEUE_FULL'
 * ```
 */
export type CodedErrorClass = ErrorClass & { readonly code: string };

/** Every class above: the rebuild table is made from their codes. */
const troupeErrorClasses: readonly CodedErrorClass[] = [
  TroupeError,
  SerializationError,
  MessageTooLargeError,
  ProtocolError,
  AskTimeoutError,
  ActorStoppedError,
  ActorCrashedError,
  NoReplyError,
  DefinitionError,
  SpawnError,
  InvalidArgumentError,
  SystemShutdownError,
  ProcessExitError,
  TimeoutError,
  QueueFullError,
  QueueEmptyError,
  QueueClosedError,
  TaskDoneError,
  PipeClosedError,
  BrokenPipeError,
  WrongPipeEndError,
  WorkerCrashedError,
  PoolBrokenError,
  PoolTerminatedError,
  SupervisorStartError,
  EscalationError,
  MaxChildrenError,
  SupervisorNotRunningError,
];

/**
 * Troupe error classes by code, used to rebuild errors that crossed a boundary.
 *
 * @example
 * ```ts
 * const cls = errorClassesByCode.get('ERR_TROUPE_QUEUE_FULL');
 * console.log(cls?.name); // 'QueueFullError'
 * ```
 */
export const errorClassesByCode: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>(
  troupeErrorClasses.map((cls) => [cls.code, cls]),
);

/**
 * Registers further error classes (a runtime's own, an application's) so they are rebuilt by
 * class after crossing a process boundary: by the class's static `code`, or under `code`.
 *
 * @example
 * ```ts
 * import { registerErrorClass, TroupeError } from '@troupe/core';
 *
 * // At the top level of a module both the root and the workers import:
 * export class QuotaExceededError extends TroupeError {
 *   static override readonly code = 'ERR_MYAPP_QUOTA';
 *   declare readonly code: typeof QuotaExceededError.code;
 * }
 * registerErrorClass(QuotaExceededError);
 * ```
 */
export function registerErrorClass(cls: CodedErrorClass): void;
export function registerErrorClass(code: string, cls: ErrorClass): void;
export function registerErrorClass(codeOrClass: string | CodedErrorClass, cls?: ErrorClass): void {
  const [code, registered] =
    typeof codeOrClass === 'string' ? [codeOrClass, cls] : [codeOrClass.code, codeOrClass];
  if (typeof registered !== 'function') {
    throw new InvalidArgumentError(
      'registerErrorClass(code, cls) needs the error class as its second argument',
    );
  }
  (errorClassesByCode as Map<string, ErrorClass>).set(code, registered);
}
