/**
 * The queue sub-protocol: a worker's `qcall` frames, one tagged variant per operation with the
 * argument that operation takes, the answers the root sends back, and the check the root runs on
 * every call it receives (frames from a worker are untrusted).
 *
 * Every frame has the same keys in the same order (`t`, `op`, `id`, `q`, `arg`, `timeoutMs`, one
 * of the codec's shared shapes), so it stays compact on the wire: build them with
 * {@link queueCall}.
 *
 * @module
 */

import { ProtocolError } from '../errors.js';
import { assertNever } from '../internal/assertNever.js';
import { mustBe } from '../validate.js';
import { isItemRun, type TakenItems } from './itemRun.js';
import type { QueueItem } from './QueueBackend.js';

/**
 * What a take asks for: at most `max` items, or `[max, acked]` when the acks the worker gathered
 * for this queue ride along.
 */
export type TakeArg = number | readonly [max: number, acked: number];

/** The argument each queue operation carries. */
export interface QueueArgs {
  /** The encoded item. */
  readonly put: QueueItem;
  /**
   * A put on a bounded queue that also asks for places reserved: the encoded item, and how many
   * places the worker would like (see `QueueBackend.admit`).
   */
  readonly admit: readonly [item: QueueItem, want: number];
  /**
   * The items of puts gathered for an unbounded queue, or for places the worker reserved in a
   * bounded one (no answer): a run when every one is encoded.
   */
  readonly puts: TakenItems;
  /** How many reserved places the worker hands back (no answer). */
  readonly release: number;
  /** The encoded item. */
  readonly tryPut: QueueItem;
  readonly take: TakeArg;
  /** The most items to take. */
  readonly tryTake: number;
  /** How many items taken earlier are finished (no answer). */
  readonly ack: number;
  /** How many `taskDone` calls (no answer). */
  readonly taskDone: number;
  /** How many of the newest items taken and not handed out go back (no answer). */
  readonly giveBack: number;
  readonly join: undefined;
  readonly size: undefined;
  readonly close: undefined;
  /** The id of the waiting call to cancel (no answer). */
  readonly cancel: number;
}

/** The queue operations a worker asks the root's queue backend for. */
export type QueueOp = keyof QueueArgs;

/** What the root answers each operation that expects an answer with (`reply` under the call's id). */
export interface QueueAnswers {
  readonly put: undefined;
  /** How many places were reserved for the worker. */
  readonly admit: number;
  readonly tryPut: boolean;
  /** The items taken: a run when every one is encoded. */
  readonly take: TakenItems;
  readonly tryTake: TakenItems;
  readonly join: undefined;
  readonly size: number;
  readonly close: undefined;
}

/** The operations the root answers. */
export type AnsweredQueueOp = keyof QueueAnswers;

/**
 * Worker → root: one queue operation on queue `q`. `id` 0 expects no answer; otherwise the root
 * answers `reply` or `fail` under `id`. `timeoutMs` bounds a wait (`put`, `take`, `join`) at the root.
 */
export interface QueueCall<Op extends QueueOp> {
  readonly t: 'qcall';
  readonly op: Op;
  readonly id: number;
  readonly q: string;
  readonly arg: QueueArgs[Op];
  readonly timeoutMs: number | undefined;
}

/** A queue call frame: one variant per operation, told apart by `op`. */
export type QueueCallMessage = { [Op in QueueOp]: QueueCall<Op> }[QueueOp];

/**
 * Builds a queue call frame, its keys in the order of the codec's shared shape.
 *
 * @example
 * ```ts
 * send(queueCall('tryTake', 7, queueId, 64, undefined));
 * ```
 */
export function queueCall<Op extends QueueOp>(
  op: Op,
  id: number,
  q: string,
  arg: QueueArgs[Op],
  timeoutMs: number | undefined,
): QueueCallMessage {
  const call: QueueCall<Op> = { t: 'qcall', op, id, q, arg, timeoutMs };
  // A frame built for `op` carries `op`'s argument: the compiler cannot narrow a generic `Op`.
  return call as QueueCallMessage;
}

function malformed(op: unknown, field: string, expected: string, got: unknown): never {
  throw new ProtocolError(`Malformed queue call ${JSON.stringify(op)}: ${mustBe(field, expected, got)}`);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function count(op: string, value: unknown, field: string, min: 0 | 1): void {
  if (!isCount(value) || value < min) malformed(op, field, `an integer ≥ ${min}`, value);
}

const QUEUE_OPS: Record<QueueOp, true> = {
  put: true,
  puts: true,
  tryPut: true,
  take: true,
  tryTake: true,
  ack: true,
  taskDone: true,
  giveBack: true,
  join: true,
  size: true,
  close: true,
  cancel: true,
  admit: true,
  release: true,
};

/**
 * Checks a queue call frame that came from a worker: a known operation, a call id, a queue id, a
 * wait bound and the argument that operation takes. Throws `ProtocolError` naming the field at
 * fault; returns the call, now trusted.
 *
 * @example
 * ```ts
 * checkQueueCall({ t: 'qcall', op: 'take', id: 3, q: 'q1', arg: -1, timeoutMs: undefined });
 * // ProtocolError: Malformed queue call "take": arg must be an integer ≥ 1 or [max, acked], got -1
 * ```
 */
export function checkQueueCall(frame: QueueCallMessage): QueueCallMessage {
  const { op, id, q, timeoutMs } = frame as { readonly [K in keyof QueueCallMessage]: unknown };
  if (typeof op !== 'string' || !Object.hasOwn(QUEUE_OPS, op)) {
    malformed(op, 'op', `one of ${Object.keys(QUEUE_OPS).join(', ')}`, op);
  }
  count(op, id, 'id', 0);
  if (typeof q !== 'string' || q.length === 0) malformed(op, 'q', 'a queue id', q);
  if (
    timeoutMs !== undefined &&
    !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0)
  ) {
    malformed(op, 'timeoutMs', 'undefined or a finite number of milliseconds ≥ 0', timeoutMs);
  }
  const call = frame;
  switch (call.op) {
    case 'put':
    case 'tryPut':
      // An item is any value: the root keeps it as it came and hands it on.
      return call;
    case 'admit': {
      const arg: unknown = call.arg;
      if (!Array.isArray(arg) || arg.length !== 2 || !isCount(arg[1]))
        malformed(op, 'arg', '[item, places wanted]', arg);
      return call;
    }
    case 'puts':
      if (!Array.isArray(call.arg) && !isItemRun(call.arg))
        malformed(op, 'arg', 'an array of items or a run of encoded items', call.arg);
      return call;
    case 'take': {
      const arg: unknown = call.arg;
      const ok =
        typeof arg === 'number'
          ? isCount(arg) && arg >= 1
          : Array.isArray(arg) && arg.length === 2 && isCount(arg[0]) && arg[0] >= 1 && isCount(arg[1]);
      if (!ok) malformed(op, 'arg', 'an integer ≥ 1 or [max, acked]', arg);
      return call;
    }
    case 'tryTake':
      count(op, call.arg, 'arg', 1);
      return call;
    case 'ack':
    case 'taskDone':
    case 'giveBack':
    case 'release':
      count(op, call.arg, 'arg', 0);
      return call;
    case 'cancel':
      count(op, call.arg, 'arg', 1);
      return call;
    case 'join':
    case 'size':
    case 'close': {
      const arg: unknown = call.arg;
      if (arg !== undefined) malformed(op, 'arg', 'undefined', arg);
      return call;
    }
    default:
      return assertNever(call);
  }
}
