/**
 * `PoolScheduler.unitAnswers`: answers of single-item chunks in columns must settle exactly as
 * the same answers given one chunk at a time with `answers` (the form every other test uses).
 */

import { describe, expect, it } from 'vitest';
import type { ChunkAnswers, ChunkMessage, UnitAnswers } from '../src/pool/chunks.js';
import type { Job } from '../src/pool/Job.js';
import { PoolScheduler, type SchedulerOptions } from '../src/pool/PoolScheduler.js';

/** A job that records each item's outcome as `[index, value or 'error: message']`. */
function recordingJob(name: string, bulk: boolean, log: [string, number, unknown][]): Job {
  return {
    task: { module: 'file:///tasks.js', name },
    chunkSize: 1,
    onOutcome: (index, outcome) =>
      void log.push([name, index, outcome.ok ? outcome.value : `error: ${outcome.error.message}`]),
    ...(bulk
      ? {
          onValues: (index: number, values: ArrayLike<unknown>, from: number, to: number) => {
            for (let k = from; k < to; k++) log.push([name, index + k - from, values[k]]);
          },
        }
      : {}),
  };
}

/** Two jobs (one taking values in bulk, one item by item) on two workers, items interleaved. */
function setup(options: Partial<SchedulerOptions> = {}) {
  const sent = new Map<string, ChunkMessage[]>();
  const recycled: string[] = [];
  const log: [string, number, unknown][] = [];
  const scheduler = new PoolScheduler(
    {
      maxRetries: 0,
      prefetch: 2,
      prefetchItems: 64,
      maxTasksPerWorker: undefined,
      batchItems: 16,
      ...options,
    },
    {
      dispatch: (worker, chunks) => {
        sent.set(worker, [...(sent.get(worker) ?? []), ...chunks]);
        const first = chunks[0];
        if (first !== undefined) scheduler.begun(worker, first.chunk);
      },
      recycle: (worker) => void recycled.push(worker),
    },
  );
  const a = recordingJob('a', true, log);
  const b = recordingJob('b', false, log);
  // Both workers first: items are dealt level by level, so each holds runs with gaps.
  scheduler.addWorker('w1');
  scheduler.addWorker('w2');
  scheduler.submitAll(a, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  scheduler.submitAll(b, [10, 11, 12, 13, 14, 15]);
  scheduler.submitAll(a, [16, 17, 18, 19], 10);
  return { scheduler, sent, recycled, log };
}

/** The answer each chunk gets: its argument squared, or a failure for arguments in `failing`. */
function answerOf(chunk: ChunkMessage, failing: ReadonlySet<unknown>): { value: unknown; error?: Error } {
  const arg = chunk.args[0];
  return failing.has(arg)
    ? { value: undefined, error: new Error(`no ${String(arg)}`) }
    : { value: Number(arg) ** 2 };
}

/** Answers `chunks` one chunk at a time. */
function oneByOne(
  scheduler: PoolScheduler,
  worker: string,
  chunks: ChunkMessage[],
  failing: Set<unknown>,
): void {
  for (const chunk of chunks) {
    const { value, error } = answerOf(chunk, failing);
    const answers: ChunkAnswers = {
      chunk: chunk.chunk,
      from: 0,
      values: [value],
      failures: error === undefined ? [] : [[0, error]],
    };
    scheduler.answers(worker, answers);
  }
}

/** Answers `chunks` in one column frame. */
function inColumns(
  scheduler: PoolScheduler,
  worker: string,
  chunks: ChunkMessage[],
  failing: Set<unknown>,
): void {
  const answers: UnitAnswers = {
    chunks: chunks.map((chunk) => chunk.chunk),
    values: chunks.map((chunk) => answerOf(chunk, failing).value),
    failures: chunks.flatMap((chunk, i) => {
      const { error } = answerOf(chunk, failing);
      return error === undefined ? [] : [[i, error] as const];
    }),
  };
  scheduler.unitAnswers(worker, answers);
}

/** Runs both setups to the end, answering what each worker holds the given way, in rounds. */
function drive(
  answer: typeof oneByOne,
  failing: Set<unknown>,
  options: Partial<SchedulerOptions> = {},
  mangle: (chunks: ChunkMessage[]) => ChunkMessage[] = (chunks) => chunks,
) {
  const run = setup(options);
  const answered = new Map<string, number>();
  for (let round = 0; round < 50; round++) {
    let any = false;
    for (const [worker, chunks] of run.sent) {
      const from = answered.get(worker) ?? 0;
      if (from >= chunks.length) continue;
      answered.set(worker, chunks.length);
      any = true;
      answer(run.scheduler, worker, mangle(chunks.slice(from)), failing);
    }
    if (!any) break;
  }
  return run;
}

describe('PoolScheduler.unitAnswers', () => {
  it('settles every item as answering each chunk in turn does, values in bulk where a job takes them', () => {
    const failing = new Set<unknown>();
    const one = drive(oneByOne, failing);
    const columns = drive(inColumns, failing);
    expect(columns.log).toEqual(one.log);
    expect(columns.log).toHaveLength(20);
    expect(columns.log).toContainEqual(['a', 13, 19 * 19]);
    expect(columns.log).toContainEqual(['b', 3, 13 * 13]);
    expect([...columns.sent.values()].flat()).toEqual([...one.sent.values()].flat());
  });

  it('passes failures on at their positions, and settles the values around them', () => {
    const failing = new Set<unknown>([3, 12, 16]);
    const one = drive(oneByOne, failing);
    const columns = drive(inColumns, failing);
    expect(columns.log).toEqual(one.log);
    expect(columns.log).toContainEqual(['a', 3, 'error: no 3']);
    expect(columns.log).toContainEqual(['b', 2, 'error: no 12']);
    expect(columns.log).toContainEqual(['a', 4, 16]);
  });

  it('ignores answers for chunks it does not hold, and answers twice only once', () => {
    const failing = new Set<unknown>();
    const twice = (chunks: ChunkMessage[]) => [
      ...chunks,
      ...chunks.slice(0, 2),
      { ...(chunks[0] as ChunkMessage), chunk: 9999 },
    ];
    const one = drive(oneByOne, failing, {}, twice);
    const columns = drive(inColumns, failing, {}, twice);
    expect(columns.log).toEqual(one.log);
    expect(columns.log).toHaveLength(20);
  });

  it('answers chunks out of order as the one-by-one form does', () => {
    const failing = new Set<unknown>();
    const reversed = (chunks: ChunkMessage[]) => [...chunks].reverse();
    const one = drive(oneByOne, failing, {}, reversed);
    const columns = drive(inColumns, failing, {}, reversed);
    expect(columns.log).toEqual(one.log);
  });

  it('recycles a worker that has had its share once its last chunk is answered', () => {
    const failing = new Set<unknown>();
    const one = drive(oneByOne, failing, { maxTasksPerWorker: 4 });
    const columns = drive(inColumns, failing, { maxTasksPerWorker: 4 });
    expect(columns.recycled).toEqual(['w1', 'w2']);
    expect(columns.recycled).toEqual(one.recycled);
    expect(columns.log).toEqual(one.log);
  });

  it('answers only the first item of a chunk that holds more than one', () => {
    const log: [string, number, unknown][] = [];
    let held: ChunkMessage | undefined;
    const scheduler = new PoolScheduler(
      { maxRetries: 0, prefetch: 1, maxTasksPerWorker: undefined },
      { dispatch: (_, chunks) => void (held = chunks[0]), recycle: () => {} },
    );
    scheduler.submitAll({ ...recordingJob('a', true, log), chunkSize: 3 }, [5, 6, 7]);
    scheduler.addWorker('w1');
    scheduler.unitAnswers('w1', { chunks: [held?.chunk ?? 0], values: [25], failures: [] });
    expect(log).toEqual([['a', 0, 25]]);
    scheduler.answers('w1', { chunk: held?.chunk ?? 0, from: 1, values: [36, 49], failures: [] });
    expect(log).toEqual([
      ['a', 0, 25],
      ['a', 1, 36],
      ['a', 2, 49],
    ]);
  });
});
