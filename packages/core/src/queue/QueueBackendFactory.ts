/**
 * How a system opens a queue backend that is not in its own process (`ActorSystem.start({
 * backend })`), and what it hands that backend.
 *
 * @module
 */

import type { Clock } from '../Clock.js';
import type { FailedItem, QueueBackend } from './QueueBackend.js';

/**
 * What a system hands the backend it opens (see {@link QueueBackendFactory}).
 *
 * @example
 * ```ts
 * const backend = await natsBackend({ servers }).open({
 *   clock: realClock,
 *   maxTakeBytes: 1024 * 1024,
 *   onFailed: (failed) => console.warn(failed.reason),
 *   onStarving: () => {},
 * });
 * ```
 */
export interface QueueBackendDeps {
  readonly clock: Clock;
  /** The most bytes of items one take may hand out (the system's `maxMessageBytes`). */
  readonly maxTakeBytes: number;
  /** An item failed: its consumers died too often, or it could not be read. */
  readonly onFailed: (failed: FailedItem) => void;
  /** Consumers holding read-ahead of an empty queue another consumer waits on (see `giveBack`). */
  readonly onStarving: (queue: string, holders: readonly string[]) => void;
}

/**
 * A queue backend a system opens when it starts: `ActorSystem.start({ backend })`.
 *
 * @example
 * ```ts
 * import { natsBackend } from '@troupe/nats';
 * const system = await ActorSystem.start({ backend: natsBackend({ servers: 'nats://127.0.0.1:4222' }) });
 * ```
 */
export interface QueueBackendFactory {
  /** What it is, for messages: `'nats'`. */
  readonly kind: string;
  open(deps: QueueBackendDeps): Promise<QueueBackend>;
}
