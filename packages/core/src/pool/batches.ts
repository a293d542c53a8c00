/**
 * Batches: the chunks going to one worker in one message. Small chunks share a batch up to
 * `batchItems` items; eager chunks (answered item by item) share only with other eager ones.
 *
 * @module
 */

import type { ChunkMessage } from './chunks.js';
import type { InFlight } from './WorkerState.js';

/** Chunks going to one worker in one message. */
export interface Batch {
  readonly id: number;
  readonly chunks: ChunkMessage[];
  items: number;
  /** More chunks may join it. */
  readonly open: boolean;
  /** Its chunks are eager (see InFlight); eager and other chunks never share a batch. */
  readonly eager: boolean;
}

/**
 * Puts a chunk in the worker's open batch (the last of `batches`), or a new one with the id
 * `id`, and records its batch in `inFlight`. Retried or suspected items, and items of a call
 * that times its items, are eager: they share batches only with other eager chunks, whose items
 * the worker answers one by one, each answer out before the next item begins, so when the worker
 * dies, the first unanswered item of the batch is the one that was running. Returns the new
 * batch, if one was started (it took `id`).
 *
 * @example
 * ```ts
 * const started = addToBatch(batches, message, inFlight, 256, nextBatch);
 * if (started !== undefined) order.push([worker, started]), nextBatch++;
 * ```
 */
export function addToBatch(
  batches: Batch[],
  message: ChunkMessage,
  inFlight: InFlight,
  limit: number,
  id: number,
): Batch | undefined {
  const size = message.args.length;
  const { eager } = inFlight;
  const open = batches.at(-1);
  if (open?.open && open.eager === eager && open.items + size <= limit) {
    inFlight.batch = open.id;
    open.chunks.push(message);
    open.items += size;
    return undefined;
  }
  inFlight.batch = id;
  const batch = { id: inFlight.batch, items: size, chunks: [message], open: size < limit, eager };
  batches.push(batch);
  return batch;
}
