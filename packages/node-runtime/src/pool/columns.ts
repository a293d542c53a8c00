/**
 * The column forms of the pool's wire format, used by `wire.ts` alone: a batch of single-item
 * chunks (`chunkSize: 1`, or the last items of a call) travels as one object of columns, and so
 * do its answers, instead of one object per chunk. Encoding and decoding some sixty small objects
 * (each with its own argument list, each a reference for the codec to track) was most of what
 * dispatching an item cost the root. Batches of other chunks travel as they are.
 */

import type { ChunkAnswers, ChunkMessage, TaskRef } from '@troupe/core/spi';
import { packNumbers } from './packNumbers.js';

/** Single-item chunks of one task, as columns: chunk ids, item indexes and arguments. */
export interface ChunkColumns {
  readonly columns: 'chunks';
  readonly task: TaskRef;
  readonly chunks: ArrayLike<number>;
  readonly firsts: ArrayLike<number>;
  readonly args: ArrayLike<unknown>;
}

/** Answers of single-item chunks, as columns; a failure is [its position in `chunks`, error]. */
export interface AnswerColumns {
  readonly columns: 'answers';
  readonly chunks: ArrayLike<number>;
  readonly values: ArrayLike<unknown>;
  readonly failures: readonly (readonly [position: number, error: Error])[];
}

/** Batches shorter than this travel as they are: columns pay from a handful of chunks on. */
const COLUMNS_FROM = 8;

/** A batch of single-item chunks of one task as columns; undefined for any other batch. */
export function chunkColumns(batch: readonly ChunkMessage[]): ChunkColumns | undefined {
  const head = batch[0];
  if (head === undefined || batch.length < COLUMNS_FROM) return undefined;
  const chunks = new Array<number>(batch.length);
  const firsts = new Array<number>(batch.length);
  const args = new Array<unknown>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const chunk = batch[i] as ChunkMessage;
    if (
      chunk.task !== head.task ||
      !chunk.unary ||
      chunk.eager ||
      chunk.attempt !== undefined ||
      chunk.args.length !== 1
    )
      return undefined;
    chunks[i] = chunk.chunk;
    firsts[i] = chunk.first;
    args[i] = chunk.args[0];
  }
  return {
    columns: 'chunks',
    task: head.task,
    chunks: (packNumbers(chunks) as ArrayLike<number> | undefined) ?? chunks,
    firsts: (packNumbers(firsts) as ArrayLike<number> | undefined) ?? firsts,
    args: packNumbers(args) ?? args,
  };
}

/** Answers in columns, well formed (they come from a worker, which may be broken). */
export function isAnswerColumns(answers: unknown): answers is AnswerColumns {
  const columns = answers as Partial<AnswerColumns> | null;
  return (
    columns?.columns === 'answers' &&
    isList(columns.chunks) &&
    isList(columns.values) &&
    columns.values.length === columns.chunks.length &&
    Array.isArray(columns.failures) &&
    columns.failures.every((failure) => Array.isArray(failure) && typeof failure[0] === 'number')
  );
}

/** A batch's answers as columns, when every one answers a whole single-item chunk. */
export function answerColumns(answers: readonly ChunkAnswers[]): AnswerColumns | undefined {
  if (answers.length < COLUMNS_FROM) return undefined;
  const chunks = new Array<number>(answers.length);
  const values = new Array<unknown>(answers.length);
  const failures: [number, Error][] = [];
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i] as ChunkAnswers;
    if (answer.from !== 0 || answer.values.length !== 1) return undefined;
    chunks[i] = answer.chunk;
    values[i] = answer.values[0];
    const failure = answer.failures[0];
    if (failure !== undefined) failures.push([i, failure[1]]);
  }
  return {
    columns: 'answers',
    chunks: (packNumbers(chunks) as ArrayLike<number> | undefined) ?? chunks,
    values: (failures.length === 0 ? packNumbers(values) : undefined) ?? values,
    failures,
  };
}

/** Well-formed columns of chunks. */
export function isChunkColumns(batch: unknown): batch is ChunkColumns {
  const columns = batch as Partial<ChunkColumns> | null;
  return (
    columns?.columns === 'chunks' &&
    isTaskRef(columns.task) &&
    isList(columns.chunks) &&
    isList(columns.firsts) &&
    isList(columns.args) &&
    columns.firsts.length === columns.chunks.length &&
    columns.args.length === columns.chunks.length
  );
}

/** The chunks a {@link ChunkColumns} stands for. */
export function chunksOf(columns: ChunkColumns): ChunkMessage[] {
  return Array.from(columns.chunks, (chunk, i) => ({
    chunk,
    task: columns.task,
    first: columns.firsts[i] as number,
    args: [columns.args[i]],
    unary: true,
  }));
}

/** An array or a typed array (not a DataView). */
export function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A task address: module URL and name, both strings. */
export function isTaskRef(value: unknown): value is TaskRef {
  const task = value as Partial<TaskRef> | null;
  return typeof task?.module === 'string' && typeof task.name === 'string';
}
