/**
 * A named queue opened again: the options must describe the queue that exists.
 *
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { QueueInfo, QueueOptions } from './QueueBackend.js';

/**
 * `existing`, when `options` agree with it; otherwise `InvalidArgumentError` naming what differs
 * (a queue's capacity and joinability are fixed when it is first made).
 */
export function sameQueue(existing: QueueInfo, options: QueueOptions): QueueInfo {
  const capacity = options.capacity ?? null;
  const joinable = options.joinable ?? false;
  if (capacity !== existing.capacity || joinable !== existing.joinable) {
    throw new InvalidArgumentError(
      `Queue ${existing.id} exists with capacity ${existing.capacity ?? 'unbounded'} and joinable ${existing.joinable}; ` +
        `it was asked for with capacity ${capacity ?? 'unbounded'} and joinable ${joinable}`,
    );
  }
  return existing;
}
