/**
 * The Node runtime under a supervisor: starts and stops worker children as actors whose handle
 * and mailbox outlive each incarnation, so a restarted child keeps its address and receives what
 * was sent to it while it was down.
 */

import type { ChildInstance, ChildRuntime, ExitInfo, ShutdownValue, WorkerChildSpec } from '@troupe/core';
import { type ActorHandle, retireHandle } from '../ActorHandle.js';
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
