import { Codec, MessageTooLargeError, ProtocolError, SerializationError } from '@troupe/core';
import type { ChunkAnswers, ChunkMessage, RefusedChunk } from '@troupe/core/spi';
import { describe, expect, it } from 'vitest';
import {
  type BatchFrame,
  begunFrame,
  readBatch,
  readSkip,
  readWorkerFrame,
  sendAnswers,
  sendBatch,
  skipFrame,
  type WorkerFrame,
} from '../../src/pool/wire.js';
import { expandUnits } from './unitAnswers.js';

const task = { module: 'file:///app/tasks.js', name: 'square' };

/** What crosses the channel: encoded and decoded as the actor channel does. */
const codec = new Codec();
const travel = <T>(frame: T): unknown => codec.decode(codec.encode(frame));

/** Sends a batch through the wire as the pool does, and reads back what the worker gets. */
function roundTrip(batch: ChunkMessage[], send?: (frame: BatchFrame) => void) {
  const frames: unknown[] = [];
  const refused: RefusedChunk[] = [];
  sendBatch(
    (frame) => {
      send?.(frame);
      frames.push(travel(frame));
    },
    batch,
    (refusal) => refused.push(refusal),
  );
  return { refused, received: frames.flatMap((frame) => readBatch(frame)) };
}

/** A chunk as the worker sees it: its arguments as a plain array. */
const plain = (chunk: ChunkMessage) => ({ ...chunk, args: Array.from(chunk.args) });

function ones(count: number): ChunkMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    chunk: 10 + i,
    task,
    first: 3 * i,
    args: [i / 2],
    unary: true,
  }));
}

describe('the pool wire, root → worker', () => {
  it('carries every kind of batch to the worker as the same chunks', () => {
    const numbers = Array.from({ length: 40 }, (_, i) => i * 1.5);
    const batches: ChunkMessage[][] = [
      ones(20), // columns, numbers packed
      ones(3), // too short for columns
      [{ chunk: 1, task, first: 0, args: numbers, unary: true }], // one Float64Array
      [
        {
          chunk: 2,
          task,
          first: 5,
          args: [
            [1, 2],
            ['a', { b: 3 }],
          ],
          unary: false,
        },
      ],
      [{ chunk: 3, task, first: 9, args: [7], unary: true, eager: true, attempt: 2 }],
      [
        {
          chunk: 4,
          task,
          first: 9,
          args: [null, null],
          unary: true,
          offset: 4,
          refused: new Error('too big'),
        },
      ],
    ];
    for (const batch of batches) {
      const { refused, received } = roundTrip(batch);
      expect(refused).toEqual([]);
      expect(received.map(plain)).toEqual(batch.map(plain));
    }
  });

  it('sends a chunk over the message limit in parts, in order, each numbered by its offset', () => {
    const chunk: ChunkMessage = {
      chunk: 5,
      task,
      first: 100,
      args: Array.from({ length: 8 }, (_, i) => `x${i}`),
      unary: true,
    };
    const { refused, received } = roundTrip([chunk], (frame) => {
      const [one] = readBatch(frame);
      if ((one?.args.length ?? 0) > 2) throw new MessageTooLargeError(2000, 1000);
    });
    expect(refused).toEqual([]);
    expect(received.map((part) => [part.first, part.offset ?? 0, Array.from(part.args)])).toEqual([
      [100, 0, ['x0', 'x1']],
      [102, 2, ['x2', 'x3']],
      [104, 4, ['x4', 'x5']],
      [106, 6, ['x6', 'x7']],
    ]);
  });

  it('refuses a chunk none of whose items can go, naming the item at fault; a later part goes as a placeholder', () => {
    const bad: ChunkMessage = { chunk: 6, task, first: 3, args: [1, { handler: () => {} }], unary: true };
    const first = roundTrip([bad], (frame) => void codec.encode(frame));
    expect(first.received).toEqual([]);
    expect(first.refused).toHaveLength(1);
    expect(first.refused[0]?.chunk).toBe(6);
    expect(first.refused[0]?.error).toBeInstanceOf(SerializationError);
    expect(first.refused[0]?.error.message).toContain('items[4].handler');
    // Items 0-1 fit; items 2-3 (one of which cannot be encoded) come after them: the worker is
    // sent their place, to answer them as failed in turn.
    const later: ChunkMessage = { chunk: 7, task, first: 0, args: [1, 2, 3, () => {}], unary: true };
    const parts = roundTrip([later], (frame) => {
      const [one] = frame as ChunkMessage[];
      if ((one?.args.length ?? 0) > 2 && one?.refused === undefined)
        throw new MessageTooLargeError(2000, 1000);
      codec.encode(frame);
    });
    expect(parts.refused).toEqual([]);
    expect(parts.received.map((part) => [part.offset ?? 0, part.refused?.message])).toEqual([
      [0, undefined],
      [2, expect.stringContaining('items[3]')],
    ]);
  });

  it('carries skip notes', () => {
    expect(readSkip(travel(skipFrame([3, 4, 9])))).toEqual([3, 4, 9]);
  });
});

describe('the pool wire, worker → root', () => {
  const answer = (chunk: number, value: unknown, error?: Error): ChunkAnswers => ({
    chunk,
    from: 0,
    values: [error === undefined ? value : undefined],
    failures: error === undefined ? [] : [[0, error]],
  });

  async function answersThrough(answers: ChunkAnswers[], limit?: number): Promise<ChunkAnswers[]> {
    const frames: WorkerFrame[] = [];
    const small = new Codec({ maxMessageBytes: limit ?? 1 << 20 });
    await sendAnswers((frame) => {
      small.encode(frame);
      frames.push(frame);
    }, answers);
    return frames.flatMap((frame) => {
      const note = readWorkerFrame(travel(frame));
      return note.kind === 'units' ? expandUnits(note.answers) : note.kind === 'answers' ? note.answers : [];
    });
  }

  it('carries begun notes and every form of answers', async () => {
    expect(readWorkerFrame(travel(begunFrame(12)))).toEqual({ kind: 'begun', begun: 12 });
    const boom = new Error('boom');
    const single = Array.from({ length: 12 }, (_, i) => answer(i, i * i, i === 4 ? boom : undefined));
    const received = await answersThrough(single);
    expect(
      received.map((a) => [a.chunk, Array.from(a.values), a.failures.map(([at, e]) => [at, e.message])]),
    ).toEqual(
      single.map((a) => [a.chunk, Array.from(a.values), a.failures.map(([at, e]) => [at, e.message])]),
    );
    const long: ChunkAnswers = { chunk: 3, from: 5, values: new Float64Array([1, 2, 3]), failures: [] };
    expect((await answersThrough([long])).map((a) => ({ ...a, values: Array.from(a.values) }))).toEqual([
      { ...long, values: [1, 2, 3] },
    ]);
  });

  it('fails only the item whose value cannot travel, and splits answers over the limit', async () => {
    const [one] = await answersThrough([{ chunk: 1, from: 0, values: [1, () => {}, 3], failures: [] }]);
    expect(Array.from(one?.values ?? [])).toEqual([1, undefined, 3]);
    expect(one?.failures.map(([at, e]) => [at, e instanceof SerializationError])).toEqual([[1, true]]);
    const big = 'x'.repeat(400);
    const parts = await answersThrough(
      [{ chunk: 2, from: 0, values: [big, big, big, big], failures: [] }],
      1000,
    );
    expect(parts.map((part) => [part.from, part.values.length])).toEqual([
      [0, 2],
      [2, 2],
    ]);
  });
});

describe('the pool wire rejects malformed frames with ProtocolError', () => {
  const good: ChunkMessage = { chunk: 1, task, first: 0, args: [1], unary: true };
  it.each([
    ['null', null],
    ['a number', 42],
    ['a begun note that is not a number', { begun: '1' }],
    ['answers without values', [{ chunk: 1, from: 0, failures: [] }]],
    ['a failure that is not an error', [{ chunk: 1, from: 0, values: [1], failures: [[0, 'no']] }]],
    ['columns of unequal lengths', { columns: 'answers', chunks: [1, 2], values: [1], failures: [] }],
    [
      'columns whose failure is not an error',
      { columns: 'answers', chunks: [1], values: [1], failures: [[0, 'no']] },
    ],
  ])('from a worker: %s', (_, frame) => {
    expect(() => readWorkerFrame(frame)).toThrow(ProtocolError);
  });

  it.each([
    ['null', null],
    ['an object', { chunk: 1 }],
    ['a chunk without a task', [{ ...good, task: undefined }]],
    ['a chunk whose arguments are not a list', [{ ...good, args: 'ab' }]],
    ['a chunk refused with a non-error', [{ ...good, refused: 'no' }]],
    ['columns of unequal lengths', { columns: 'chunks', task, chunks: [1, 2], firsts: [0], args: [1, 2] }],
  ])('to a worker: %s', (_, frame) => {
    expect(() => readBatch(frame)).toThrow(ProtocolError);
  });

  it('in a skip note', () => {
    for (const frame of [null, {}, { skip: 'ab' }, { skip: [1, '2'] }])
      expect(() => readSkip(frame)).toThrow(ProtocolError);
  });
});
