/**
 * Chunks: what a pool hands its workers and what they answer, as the scheduler and the runtimes
 * see them. How they travel (columns, packed numbers, parts) is each runtime's wire format.
 *
 * @module
 */

import type { TaskAddress } from './poolRequest.js';

/** The task a job runs, by module URL and name. */
export type TaskRef = TaskAddress;

/** One item's outcome. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: Error };

/**
 * What a worker is sent: consecutive items of one job, in order.
 *
 * @example
 * ```ts
 * const chunk: ChunkMessage = { chunk: 1, task: taskAddress(square), first: 0, args: [1, 2, 3], unary: true };
 * ```
 */
export interface ChunkMessage {
  readonly chunk: number;
  readonly task: TaskRef;
  /** The index of the chunk's first item in its call; the others follow it. */
  readonly first: number;
  /**
   * Each item's argument list, or its one argument when `unary` (the runtime may send a run of
   * numbers as a typed array, which copies in one go: `Int32Array` for integers).
   */
  readonly args: ArrayLike<unknown>;
  /** Every item of the chunk takes exactly one argument (sent without its list). */
  readonly unary: boolean;
  /** Answer each item as soon as it completes (its call times its items). */
  readonly eager?: boolean;
  /**
   * Which run of its items this is, from 1 (left out for 1): a worker holding them died after
   * it had begun their batch, so they may have run before (see `taskContext().attempt`).
   */
  readonly attempt?: number;
  /**
   * A chunk too large for one message travels in parts, in order: this part's first item is
   * item `offset` of the chunk (answers count from the chunk's start). Left out for 0.
   */
  readonly offset?: number;
  /** The runtime could not send these items: the worker answers each as failed with this error. */
  readonly refused?: Error;
}

/**
 * A worker's answers for consecutive items of a chunk, starting at item `from` (its position in
 * the chunk): their values in order, and the positions (relative to `from`, ascending) that
 * failed instead.
 *
 * @example
 * ```ts
 * const answers: ChunkAnswers = { chunk: 1, from: 0, values: [1, undefined, 9], failures: [[1, new Error('no')]] };
 * ```
 */
export interface ChunkAnswers {
  readonly chunk: number;
  readonly from: number;
  /** The values (a typed array when they are all numbers, which copies in one go). */
  readonly values: ArrayLike<unknown>;
  readonly failures: readonly (readonly [offset: number, error: Error])[];
}

/**
 * A worker's answers for whole single-item chunks, as columns (most of a `chunkSize: 1` call's
 * answers travel so): chunk `chunks[i]` answered `values[i]`, unless position `i` is among
 * `failures`. The scheduler settles them as it would each chunk's {@link ChunkAnswers} in turn,
 * but a run of consecutive items of one call in one go.
 *
 * @example
 * ```ts
 * const answers: UnitAnswers = { chunks: [4, 5, 6], values: [1, undefined, 9], failures: [[1, new Error('no')]] };
 * ```
 */
export interface UnitAnswers {
  readonly chunks: ArrayLike<number>;
  readonly values: ArrayLike<unknown>;
  readonly failures: readonly (readonly [position: number, error: Error])[];
}

/** The answer of a single-item chunk: its value, or its failure. */
export function unitAnswer(chunk: number, value: unknown, error: Error | undefined): ChunkAnswers {
  return { chunk, from: 0, values: [value], failures: error === undefined ? [] : [[0, error]] };
}

/**
 * A chunk the runtime could not send at all (not one of its items would encode, say): the
 * scheduler fails its items with `error`, as though the worker had answered so.
 *
 * @example
 * ```ts
 * const refused: RefusedChunk = { chunk: 7, error: new SerializationError('items[3]: a function') };
 * ```
 */
export interface RefusedChunk {
  readonly chunk: number;
  readonly error: Error;
}
