/**
 * The root's book of actors: the live workers by id, the handles and names users reach them by,
 * and the queue mailboxes that hold their messages, with the clean-up that keeps these maps in
 * step as workers start, exit, restart and are retired.
 */

import type { ActorAddress } from '@troupe/core/spi';
import type { QueueMailbox } from './QueueMailbox.js';
import type { WorkerCell } from './WorkerCell.js';

/** @typeParam Handle - the root's handles (ActorHandle; a parameter, so this module imports no handle) */
export class Registry<Handle extends ActorAddress = ActorAddress> {
  /** Live workers (starting, running or stopping) by actor id, in start order. */
  readonly #cells = new Map<string, WorkerCell>();
  /** Workers only the runtime may address (pool workers): routes to them are refused. */
  readonly #internal = new Set<string>();
  /** The handles of actors by id: a supervised actor's until its supervisor retires it. */
  readonly #handles = new Map<string, Handle>();
  /** Actor ids by registered name. */
  readonly #names = new Map<string, string>();
  /** Queue mailboxes by actor id: a supervised actor's outlives its incarnations. */
  readonly #mailboxes = new Map<string, QueueMailbox>();

  /** A worker starting, with the queue mailbox it takes its messages from, if any. */
  addCell(cell: WorkerCell, mailbox: QueueMailbox | undefined): void {
    if (mailbox !== undefined) this.#mailboxes.set(cell.id, mailbox);
    this.#cells.set(cell.id, cell);
  }

  /** The live worker of an actor any actor may address (not a pool worker). */
  addressable(id: string): WorkerCell | undefined {
    return this.#internal.has(id) ? undefined : this.#cells.get(id);
  }

  /** Every live worker, in start order. */
  cells(): IterableIterator<WorkerCell> {
    return this.#cells.values();
  }

  /** The live worker with this id, pool workers included. */
  cell(id: string): WorkerCell | undefined {
    return this.#cells.get(id);
  }

  /** Live workers, pool workers and those still starting or stopping included. */
  get workers(): number {
    return this.#cells.size;
  }

  /** Queue mailboxes kept (a supervised actor's between its incarnations too). */
  get mailboxCount(): number {
    return this.#mailboxes.size;
  }

  /** Marks a worker as the runtime's own until it exits (see {@link addressable}). */
  markInternal(id: string): void {
    this.#internal.add(id);
  }

  unmarkInternal(id: string): void {
    this.#internal.delete(id);
  }

  mailbox(id: string): QueueMailbox | undefined {
    return this.#mailboxes.get(id);
  }

  handle(id: string): Handle | undefined {
    return this.#handles.get(id);
  }

  setHandle(id: string, handle: Handle): void {
    this.#handles.set(id, handle);
  }

  hasName(name: string): boolean {
    return this.#names.has(name);
  }

  setName(name: string, id: string): void {
    this.#names.set(name, id);
  }

  /** The handle registered under `name`, if its actor is still there. */
  named(name: string): Handle | undefined {
    const id = this.#names.get(name);
    return id === undefined ? undefined : this.#handles.get(id);
  }

  /**
   * A worker ended. An unsupervised actor is forgotten with it (handle, name, mailbox, which is
   * returned so the caller can close it); a supervised one keeps them for its next incarnation.
   */
  cellGone(cell: WorkerCell): QueueMailbox | undefined {
    if (this.#cells.get(cell.id) === cell) this.#cells.delete(cell.id);
    if (cell.supervised) return undefined;
    const mailbox = this.#mailboxes.get(cell.id);
    this.#mailboxes.delete(cell.id);
    this.#handles.delete(cell.id);
    if (this.#names.get(cell.name) === cell.id) this.#names.delete(cell.name);
    return mailbox;
  }

  /** A supervised actor will not run again: forgets it, and returns its mailbox to close. */
  retire(address: ActorAddress): QueueMailbox | undefined {
    const mailbox = this.#mailboxes.get(address.id);
    this.#handles.delete(address.id);
    this.#mailboxes.delete(address.id);
    return mailbox;
  }
}
