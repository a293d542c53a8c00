/**
 * One pull request to a queue's consumer, made by hand rather than with the client's `fetch`:
 * `fetch` waits until its whole batch is filled or at least a second has passed, while a take
 * wants what is there now (`no_wait`), or the first item that comes.
 *
 * The server answers on an inbox of this request's own: the messages, then a status (404 no
 * messages, 408 the request expired, 409 refused) unless the batch filled. A request cancelled
 * before it is answered ends for its taker at once, but keeps listening until the server lets it
 * go, and gives back (`-NAK`) anything that still arrives, so no item waits out an ack timeout
 * for a taker that has gone.
 *
 * @module
 */

import { createInbox, type Msg, type NatsConnection, nanos } from '@nats-io/transport-node';
import { BackendError } from '@troupe/core';
import { CONSUMER } from './names.js';

/** The longest one pull request waits at the server; longer waits make several. */
export const MAX_PULL_WAIT_MS = 5000;
/** How long past its expiry a request's inbox waits for the server's last word. */
const GRACE_MS = 2000;

export interface Pull {
  /** The messages, once the request ends (an empty list when none came). */
  readonly done: Promise<Msg[]>;
  /** The taker has gone: what has come and what still comes is given back. */
  cancel(): void;
}

/** Gives a delivered message back to its queue at once. */
export function nak(nc: NatsConnection, msg: Msg): void {
  if (msg.reply) nc.publish(msg.reply, '-NAK');
}

/**
 * Asks `stream`'s consumer for up to `batch` messages: those there now (`waitMs` undefined), or
 * waiting up to `waitMs` (at most {@link MAX_PULL_WAIT_MS}) for them. A server that does not
 * answer at all is given up on after `limitMs` (default: the wait and two seconds more).
 */
export function pull(
  nc: NatsConnection,
  stream: string,
  batch: number,
  waitMs?: number,
  limitMs?: number,
): Pull {
  const inbox = createInbox();
  const messages: Msg[] = [];
  let cancelled = false;
  let ended = false;
  let resolve!: (messages: Msg[]) => void;
  const done = new Promise<Msg[]>((r) => {
    resolve = r;
  });
  const wait = waitMs === undefined ? undefined : Math.max(1, Math.min(MAX_PULL_WAIT_MS, waitMs));
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(guard);
    sub.unsubscribe();
    if (cancelled) for (const msg of messages.splice(0)) nak(nc, msg);
    resolve(messages);
  };
  // A connection closed for good (not one reconnecting) refuses at once: a BackendError for the taker.
  if (nc.isClosed()) throw new BackendError('The connection to NATS is closed');
  const sub = nc.subscribe(inbox, {
    callback: (error, msg) => {
      if (error !== null) return end();
      // A status (no reply subject, a code): the server is done with this request.
      if (!msg.reply && (msg.headers?.code ?? 0) >= 100) return end();
      if (cancelled) return nak(nc, msg);
      messages.push(msg);
      if (messages.length >= batch) end();
    },
  });
  const request = wait === undefined ? { batch, no_wait: true } : { batch, expires: nanos(wait) };
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${CONSUMER}`, JSON.stringify(request), { reply: inbox });
  // Never listen for ever: a server that never answers (paused, gone) ends the request here.
  const guard = setTimeout(end, limitMs ?? (wait ?? 0) + GRACE_MS);
  return {
    done,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      if (ended) return;
      // The taker goes at once; the inbox stays until the server lets the request go.
      for (const msg of messages.splice(0)) nak(nc, msg);
      resolve([]);
    },
  };
}
