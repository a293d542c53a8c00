/**
 * Dead letters on NATS: one stream for every queue's (`<prefix>_DLQ`, subject
 * `<prefix>.dlq.<queue>`), kept until replayed or purged. An item gets there when the server has
 * delivered it `maxDeliveries` times (reported by JetStream's max-deliveries advisory: the
 * message would otherwise stay in its work-queue stream, taking a place, for ever), when it
 * crashed the actor whose mailbox it came from, when its consumer died on a queue made with
 * `onConsumerDeath: 'fail'`, or when it is not an item Troupe wrote.
 *
 * A dead letter keeps the original payload and headers, and says why (`Troupe-Reason`), from
 * which queue (`Troupe-Queue`) and after how many deliveries (`Troupe-Deliveries`). It is written
 * before the original is removed: a crash in between leaves a copy, never a loss.
 *
 * @module
 */

import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import type { FailedItem, QueueItem } from '@troupe/core';
import type { Names } from './names.js';
import { copyHeaders, DELIVERIES_HEADER, fromMessage, QUEUE_HEADER, REASON_HEADER } from './wire.js';

export class DeadLetters {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #names: Names;
  readonly #onFailed: (failed: FailedItem) => void;

  constructor(
    js: JetStreamClient,
    jsm: JetStreamManager,
    names: Names,
    onFailed: (failed: FailedItem) => void,
  ) {
    this.#js = js;
    this.#jsm = jsm;
    this.#names = names;
    this.#onFailed = onFailed;
  }

  /** A message `consumer` holds: copied to the dead letters, then acked out of its queue. */
  async move(queue: string, msg: Msg, deliveries: number, reason: string, consumer = ''): Promise<void> {
    try {
      await this.#write(queue, msg.data, msg.headers, deliveries, reason);
    } catch {
      // Not written: it goes back, to be delivered (and counted) again.
      if (msg.reply) msg.respond('-NAK');
      return;
    }
    msg.respond('+ACK');
    this.#report(queue, msg.data, msg.headers, deliveries, reason, consumer);
  }

  /** A message the server has stopped delivering, found by its sequence in `stream`. */
  async moveStored(stream: string, seq: number, deliveries: number): Promise<void> {
    const queue = this.#names.queueOf(stream);
    if (queue === undefined) return;
    const stored = await this.#jsm.streams.getMessage(stream, { seq }).catch(() => null);
    // Gone already: another system's backend moved it (advisories go to one of a group, but a
    // message may be finished late).
    if (stored === null) return;
    const reason = `delivered ${deliveries} times without being finished`;
    await this.#write(queue, stored.data, stored.header, deliveries, reason);
    await this.#jsm.streams.deleteMessage(stream, seq).catch(() => false);
    this.#report(queue, stored.data, stored.header, deliveries, reason, '');
  }

  async #write(
    queue: string,
    data: Uint8Array,
    original: MsgHdrs | undefined,
    deliveries: number,
    reason: string,
  ) {
    const h = copyHeaders(original);
    h.set(REASON_HEADER, reason);
    h.set(QUEUE_HEADER, queue);
    h.set(DELIVERIES_HEADER, String(deliveries));
    await this.#js.publish(this.#names.dlqSubject(queue), data, { headers: h });
  }

  #report(
    queue: string,
    data: Uint8Array,
    h: MsgHdrs | undefined,
    deliveries: number,
    reason: string,
    consumer: string,
  ) {
    let item: QueueItem;
    try {
      item = fromMessage(data, h);
    } catch {
      // Not Troupe's: reported as its bytes.
      item = undefined;
    }
    this.#onFailed({ queue, item, deliveries, reason, consumer });
  }
}
