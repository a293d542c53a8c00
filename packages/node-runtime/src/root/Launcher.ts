/**
 * Starts workers for the root: builds a worker's first frame, its queue mailbox, its flags and
 * environment, takes a standby worker when one fits (else starts one), and enters the new worker
 * in the registry.
 */

import { type Codec, InvalidArgumentError, type Placement, Queue, QueueClosedError } from '@troupe/core';
import type { ActorAddress, InitMessage, PendingCalls } from '@troupe/core/spi';
import type { ResolvedSystemOptions } from '../options.js';
import { startWorker } from '../placements/startWorker.js';
import type { Cluster, HostChoice } from '../shared/cluster.js';
import type { WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';
import type { WorkerSettings } from '../spawnOptions.js';
import type { CellOwner } from './CellOwner.js';
import type { QueueHub } from './QueueHub.js';
import { QueueMailbox } from './QueueMailbox.js';
import type { Registry } from './Registry.js';
import type { Standby } from './Standby.js';
import { WorkerCell } from './WorkerCell.js';

export interface LauncherOptions {
  readonly system: ResolvedSystemOptions;
  readonly owner: CellOwner<WorkerCell>;
  readonly registry: Registry;
  readonly hub: QueueHub;
  /** Encodes mailbox items. */
  readonly itemCodec: Codec;
  /** Asks made through queue mailboxes, system-wide. */
  readonly mailboxAsks: PendingCalls;
  readonly standby: Standby;
  readonly deadLetter: (to: ActorAddress, message: unknown, reason: string) => void;
  /** A mailbox's backlog grew to `depth`. */
  readonly onDepth: (to: ActorAddress, depth: number) => void;
  /** The system's other hosts, if it has a cluster. */
  readonly cluster: Cluster | undefined;
}

/** What to start: a definition, its arguments, as whom, where, and with what mailbox. */
export interface LaunchRequest {
  readonly definition: { readonly kind: 'actor' | 'task'; readonly module: string; readonly name: string };
  /** The actor's `init` argument, or the task's argument list. */
  readonly args: unknown;
  readonly self: ActorAddress;
  readonly placement: Placement;
  readonly worker: WorkerSettings;
  readonly mailbox?: QueueMailbox | undefined;
  /** A persisted state to restore a machine actor from. */
  readonly restore?: unknown;
  /** One incarnation of a supervised actor. */
  readonly supervised?: boolean;
  /** The hosts it may run on (through the system's cluster); undefined for this host. */
  readonly host?: HostChoice | undefined;
}

export class Launcher {
  readonly #o: LauncherOptions;

  constructor(options: LauncherOptions) {
    this.#o = options;
  }

  /**
   * A queue mailbox: a new private one (`'queue'`), one over the user's shared queue, or none
   * (`'pipe'`). Throws `InvalidArgumentError` for a queue of another system, `QueueClosedError`
   * for a closed one.
   */
  mailboxFor(
    mailbox: 'queue' | 'pipe' | Queue<unknown>,
    capacity: number | undefined,
  ): QueueMailbox | undefined {
    if (mailbox === 'pipe') return undefined;
    const { hub } = this.#o;
    const shared = mailbox instanceof Queue;
    const info = shared
      ? hub.backend.info(mailbox.id)
      : hub.backend.create({ ...(capacity ? { capacity } : {}) });
    if (info === undefined) throw new InvalidArgumentError('mailbox must be a queue of this actor system');
    if (shared && hub.backend.isClosed(info.id)) {
      throw new QueueClosedError('mailbox is a closed queue: the actor could never receive a message');
    }
    return new QueueMailbox({
      hub,
      info,
      private: !shared,
      codec: this.#o.itemCodec,
      asks: this.#o.mailboxAsks,
      deadLetter: this.#o.deadLetter,
      onDepth: this.#o.onDepth,
    });
  }

  /**
   * Starts a worker for `request` and registers it. Throws `SerializationError` (nothing started)
   * for arguments that cannot be sent.
   */
  launch(request: LaunchRequest): WorkerCell {
    const { placement, worker, mailbox } = request;
    const supervised = request.supervised ?? false;
    const { system, standby, registry } = this.#o;
    const { maxHeapMb } = worker;
    const own = [
      ...(worker.execArgv ?? []),
      ...(maxHeapMb === undefined || placement !== 'process' ? [] : [`--max-old-space-size=${maxHeapMb}`]),
    ];
    const launch: WorkerLaunch = {
      // The system's flags themselves when there are none of its own: a standby may take it.
      execArgv: own.length === 0 ? system.execArgv : [...system.execArgv, ...own],
      maxMessageBytes: system.maxMessageBytes,
      env: worker.env,
      cwd: worker.cwd,
      prefixOutput: system.prefixOutput,
    };
    const { host } = request;
    const cluster = this.#o.cluster;
    // Each incarnation of a supervised actor is launched anew, so restarts adopt standbys too (and
    // a remote one chooses its host again).
    const start = (): WorkerLink =>
      host !== undefined && cluster !== undefined && placement !== 'local'
        ? cluster.startWorker({
            host,
            placement,
            kind: request.definition.kind,
            module: request.definition.module,
            actor: request.self,
            execArgv: own,
            maxHeapMb,
            env: worker.env,
            cwd: worker.cwd,
            maxMessageBytes: system.maxMessageBytes,
          })
        : (standby.take(placement, launch, maxHeapMb) ?? startWorker(placement, launch, maxHeapMb));
    // An unsupervised actor's own mailbox takes the stop in turn, behind what was sent before it.
    const stopInTurn = mailbox?.private && !supervised ? () => mailbox.stopInTurn() : undefined;
    let cell: WorkerCell;
    try {
      cell = new WorkerCell(this.#o.owner, initFor(request), placement, start, { stopInTurn, supervised });
    } catch (error) {
      // Nothing started (arguments that cannot be sent): a mailbox made for this launch goes too.
      if (mailbox?.private && registry.mailbox(request.self.id) !== mailbox)
        this.#o.hub.delete(mailbox.info.id);
      throw error;
    }
    registry.addCell(cell, mailbox);
    return cell;
  }
}

/** The first frame a worker gets: what to run, with what, as whom. */
function initFor(request: LaunchRequest): InitMessage {
  const { definition, mailbox, restore } = request;
  const init: InitMessage = {
    t: 'init',
    kind: definition.kind,
    module: definition.module,
    name: definition.name,
    args: request.args,
    self: request.self,
  };
  return {
    ...init,
    ...(mailbox === undefined ? {} : { mailbox: mailbox.info }),
    ...(restore === undefined ? {} : { restore }),
  };
}
