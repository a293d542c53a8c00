/**
 * Options of the actor system, and their validation: in one place, each error naming the
 * option at fault.
 *
 * @module
 */

import { availableParallelism } from 'node:os';
import {
  type AskOptions,
  type Clock,
  DEFAULT_MAX_MESSAGE_BYTES,
  InvalidArgumentError,
  PLACEMENTS,
  type Placement,
  Queue,
  realClock,
} from '@troupe/core';

/**
 * Options for {@link ActorSystem.start}.
 *
 * @example
 * ```ts
 * const system = await ActorSystem.start({ placement: 'thread', shutdownMs: 2000 });
 * ```
 */
export interface ActorSystemOptions {
  /** Where `spawn` puts actors unless told otherwise. Default `'process'`. */
  readonly placement?: Placement;
  /** The largest encoded message, in bytes, both ways. Default 64 MiB. */
  readonly maxMessageBytes?: number;
  /**
   * Node flags for worker processes and threads. Default: this process's own `execArgv`
   * (so a TypeScript loader such as `--import tsx` carries over), minus `--inspect*` flags.
   */
  readonly execArgv?: readonly string[];
  /** How long a stopping worker may take before it is killed, in ms. Default 5000. */
  readonly shutdownMs?: number;
  /** The clock for every root-side timer. Default the real clock. */
  readonly clock?: Clock;
}

/**
 * Options for {@link ActorSystem.spawn}.
 *
 * @example
 * ```ts
 * await system.spawn(Counter, { start: 0 }, { placement: 'thread', name: 'counter' });
 * ```
 */
export interface SpawnOptions {
  /** Where this actor runs. Default: the system's placement. */
  readonly placement?: Placement;
  /** A unique name, for `system.lookup(name)`. Default: the generated id. */
  readonly name?: string;
  /** The worker's V8 heap limit in MiB (`--max-old-space-size`, or a thread's resource limit). */
  readonly maxHeapMb?: number;
  /**
   * Where the actor's messages wait. `'queue'` (default): a queue kept by the system outside the
   * actor, so what is queued survives a crash and reaches the next incarnation. `'pipe'`: straight
   * over the worker's channel, lowest latency, at-most-once. A `Queue` from `system.queue()`: a
   * queue shared with other actors (work distribution).
   */
  readonly mailbox?: 'queue' | 'pipe' | Queue<unknown>;
  /**
   * Bounds a `'queue'` mailbox. When it is full, `send` puts the message in dead letters and
   * `sendAsync` waits for room. Default: unbounded.
   */
  readonly mailboxCapacity?: number;
}

/** Start options with every default applied. */
export interface ResolvedSystemOptions {
  readonly placement: Placement;
  readonly maxMessageBytes: number;
  readonly execArgv: readonly string[];
  readonly shutdownMs: number;
  readonly clock: Clock;
}

const DEFAULT_SHUTDOWN_MS = 5000;

function fail(option: string, expected: string, got: unknown): never {
  throw new InvalidArgumentError(`${option} must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

function checkObject(value: unknown, option: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) fail(option, 'an object', value);
  return value as Record<string, unknown>;
}

/** Checks a placement name. */
export function checkPlacement(value: unknown, option: string): Placement {
  if (!PLACEMENTS.includes(value as Placement)) fail(option, `one of ${PLACEMENTS.join(', ')}`, value);
  return value as Placement;
}

/** Checks a timeout in milliseconds: a finite number ≥ 0. */
export function checkTimeout(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(option, 'a finite number of milliseconds ≥ 0', value);
  }
  return value;
}

function checkPositiveInt(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(option, 'a positive integer', value);
  }
  return value;
}

function defaultExecArgv(): string[] {
  return process.execArgv.filter((flag) => !/^--(inspect|debug)/.test(flag));
}

/** Validates {@link ActorSystemOptions} and applies defaults. */
export function resolveSystemOptions(options: unknown): ResolvedSystemOptions {
  const o = checkObject(options, 'ActorSystem.start(options)');
  const execArgv = o.execArgv ?? defaultExecArgv();
  if (!Array.isArray(execArgv) || !execArgv.every((a) => typeof a === 'string')) {
    fail('execArgv', 'an array of strings', execArgv);
  }
  const clock = o.clock ?? realClock;
  if (typeof (clock as Clock).setTimeout !== 'function' || typeof (clock as Clock).now !== 'function') {
    fail('clock', 'a Clock (now, setTimeout, clearTimeout)', clock);
  }
  return {
    placement: o.placement === undefined ? 'process' : checkPlacement(o.placement, 'placement'),
    maxMessageBytes:
      o.maxMessageBytes === undefined
        ? DEFAULT_MAX_MESSAGE_BYTES
        : checkPositiveInt(o.maxMessageBytes, 'maxMessageBytes'),
    execArgv: execArgv as string[],
    shutdownMs: o.shutdownMs === undefined ? DEFAULT_SHUTDOWN_MS : checkTimeout(o.shutdownMs, 'shutdownMs'),
    clock: clock as Clock,
  };
}

/** Validates {@link SpawnOptions}. */
export function checkSpawnOptions(
  options: unknown,
  defaults: ResolvedSystemOptions,
): {
  placement: Placement;
  name: string | undefined;
  maxHeapMb: number | undefined;
  mailbox: 'queue' | 'pipe' | Queue<unknown>;
  mailboxCapacity: number | undefined;
} {
  const o = checkObject(options, 'spawn options');
  const placement = o.placement === undefined ? defaults.placement : checkPlacement(o.placement, 'placement');
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    fail('name', 'a non-empty string', o.name);
  }
  const maxHeapMb = o.maxHeapMb === undefined ? undefined : checkPositiveInt(o.maxHeapMb, 'maxHeapMb');
  if (maxHeapMb !== undefined && placement === 'local') {
    throw new InvalidArgumentError("maxHeapMb cannot apply to placement 'local' (it shares the root's heap)");
  }
  const mailbox = o.mailbox ?? 'queue';
  if (mailbox !== 'queue' && mailbox !== 'pipe' && !(mailbox instanceof Queue)) {
    fail('mailbox', "'queue', 'pipe' or a Queue from system.queue()", mailbox);
  }
  const mailboxCapacity =
    o.mailboxCapacity === undefined ? undefined : checkPositiveInt(o.mailboxCapacity, 'mailboxCapacity');
  if (mailboxCapacity !== undefined && mailbox !== 'queue') {
    throw new InvalidArgumentError("mailboxCapacity applies only to mailbox 'queue'");
  }
  return { placement, name: o.name as string | undefined, maxHeapMb, mailbox, mailboxCapacity };
}

/** The spawn options a supervised child's spec carries beside its OTP fields. */
export function childSpawnOptions(spec: object): SpawnOptions {
  const { placement, maxHeapMb } = spec as SpawnOptions;
  return {
    ...(placement === undefined ? {} : { placement }),
    ...(maxHeapMb === undefined ? {} : { maxHeapMb }),
  };
}

/** Validates `system.pool()` options; returns the pool size. */
export function checkPoolOptions(options: unknown): number {
  const o = checkObject(options, 'pool options');
  const size = o.size === undefined ? availableParallelism() : checkPositiveInt(o.size, 'size');
  if (o.placement !== undefined && o.placement !== 'process' && o.placement !== 'thread') {
    fail('placement', "'process' or 'thread'", o.placement);
  }
  if (o.maxTasksPerWorker !== undefined) checkPositiveInt(o.maxTasksPerWorker, 'maxTasksPerWorker');
  if (o.maxStartFailures !== undefined) checkPositiveInt(o.maxStartFailures, 'maxStartFailures');
  if (o.taskTimeoutMs !== undefined) checkTimeout(o.taskTimeoutMs, 'taskTimeoutMs');
  if (o.maxRetries !== undefined && (!Number.isSafeInteger(o.maxRetries) || (o.maxRetries as number) < 0)) {
    fail('maxRetries', 'an integer ≥ 0', o.maxRetries);
  }
  if (o.initializer !== undefined) {
    const init = o.initializer as { task?: { kind?: unknown } };
    if (typeof init !== 'object' || init === null || init.task?.kind !== 'task') {
      fail('initializer', 'an object { task, args? } with a task made by defineTask', o.initializer);
    }
  }
  return size;
}

/** Validates {@link AskOptions}. */
export function checkAskOptions(options: AskOptions | undefined): void {
  if (options === undefined) return;
  const o = checkObject(options, 'ask options');
  if (o.timeoutMs !== undefined) checkTimeout(o.timeoutMs, 'timeoutMs');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    fail('signal', 'an AbortSignal', o.signal);
}
