/**
 * Working with dead letters on NATS (see `DeadLetters.ts` for how items get there): list them,
 * show one, put them back in their queue, or drop them. Each function opens a connection of its
 * own and closes it when done; `troupe dlq` calls them.
 *
 * @module
 */

import { jetstream, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { BackendError, Codec, InvalidArgumentError } from '@troupe/core';
import { checkWhere, connectNats, DEFAULT_PREFIX } from './connectNats.js';
import { Names } from './names.js';
import {
  copyHeaders,
  DELIVERIES_HEADER,
  ITEM_HEADER,
  QUEUE_HEADER,
  REASON_HEADER,
  STREAM_FULL,
} from './wire.js';

/**
 * Where the dead letters are.
 *
 * @example
 * ```ts
 * const where: DeadLetterOptions = { servers: 'nats://127.0.0.1:4222' };
 * ```
 */
export interface DeadLetterOptions {
  readonly servers: string | readonly string[];
  /** The prefix the systems were started with. Default `'TROUPE'`. */
  readonly prefix?: string;
  /** Credentials, TLS and the rest, as for `natsBackend`. */
  readonly connection?: Omit<NodeConnectionOptions, 'servers'>;
}

/**
 * One dead letter, as `listDeadLetters` reads it.
 *
 * @example
 * ```ts
 * for (const dead of await listDeadLetters(where, 'jobs')) console.log(dead.seq, dead.reason, dead.value);
 * ```
 */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream: what `replayDeadLetters` and `showDeadLetter` take. */
  readonly seq: number;
  readonly queue: string;
  readonly reason: string;
  /** How many times it had been delivered. */
  readonly deliveries: number;
  readonly time: Date;
  /** The item, decoded (handles in it as plain data); undefined for bytes Troupe did not write. */
  readonly value: unknown;
  /** Its encoded size, in bytes. */
  readonly bytes: number;
}

const QUEUE = /^[A-Za-z0-9_-]{1,64}$/;
const decoder = new Codec();

async function withJetStream<T>(
  options: DeadLetterOptions,
  queue: string,
  fn: (
    js: ReturnType<typeof jetstream>,
    jsm: Awaited<ReturnType<typeof jetstreamManager>>,
    names: Names,
  ) => Promise<T>,
): Promise<T> {
  if (!QUEUE.test(queue))
    throw new InvalidArgumentError(`queue must be a queue name or id, got ${JSON.stringify(queue)}`);
  checkWhere(options, 'dead-letter');
  const nc = await connectNats(options);
  try {
    return await fn(jetstream(nc), await jetstreamManager(nc), new Names(options.prefix ?? DEFAULT_PREFIX));
  } finally {
    await nc.close();
  }
}

function deadLetterOf(msg: StoredMsg, queue: string): DeadLetter {
  const h = msg.header;
  let value: unknown;
  const kind = h?.get(ITEM_HEADER);
  if (kind === 'b' || kind === 'v') {
    try {
      value = decoder.decode(msg.data);
    } catch {
      value = undefined;
    }
  }
  return {
    seq: msg.seq,
    queue,
    reason: h?.get(REASON_HEADER) ?? '',
    deliveries: Number(h?.get(DELIVERIES_HEADER) ?? 0),
    time: msg.time,
    value,
    bytes: msg.data.byteLength,
  };
}

/** Every stored message of `subject` in `stream`, oldest first. */
async function* storedOf(jsm: Awaited<ReturnType<typeof jetstreamManager>>, stream: string, subject: string) {
  let seq = 1;
  for (;;) {
    // `next_by_subj`: the first message of the subject at or after `seq` (NATS 2.9 has it; the
    // client's types do not list it yet).
    const query = { seq, next_by_subj: subject } as unknown as { seq: number };
    const msg = await jsm.streams.getMessage(stream, query).catch(() => null);
    if (msg === null) return;
    yield msg;
    seq = msg.seq + 1;
  }
}

/**
 * The dead letters of `queue`, oldest first.
 *
 * @example
 * ```ts
 * const dead = await listDeadLetters({ servers: 'nats://127.0.0.1:4222' }, 'jobs');
 * ```
 */
export function listDeadLetters(options: DeadLetterOptions, queue: string): Promise<DeadLetter[]> {
  return withJetStream(options, queue, async (_js, jsm, names) => {
    const found: DeadLetter[] = [];
    for await (const msg of storedOf(jsm, names.dlqStream, names.dlqSubject(queue)))
      found.push(deadLetterOf(msg, queue));
    return found;
  });
}

/**
 * One dead letter of `queue` by its sequence, or undefined.
 *
 * @example
 * ```ts
 * const dead = await showDeadLetter({ servers: 'nats://127.0.0.1:4222' }, 'jobs', 12);
 * ```
 */
export function showDeadLetter(
  options: DeadLetterOptions,
  queue: string,
  seq: number,
): Promise<DeadLetter | undefined> {
  return withJetStream(options, queue, async (_js, jsm, names) => {
    const msg = await jsm.streams.getMessage(names.dlqStream, { seq }).catch(() => null);
    return msg === null || msg.subject !== names.dlqSubject(queue) ? undefined : deadLetterOf(msg, queue);
  });
}

/**
 * Puts dead letters of `queue` back into it, oldest first (those of `seqs` only, when given), and
 * removes each from the dead letters once it is back. Stops at a full queue. Resolves with how
 * many went back.
 *
 * @example
 * ```ts
 * const replayed = await replayDeadLetters({ servers: 'nats://127.0.0.1:4222' }, 'jobs');
 * ```
 */
export function replayDeadLetters(
  options: DeadLetterOptions,
  queue: string,
  seqs?: readonly number[],
): Promise<number> {
  return withJetStream(options, queue, async (js, jsm, names) => {
    const only = seqs === undefined ? undefined : new Set(seqs);
    let replayed = 0;
    for await (const msg of storedOf(jsm, names.dlqStream, names.dlqSubject(queue))) {
      if (only !== undefined && !only.has(msg.seq)) continue;
      // Back as it was put: without what the dead letter added.
      const h = copyHeaders(msg.header, [REASON_HEADER, QUEUE_HEADER, DELIVERIES_HEADER]);
      try {
        await js.publish(names.subject(queue), msg.data, { headers: h });
      } catch (error) {
        if ((error as { code?: unknown }).code === STREAM_FULL) break; // The queue is full: the rest wait.
        throw new BackendError(`Could not put dead letter ${msg.seq} back into ${queue}`, { cause: error });
      }
      await jsm.streams.deleteMessage(names.dlqStream, msg.seq);
      replayed++;
    }
    return replayed;
  });
}

/**
 * Drops every dead letter of `queue`; resolves with how many.
 *
 * @example
 * ```ts
 * await purgeDeadLetters({ servers: 'nats://127.0.0.1:4222' }, 'jobs');
 * ```
 */
export function purgeDeadLetters(options: DeadLetterOptions, queue: string): Promise<number> {
  return withJetStream(options, queue, async (_js, jsm, names) => {
    const { purged } = await jsm.streams.purge(names.dlqStream, { filter: names.dlqSubject(queue) });
    return purged;
  });
}
