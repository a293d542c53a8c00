/**
 * Where a message for an actor goes. Every sender calls {@link Router.deliver}: the root's
 * handles, actors sending or asking through the references they hold, supervised restarts and
 * the pool. It resolves the recipient in one order: an actor's standing queue mailbox (a
 * supervised actor's, which waits for its next incarnation), else its live worker (through that
 * worker's queue mailbox, or straight down its channel for a pipe mailbox), else a dead letter.
 */

import { ActorStoppedError, type AskOptions, type ExitInfo, type WaitOptions } from '@troupe/core';
import {
  type ActorAddress,
  assertNever,
  type RouteAskMessage,
  type RouteMessage,
  type RouteStopMessage,
} from '@troupe/core/spi';
import type { QueueMailbox } from './QueueMailbox.js';
import type { Registry } from './Registry.js';
import type { WorkerCell } from './WorkerCell.js';

/**
 * Who a message is for: an actor's address, and the worker the sender already knows it by (a
 * handle's current incarnation), if any; without one, the live worker registered under the id.
 */
export interface Recipient extends ActorAddress {
  readonly cell?: WorkerCell | undefined;
}

/** What to deliver: a message, a message that waits for room in a bounded mailbox, or an ask. */
export type Delivery =
  | { readonly t: 'send'; readonly body: unknown }
  | { readonly t: 'sendAsync'; readonly body: unknown; readonly options: WaitOptions | undefined }
  | { readonly t: 'ask'; readonly body: unknown; readonly options: AskOptions | undefined };

/** Where {@link Router.deliver} found a message should go. */
type Destination =
  | { readonly to: 'mailbox'; readonly mailbox: QueueMailbox; readonly address: ActorAddress }
  | { readonly to: 'worker'; readonly cell: WorkerCell }
  | {
      readonly to: 'nowhere';
      readonly address: ActorAddress;
      readonly reason: string;
      readonly exit: ExitInfo | undefined;
    };

export class Router {
  readonly #registry: Registry;
  readonly #deadLetter: (to: ActorAddress, message: unknown, reason: string) => void;

  constructor(registry: Registry, deadLetter: (to: ActorAddress, message: unknown, reason: string) => void) {
    this.#registry = registry;
    this.#deadLetter = deadLetter;
  }

  /**
   * Delivers a message to an actor. A `send` never throws for a recipient that is gone (the
   * message becomes a dead letter); an `ask` of one rejects with `ActorStoppedError`; a
   * `sendAsync` waits for room in a bounded queue mailbox.
   */
  deliver(to: Recipient, delivery: Delivery & { t: 'send' }): void;
  deliver(to: Recipient, delivery: Delivery): Promise<unknown> | undefined;
  deliver(to: Recipient, delivery: Delivery): Promise<unknown> | undefined {
    const where = this.#resolve(to);
    switch (where.to) {
      case 'mailbox': {
        const { mailbox, address } = where;
        if (delivery.t === 'send') return void mailbox.send(address, delivery.body);
        if (delivery.t === 'sendAsync') return mailbox.sendAsync(delivery.body, delivery.options);
        return mailbox.ask(address, delivery.body, delivery.options);
      }
      case 'worker': {
        const { cell } = where;
        if (delivery.t === 'ask') return cell.ask(delivery.body, delivery.options);
        cell.send(delivery.body);
        return delivery.t === 'send' ? undefined : Promise.resolve();
      }
      case 'nowhere':
        if (delivery.t === 'ask')
          return Promise.reject(new ActorStoppedError(where.address.name, where.exit));
        this.#deadLetter(where.address, delivery.body, where.reason);
        return delivery.t === 'send' ? undefined : Promise.resolve();
    }
  }

  /**
   * What an actor sends, asks or stops through a reference it holds (a frame from its worker,
   * whose `name` is only what the sender claims). Answers an ask or stop; undefined for a send.
   */
  fromWorker(message: RouteMessage | RouteAskMessage | RouteStopMessage): Promise<unknown> | undefined {
    const id = String(message.to);
    const to = { id, name: typeof message.name === 'string' ? message.name : id };
    switch (message.t) {
      case 'route':
        this.deliver(to, { t: 'send', body: message.body });
        return undefined;
      case 'routeAsk': {
        const { timeoutMs } = message;
        return this.deliver(to, {
          t: 'ask',
          body: message.body,
          options: timeoutMs === undefined ? undefined : { timeoutMs },
        });
      }
      case 'routeStop':
        return this.stop(to);
      default:
        return assertNever(message);
    }
  }

  /**
   * Stops an actor's live worker. Rejects `ActorStoppedError` for an actor the sender may not
   * reach or that is gone.
   */
  stop(to: Recipient): Promise<ExitInfo> {
    const cell = to.cell ?? this.#registry.addressable(to.id);
    if (cell === undefined) return Promise.reject(new ActorStoppedError(this.#addressOf(to).name));
    return cell.stop();
  }

  /** Messages waiting in an actor's queue mailbox; undefined for a pipe mailbox or an actor gone. */
  mailboxDepth(id: string): number | undefined {
    return this.#registry.mailbox(id)?.depth();
  }

  #resolve(to: Recipient): Destination {
    const cell = to.cell ?? this.#registry.addressable(to.id);
    const mailbox = this.#registry.mailbox(to.id);
    // A supervised actor's mailbox stands between its incarnations: what waits there goes to the next.
    if (mailbox !== undefined && (cell === undefined || cell.supervised))
      return { to: 'mailbox', mailbox, address: cell?.address ?? this.#addressOf(to) };
    if (cell === undefined)
      return {
        to: 'nowhere',
        address: this.#addressOf(to),
        reason: 'no such actor (it may have exited)',
        exit: undefined,
      };
    if (cell.phase === 'exited' || cell.phase === 'stopping') {
      const reason = `actor ${cell.phase === 'exited' ? 'has exited' : 'is stopping'}`;
      return { to: 'nowhere', address: cell.address, reason, exit: cell.exitInfo };
    }
    return mailbox === undefined ? { to: 'worker', cell } : { to: 'mailbox', mailbox, address: cell.address };
  }

  /** The address as the root knows it (a name from a worker's frame is only what it claims). */
  #addressOf(to: Recipient): ActorAddress {
    const handle = this.#registry.handle(to.id);
    return handle === undefined ? { id: to.id, name: to.name } : { id: handle.id, name: handle.name };
  }
}
