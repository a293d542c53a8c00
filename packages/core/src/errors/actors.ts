/**
 * Errors of actors, tasks and the calls that reach them, and of bad arguments. Re-exported by
 * `errors.ts`, the index of every Troupe error.
 *
 * @module
 */

import { describeExit } from '../describeExit.js';
import type { ExitInfo } from '../exit.js';
import { TroupeError } from './TroupeError.js';

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
 * A worker's host was declared down: its node agent missed its heartbeats, went away, or stopped
 * answering ("no responders"). The exit of every actor it ran says so, with reason `hostDown`.
 *
 * @example
 * ```ts
 * import { HostDownError } from '@troupe/core';
 * const exit = await handle.exited;
 * if (exit.error instanceof HostDownError) console.warn(`lost with host ${exit.error.host}`);
 * ```
 */
export class HostDownError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_HOST_DOWN';
  declare readonly code: typeof HostDownError.code;
  /** The host's name (its agent's `--name`). */
  readonly host: string;

  constructor(host: string, why: string) {
    super(`Host ${host} is down (${why})`);
    this.host = host;
  }
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
