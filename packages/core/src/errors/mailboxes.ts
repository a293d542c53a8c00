/**
 * Errors of queues and pipes. Re-exported by `errors.ts`, the index of every Troupe error.
 *
 * @module
 */

import { TroupeError } from './TroupeError.js';

/**
 * A `put` on a full queue did not find room within its `timeoutMs` (or `tryPut` found none).
 *
 * @example
 * ```ts
 * import { QueueFullError } from '@troupe/core';
 * await queue.put(job, { timeoutMs: 100 }).catch((err) => err instanceof QueueFullError);
 * ```
 */
export class QueueFullError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_FULL';
  declare readonly code: typeof QueueFullError.code;
}

/**
 * A `get` on an empty queue found nothing within its `timeoutMs`.
 *
 * @example
 * ```ts
 * import { QueueEmptyError } from '@troupe/core';
 * await queue.get({ timeoutMs: 100 }).catch((err) => err instanceof QueueEmptyError);
 * ```
 */
export class QueueEmptyError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_EMPTY';
  declare readonly code: typeof QueueEmptyError.code;
}

/**
 * The queue is closed: `put` rejects at once, and `get` rejects once what was left is drained.
 *
 * @example
 * ```ts
 * import { QueueClosedError } from '@troupe/core';
 * await queue.close();
 * await queue.put(1).catch((err) => err instanceof QueueClosedError); // true
 * ```
 */
export class QueueClosedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_QUEUE_CLOSED';
  declare readonly code: typeof QueueClosedError.code;
}

/**
 * `taskDone()` was called more times than this consumer took items from a joinable queue (or on
 * a queue that is not joinable).
 *
 * @example
 * ```ts
 * import { TaskDoneError } from '@troupe/core';
 * try { await queue.taskDone(); } catch (err) { console.log(err instanceof TaskDoneError); }
 * ```
 */
export class TaskDoneError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_TASK_DONE';
  declare readonly code: typeof TaskDoneError.code;
}

/**
 * The queue backend could not do what was asked: its server could not be reached, did not
 * answer in time, or refused (the message says which, and `cause` carries the backend's own
 * error). Items are never lost to it: a put that fails with it was not queued.
 *
 * @example
 * ```ts
 * import { BackendError } from '@troupe/core';
 * await queue.put(job).catch((err) => err instanceof BackendError && console.error(err.message));
 * ```
 */
export class BackendError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_BACKEND';
  declare readonly code: typeof BackendError.code;
}

/**
 * The other end of the pipe closed (or its process died) and nothing is left to read: Python's
 * `EOFError`.
 *
 * @example
 * ```ts
 * import { PipeClosedError } from '@troupe/core';
 * await conn.recv().catch((err) => err instanceof PipeClosedError);
 * ```
 */
export class PipeClosedError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_PIPE_CLOSED';
  declare readonly code: typeof PipeClosedError.code;
}

/**
 * `send` on a pipe whose other end has closed (or whose process died), or on an end closed here.
 *
 * @example
 * ```ts
 * import { BrokenPipeError } from '@troupe/core';
 * await conn.send('hi').catch((err) => err instanceof BrokenPipeError);
 * ```
 */
export class BrokenPipeError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_BROKEN_PIPE';
  declare readonly code: typeof BrokenPipeError.code;
}

/**
 * A pipe end was used the wrong way: sending on the receive-only end of a one-way pipe, or
 * receiving on its send-only end.
 *
 * @example
 * ```ts
 * import { WrongPipeEndError } from '@troupe/core';
 * const [reader, writer] = system.pipe<string>({ duplex: false });
 * try { reader.send('x'); } catch (err) { console.log(err instanceof WrongPipeEndError); }
 * ```
 */
export class WrongPipeEndError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_WRONG_PIPE_END';
  declare readonly code: typeof WrongPipeEndError.code;
}
