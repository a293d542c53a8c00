/**
 * The root's side of machine actors: a mirror of each one's state, the handles that read it, the
 * reports that keep it current, and the snapshot a supervised machine restarts from.
 */

import { isMachineDefinition, type SystemEvent, type WorkerChildSpec } from '@troupe/core';
import type { ActorReport } from '@troupe/core/spi';
import { ActorHandle } from './ActorHandle.js';
import { MachineHandle } from './MachineHandle.js';
import { MachineMirror } from './MachineMirror.js';
import type { Router } from './Router.js';
import type { WorkerCell } from './WorkerCell.js';

export class Machines {
  /** Mirrors of the machine actors alive (or waiting for a restart), by actor id. */
  readonly #mirrors = new Map<string, MachineMirror>();
  readonly #emit: (event: SystemEvent) => void;
  readonly #router: Router;

  constructor(emit: (event: SystemEvent) => void, router: Router) {
    this.#emit = emit;
    this.#router = router;
  }

  /** The handle for a new actor: a machine handle (with a fresh mirror) for a machine definition. */
  handleFor(definition: unknown, cell: WorkerCell, supervised: boolean): ActorHandle {
    if (!isMachineDefinition(definition)) return new ActorHandle(cell, this.#router, supervised);
    const mirror = new MachineMirror();
    this.#mirrors.set(cell.id, mirror);
    return new MachineHandle(cell, this.#router, mirror, supervised);
  }

  /** What a restarted child starts from: its last persisted snapshot, when its spec asks for it. */
  restoreFor(spec: WorkerChildSpec, previous: ActorHandle | undefined): unknown {
    if (previous === undefined || spec.restartFrom !== 'lastSnapshot') return undefined;
    return this.#mirrors.get(previous.id)?.persisted;
  }

  report(cell: WorkerCell, report: ActorReport): void {
    const about = { id: cell.id, name: cell.name, pid: cell.pid, time: Date.now() };
    switch (report.kind) {
      case 'snapshot':
        this.#mirrors.get(cell.id)?.update(report.snapshot, report.persisted);
        return;
      case 'inspect':
        this.#emit({ type: 'inspection', ...about, inspection: report.inspection });
        return;
      case 'restoreFailed':
        this.#emit({ type: 'restoreFailed', ...about, error: report.error });
        return;
    }
  }

  /** The actor will not run again (its handle keeps the last snapshot). */
  forget(id: string): void {
    this.#mirrors.delete(id);
  }
}
