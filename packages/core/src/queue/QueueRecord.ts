/**
 * One queue of the embedded backend as it keeps it: its items, its waiters and what each
 * consumer holds; and the checks of the options a queue is made with.
 *
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { Deque } from '../internal/Deque.js';
import { checkBoolean, checkObject, checkPositiveInt } from '../validate.js';
import type { ItemRing } from './ItemRing.js';
import type { OnConsumerDeath, QueueInfo, QueueOptions } from './QueueBackend.js';
import type { Joiner, Putter, Taker } from './waiters.js';

export interface QueueRecord {
  readonly info: QueueInfo;
  readonly capacity: number;
  readonly onConsumerDeath: OnConsumerDeath;
  readonly maxDeliveries: number;
  items: ItemRing;
  closed: boolean;
  /** Items put and not yet finished (joinable queues). */
  unfinished: number;
  readonly putters: Deque<Putter>;
  readonly takers: Deque<Taker>;
  readonly joiners: Set<Joiner>;
  /** Items handed to each consumer and not yet finished, oldest first. */
  readonly held: Map<string, ItemRing>;
}

export const DEFAULT_MAX_DELIVERIES = 5;
/** Encoded bytes handed out per take, at most (see itemWireBytes): at least one item goes. */
export const TAKE_BYTES = 1024 * 1024;

/** Throws `InvalidArgumentError` naming a bad queue option. */
export function checkQueueOptions(options: QueueOptions): void {
  const { capacity, joinable, onConsumerDeath, maxDeliveries } = checkObject(options, 'queue options');
  if (capacity !== undefined) checkPositiveInt(capacity, 'capacity');
  if (joinable !== undefined) checkBoolean(joinable, 'joinable');
  if (onConsumerDeath !== undefined && onConsumerDeath !== 'redeliver' && onConsumerDeath !== 'fail') {
    // Written bare (`got retry`), as this message always has been.
    throw new InvalidArgumentError(
      `onConsumerDeath must be 'redeliver' or 'fail', got ${String(onConsumerDeath)}`,
    );
  }
  if (maxDeliveries !== undefined) checkPositiveInt(maxDeliveries, 'maxDeliveries');
}
