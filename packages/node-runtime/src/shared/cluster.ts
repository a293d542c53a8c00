/**
 * The seam a cluster transport implements (`ActorSystem.start({ cluster })`; `natsCluster` in
 * `@troupe/nats` is the one Troupe ships): it starts workers on other hosts, each reached through
 * a {@link WorkerLink} like a local child process's, and tells the system which hosts are up. What
 * runs in a remote worker, and every frame it exchanges with the root, is the same as on one host.
 *
 * @module
 */

import type { Clock } from '@troupe/core';
import type { ActorAddress } from '@troupe/core/spi';
import type { WorkerLink } from './WorkerLink.js';

/**
 * Where a remote worker may run: one host by name, a list of hosts (the least loaded live one of
 * them), or `'*'` (the least loaded of every live host). Load is the number of this system's
 * workers on a host.
 *
 * @example
 * ```ts
 * await system.spawn(Counter, { start: 0 }, { host: 'b' });
 * await system.spawn(Counter, { start: 0 }, { host: ['a', 'b'] });
 * await system.spawn(Counter, { start: 0 }, { host: '*' });
 * ```
 */
export type HostChoice = string | readonly string[];

/** The host names `choice` allows, in its order; undefined for `'*'` (every host). */
export function allowedHosts(choice: HostChoice): readonly string[] | undefined {
  return choice === '*' ? undefined : typeof choice === 'string' ? [choice] : choice;
}

/** What a cluster needs to start one worker on another host. */
export interface RemoteLaunch {
  /** Where it may run. */
  readonly host: HostChoice;
  readonly placement: 'process' | 'thread';
  readonly kind: 'actor' | 'task';
  /** The module its definition comes from: the host must be able to import it. */
  readonly module: string;
  /** The actor it runs: the key of its ownership record. */
  readonly actor: ActorAddress;
  /** Node flags of its own, beyond the host's defaults (`maxHeapMb` included as a flag there). */
  readonly execArgv: readonly string[];
  readonly maxHeapMb: number | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly cwd: string | undefined;
  readonly maxMessageBytes: number;
}

/**
 * A host as the system sees it.
 *
 * @example
 * ```ts
 * for (const host of system.hosts()) console.log(host.name, host.up, host.workers);
 * ```
 */
export interface HostInfo {
  /** The name its agent was started with (`troupe node --name`). */
  readonly name: string;
  /** Heartbeating in time, and not leaving. */
  readonly up: boolean;
  /** When its agent wrote its last heartbeat (ms since the epoch, by the agent's clock). */
  readonly lastHeartbeat: number;
  /** This system's workers running there. */
  readonly workers: number;
  /** The CPUs its agent reports (its `availableParallelism`). */
  readonly cpus: number;
}

/**
 * One of a system's actors on another host, as `troupe status` shows it.
 *
 * @example
 * ```ts
 * const row: RemoteActorStatus = { id: 'x1', name: 'counter', host: 'b', pid: 4242, state: 'running', restarts: 1, mailboxDepth: 0 };
 * ```
 */
export interface RemoteActorStatus {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly pid: number | undefined;
  /** `starting`, `running`, `stopping` or `exited`. */
  readonly state: string;
  /** Restarts by its supervisor so far. */
  readonly restarts: number;
  /** Messages waiting in its queue mailbox; undefined for a pipe mailbox. */
  readonly mailboxDepth: number | undefined;
}

/** What a system hands the cluster it opens. */
export interface ClusterDeps {
  readonly clock: Clock;
  /** A host came up, or was declared down (its workers' links have exited, or will). */
  readonly onHost: (event: { readonly host: string; readonly up: boolean; readonly reason: string }) => void;
  /** The system's actors on other hosts now (for the cluster's view of it, `troupe status`). */
  readonly describe: () => readonly RemoteActorStatus[];
}

/** An opened cluster: starts remote workers and keeps the table of hosts. */
export interface Cluster {
  /**
   * Starts a worker on a host `launch.host` allows. Never throws: with no such host up, the link
   * exits at once with a `SpawnError` naming the hosts; one that is lost later exits with
   * `hostDown` saying why.
   */
  startWorker(launch: RemoteLaunch): WorkerLink;
  /** Every host heard of, up or down. */
  hosts(): readonly HostInfo[];
  /** Messages from the cluster that were malformed or not signed, and were dropped. */
  readonly dropped: number;
  /** Stops watching hosts and lets go of the connection (the system's workers have ended). */
  close(): Promise<void>;
}

/**
 * What `ActorSystem.start({ cluster })` takes: `natsCluster({ servers })` from `@troupe/nats`.
 *
 * @example
 * ```ts
 * import { natsCluster } from '@troupe/nats';
 * const system = await ActorSystem.start({ cluster: natsCluster({ servers: 'nats://127.0.0.1:4222' }) });
 * ```
 */
export interface ClusterFactory {
  /** What it is, for messages: `'nats'`. */
  readonly kind: string;
  open(deps: ClusterDeps): Promise<Cluster>;
}
