/**
 * The Node runtime under a supervisor: starts and stops worker children as actors whose handle
 * and mailbox outlive each incarnation, so a restarted child keeps its address and receives what
 * was sent to it while it was down.
 */

import type { ChildInstance, ChildRuntime, ExitInfo, ShutdownValue, WorkerChildSpec } from '@troupe/core';
import { nanoid } from 'nanoid';
import type { ResolvedSystemOptions } from '../options.js';
import { checkSpawnOptions, childSpawnOptions } from '../spawnOptions.js';
import { type ActorHandle, adoptIncarnation, retireHandle } from './ActorHandle.js';
import { checkDefinition } from './checkDefinition.js';
import type { Launcher } from './Launcher.js';
import type { Machines } from './Machines.js';
import type { Registry } from './Registry.js';
import type { WorkerCell } from './WorkerCell.js';

/** What the actor system does for supervised children. */
export interface ChildHost {
  /** Starts an incarnation; the first one makes the handle and its standing mailbox. */
  startIncarnation(
    spec: WorkerChildSpec,
    previous: ActorHandle | undefined,
  ): { cell: WorkerCell; handle: ActorHandle };
  /** The child will not run again: its mailbox closes, its handle behaves as exited. */
  retire(handle: ActorHandle): void;
}

export class SupervisedChildren implements ChildRuntime {
  readonly #host: ChildHost;
  readonly #handles = new Map<WorkerChildSpec, ActorHandle>();
  readonly #cells = new WeakMap<ChildInstance, WorkerCell>();

  constructor(host: ChildHost) {
    this.#host = host;
  }

  /** The handle of the first child with this id (children of nested supervisors included). */
  handle(id: string): ActorHandle | undefined {
    for (const [spec, handle] of this.#handles) if (spec.id === id) return handle;
    return undefined;
  }

  async start(
    spec: WorkerChildSpec,
    _incarnation: number,
    options: { readonly heartbeatMs?: number },
  ): Promise<ChildInstance> {
    const { cell, handle } = this.#host.startIncarnation(spec, this.#handles.get(spec));
    this.#handles.set(spec, handle);
    await cell.ready;
    // Pings start once the child is ready: loading its module may block its event loop for longer
    // than a beat on a busy machine, and that is not a hang.
    if (options.heartbeatMs !== undefined) cell.heartbeat(options.heartbeatMs);
    const instance: ChildInstance = { pid: cell.pid, exited: cell.exited };
    this.#cells.set(instance, cell);
    return instance;
  }

  stop(_spec: WorkerChildSpec, instance: ChildInstance, shutdown: ShutdownValue): Promise<ExitInfo> {
    return this.#cells.get(instance)?.stop(shutdown) ?? instance.exited;
  }

  retire(spec: WorkerChildSpec): void {
    const handle = this.#handles.get(spec);
    if (handle === undefined) return;
    this.#handles.delete(spec);
    retireHandle(handle);
    this.#host.retire(handle);
  }
}

/** What {@link childHost} starts incarnations with. */
export interface ChildHostOptions {
  readonly system: ResolvedSystemOptions;
  readonly launcher: Launcher;
  readonly registry: Registry<ActorHandle>;
  readonly machines: Machines;
  /** Throws `SystemShutdownError` once the system has shut down. */
  readonly checkOpen: () => void;
}

/** Supervised children: each incarnation under the same id, handle and standing mailbox. */
export function childHost({ system, launcher, registry, machines, checkOpen }: ChildHostOptions): ChildHost {
  return {
    startIncarnation: (spec, previous) => {
      checkOpen();
      checkDefinition(spec.actor, 'actor', 'supervise');
      const { placement, worker, host } = checkSpawnOptions(childSpawnOptions(spec), system);
      const mailbox =
        previous === undefined ? launcher.mailboxFor('queue', undefined) : registry.mailbox(previous.id);
      const id = previous?.id ?? nanoid(10);
      const self = { id, name: previous?.name ?? spec.id };
      const restore = machines.restoreFor(spec, previous);
      const cell = launcher.launch({
        definition: spec.actor,
        args: spec.args,
        self,
        placement,
        worker,
        mailbox,
        restore,
        supervised: true,
        host,
      });
      const handle = previous ?? machines.handleFor(spec.actor, cell, true);
      if (previous !== undefined) adoptIncarnation(previous, cell);
      registry.setHandle(id, handle);
      return { cell, handle };
    },
    retire: (handle) => {
      machines.forget(handle.id);
      const cell = registry.cell(handle.id);
      const mailbox = registry.retire(handle);
      const exit = cell?.exitInfo ?? handle.exitInfo ?? { reason: 'shutdown', code: null, signal: null };
      mailbox?.close({ id: handle.id, name: handle.name }, exit);
    },
  };
}
