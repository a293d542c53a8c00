/**
 * The root's copy of a machine actor's state: its latest snapshot and persisted snapshot, kept
 * current by the worker's reports, and the listeners to tell. It outlives each incarnation of a
 * supervised machine, so a restart can start from the last persisted snapshot.
 */

import { EventStream } from '@troupe/core';
import type { SnapshotView } from '@troupe/core/spi';

export class MachineMirror {
  #snapshot: SnapshotView | undefined;
  #persisted: unknown;
  readonly changes = new EventStream<SnapshotView>();

  /** The latest snapshot, once the machine has started. */
  get snapshot(): SnapshotView | undefined {
    return this.#snapshot;
  }

  /** The last persisted snapshot (machines defined with `persist: true`). */
  get persisted(): unknown {
    return this.#persisted;
  }

  update(snapshot: SnapshotView, persisted: unknown): void {
    this.#snapshot = snapshot;
    if (persisted !== undefined) this.#persisted = persisted;
    this.changes.emit(snapshot);
  }
}
