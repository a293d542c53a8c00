/**
 * Options of the actor system, and their validation: in one place, each error naming the
 * option at fault, with the checks and the message format of core's `validate`.
 *
 * @module
 */

import { constants } from 'node:os';
import {
  type AskOptions,
  type Clock,
  DEFAULT_MAX_MESSAGE_BYTES,
  type ExitInfo,
  InvalidArgumentError,
  MAX_WORKERS,
  PLACEMENTS,
  type Placement,
  type QueueBackendFactory,
  realClock,
} from '@troupe/core';
import {
  checkBoolean,
  checkCount,
  checkObject,
  checkOneOf,
  checkPositiveInt,
  checkStrings,
  checkTimeout,
  checkWaitOptions,
  fail,
} from '@troupe/core/spi';
import type { ClusterFactory } from './shared/cluster.js';

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
   * Worker threads start without the flags Node refuses for threads, those that set up the whole
   * process or V8 (`--expose-gc`, `--max-old-space-size=…`, `--title …`): a thread runs under its
   * process's own (a root started with `--expose-gc` has `gc` in its threads too). Worker
   * processes take every flag.
   */
  readonly execArgv?: readonly string[];
  /** How long a stopping worker may take before it is killed, in ms. Default 5000. */
  readonly shutdownMs?: number;
  /** The clock for every root-side timer. Default the real clock. */
  readonly clock?: Clock;
  /**
   * Warm standby workers: how many workers (at most {@link MAX_WORKERS}) to keep started and idle
   * for each placement, so that a spawn, a `system.process` or a supervised restart adopts one
   * instead of booting a new one (Node, the runtime and any loader: about 200 ms for a process).
   * Each one taken is replaced in the background once the worker that took it has started.
   * Default none. Each idle process costs its memory (about 75 MiB RSS); idle standbys, like
   * running actors, keep this process alive until the system shuts down.
   *
   * Only workers started with the system's defaults adopt a standby: a spawn with its own
   * `maxHeapMb` starts a fresh worker. A standby started earlier sees the environment and working
   * directory as they were when it started. One that dies while idle is replaced, and no exit is
   * reported for it; if they keep dying, the placement stops keeping standbys and workers start
   * cold. `stats().standby` counts the idle ones. See the supervision guide.
   *
   * @example
   * ```ts
   * // Restart a crashed process actor into a worker that is already running.
   * await using system = await ActorSystem.start({ standby: { process: 1 } });
   * ```
   */
  readonly standby?: { readonly process?: number; readonly thread?: number };
  /**
   * Where crash reports go. A worker that ends with reason `error`, `oom` or `timeout` while
   * nothing watches it (no supervisor, no pool, nobody awaiting its handle's `exited`, `join()` or
   * `result()`, no subscriber to `system.events`) would otherwise fail silently; like Erlang's
   * logger, the system reports it once. Default: a report written to `process.stderr`. A function
   * receives each {@link CrashReport} instead (to route it to your own logger); `false` silences
   * them.
   *
   * @example
   * ```ts
   * // Crash reports as JSON lines on stdout instead; `logger: false` silences them.
   * const system = await ActorSystem.start({
   *   logger: (report) => console.log(JSON.stringify({ crash: report.name, reason: report.exit.reason })),
   * });
   * ```
   */
  readonly logger?: ((report: CrashReport) => void) | false;
  /**
   * Prefixes each line a worker process or thread writes to stdout or stderr with its actor's
   * name in brackets (`[Counter#x1y2] ...`), for telling apart the output of many workers.
   * Default `false`: workers write straight to this process's stdout and stderr.
   */
  readonly prefixOutput?: boolean;
  /**
   * Where queues and queue mailboxes keep their items. Default: in this process (the embedded
   * backend). `natsBackend({ servers })` from `@troupe/nats` keeps them in NATS JetStream, where
   * they outlive this process and several systems can share a named queue.
   *
   * @example
   * ```ts
   * import { natsBackend } from '@troupe/nats';
   * const system = await ActorSystem.start({ backend: natsBackend({ servers: 'nats://127.0.0.1:4222' }) });
   * ```
   */
  readonly backend?: QueueBackendFactory;
  /**
   * Other hosts to run actors, supervised children and pool workers on: `natsCluster({ servers })`
   * from `@troupe/nats`, with a node agent (`troupe node --nats <url> --name <host>`) on each
   * host. Then `spawn(def, args, { host })`, a child spec's `host` and `pool({ hosts })` place
   * workers there. Default: none (every worker runs on this host).
   *
   * @example
   * ```ts
   * import { natsCluster } from '@troupe/nats';
   * const system = await ActorSystem.start({ cluster: natsCluster({ servers: 'nats://127.0.0.1:4222' }) });
   * const counter = await system.spawn(Counter, { start: 0 }, { host: 'b' });
   * ```
   */
  readonly cluster?: ClusterFactory;
}

/**
 * A crash nothing watched (see {@link ActorSystemOptions.logger}): which worker, and how it ended.
 *
 * @example
 * ```ts
 * const system = await ActorSystem.start({
 *   logger: (report: CrashReport) => console.error(report.name, report.exit.reason, report.exit.error?.stack),
 * });
 * ```
 */
export interface CrashReport {
  /** An actor, or a task run by `system.process`. */
  readonly kind: 'actor' | 'task';
  /** The actor's name (its id when it was given none), or the process's `task#id`. */
  readonly name: string;
  readonly id: string;
  /** The worker's OS process id (a thread or in-process actor has none of its own). */
  readonly pid: number | undefined;
  readonly placement: Placement;
  /** How it ended; `exit.error` carries the remote error with its stack. */
  readonly exit: ExitInfo;
  /** The report as the default logger writes it, several lines ending in a newline. */
  readonly text: string;
}

/** Start options with every default applied. */
export interface ResolvedSystemOptions {
  readonly placement: Placement;
  readonly maxMessageBytes: number;
  readonly execArgv: readonly string[];
  readonly shutdownMs: number;
  readonly clock: Clock;
  readonly standby: StandbyCounts;
  readonly logger: ((report: CrashReport) => void) | false;
  readonly prefixOutput: boolean;
  readonly backend: QueueBackendFactory | undefined;
  readonly cluster: ClusterFactory | undefined;
}

/** How many idle workers to keep for each placement that has workers of its own. */
export interface StandbyCounts {
  readonly process: number;
  readonly thread: number;
}

const DEFAULT_SHUTDOWN_MS = 5000;

/** Checks a number of workers (already an integer) against {@link MAX_WORKERS}. */
/** Refuses a count of workers over MAX_WORKERS, naming `option`. */
export function checkWorkerCount(value: number, option: string): number {
  if (value > MAX_WORKERS) fail(option, `at most ${MAX_WORKERS} (MAX_WORKERS)`, value);
  return value;
}

/** Validates the `standby` option: a count ≥ 0 per placement that starts workers. */
function checkStandby(value: unknown): StandbyCounts {
  const o = checkObject(value, 'standby');
  for (const key of Object.keys(o)) {
    if (key !== 'process' && key !== 'thread') {
      throw new InvalidArgumentError(
        `standby takes counts for 'process' and 'thread' only, got ${JSON.stringify(key)}` +
          (key === 'local' ? " (placement 'local' runs in the root and starts no worker)" : ''),
      );
    }
  }
  const count = (option: 'process' | 'thread'): number => {
    const n = o[option];
    return n === undefined ? 0 : checkWorkerCount(checkCount(n, `standby.${option}`), `standby.${option}`);
  };
  return { process: count('process'), thread: count('thread') };
}

/** Node flags a worker inherits by default: this process's own, minus `--inspect*` flags. */
export function defaultExecArgv(): string[] {
  return process.execArgv.filter((flag) => !/^--(inspect|debug)/.test(flag));
}

/** Validates {@link ActorSystemOptions} and applies defaults. */
export function resolveSystemOptions(options: unknown): ResolvedSystemOptions {
  const o = checkObject(options, 'ActorSystem.start(options)');
  // Only undefined means "the default": a null is a mistake, reported like any other.
  const execArgv = o.execArgv === undefined ? defaultExecArgv() : checkStrings(o.execArgv, 'execArgv');
  const clock = (o.clock === undefined ? realClock : o.clock) as Partial<Clock> | null;
  if (typeof clock?.setTimeout !== 'function' || typeof clock.now !== 'function') {
    fail('clock', 'a Clock (now, setTimeout, clearTimeout)', clock);
  }
  return {
    placement: o.placement === undefined ? 'process' : checkOneOf(o.placement, PLACEMENTS, 'placement'),
    maxMessageBytes:
      o.maxMessageBytes === undefined
        ? DEFAULT_MAX_MESSAGE_BYTES
        : checkPositiveInt(o.maxMessageBytes, 'maxMessageBytes'),
    execArgv,
    shutdownMs: o.shutdownMs === undefined ? DEFAULT_SHUTDOWN_MS : checkTimeout(o.shutdownMs, 'shutdownMs'),
    clock: clock as Clock,
    standby: checkStandby(o.standby),
    logger: o.logger === undefined ? writeCrashReport : checkLogger(o.logger),
    prefixOutput: o.prefixOutput === undefined ? false : checkBoolean(o.prefixOutput, 'prefixOutput'),
    backend: o.backend === undefined ? undefined : checkBackend(o.backend),
    cluster: o.cluster === undefined ? undefined : checkCluster(o.cluster),
  };
}

function checkCluster(value: unknown): ClusterFactory {
  const factory = value as Partial<ClusterFactory> | null;
  if (typeof factory?.open === 'function' && typeof factory.kind === 'string')
    return factory as ClusterFactory;
  fail('cluster', 'a cluster factory (such as natsCluster({ servers }))', value);
}

function checkBackend(value: unknown): QueueBackendFactory {
  const factory = value as Partial<QueueBackendFactory> | null;
  if (typeof factory?.open === 'function' && typeof factory.kind === 'string')
    return factory as QueueBackendFactory;
  fail('backend', 'a queue backend factory (such as natsBackend({ servers }))', value);
}

/** The default logger: the report, on this process's stderr. */
function writeCrashReport(report: CrashReport): void {
  process.stderr.write(report.text);
}

function checkLogger(value: unknown): ((report: CrashReport) => void) | false {
  if (value === false || typeof value === 'function') return value as ((report: CrashReport) => void) | false;
  fail('logger', 'a function taking a CrashReport, or false', value);
}

/** Validates {@link AskOptions}. */
export function checkAskOptions(options: AskOptions | undefined): void {
  checkWaitOptions(options, 'ask');
}

/** Validates `system.pipe()` options; returns whether the pipe is duplex. */
export function checkPipeOptions(options: unknown): boolean {
  const { duplex = true } = checkObject(options, 'pipe options');
  return checkBoolean(duplex, 'duplex');
}

/** Checks a signal name for `kill`, such as `'SIGTERM'`. */
export function checkSignal(value: unknown): NodeJS.Signals {
  if (typeof value !== 'string' || !Object.hasOwn(constants.signals, value)) {
    fail('signal', "a signal name such as 'SIGTERM' or 'SIGKILL'", value);
  }
  return value as NodeJS.Signals;
}
