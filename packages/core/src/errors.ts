/**
 * Every error Troupe raises, each with a stable `code`: the classes live in `errors/` by area
 * (wire, actors, mailboxes, supervision, pool); this module gathers them and keeps the table
 * that rebuilds them by code.
 *
 * Errors cross process boundaries with name, message, stack, `code` and `cause` (see
 * {@link Codec}); on the receiving side an error whose code belongs to a class below is rebuilt
 * as that class, so `instanceof` works across processes.
 *
 * @module
 */

import {
  ActorCrashedError,
  ActorStoppedError,
  AskTimeoutError,
  DefinitionError,
  HostDownError,
  InvalidArgumentError,
  NoReplyError,
  ProcessExitError,
  SpawnError,
  SystemShutdownError,
  TimeoutError,
} from './errors/actors.js';
import {
  BackendError,
  BrokenPipeError,
  PipeClosedError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  TaskDoneError,
  WrongPipeEndError,
} from './errors/mailboxes.js';
import { PoolBrokenError, PoolTerminatedError, WorkerCrashedError } from './errors/pool.js';
import {
  EscalationError,
  MaxChildrenError,
  SupervisorNotRunningError,
  SupervisorStartError,
} from './errors/supervision.js';
import { TroupeError } from './errors/TroupeError.js';
import { MessageTooLargeError, ProtocolError, SerializationError } from './errors/wire.js';

export * from './errors/actors.js';
export * from './errors/mailboxes.js';
export * from './errors/pool.js';
export * from './errors/supervision.js';
export * from './errors/TroupeError.js';
export * from './errors/wire.js';

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
  HostDownError,
  InvalidArgumentError,
  SystemShutdownError,
  ProcessExitError,
  TimeoutError,
  QueueFullError,
  QueueEmptyError,
  QueueClosedError,
  TaskDoneError,
  BackendError,
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
