/**
 * Encoded queue items laid end to end in one buffer: how a batch of object items crosses a
 * channel. A frame then carries two typed arrays however many items it holds, so neither side
 * encodes or decodes an item a second time to move it (the root splits a run into views of its
 * bytes to queue them, and joins the items a take hands out back into one run); the consumer
 * decodes a run in one call.
 *
 * @module
 */

import type { QueueItem } from './QueueBackend.js';

/** Item `i` is `bytes[ends[i - 1] ?? 0 .. ends[i])`: each an encoded message. */
export interface ItemRun {
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
}

/** What a take hands back: the items, or a run of them when every one is encoded. */
export type TakenItems = readonly QueueItem[] | ItemRun;

/** Whether `value` is a well-formed run: typed arrays, ends rising to within the bytes. */
export function isItemRun(value: unknown): value is ItemRun {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { bytes, ends } = value as Partial<ItemRun>;
  if (!(bytes instanceof Uint8Array) || !(ends instanceof Uint32Array) || ends.length === 0) return false;
  let previous = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    if (end <= previous) return false;
    previous = end;
  }
  return previous <= bytes.byteLength;
}

/**
 * `items` as they travel: a run when there are at least two and every one is encoded bytes,
 * otherwise the array itself. Items that lie end to end in one buffer (a producer's run, split
 * into views as it was queued) are copied as one piece, and a take of one such stretch is not
 * copied at all.
 */
export function toWire(items: readonly QueueItem[]): TakenItems {
  const n = items.length;
  if (n < 2) return items;
  const ends = new Uint32Array(n);
  let total = 0;
  let pieces = 1;
  let previous: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const item = items[i];
    if (!(item instanceof Uint8Array)) return items;
    if (previous !== undefined && !follows(previous, item)) pieces++;
    total += item.byteLength;
    ends[i] = total;
    previous = item;
  }
  const first = items[0] as Uint8Array;
  if (pieces === 1) return { bytes: new Uint8Array(first.buffer, first.byteOffset, total), ends };
  const bytes = new Uint8Array(total);
  // Each stretch of items that follow one another is one copy.
  let from = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && follows(items[i - 1] as Uint8Array, items[i] as Uint8Array)) continue;
    const start = items[from] as Uint8Array;
    const at = from === 0 ? 0 : (ends[from - 1] as number);
    bytes.set(new Uint8Array(start.buffer, start.byteOffset, (ends[i - 1] as number) - at), at);
    from = i;
  }
  return { bytes, ends };
}

/** Whether `next` starts where `item` ends, in the same buffer. */
function follows(item: Uint8Array, next: Uint8Array): boolean {
  return next.buffer === item.buffer && next.byteOffset === item.byteOffset + item.byteLength;
}

/** The items of a run, each a view of its bytes (nothing copied). */
export function splitRun(run: ItemRun): Uint8Array[] {
  const { bytes, ends } = run;
  const items = new Array<Uint8Array>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    // A plain view (not `subarray`, which looks up a species constructor: a Buffer's is slower).
    items[i] = new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
    start = end;
  }
  return items;
}

/** The items of what a take handed back, as an array. */
export function takenItems(taken: TakenItems): readonly QueueItem[] {
  return isRun(taken) ? splitRun(taken) : taken;
}

/** Tells a run from an array of items (a shape check only: see {@link isItemRun}). */
export function isRun(taken: TakenItems): taken is ItemRun {
  return !Array.isArray(taken);
}
