import type { ChunkAnswers, ChunkMessage } from '@troupe/core/spi';
import { describe, expect, it } from 'vitest';
import {
  answerColumns,
  chunkColumns,
  chunksOf,
  isAnswerColumns,
  isChunkColumns,
} from '../../src/pool/columns.js';
import { expandUnits } from './unitAnswers.js';

const task = { module: 'file:///app/tasks.js', name: 'square' };

function ones(count: number, arg: (i: number) => unknown = (i) => i * 1.5): ChunkMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    chunk: 100 + 2 * i,
    task,
    first: 7 + 3 * i,
    args: [arg(i)],
    unary: true,
  }));
}

describe('chunk columns', () => {
  it('stand for a batch of single-item chunks, and give back the same chunks', () => {
    for (const batch of [ones(20), ones(9, (i) => ({ i })), ones(30, (i) => (i % 2 ? 'x' : i))]) {
      const columns = chunkColumns(batch);
      expect(columns).toBeDefined();
      expect(isChunkColumns(columns)).toBe(true);
      expect(chunksOf(columns as never)).toEqual(batch.map((c) => ({ ...c, args: [c.args[0]] })));
    }
    // Twenty numbers travel as Float64Arrays; twenty integers as an Int32Array, read back as integers.
    expect(chunkColumns(ones(20))?.args).toBeInstanceOf(Float64Array);
    expect(chunkColumns(ones(20, (i) => i - 10))?.args).toBeInstanceOf(Int32Array);
    expect(chunkColumns(ones(20, (i) => i - 10))?.chunks).toBeInstanceOf(Int32Array);
  });

  it('are not used for short batches, other tasks, eager chunks, or chunks of several items', () => {
    expect(chunkColumns(ones(7))).toBeUndefined();
    expect(chunkColumns([])).toBeUndefined();
    const otherTask = ones(10);
    otherTask[4] = { ...(otherTask[4] as ChunkMessage), task: { ...task } };
    expect(chunkColumns(otherTask)).toBeUndefined();
    const eager = ones(10);
    eager[9] = { ...(eager[9] as ChunkMessage), eager: true };
    expect(chunkColumns(eager)).toBeUndefined();
    const longer = ones(10);
    longer[0] = { ...(longer[0] as ChunkMessage), args: [1, 2] };
    expect(chunkColumns(longer)).toBeUndefined();
    const lists = ones(10);
    lists[3] = { ...(lists[3] as ChunkMessage), unary: false, args: [[1, 2]] };
    expect(chunkColumns(lists)).toBeUndefined();
    expect(isChunkColumns(ones(10))).toBe(false);
  });
});

describe('answer columns', () => {
  const answer = (chunk: number, value: unknown, error?: Error): ChunkAnswers => ({
    chunk,
    from: 0,
    values: [error === undefined ? value : undefined],
    failures: error === undefined ? [] : [[0, error]],
  });

  it('stand for the answers of single-item chunks, failures at their positions', () => {
    const boom = new Error('boom');
    const answers = Array.from({ length: 12 }, (_, i) => answer(50 + i, i * i, i === 5 ? boom : undefined));
    const columns = answerColumns(answers);
    expect(columns?.failures).toEqual([[5, boom]]);
    expect(isAnswerColumns(columns as never)).toBe(true);
    expect(expandUnits(columns as never)).toEqual(answers);
    // All numbers, and twenty of them: one Float64Array.
    const numbers = Array.from({ length: 20 }, (_, i) => answer(i, -i / 3));
    expect(answerColumns(numbers)?.values).toBeInstanceOf(Float64Array);
    expect(expandUnits(answerColumns(numbers) as never)).toEqual(numbers);
    const integers = Array.from({ length: 20 }, (_, i) => answer(i, i * 7));
    expect(answerColumns(integers)?.values).toBeInstanceOf(Int32Array);
    expect(expandUnits(answerColumns(integers) as never)).toEqual(integers);
  });

  it('are not used for short batches or answers of several items', () => {
    expect(answerColumns(Array.from({ length: 7 }, (_, i) => answer(i, i)))).toBeUndefined();
    const several = Array.from({ length: 10 }, (_, i) => answer(i, i));
    several[2] = { chunk: 2, from: 0, values: [1, 2], failures: [] };
    expect(answerColumns(several)).toBeUndefined();
    const later = Array.from({ length: 10 }, (_, i) => answer(i, i));
    later[8] = { chunk: 8, from: 3, values: [1], failures: [] };
    expect(answerColumns(later)).toBeUndefined();
    expect(isAnswerColumns(several)).toBe(false);
  });

  it('are recognised only when well formed (a broken worker may send anything)', () => {
    const good = { columns: 'answers', chunks: [1, 2], values: [3, 4], failures: [] };
    expect(isAnswerColumns(good)).toBe(true);
    for (const bad of [
      null,
      42,
      { ...good, chunks: 'ab' },
      { ...good, values: null },
      { ...good, values: [3] },
      { ...good, chunks: new DataView(new ArrayBuffer(8)) },
      { ...good, failures: {} },
      { ...good, failures: [['0', new Error('x')]] },
      { ...good, columns: 'chunks' },
    ]) {
      expect(isAnswerColumns(bad)).toBe(false);
    }
  });
});
