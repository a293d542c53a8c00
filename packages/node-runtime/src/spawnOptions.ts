/**
 * Options of one spawn (and of a supervised child's incarnations), and their validation, with the
 * checks and message format of core's `validate`.
 *
 * @module
 */

import { InvalidArgumentError, PLACEMENTS, type Placement, Queue } from '@troupe/core';
import { checkName, checkObject, checkOneOf, checkPositiveInt, checkStrings, fail } from '@troupe/core/spi';
import type { ResolvedSystemOptions } from './options.js';
import type { HostChoice } from './shared/cluster.js';

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
   * Environment variables for this worker, over the root's own `process.env` (which a worker
   * otherwise inherits). On placement `'process'` or `'thread'` (a thread gets its own copy of
   * `process.env`); refused for `'local'`.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The working directory of this worker's process; default the root's. Placement `'process'`
   * only (threads share their process's directory): refused for the others.
   */
  readonly cwd?: string;
  /**
   * Node flags for this worker, added to the system's `execArgv`: `['--inspect-brk=9230']` opens
   * a debugger on this one worker only (the system's default leaves `--inspect` flags out of
   * workers, whose ports would clash). Placement `'process'` (a thread takes the flags a thread
   * may have); refused for `'local'`.
   */
  readonly execArgv?: readonly string[];
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
  /**
   * Runs the actor on another host, through the system's `cluster`: a host's name, a list of
   * names (the least loaded live one), or `'*'` (the least loaded live host). Placement
   * `'process'` or `'thread'` there. Refused without a cluster. A host that is down, or cannot
   * import the definition's module, makes the spawn reject with `SpawnError` naming it. Default:
   * this host.
   */
  readonly host?: HostChoice;
}

/** What a host's name may be: it is a subject token and a key. */
const HOST_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks one host name (`option` names it in the error). */
export function checkHostName(value: unknown, option: string): string {
  if (typeof value === 'string' && HOST_NAME.test(value)) return value;
  fail(option, 'a host name (letters, digits, _ or -, at most 64)', value);
}

/** Validates a {@link HostChoice}: a name, '*', or a non-empty list of names. */
export function checkHostChoice(value: unknown, option: string): HostChoice {
  if (value === '*') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) fail(option, "a host name, '*', or a non-empty list of host names", value);
    return value.map((name, i) => checkHostName(name, `${option}[${i}]`));
  }
  return checkHostName(value, option);
}

/** Validates {@link SpawnOptions}. */
export function checkSpawnOptions(
  options: unknown,
  defaults: ResolvedSystemOptions,
): {
  placement: Placement;
  name: string | undefined;
  maxHeapMb: number | undefined;
  worker: WorkerSettings;
  mailbox: 'queue' | 'pipe' | Queue<unknown>;
  mailboxCapacity: number | undefined;
  host: HostChoice | undefined;
} {
  const o = checkObject(options, 'spawn options');
  const placement =
    o.placement === undefined ? defaults.placement : checkOneOf(o.placement, PLACEMENTS, 'placement');
  const name = o.name === undefined ? undefined : checkName(o.name, 'name');
  const maxHeapMb = o.maxHeapMb === undefined ? undefined : checkPositiveInt(o.maxHeapMb, 'maxHeapMb');
  if (maxHeapMb !== undefined && placement === 'local') {
    throw new InvalidArgumentError("maxHeapMb cannot apply to placement 'local' (it shares the root's heap)");
  }
  const worker = checkWorkerSettings(o, placement, maxHeapMb);
  const mailbox = o.mailbox ?? 'queue';
  if (mailbox !== 'queue' && mailbox !== 'pipe' && !(mailbox instanceof Queue)) {
    fail('mailbox', "'queue', 'pipe' or a Queue from system.queue()", mailbox);
  }
  const mailboxCapacity =
    o.mailboxCapacity === undefined ? undefined : checkPositiveInt(o.mailboxCapacity, 'mailboxCapacity');
  if (mailboxCapacity !== undefined && mailbox !== 'queue') {
    throw new InvalidArgumentError("mailboxCapacity applies only to mailbox 'queue'");
  }
  const host = o.host === undefined ? undefined : checkHostChoice(o.host, 'host');
  if (host !== undefined && defaults.cluster === undefined)
    throw new InvalidArgumentError(
      'host needs a cluster: start the system with { cluster: natsCluster({ servers }) } from @troupe/nats',
    );
  if (host !== undefined && placement === 'local')
    throw new InvalidArgumentError("host cannot apply to placement 'local' (it runs in the root itself)");
  return { placement, name, maxHeapMb, worker, mailbox, mailboxCapacity, host };
}

/** How one worker starts, beyond the system's defaults (see {@link SpawnOptions}). */
export interface WorkerSettings {
  readonly maxHeapMb?: number | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  readonly execArgv?: readonly string[] | undefined;
}

function checkWorkerSettings(
  o: Record<string, unknown>,
  placement: Placement,
  maxHeapMb: number | undefined,
): WorkerSettings {
  const { env, cwd, execArgv } = o;
  if (env !== undefined) {
    const entries =
      typeof env === 'object' && env !== null && !Array.isArray(env) ? Object.entries(env) : undefined;
    if (entries === undefined || !entries.every(([, v]) => typeof v === 'string')) {
      fail('env', 'an object of string values', env);
    }
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) fail('cwd', 'a directory path', cwd);
  if (execArgv !== undefined) checkStrings(execArgv, 'execArgv');
  const refused = [
    ...(env !== undefined && placement === 'local' ? ['env'] : []),
    ...(execArgv !== undefined && placement === 'local' ? ['execArgv'] : []),
    ...(cwd !== undefined && placement !== 'process' ? ['cwd'] : []),
  ];
  if (refused.length > 0) {
    throw new InvalidArgumentError(
      `${refused.join(' and ')} cannot apply to placement '${placement}': ` +
        (placement === 'local'
          ? 'it runs in the root itself'
          : 'a thread shares its process’s working directory') +
        "; use placement 'process'",
    );
  }
  return {
    maxHeapMb,
    env: env as Record<string, string> | undefined,
    cwd: cwd as string | undefined,
    execArgv: execArgv as string[] | undefined,
  };
}

/** The spawn options a supervised child's spec carries beside its OTP fields. */
export function childSpawnOptions(spec: object): SpawnOptions {
  const { placement, maxHeapMb, env, cwd, execArgv, host } = spec as SpawnOptions;
  return {
    ...(placement === undefined ? {} : { placement }),
    ...(host === undefined ? {} : { host }),
    ...(maxHeapMb === undefined ? {} : { maxHeapMb }),
    ...(env === undefined ? {} : { env }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(execArgv === undefined ? {} : { execArgv }),
  };
}
