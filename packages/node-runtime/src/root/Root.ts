/**
 * Everything the root keeps, made and wired together: the registry and the router, machine
 * mirrors, the queue backend and its hub, pipes, standby workers, the launcher, and the
 * {@link CellOwner} every worker's cell calls back into. `ActorSystem` is the public face of one
 * `Root`; the parts reach each other through here, never through the system.
 *
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Codec, type EventStream, type SystemEvent } from '@troupe/core';
import {
  type ActorAddress,
  EmbeddedQueueBackend,
  type FailedItem,
  PendingCalls,
  type PortableData,
  QueueClient,
  type QueueItem,
  unpackItem,
} from '@troupe/core/spi';
import type { ResolvedSystemOptions } from '../options.js';
import { startWorker } from '../placements/startWorker.js';
import type { HostInfo, RemoteActorStatus } from '../shared/cluster.js';
import type { ActorHandle } from './ActorHandle.js';
import type { CellOwner } from './CellOwner.js';
import { reportCrash } from './crashReport.js';
import { Launcher } from './Launcher.js';
import { Machines } from './Machines.js';
import type { OpenedBackend } from './openBackend.js';
import type { OpenedCluster } from './openCluster.js';
import { PipeRegistry } from './PipeRegistry.js';
import { type PortableSources, revivePortable } from './Portables.js';
import { QueueHub, ROOT_CONSUMER } from './QueueHub.js';
import { Registry } from './Registry.js';
import { Router } from './Router.js';
import { Standby } from './Standby.js';
import type { WorkerCell } from './WorkerCell.js';

/**
 * The root's parts.
 *
 * @example
 * ```ts
 * const root = new Root(resolveSystemOptions({}), events, topLevel);
 * const cell = root.launcher.launch({ definition, args, self, placement: 'process', worker: {} });
 * ```
 */
export class Root {
  /** Workers, handles, names and queue mailboxes. */
  readonly registry = new Registry<ActorHandle>();
  /** Where every message for an actor goes. */
  readonly router: Router;
  readonly machines: Machines;
  readonly hub: QueueHub;
  /** The root's own queue client (queues used from root code). */
  readonly rootQueues: QueueClient;
  readonly pipes: PipeRegistry;
  /** Idle workers that spawns and restarts adopt (the `standby` option). */
  readonly standby: Standby;
  /** Starts workers: spawns, processes, pool workers and supervised incarnations. */
  readonly launcher: Launcher;
  readonly #options: ResolvedSystemOptions;
  readonly #events: EventStream<SystemEvent>;
  /** What shutdown stops (a worker leaves it when it exits). */
  readonly #topLevel: Set<unknown>;
  /** Asks made through queue mailboxes, answered by whichever actor takes them. */
  readonly #mailboxAsks: PendingCalls;
  /** What the one `revive` rebuilds portables from. */
  readonly #portables: PortableSources;
  #socketDir: string | undefined;
  readonly #cluster: OpenedCluster | undefined;
  /** Restarts of supervised actors, by id (kept only with a cluster, for its view). */
  readonly #restarts = new Map<string, number>();

  constructor(
    options: ResolvedSystemOptions,
    events: EventStream<SystemEvent>,
    topLevel: Set<unknown>,
    opened?: OpenedBackend,
    cluster?: OpenedCluster,
  ) {
    this.#options = options;
    this.#events = events;
    this.#topLevel = topLevel;
    this.router = new Router(this.registry, (to, message, reason) => this.deadLetter(to, message, reason));
    this.machines = new Machines((event) => events.emit(event), this.router);
    this.#mailboxAsks = new PendingCalls(options.clock);
    this.standby = new Standby({
      counts: options.standby,
      launch: {
        execArgv: options.execArgv,
        maxMessageBytes: options.maxMessageBytes,
        env: undefined,
        prefixOutput: options.prefixOutput,
      },
      clock: options.clock,
      start: (placement, launch) => startWorker(placement, launch, undefined),
    });
    const itemCodec = new Codec({ maxMessageBytes: options.maxMessageBytes, revive: (p) => this.revive(p) });
    /** A queue item nobody will take: a dead letter addressed to its queue. */
    const deadItem = (queue: string, item: QueueItem, reason: string) =>
      this.deadLetter(
        { id: queue, name: `queue ${queue}` },
        unpackItem(item, (bytes) => itemCodec.decode(bytes)),
        reason,
      );
    const handlers = {
      // A consumer waits on an empty queue: the others give back what they fetched ahead.
      onStarving: (queue: string, holders: readonly string[]) => {
        for (const holder of holders) {
          if (holder === ROOT_CONSUMER) this.rootQueues.reclaim(queue);
          else this.registry.cell(holder)?.reclaimQueue(queue);
        }
      },
      onFailed: (failed: FailedItem) => {
        // A mailbox item that crashed its actor (or outlived every delivery) fails like a message.
        const mailbox = this.registry.mailbox(failed.consumer);
        const cell = this.registry.cell(failed.consumer);
        if (mailbox?.info.id === failed.queue && cell !== undefined) {
          mailbox.fail(cell.address, failed.item, failed.reason, cell.exitInfo);
          return;
        }
        deadItem(failed.queue, failed.item, failed.reason);
      },
    };
    opened?.bind(handlers);
    const backend =
      opened?.backend ??
      new EmbeddedQueueBackend({
        clock: options.clock,
        // A take's items travel in one frame: no more of them than one message may hold.
        maxTakeBytes: options.maxMessageBytes,
        ...handlers,
      });
    this.hub = new QueueHub(backend, deadItem);
    this.rootQueues = new QueueClient(this.hub.rootOps(), itemCodec);
    this.pipes = new PipeRegistry({
      clock: options.clock,
      codec: itemCodec,
      cell: (id) => this.registry.cell(id),
      socketDir: () => {
        this.#socketDir ??= mkdtempSync(join(tmpdir(), 'troupe-'));
        return this.#socketDir;
      },
      onLinked: (pipe) => events.emit({ type: 'pipeLinked', pipe, time: Date.now() }),
      onRefused: (cellId, reason) => {
        const cell = this.registry.cell(cellId);
        const name = cell?.name ?? cellId;
        events.emit({
          type: 'security',
          what: 'pipe',
          id: cellId,
          name,
          pid: cell?.pid,
          reason,
          time: Date.now(),
        });
      },
    });
    this.#portables = {
      handle: (id) => this.registry.handle(id),
      pipes: this.pipes,
      queues: backend,
      rootQueues: this.rootQueues,
    };
    this.#cluster = cluster;
    cluster?.bind(
      ({ host, up, reason }) =>
        events.emit(
          up
            ? { type: 'hostUp', host, time: Date.now() }
            : { type: 'hostDown', host, reason, time: Date.now() },
        ),
      () => this.#remoteActors(),
    );
    this.launcher = new Launcher({
      system: options,
      owner: this.#cellOwner(),
      registry: this.registry,
      hub: this.hub,
      itemCodec,
      mailboxAsks: this.#mailboxAsks,
      standby: this.standby,
      deadLetter: (to, message, reason) => this.deadLetter(to, message, reason),
      cluster: cluster?.cluster,
      onDepth: (to, depth) => {
        const pid = this.registry.cell(to.id)?.pid;
        events.emit({ type: 'mailboxDepth', id: to.id, name: to.name, pid, depth, time: Date.now() });
      },
    });
  }

  /** Rebuilds a portable that arrived in a frame or a queue item as the root's own object. */
  revive(portable: PortableData): unknown {
    return revivePortable(portable, this.#portables);
  }

  /** A message that reached no actor, on the event stream. */
  deadLetter(to: ActorAddress, message: unknown, reason: string): void {
    this.#events.emit({ type: 'deadLetter', to, message, reason, time: Date.now() });
  }

  /** Removes what the root made on disk and lets go of its queue backend and cluster. */
  async close(): Promise<void> {
    if (this.#socketDir !== undefined) rmSync(this.#socketDir, { recursive: true, force: true });
    await this.hub.backend.shutdown?.();
    await this.#cluster?.cluster.close();
  }

  /** A supervised actor was restarted (for the cluster's view of the system). */
  noteRestart(id: string, restarts: number): void {
    if (this.#cluster !== undefined) this.#restarts.set(id, restarts);
  }

  /** This system's actors on other hosts. */
  #remoteActors(): RemoteActorStatus[] {
    const rows: RemoteActorStatus[] = [];
    for (const cell of this.registry.cells()) {
      if (cell.host === undefined) continue;
      rows.push({
        id: cell.id,
        name: cell.name,
        host: cell.host,
        pid: cell.pid,
        state: cell.phase,
        restarts: this.#restarts.get(cell.id) ?? 0,
        mailboxDepth: this.router.mailboxDepth(cell.id),
      });
    }
    // Forget the restarts of actors the system no longer has (a retired child, a supervisor gone).
    for (const id of this.#restarts.keys())
      if (this.registry.handle(id) === undefined) this.#restarts.delete(id);
    return rows;
  }

  /** Messages the cluster dropped (malformed, or not signed). */
  get clusterDropped(): number {
    return this.#cluster?.cluster.dropped ?? 0;
  }

  /** The hosts of the system's cluster (none without one). */
  hosts(): readonly HostInfo[] {
    return this.#cluster?.cluster.hosts() ?? [];
  }

  /** What workers' cells ask of the root. */
  #cellOwner(): CellOwner<WorkerCell> {
    const options = this.#options;
    const events = this.#events;
    return {
      clock: options.clock,
      shutdownMs: options.shutdownMs,
      maxMessageBytes: options.maxMessageBytes,
      revive: (portable) => this.revive(portable),
      route: (message) => this.router.fromWorker(message),
      queueCall: (consumer, message) => this.hub.call(consumer, message),
      pipeFrame: (cellId, message) => this.pipes.fromWorker(cellId, message),
      mailboxAnswer: (id, outcome) => {
        if ('value' in outcome) this.#mailboxAsks.resolve(id, outcome.value);
        else this.#mailboxAsks.reject(id, outcome.error);
      },
      cellReady: ({ id, name, placement, pid, host }) => {
        events.emit({ type: 'spawned', id, name, placement, pid, host, time: Date.now() });
      },
      report: (cell, report) => this.machines.report(cell, report),
      cellExited: (cell, exit) => {
        const mailbox = this.registry.mailbox(cell.id);
        this.hub.consumerGone(cell.id, cell.crashedDuringMessage ? mailbox?.info.id : undefined);
        this.pipes.cellGone(cell.id);
        this.#topLevel.delete(cell);
        // A supervised actor keeps its handle and mailbox until its supervisor retires it.
        if (this.registry.cellGone(cell)?.private) mailbox?.close(cell.address, exit);
        if (!cell.supervised) this.machines.forget(cell.id);
        const watched = events.hasSubscribers;
        const { id, name, placement, pid, host } = cell;
        events.emit({ type: 'exited', id, name, placement, pid, host, exit, time: Date.now() });
        if (!watched) reportCrash(cell, exit, options.logger);
      },
    };
  }
}
