/**
 * The pool's wire format, both directions: the one place that shapes pool frames and reads them
 * back. Root → worker: a batch of chunks (the worker actor's message) and a note to skip chunks.
 * Worker → root: that a batch has begun, and answers.
 *
 * Batches of single-item chunks (`chunkSize: 1`, or the last items of a call) travel as one
 * object of columns, and so do their answers, instead of one object per chunk: encoding and
 * decoding some sixty small objects (each with its own argument list, each a reference for the
 * codec to track) was most of what dispatching an item cost the root. Runs of numbers travel as
 * typed arrays (see `packNumbers`: `Int32Array` for integers, so they arrive as integers). A frame over the message limit goes in parts, and what
 * cannot be sent at all fails its own items, never the others.
 *
 * Frames come from another process, which may be broken: every reader checks what it reads and
 * throws `ProtocolError` for anything it could not have been sent.
 */

import { MessageTooLargeError, ProtocolError } from '@troupe/core';
import {
  type ChunkAnswers,
  type ChunkMessage,
  checkSendable,
  type RefusedChunk,
  type UnitAnswers,
} from '@troupe/core/spi';
import {
  type AnswerColumns,
  answerColumns,
  type ChunkColumns,
  chunkColumns,
  chunksOf,
  isAnswerColumns,
  isChunkColumns,
  isList,
  isTaskRef,
} from './columns.js';
import { packNumbers } from './packNumbers.js';

/** Root → worker, the worker actor's message: chunks to run in order. */
export type BatchFrame = readonly ChunkMessage[] | ChunkColumns;

/**
 * Root → worker, out of turn: skip these chunks if they have not begun (their call was aborted
 * while they waited behind another call's item), answering them as failed.
 */
export interface SkipFrame {
  readonly skip: readonly number[];
}

/**
 * Worker → root: it has begun the batch whose first chunk is `begun`. Sent, and flushed, before
 * any of its items runs, so that when the worker dies the pool knows whether the batch was
 * running or only in transit (its items then go back uncharged).
 */
export interface BegunFrame {
  readonly begun: number;
}

/** Worker → root: answers of one or more chunks. */
export type AnswerFrame = readonly ChunkAnswers[] | AnswerColumns;

/** Every frame a pool worker sends the root. */
export type WorkerFrame = BegunFrame | AnswerFrame;

/** A worker frame as the root reads it: a begun note, answers, or answers of single-item chunks. */
export type WorkerNote =
  | { readonly kind: 'begun'; readonly begun: number }
  | { readonly kind: 'answers'; readonly answers: readonly ChunkAnswers[] }
  | { readonly kind: 'units'; readonly answers: UnitAnswers };

// ---------------------------------------------------------------------------------------------
// Root → worker

/**
 * Sends a batch to a worker with `send` (which encodes and throws as the actor channel does),
 * and gives the chunks that could not be sent at all to `refuse`. A batch that cannot be sent goes chunk by
 * chunk; a chunk over the message limit goes in parts (each split again if need be), in order,
 * so that every item that fits runs; a part that still cannot go after earlier parts went is sent
 * as a placeholder that the worker answers as failed, so the chunk's answers stay in order.
 *
 * @example
 * ```ts
 * sendBatch((frame) => handle.send(frame), chunks, (refused) => failed.push(refused));
 * ```
 */
export function sendBatch(
  send: (frame: BatchFrame) => void,
  batch: readonly ChunkMessage[],
  refuse: (refused: RefusedChunk) => void,
): void {
  try {
    send(chunkColumns(batch) ?? batch.map(numbersPacked));
  } catch (error) {
    const [chunk] = batch;
    if (batch.length > 1) for (const one of batch) sendBatch(send, [one], refuse);
    else if (chunk === undefined) return;
    else if (error instanceof MessageTooLargeError && chunk.args.length > 1) sendInParts(send, chunk, refuse);
    else if ((chunk.offset ?? 0) > 0 || chunk.refused !== undefined)
      sendPlaceholder(send, chunk, error as Error);
    else refuse({ chunk: chunk.chunk, error: causeOf(chunk, error as Error) });
  }
}

function sendInParts(
  send: (frame: BatchFrame) => void,
  chunk: ChunkMessage,
  refuse: (refused: RefusedChunk) => void,
): void {
  const half = chunk.args.length >> 1;
  const offset = chunk.offset ?? 0;
  const cut = (from: number, to: number): ArrayLike<unknown> =>
    ArrayBuffer.isView(chunk.args)
      ? (chunk.args as Float64Array).subarray(from, to)
      : Array.prototype.slice.call(chunk.args, from, to);
  sendBatch(send, [{ ...chunk, args: cut(0, half), offset }], refuse);
  sendBatch(
    send,
    [{ ...chunk, args: cut(half, chunk.args.length), first: chunk.first + half, offset: offset + half }],
    refuse,
  );
}

/** A part that cannot be sent after earlier parts went: the worker answers its items as failed. */
function sendPlaceholder(send: (frame: BatchFrame) => void, chunk: ChunkMessage, error: Error): void {
  const cause = causeOf(chunk, error);
  const placeholder = {
    ...chunk,
    args: new Array(chunk.args.length).fill(null),
    unary: true,
    refused: cause,
  };
  try {
    send([placeholder]);
  } catch {
    try {
      // Its error will not travel either: a plain one names the problem.
      send([{ ...placeholder, refused: new Error(cause.message) }]);
    } catch {
      // The worker is going: its death gives its items back.
    }
  }
}

/** The error naming the item of `chunk` at fault as its call knows it (`items[3].handler`). */
function causeOf(chunk: ChunkMessage, error: Error): Error {
  for (let k = 0; k < chunk.args.length; k++) {
    try {
      checkSendable(chunk.args[k], `items[${chunk.first + k}]`);
    } catch (found) {
      return found as Error;
    }
  }
  return error;
}

/** A chunk whose arguments are all numbers travels as a typed array (see `packNumbers`). */
function numbersPacked(chunk: ChunkMessage): ChunkMessage {
  const packed = chunk.unary ? packNumbers(chunk.args) : undefined;
  return packed === undefined ? chunk : { ...chunk, args: packed };
}

/** The note telling a worker to skip `chunks`. */
export function skipFrame(chunks: readonly number[]): SkipFrame {
  return { skip: chunks };
}

/**
 * A worker's frame, checked: a batch's begun note or its answers.
 *
 * @throws ProtocolError for anything a worker could not have sent.
 */
export function readWorkerFrame(frame: unknown): WorkerNote {
  if (isBegun(frame)) return { kind: 'begun', begun: frame.begun };
  if (isAnswerColumns(frame) && frame.failures.every(isFailure)) {
    const { chunks, values, failures } = frame;
    return { kind: 'units', answers: { chunks, values, failures } };
  }
  if (Array.isArray(frame) && frame.every(isChunkAnswers)) return { kind: 'answers', answers: frame };
  throw new ProtocolError('A pool worker sent a frame that is neither a begun note nor answers');
}

function isBegun(value: unknown): value is BegunFrame {
  return typeof (value as Partial<BegunFrame> | null)?.begun === 'number';
}

function isChunkAnswers(value: unknown): value is ChunkAnswers {
  const answers = value as Partial<ChunkAnswers> | null;
  return (
    typeof answers?.chunk === 'number' &&
    typeof answers.from === 'number' &&
    isList(answers.values) &&
    Array.isArray(answers.failures) &&
    answers.failures.every(isFailure)
  );
}

function isFailure(failure: unknown): boolean {
  return Array.isArray(failure) && typeof failure[0] === 'number' && failure[1] instanceof Error;
}

// ---------------------------------------------------------------------------------------------
// Worker → root

/** The note saying the batch whose first chunk is `chunk` has begun. */
export function begunFrame(chunk: number): BegunFrame {
  return { begun: chunk };
}

/**
 * Sends answers with `send`; a value that will not serialize fails its own item, not the others.
 * Answers over the message limit go in parts (in order), and a value alone over it fails its own
 * item.
 *
 * @example
 * ```ts
 * await sendAnswers((frame) => results.send(frame), [{ chunk: 4, from: 0, values: [1, 4], failures: [] }]);
 * ```
 */
export async function sendAnswers(
  send: (frame: WorkerFrame) => Promise<void> | void,
  answers: readonly ChunkAnswers[],
  probed = false,
): Promise<void> {
  try {
    await send(answerColumns(answers) ?? answers);
  } catch (error) {
    if (error instanceof MessageTooLargeError) await sendAnswersInParts(send, answers, error);
    else if (!probed) await sendAnswers(send, answers.map(probeValues), true);
    else throw error;
  }
}

async function sendAnswersInParts(
  send: (frame: WorkerFrame) => Promise<void> | void,
  answers: readonly ChunkAnswers[],
  error: MessageTooLargeError,
): Promise<void> {
  const [one] = answers;
  if (answers.length > 1) {
    const half = answers.length >> 1;
    await sendAnswers(send, answers.slice(0, half));
    await sendAnswers(send, answers.slice(half));
  } else if (one !== undefined && one.values.length > 1) {
    const half = one.values.length >> 1;
    const values = Array.from(one.values);
    const part = (from: number, to: number): ChunkAnswers => ({
      chunk: one.chunk,
      from: one.from + from,
      values: values.slice(from, to),
      failures: one.failures
        .filter(([at]) => at >= from && at < to)
        .map(([at, e]) => [at - from, e] as const),
    });
    await sendAnswers(send, [part(0, half)]);
    await sendAnswers(send, [part(half, values.length)]);
  } else if (one !== undefined) {
    await send([{ ...one, values: [undefined], failures: [[0, error]] }]);
  }
}

function probeValues(answers: ChunkAnswers): ChunkAnswers {
  const failures = new Map(answers.failures);
  const values = Array.from(answers.values, (value, offset) => {
    if (failures.has(offset)) return undefined;
    try {
      checkSendable(value, 'result');
      return value;
    } catch (error) {
      failures.set(offset, error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  });
  return { ...answers, values, failures: [...failures].sort(([a], [b]) => a - b) };
}

/**
 * The root's batch, checked and as chunks.
 *
 * @throws ProtocolError for anything the root could not have sent.
 */
export function readBatch(frame: unknown): ChunkMessage[] {
  if (isChunkColumns(frame)) return chunksOf(frame);
  if (Array.isArray(frame) && frame.every(isChunkMessage)) return frame;
  throw new ProtocolError('A pool worker was sent a message that is not a batch of chunks');
}

/**
 * The chunks a skip note names.
 *
 * @throws ProtocolError for anything else.
 */
export function readSkip(frame: unknown): readonly number[] {
  const skip = (frame as Partial<SkipFrame> | null)?.skip;
  if (Array.isArray(skip) && skip.every((id) => typeof id === 'number')) return skip;
  throw new ProtocolError('A pool worker was sent a note that is not a list of chunks to skip');
}

function isChunkMessage(value: unknown): value is ChunkMessage {
  const chunk = value as Partial<ChunkMessage> | null;
  return (
    typeof chunk?.chunk === 'number' &&
    isTaskRef(chunk.task) &&
    typeof chunk.first === 'number' &&
    isList(chunk.args) &&
    typeof chunk.unary === 'boolean' &&
    (chunk.refused === undefined || chunk.refused instanceof Error)
  );
}
