/**
 * A queue's stream and consumer on the server: made when the queue is first created anywhere,
 * opened (and checked against the options asked for) when another system creates it again.
 *
 * @module
 */

import {
  AckPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  BackendError,
  InvalidArgumentError,
  type OnConsumerDeath,
  type QueueInfo,
  type QueueOptions,
} from '@troupe/core';
import { CONSUMER, type Names } from './names.js';

/** The default number of deliveries before an item is a dead letter (as the embedded backend's). */
const DEFAULT_MAX_DELIVERIES = 5;

/** What this process knows of a queue. */
export interface QueueState {
  readonly info: QueueInfo;
  readonly stream: string;
  readonly subject: string;
  readonly metaSubject: string;
  readonly onConsumerDeath: OnConsumerDeath;
  readonly maxDeliveries: number;
  /** Its stream and consumer exist (the promise rejects if they could not be made). */
  ready: Promise<void>;
  /** Closed, here or by another system. */
  closed: boolean;
  /** Waiting takes: woken to look again when the queue closes. */
  readonly wakers: Set<() => void>;
}

export function queueState(id: string, options: QueueOptions, names: Names): QueueState {
  return {
    info: { id, capacity: options.capacity ?? null, joinable: options.joinable ?? false },
    stream: names.stream(id),
    subject: names.subject(id),
    metaSubject: names.metaSubject(id),
    onConsumerDeath: options.onConsumerDeath ?? 'redeliver',
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    ready: Promise.resolve(),
    closed: false,
    wakers: new Set(),
  };
}

/** Makes (or opens) `state`'s stream and consumer, and reads whether it was closed. */
export async function ensureQueue(
  jsm: JetStreamManager,
  state: QueueState,
  ackWaitMs: number,
  metaStream: string,
): Promise<void> {
  const capacity = state.info.capacity;
  try {
    await jsm.streams.add({
      name: state.stream,
      subjects: [state.subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_msgs: capacity ?? -1,
      discard: DiscardPolicy.New,
      // Joinable or not is kept in the description: a stream has no other place for it here.
      description: JSON.stringify({ joinable: state.info.joinable }),
    });
  } catch (error) {
    // It exists with another configuration: say how it differs from what was asked.
    const existing = await jsm.streams.info(state.stream).catch(() => undefined);
    if (existing === undefined)
      throw new BackendError(`Could not make queue ${state.info.id}`, { cause: error });
    const had = existing.config.max_msgs > 0 ? existing.config.max_msgs : 'unbounded';
    const joinable =
      (parseDescription(existing.config.description) as { joinable?: unknown }).joinable === true;
    throw new InvalidArgumentError(
      `Queue ${state.info.id} exists with capacity ${had} and joinable ${joinable}; it was asked for ` +
        `with capacity ${capacity ?? 'unbounded'} and joinable ${state.info.joinable}`,
      { cause: error },
    );
  }
  try {
    await jsm.consumers.add(state.stream, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      max_deliver: state.maxDeliveries,
      max_ack_pending: -1,
    });
  } catch (error) {
    // Made by another system with other settings: it is used as it is.
    const existing = await jsm.consumers.info(state.stream, CONSUMER).catch(() => undefined);
    if (existing === undefined)
      throw new BackendError(`Could not make queue ${state.info.id}'s consumer`, { cause: error });
  }
  const last = await jsm.streams
    .getMessage(metaStream, { last_by_subj: state.metaSubject })
    .catch(() => null);
  if (last !== null && (last.json() as { closed?: unknown }).closed === true) state.closed = true;
}

function parseDescription(description: string | undefined): unknown {
  try {
    return JSON.parse(description ?? '{}') ?? {};
  } catch {
    return {};
  }
}
