/**
 * Queue items as NATS messages, and what a JetStream delivery says about itself.
 *
 * An item's message carries a `Troupe-Item` header: `b` when the payload is the item's encoded
 * bytes as the producer's codec wrote them, `v` when it is a primitive (a number, a short
 * string, ...) encoded here. A message without it was not written by Troupe: it is dead-lettered,
 * never handed to a consumer.
 *
 * @module
 */

import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { Codec, type QueueItem } from '@troupe/core';

export const ITEM_HEADER = 'Troupe-Item';
/** Why a dead letter failed, its queue, and how many times it was delivered. */
export const REASON_HEADER = 'Troupe-Reason';
export const QUEUE_HEADER = 'Troupe-Queue';
export const DELIVERIES_HEADER = 'Troupe-Deliveries';

/** Encodes primitives only: items that are objects arrive already encoded. */
const primitives = new Codec();

/** JetStream's error code for a publish to a full stream (`discard: new`). */
export const STREAM_FULL = 10077;

/**
 * A copy of `original`'s headers without the server's own (`Nats-Msg-Id`, ...), which stay with
 * the original message, and without those `drop` names.
 */
export function copyHeaders(original: MsgHdrs | undefined, drop: readonly string[] = []): MsgHdrs {
  const h = headers();
  for (const [key, values] of original ?? []) {
    if (key.toLowerCase().startsWith('nats-') || drop.includes(key)) continue;
    for (const value of values) h.append(key, value);
  }
  return h;
}

/** A message of the queue that is not an item Troupe wrote. */
export class MalformedItem extends Error {}

/** The payload and headers of `item`'s message. */
export function toMessage(item: QueueItem): { data: Uint8Array; headers: MsgHdrs } {
  const h = headers();
  if (item instanceof Uint8Array) {
    h.set(ITEM_HEADER, 'b');
    return { data: item, headers: h };
  }
  h.set(ITEM_HEADER, 'v');
  return { data: primitives.encode(item), headers: h };
}

/** The item a message carries. Throws {@link MalformedItem} for one Troupe did not write. */
export function fromMessage(data: Uint8Array, h: MsgHdrs | undefined): QueueItem {
  const kind = h?.get(ITEM_HEADER);
  if (kind === 'b') {
    if (data.byteLength === 0) throw new MalformedItem('an item of no bytes');
    // A plain Uint8Array, as the embedded backend hands out (the client may give a Buffer).
    return data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (kind === 'v') {
    let value: unknown;
    try {
      value = primitives.decode(data);
    } catch {
      throw new MalformedItem('an item whose bytes do not decode');
    }
    if (typeof value === 'object' && value !== null)
      throw new MalformedItem('a plain item that is not a primitive');
    return value;
  }
  throw new MalformedItem(`no ${ITEM_HEADER} header: not written by Troupe`);
}

/** What a delivery's reply subject says: `$JS.ACK.<stream>.<consumer>.<delivered>.<seq>...`. */
export interface Delivery {
  readonly stream: string;
  readonly deliveries: number;
  readonly seq: number;
}

export function deliveryOf(reply: string | undefined): Delivery | undefined {
  if (reply === undefined || !reply.startsWith('$JS.ACK.')) return undefined;
  const t = reply.split('.');
  // v1: $JS.ACK.stream.consumer.delivered.sseq.cseq.ts.pending; v2 adds domain and account.
  const at = t.length === 9 ? 2 : t.length >= 11 ? 4 : -1;
  if (at < 0) return undefined;
  const deliveries = Number(t[at + 2]);
  const seq = Number(t[at + 3]);
  if (!Number.isSafeInteger(deliveries) || !Number.isSafeInteger(seq)) return undefined;
  return { stream: t[at] as string, deliveries, seq };
}
