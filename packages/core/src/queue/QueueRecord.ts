/**
 * One queue of the embedded backend as it keeps it: its items, its waiters and what each
 * consumer holds; and the checks of the options a queue is made with.
 *
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import { Deque } from '../internal/Deque.js';
import { checkBoolean, checkObject, checkPositiveInt, fail } from '../validate.js';
import { ItemRing } from './ItemRing.js';
import {
  itemWireBytes,
  type OnConsumerDeath,
  type QueueInfo,
  type QueueItem,
  type QueueOptions,
} from './QueueBackend.js';
import { Reservations } from './Reservations.js';
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
  /** Places producers in other processes have reserved (bounded queues; see Reservations). */
  readonly reserved: Reservations;
}

/** Places neither filled nor reserved. */
export function freePlaces(q: QueueRecord): number {
  return q.capacity - q.items.length - q.reserved.total;
}

/**
 * Hands `consumer` up to `max` items of `q`, and no more than `limitBytes` of them (always at
 * least one), so a consumer's read-ahead stays small when items are large, and the frame that
 * carries them fits its limit.
 */
export function takeUpTo(q: QueueRecord, consumer: string, max: number, limitBytes: number): QueueItem[] {
  const { items } = q;
  if (items.length === 0) return [];
  let held = q.held.get(consumer);
  if (held === undefined) {
    held = new ItemRing();
    q.held.set(consumer, held);
  }
  const taken: QueueItem[] = [];
  let bytes = 0;
  while (taken.length < max && items.length > 0) {
    bytes += itemWireBytes(items.peek());
    if (bytes > limitBytes && taken.length > 0) break;
    const item = items.shift();
    held.push(item, items.shiftedDeliveries + 1);
    taken.push(item);
  }
  return taken;
}

/** Puts `back` (items given back, in order) in front of everything waiting in `q`. */
export function putInFront(q: QueueRecord, back: ItemRing): void {
  while (q.items.length > 0) back.push(q.items.shift(), q.items.shiftedDeliveries);
  q.items = back;
}

export const DEFAULT_MAX_DELIVERIES = 5;
/** Encoded bytes handed out per take, at most (see itemWireBytes): at least one item goes. */
export const TAKE_BYTES = 1024 * 1024;

/** Throws `InvalidArgumentError` naming a bad queue option. */
/** What a queue's `name` may be: it becomes part of stream and subject names on NATS. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkQueueOptions(options: QueueOptions): void {
  const { name, capacity, joinable, onConsumerDeath, maxDeliveries } = checkObject(options, 'queue options');
  if (name !== undefined && (typeof name !== 'string' || !QUEUE_NAME.test(name)))
    fail('name', 'letters, digits, _ or - (1 to 64 of them)', name);
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

/** A new, empty queue `id` made with `options` (already checked). */
export function newQueueRecord(id: string, options: QueueOptions): QueueRecord {
  return {
    info: { id, capacity: options.capacity ?? null, joinable: options.joinable ?? false },
    capacity: options.capacity ?? Number.POSITIVE_INFINITY,
    onConsumerDeath: options.onConsumerDeath ?? 'redeliver',
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    items: new ItemRing(),
    closed: false,
    unfinished: 0,
    putters: new Deque(),
    takers: new Deque(),
    joiners: new Set(),
    held: new Map(),
    reserved: new Reservations(),
  };
}
