import { describe, expect, it } from 'vitest';
import { WorkerCrashedError } from '../src/errors.js';
import type { ExitInfo } from '../src/exit.js';
import type { ChunkMessage, Outcome } from '../src/pool/chunks.js';
import { defaultChunkSize } from '../src/pool/defaultChunkSize.js';
import type { Job } from '../src/pool/Job.js';
import { PoolScheduler, type SchedulerOptions } from '../src/pool/PoolScheduler.js';

const SIGKILL: ExitInfo = { reason: 'signal', code: null, signal: 'SIGKILL' };
const SHUTDOWN: ExitInfo = { reason: 'shutdown', code: 0, signal: null };
const NORMAL: ExitInfo = { reason: 'normal', code: 0, signal: null };

interface Sent {
  readonly worker: string;
  readonly chunk: ChunkMessage;
  /** The batch (message) it went in, counted from 0. */
  readonly batch: number;
}

/** A job that records every outcome it is given. */
interface FakeJob extends Job {
  readonly outcomes: [index: number, outcome: Outcome][];
}

function fakeJob(name: string, chunkSize: number): FakeJob {
  const outcomes: [number, Outcome][] = [];
  return {
    task: { module: 'file:///tasks.js', name },
    chunkSize,
    outcomes,
    onOutcome: (index, outcome) => void outcomes.push([index, outcome]),
  };
}

/**
 * A scheduler over fake deps that record every `dispatch` and `recycle`. Its workers say they
 * have begun each batch as soon as it is sent, unless `begin` is false (then a test says so with
 * `scheduler.begun`).
 */
function setup(options: Partial<SchedulerOptions> = {}, begin = true) {
  const sent: Sent[] = [];
  const recycled: string[] = [];
  let batches = 0;
  const scheduler: PoolScheduler = new PoolScheduler(
    // Every chunk its own batch unless a test says otherwise (batching has tests of its own).
    { maxRetries: 0, prefetch: 1, prefetchItems: 0, maxTasksPerWorker: undefined, batchItems: 1, ...options },
    {
      dispatch: (worker, chunks) => {
        for (const chunk of chunks) sent.push({ worker, chunk, batch: batches });
        batches++;
        const first = chunks[0];
        if (begin && first !== undefined) scheduler.begun(worker, first.chunk);
      },
      recycle: (worker) => void recycled.push(worker),
    },
  );
  return { scheduler, sent, recycled };
}

/** Items `from`..`to` (inclusive), each with its index as its only argument. */
function items(from: number, to: number): [number, unknown[]][] {
  return Array.from({ length: to - from + 1 }, (_, i) => [from + i, [from + i]]);
}

/** The indexes of a sent chunk. */
const indexes = (sent: Sent): number[] => Array.from(sent.chunk.args, (_, k) => sent.chunk.first + k);

/** Each sent chunk as `[worker, task name, indexes]`, in the order sent. */
const log = (sent: readonly Sent[]) => sent.map((s) => [s.worker, s.chunk.task.name, indexes(s)]);

const ok = (value: unknown): Outcome => ({ ok: true, value });

/** Answers items of a sent chunk (all by default) successfully, one by one: each value is its index doubled. */
function answer(scheduler: PoolScheduler, sent: Sent, ...which: number[]): void {
  for (const index of which.length > 0 ? which : indexes(sent)) {
    const from = index - sent.chunk.first;
    scheduler.answers(sent.worker, { chunk: sent.chunk.chunk, from, values: [index * 2], failures: [] });
  }
}

/** Fails item `index` of a sent chunk with `error`. */
function fail(scheduler: PoolScheduler, sent: Sent, index: number, error: Error): void {
  const from = index - sent.chunk.first;
  scheduler.answers(sent.worker, {
    chunk: sent.chunk.chunk,
    from,
    values: [undefined],
    failures: [[0, error]],
  });
}

function crash(job: FakeJob, index: number): WorkerCrashedError {
  const found = job.outcomes.find(([i]) => i === index);
  expect(found).toBeDefined();
  const outcome = found![1];
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: Error }).error;
  expect(error).toBeInstanceOf(WorkerCrashedError);
  return error as WorkerCrashedError;
}

describe('defaultChunkSize', () => {
  it('follows ceil(n / (4 · workers))', () => {
    expect(defaultChunkSize(100, 4)).toBe(7);
    expect(defaultChunkSize(32, 4)).toBe(2);
    expect(defaultChunkSize(33, 4)).toBe(3);
  });

  it('is at least 1', () => {
    expect(defaultChunkSize(0, 4)).toBe(1);
    expect(defaultChunkSize(1, 16)).toBe(1);
  });

  it('counts no workers (or fewer) as one', () => {
    expect(defaultChunkSize(5, 0)).toBe(2);
    expect(defaultChunkSize(5, -3)).toBe(2);
    expect(defaultChunkSize(0, 0)).toBe(1);
  });
});

describe('PoolScheduler chunking', () => {
  it('cuts chunks of job.chunkSize, in input order, with the job task and arguments', () => {
    const { scheduler, sent } = setup({ prefetch: 10 });
    const job = fakeJob('square', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 7));
    expect(log(sent)).toEqual([
      ['w1', 'square', [0, 1, 2]],
      ['w1', 'square', [3, 4, 5]],
      ['w1', 'square', [6, 7]],
    ]);
    expect(sent[0]!.chunk.task).toEqual(job.task);
    // Every item takes one argument: the chunk carries the arguments themselves.
    expect(sent[0]!.chunk.first).toBe(0);
    expect(sent[0]!.chunk.args).toEqual([0, 1, 2]);
    expect(sent[0]!.chunk.unary).toBe(true);
    const ids = sent.map((s) => s.chunk.chunk);
    expect(new Set(ids).size).toBe(ids.length);
    expect(scheduler.queued).toBe(0);
  });

  it('sends argument lists when some item of the chunk does not take exactly one argument', () => {
    const { scheduler, sent } = setup({ prefetch: 10 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 3), [
      [0, [1, 2]],
      [1, [3]],
      [2, []],
      [3, [[4]]],
    ]);
    expect(sent.map((s) => [indexes(s), s.chunk.args, s.chunk.unary])).toEqual([
      [[0, 1, 2], [[1, 2], [3], []], false],
      [[3], [[4]], true],
    ]);
  });

  it('never puts two jobs in one chunk', () => {
    const { scheduler, sent } = setup({ prefetch: 10 });
    const a = fakeJob('a', 4);
    const b = fakeJob('b', 4);
    scheduler.submit(a, items(0, 1));
    scheduler.submit(b, items(0, 2));
    scheduler.submit(a, items(2, 2));
    scheduler.addWorker('w1');
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'b', [0, 1, 2]],
      ['w1', 'a', [2]],
    ]);
  });

  it('keeps items queued until a worker comes', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    scheduler.submit(fakeJob('a', 2), items(0, 4));
    expect(sent).toEqual([]);
    expect(scheduler.queued).toBe(5);
    expect(scheduler.workers).toBe(0);
    scheduler.addWorker('w1');
    expect(scheduler.workers).toBe(1);
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'a', [2, 3]],
    ]);
    expect(scheduler.queued).toBe(1);
  });
});

describe('PoolScheduler prefetch', () => {
  it('keeps at most `prefetch` chunks in flight per worker', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 4));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w1', 'a', [1]],
    ]);
    expect(scheduler.queued).toBe(3);
  });

  it('gives every worker one chunk before any gets a second', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('a', 1), items(0, 5));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w2', 'a', [1]],
      ['w1', 'a', [2]],
      ['w2', 'a', [3]],
    ]);
    expect(scheduler.queued).toBe(2);
  });

  it('spreads a short queue over the workers instead of filling the first', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('a', 1), items(0, 1));
    expect(sent.map((s) => s.worker)).toEqual(['w1', 'w2']);
  });

  it('frees a credit only when every item of a chunk is answered, then sends the next chunk', () => {
    const { scheduler, sent } = setup({ prefetch: 1 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 5));
    expect(sent).toHaveLength(1);
    // Outcomes are passed on as they come.
    answer(scheduler, sent[0]!, 0, 1);
    expect(sent).toHaveLength(1);
    expect(job.outcomes).toEqual([
      [0, ok(0)],
      [1, ok(2)],
    ]);
    answer(scheduler, sent[0]!, 2);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1, 2]);
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1, 2]],
      ['w1', 'a', [3, 4, 5]],
    ]);
  });

  it('passes failures on like values', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 1));
    const error = new Error('boom');
    fail(scheduler, sent[0]!, 0, error);
    expect(job.outcomes).toEqual([[0, { ok: false, error }]]);
  });

  it('refills the worker that freed a credit, not the busy ones', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('a', 1), items(0, 9));
    expect(sent).toHaveLength(4);
    answer(scheduler, sent[1]!); // w2's first chunk
    expect(log(sent.slice(4))).toEqual([['w2', 'a', [4]]]);
    answer(scheduler, sent[0]!); // w1's first chunk
    expect(log(sent.slice(5))).toEqual([['w1', 'a', [5]]]);
  });
});

describe('PoolScheduler prefetchItems', () => {
  it('keeps at least prefetchItems items in flight per worker with small chunks, level by level', () => {
    const { scheduler, sent } = setup({ prefetch: 2, prefetchItems: 8 });
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('a', 1), items(0, 19));
    // 8 single-item chunks each (not just `prefetch` = 2), every worker served once per level.
    expect(log(sent)).toEqual(
      items(0, 15).map(([index]) => [index % 2 === 0 ? 'w1' : 'w2', 'a', [index]] as const),
    );
    expect(scheduler.queued).toBe(4);
  });

  it('counts items, not chunks: a chunk that reaches the count ends the filling', () => {
    const { scheduler, sent } = setup({ prefetch: 2, prefetchItems: 8 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 3), items(0, 19));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1, 2]],
      ['w1', 'a', [3, 4, 5]],
      ['w1', 'a', [6, 7, 8]],
    ]);
    expect(scheduler.queued).toBe(11);
  });

  it('still sends `prefetch` chunks when fewer would hold prefetchItems items', () => {
    const { scheduler, sent } = setup({ prefetch: 2, prefetchItems: 8 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 10), items(0, 29));
    expect(log(sent)).toEqual([
      ['w1', 'a', items(0, 9).map(([index]) => index)],
      ['w1', 'a', items(10, 19).map(([index]) => index)],
    ]);
  });

  it('defaults to 64 items', () => {
    const { scheduler, sent } = setup({ prefetch: 2, prefetchItems: undefined });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 99));
    expect(sent).toHaveLength(64);
    expect(sent.every((s) => s.worker === 'w1' && s.chunk.args.length === 1)).toBe(true);
    expect(scheduler.queued).toBe(36);
  });

  it('gives a new worker chunks before the busy ones get more', () => {
    const { scheduler, sent } = setup({ prefetch: 1, prefetchItems: 4 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 1));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w1', 'a', [1]],
    ]);
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('b', 1), items(0, 5));
    // w1 still holds half its window (2 of 4), so only w2 is filled.
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'b', [0]],
      ['w2', 'b', [1]],
      ['w2', 'b', [2]],
      ['w2', 'b', [3]],
    ]);
    expect(scheduler.queued).toBe(2);
  });

  it('refills a worker once it is below half its prefetchItems, then up to all of them', () => {
    const { scheduler, sent } = setup({ prefetch: 1, prefetchItems: 4 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 9));
    expect(sent).toHaveLength(4);
    answer(scheduler, sent[0]!);
    answer(scheduler, sent[1]!);
    // Two of four still in flight: not yet.
    expect(sent).toHaveLength(4);
    answer(scheduler, sent[2]!);
    // One left: topped up to four in one go.
    expect(log(sent.slice(4))).toEqual([
      ['w1', 'a', [4]],
      ['w1', 'a', [5]],
      ['w1', 'a', [6]],
    ]);
  });

  it('stops at the maxTasksPerWorker allowance', () => {
    const { scheduler, sent } = setup({ prefetch: 2, prefetchItems: 8, maxTasksPerWorker: 5 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 19));
    expect(log(sent)).toEqual(items(0, 4).map(([index]) => ['w1', 'a', [index]]));
    expect(scheduler.queued).toBe(15);
  });
});

describe('PoolScheduler worker deaths', () => {
  it('fails the item the worker was running with WorkerCrashedError when maxRetries is 0', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2, maxTasksPerWorker: 5 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 6));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1, 2]],
      ['w1', 'a', [3, 4]],
    ]);
    // 0 and 1 are answered: 2, the only unanswered item of the first chunk, was running.
    answer(scheduler, sent[0]!, 0, 1);
    scheduler.removeWorker('w1', SIGKILL);
    expect(scheduler.workers).toBe(0);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1, 2]);
    const error = crash(job, 2);
    expect(error.exit).toEqual(SIGKILL);
    expect(error.attempts).toBe(1);
    expect(error.code).toBe('ERR_TROUPE_WORKER_CRASHED');
    // The later chunk (3, 4) goes back untouched, ahead of 5 and 6, and is chunked with them as usual.
    expect(scheduler.queued).toBe(4);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [3, 4, 5]],
      ['w2', 'a', [6]],
    ]);
    expect(job.outcomes).toHaveLength(3);
  });

  it.each<ExitInfo>([
    { reason: 'error', code: 3, signal: null, error: new Error('uncaught') },
    { reason: 'oom', code: null, signal: null },
    { reason: 'timeout', code: null, signal: 'SIGKILL' },
    { reason: 'signal', code: null, signal: 'SIGTERM' },
  ])('blames the running item for a $reason exit', (exit) => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 1));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w1', 'a', [1]],
    ]);
    scheduler.removeWorker('w1', exit);
    const error = crash(job, 0);
    expect(error.exit).toBe(exit);
    expect(job.outcomes).toHaveLength(1);
    expect(scheduler.queued).toBe(1);
  });

  it('retries the item alone on another worker, and fails it after a second death (maxRetries 1)', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(job, items(0, 7));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w2', 'a', [2, 3]],
    ]);
    answer(scheduler, sent[0]!, 0);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    expect(scheduler.queued).toBe(5); // 1 back in front of 4..7
    answer(scheduler, sent[1]!);
    // Item 1 runs alone, so that a second death takes nothing else with it.
    expect(log(sent.slice(2))).toEqual([['w2', 'a', [1]]]);
    scheduler.addWorker('w3');
    expect(log(sent.slice(3))).toEqual([['w3', 'a', [4, 5]]]);
    scheduler.removeWorker('w2', SIGKILL);
    const error = crash(job, 1);
    expect(error.attempts).toBe(2);
    expect(error.exit).toBe(SIGKILL);
    expect(sent.every((s) => s.worker !== 'w1' || s === sent[0])).toBe(true);
  });

  it('retries an item that survives its retry like any other', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 4));
    answer(scheduler, sent[0]!, 0);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    scheduler.addWorker('w2');
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [1]]]);
    answer(scheduler, sent[1]!);
    expect(job.outcomes).toEqual([
      [0, ok(0)],
      [1, ok(2)],
    ]);
    expect(log(sent.slice(2))).toEqual([['w2', 'a', [2, 3]]]);
  });

  it("puts the worker's other chunks back in order, ahead of later items and later jobs", () => {
    const { scheduler, sent } = setup({ prefetch: 3 });
    const a = fakeJob('a', 2);
    const b = fakeJob('b', 2);
    const c = fakeJob('c', 2);
    scheduler.addWorker('w1');
    scheduler.submit(a, items(0, 3));
    scheduler.submit(b, items(0, 1));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'a', [2, 3]],
      ['w1', 'b', [0, 1]],
    ]);
    scheduler.submit(a, items(4, 5));
    scheduler.submit(c, items(0, 0));
    answer(scheduler, sent[0]!, 0);
    scheduler.removeWorker('w1', SIGKILL);
    crash(a, 1);
    expect(a.outcomes).toHaveLength(2);
    expect(b.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(7); // a2, a3, b0, b1 back in front of a4, a5, c0
    scheduler.addWorker('w2');
    // Untouched: a2 and a3 still travel together, and not with a4 (b came between them).
    expect(log(sent.slice(3))).toEqual([
      ['w2', 'a', [2, 3]],
      ['w2', 'b', [0, 1]],
      ['w2', 'a', [4, 5]],
    ]);
    scheduler.addWorker('w3');
    expect(log(sent.slice(6))).toEqual([['w3', 'c', [0]]]);
  });

  it.each([
    ['shutdown', SHUTDOWN],
    ['normal', NORMAL],
  ] as const)('blames nothing after a %s exit', (_, exit) => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 2));
    scheduler.removeWorker('w1', exit);
    expect(job.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(3);
    // Untouched: the items are chunked together again, neither isolated as a retry would be nor
    // run alone as suspects would.
    scheduler.addWorker('w2');
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [0, 1, 2]]]);
    // And the clean exit used up none of the items' retries.
    answer(scheduler, sent[1]!, 0, 1);
    scheduler.removeWorker('w2', SIGKILL);
    expect(crash(job, 2).attempts).toBe(1);
  });

  it.each([
    ['shutdown', SHUTDOWN],
    ['normal', NORMAL],
  ] as const)('blames nothing after a %s exit with one unanswered item either', (_, exit) => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    answer(scheduler, sent[0]!, 0);
    scheduler.removeWorker('w1', exit);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    scheduler.addWorker('w2');
    // Item 1 was not retried (a retry runs alone): it is chunked with 2 as usual.
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [1, 2]]]);
  });

  it('does not count a clean exit against maxRetries', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 });
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 0));
    scheduler.removeWorker('w1', SHUTDOWN);
    scheduler.addWorker('w2');
    scheduler.removeWorker('w2', SIGKILL);
    expect(job.outcomes).toEqual([]);
    scheduler.addWorker('w3');
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w2', 'a', [0]],
      ['w3', 'a', [0]],
    ]);
    scheduler.removeWorker('w3', SIGKILL);
    expect(crash(job, 0).attempts).toBe(2);
  });

  it('ignores an idle worker dying, and a worker it does not know', () => {
    const { scheduler, sent } = setup();
    scheduler.addWorker('w1');
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.removeWorker('ghost', SIGKILL);
    expect(scheduler.workers).toBe(0);
    expect(scheduler.queued).toBe(0);
    expect(sent).toEqual([]);
  });
});

describe('PoolScheduler deaths before a batch has begun', () => {
  it('charges nothing for items only in transit, however often their workers die', () => {
    const { scheduler, sent } = setup({ maxRetries: 0 }, false);
    const job = fakeJob('a', 1);
    scheduler.submit(job, items(0, 0));
    // Ten workers in a row die before they begin the batch: the item is never charged.
    for (let w = 1; w <= 10; w++) {
      scheduler.addWorker(`w${w}`);
      scheduler.removeWorker(`w${w}`, SIGKILL);
    }
    expect(job.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(1);
    scheduler.addWorker('w11');
    const last = sent.at(-1)!;
    expect(last.chunk.attempt).toBeUndefined();
    scheduler.begun('w11', last.chunk.chunk);
    answer(scheduler, last);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
  });

  it('sends unbegun items back untouched: chunked as before, neither suspected nor retried', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 }, false);
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 5));
    scheduler.begun('w1', sent[0]!.chunk.chunk);
    answer(scheduler, sent[0]!);
    // [2, 3] was sent but its batch not begun when w1 died.
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
    scheduler.addWorker('w2');
    const again = sent.filter((one) => one.worker === 'w2');
    expect(log(again)).toEqual([
      ['w2', 'a', [2, 3]],
      ['w2', 'a', [4, 5]],
    ]);
    expect(again.map((one) => one.chunk.attempt)).toEqual([undefined, undefined]);
  });

  it('charges the one unanswered item of a begun batch, and numbers its next run', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 }, false);
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 0));
    scheduler.begun('w1', sent[0]!.chunk.chunk);
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.addWorker('w2');
    expect(sent[1]?.chunk.attempt).toBe(2);
    scheduler.begun('w2', sent[1]!.chunk.chunk);
    scheduler.removeWorker('w2', SIGKILL);
    expect(crash(job, 0).attempts).toBe(2);
  });

  it('numbers the next run of every unanswered item of a begun batch, charging none of them', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, batchItems: 4, prefetch: 3 }, false);
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 2));
    scheduler.begun('w1', sent[0]!.chunk.chunk);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([]);
    scheduler.addWorker('w2');
    const again = sent.filter((one) => one.worker === 'w2');
    expect(again.map((one) => [indexes(one), one.chunk.attempt])).toEqual([
      [[0], 2],
      [[1], 2],
      [[2], 2],
    ]);
  });

  it('current() is undefined until the worker has begun the batch, and begun() ignores unknown chunks', () => {
    const { scheduler, sent } = setup({}, false);
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 0));
    expect(scheduler.current('w1')).toBeUndefined();
    scheduler.begun('w1', 999);
    scheduler.begun('ghost', sent[0]!.chunk.chunk);
    expect(scheduler.current('w1')).toBeUndefined();
    scheduler.begun('w1', sent[0]!.chunk.chunk);
    expect(scheduler.current('w1')).toEqual({ job, index: 0 });
  });
});

describe('PoolScheduler deaths with several unanswered items', () => {
  it('blames nobody, and runs each of them alone next, in order, ahead of the other queued items', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 8));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1, 2]],
      ['w1', 'a', [3, 4, 5]],
    ]);
    answer(scheduler, sent[0]!, 0);
    // 1 and 2 are unanswered: 2 may have run, its answer waiting in a batch with 1's.
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    expect(scheduler.queued).toBe(8);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [1]],
      ['w2', 'a', [2]],
    ]);
    answer(scheduler, sent[2]!);
    expect(log(sent.slice(4))).toEqual([['w2', 'a', [3, 4, 5]]]);
    answer(scheduler, sent[3]!);
    expect(log(sent.slice(5))).toEqual([['w2', 'a', [6, 7, 8]]]);
    answer(scheduler, sent[4]!);
    answer(scheduler, sent[5]!);
    // Nobody was blamed: every item completed normally.
    expect(job.outcomes).toEqual(items(0, 8).map(([index]) => [index, ok(index * 2)]));
    expect(scheduler.queued).toBe(0);
  });

  it('runs the suspects alone even when their job has another job queued behind, and one per worker', () => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const a = fakeJob('a', 4);
    const b = fakeJob('b', 4);
    scheduler.addWorker('w1');
    scheduler.submit(a, items(0, 3));
    scheduler.submit(b, items(0, 1));
    scheduler.submit(a, items(4, 5));
    scheduler.removeWorker('w1', SIGKILL);
    expect(a.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(8);
    scheduler.addWorker('w2');
    scheduler.addWorker('w3');
    scheduler.addWorker('w4');
    expect(log(sent.slice(1))).toEqual([
      ['w2', 'a', [0]],
      ['w3', 'a', [1]],
      ['w4', 'a', [2]],
    ]);
    answer(scheduler, sent[2]!);
    answer(scheduler, sent[1]!);
    expect(log(sent.slice(4))).toEqual([
      ['w3', 'a', [3]],
      ['w2', 'b', [0, 1]],
    ]);
    answer(scheduler, sent[3]!);
    expect(log(sent.slice(6))).toEqual([['w4', 'a', [4, 5]]]);
  });

  it('never chunks an untouched item with a suspect behind it', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 1 });
    const job = fakeJob('a', 4);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 1));
    scheduler.addWorker('w2');
    scheduler.submit(job, items(2, 3));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w2', 'a', [2, 3]],
    ]);
    scheduler.removeWorker('w1', SIGKILL); // 0 and 1 are suspects, waiting for a worker
    scheduler.removeWorker('w2', SHUTDOWN); // 2 and 3 go back untouched, in front of them
    expect(scheduler.queued).toBe(4);
    scheduler.addWorker('w3');
    answer(scheduler, sent[2]!);
    answer(scheduler, sent[3]!);
    expect(log(sent.slice(2))).toEqual([
      ['w3', 'a', [2, 3]],
      ['w3', 'a', [0]],
      ['w3', 'a', [1]],
    ]);
    expect(job.outcomes).toEqual([
      [2, ok(4)],
      [3, ok(6)],
      [0, ok(0)],
    ]);
  });

  it('blames the suspect that kills a worker again while running alone (maxRetries 0)', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 5));
    scheduler.removeWorker('w1', SIGKILL); // 0, 1, 2 unanswered: suspects
    expect(job.outcomes).toEqual([]);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [0]],
      ['w2', 'a', [1]],
    ]);
    answer(scheduler, sent[2]!);
    expect(log(sent.slice(4))).toEqual([['w2', 'a', [2]]]);
    // w2 dies running 1 alone: 1 is the culprit; 2 (a later chunk) is not blamed.
    const exit: ExitInfo = { reason: 'error', code: 1, signal: null, error: new Error('segfault') };
    scheduler.removeWorker('w2', exit);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
    const error = crash(job, 1);
    expect(error.attempts).toBe(1);
    expect(error.exit).toBe(exit);
    // 2 is still a suspect: it runs alone, then the untouched chunk 3..5.
    scheduler.addWorker('w3');
    expect(log(sent.slice(5))).toEqual([
      ['w3', 'a', [2]],
      ['w3', 'a', [3, 4, 5]],
    ]);
    answer(scheduler, sent[5]!);
    answer(scheduler, sent[6]!);
    expect(job.outcomes).toEqual([
      [0, ok(0)],
      [1, job.outcomes[1]![1]],
      [2, ok(4)],
      [3, ok(6)],
      [4, ok(8)],
      [5, ok(10)],
    ]);
  });

  it('retries a suspect caught alone up to maxRetries times, alone, then fails it', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.addWorker('w2');
    scheduler.removeWorker('w2', SIGKILL); // 0 killed it alone: attempt 1 of 2
    expect(job.outcomes).toEqual([]);
    scheduler.addWorker('w3');
    scheduler.removeWorker('w3', SIGKILL); // and again: it fails
    expect(crash(job, 0).attempts).toBe(2);
    scheduler.addWorker('w4');
    answer(scheduler, sent[3]!);
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w2', 'a', [0]],
      ['w3', 'a', [0]],
      ['w4', 'a', [1]],
      ['w4', 'a', [2, 3]],
    ]);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
  });

  it("never blames a later chunk's items, even one left alone unanswered in its chunk", () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 4));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'a', [2, 3]],
    ]);
    answer(scheduler, sent[1]!, 2);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([[2, ok(4)]]);
    expect(scheduler.queued).toBe(4);
    // 0 and 1 run alone; 3 goes back untouched, chunked with 4.
    scheduler.addWorker('w2');
    answer(scheduler, sent[2]!);
    answer(scheduler, sent[3]!);
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [0]],
      ['w2', 'a', [1]],
      ['w2', 'a', [3, 4]],
    ]);
  });

  it("never blames a later chunk's items when the first chunk had one unanswered item", () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 3 });
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0]],
      ['w1', 'a', [1]],
      ['w1', 'a', [2]],
    ]);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes.map(([index]) => index)).toEqual([0]);
    crash(job, 0);
    expect(scheduler.takeAll().map((item) => [item.index, item.attempts])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });
});

describe('PoolScheduler current, failCurrent and condemn', () => {
  it('current is the first unanswered item of the first chunk, with its job', () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    const job = fakeJob('a', 3);
    expect(scheduler.current('ghost')).toBeUndefined();
    scheduler.addWorker('w1');
    expect(scheduler.current('w1')).toBeUndefined();
    scheduler.submit(job, items(0, 4));
    const current = () => {
      const found = scheduler.current('w1');
      return found === undefined ? undefined : [found.job, found.index];
    };
    expect(current()).toEqual([job, 0]);
    answer(scheduler, sent[0]!, 0);
    expect(current()).toEqual([job, 1]);
    answer(scheduler, sent[0]!, 2); // skips 1: ignored (a worker answers in order)
    expect(current()).toEqual([job, 1]);
    answer(scheduler, sent[0]!, 1, 2);
    expect(current()).toEqual([job, 3]); // the next chunk
    answer(scheduler, sent[1]!, 3);
    expect(current()).toEqual([job, 4]);
    answer(scheduler, sent[1]!, 4);
    expect(current()).toBeUndefined();
  });

  it('failCurrent fails the running item with that error; the death blames nothing and requeues the rest', () => {
    const { scheduler, sent, recycled } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 8));
    answer(scheduler, sent[0]!, 0);
    const error = new Error('too slow');
    scheduler.failCurrent('w1', error);
    expect(job.outcomes).toEqual([
      [0, ok(0)],
      [1, { ok: false, error }],
    ]);
    expect(scheduler.current('w1')?.index).toBe(2);
    expect(sent).toHaveLength(2);
    // The runtime kills it: 2, now the only unanswered item of its first chunk, is not blamed.
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toHaveLength(2);
    expect(recycled).toEqual([]);
    expect(scheduler.queued).toBe(7);
    scheduler.addWorker('w2');
    // Untouched: 2..5 neither retried nor suspected, chunked with the rest as usual.
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [2, 3, 4]],
      ['w2', 'a', [5, 6, 7]],
    ]);
    answer(scheduler, sent[2]!);
    answer(scheduler, sent[3]!);
    answer(scheduler, sent[4]!);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(job.outcomes.slice(2).every(([, outcome]) => outcome.ok)).toBe(true);
  });

  it('failCurrent on the last item of a chunk moves on to the next chunk, whose items are not suspected', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 5));
    answer(scheduler, sent[0]!, 0);
    scheduler.failCurrent('w1', new Error('too slow'));
    expect(job.outcomes.map(([index, outcome]) => [index, outcome.ok])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(scheduler.current('w1')?.index).toBe(2);
    // Retiring: the freed credit brings no new chunk.
    expect(sent).toHaveLength(2);
    scheduler.removeWorker('w1', SIGKILL); // 2 and 3 unanswered: neither blamed nor run alone
    expect(job.outcomes).toHaveLength(2);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [2, 3]],
      ['w2', 'a', [4, 5]],
    ]);
  });

  it('failCurrent retires the worker: no more chunks, recycled once its other items are answered', () => {
    const { scheduler, sent, recycled } = setup();
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    scheduler.failCurrent('w1', new Error('too slow'));
    expect(recycled).toEqual([]);
    answer(scheduler, sent[0]!, 1);
    expect(recycled).toEqual(['w1']);
    expect(scheduler.workers).toBe(0);
    expect(scheduler.queued).toBe(2);
    expect(sent).toHaveLength(1);
  });

  it('failCurrent does nothing to an idle or unknown worker', () => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.failCurrent('w1', new Error('too slow'));
    scheduler.failCurrent('ghost', new Error('too slow'));
    // w1 still takes work, and its death still blames its running item.
    scheduler.submit(job, items(0, 0));
    expect(log(sent)).toEqual([['w1', 'a', [0]]]);
    expect(job.outcomes).toEqual([]);
    scheduler.removeWorker('w1', SIGKILL);
    expect(crash(job, 0).attempts).toBe(1);
  });

  it('condemn: the worker gets no more chunks, and its death blames nothing', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 7));
    scheduler.condemn('w1');
    answer(scheduler, sent[0]!);
    expect(sent).toHaveLength(2); // the freed credit brings nothing
    answer(scheduler, sent[1]!, 2);
    // 3, the only unanswered item of its first chunk, would be blamed if w1 had not been condemned.
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1, 2]);
    expect(job.outcomes.every(([, outcome]) => outcome.ok)).toBe(true);
    scheduler.addWorker('w2');
    // 3 may have been running when w1 was killed: it runs again as its second attempt, on its
    // own (a chunk has one attempt number), and the untouched items follow as usual.
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [3]],
      ['w2', 'a', [4, 5]],
    ]);
    expect(sent[2]?.chunk.attempt).toBe(2);
    expect(sent[3]?.chunk.attempt).toBeUndefined();
  });

  it('condemn: several unanswered items are not suspected either', () => {
    const { scheduler, sent } = setup({ maxRetries: 0, prefetch: 2 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    scheduler.condemn('w1');
    scheduler.condemn('ghost');
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([]);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [0, 1]],
      ['w2', 'a', [2, 3]],
    ]);
  });
});

describe('PoolScheduler answers', () => {
  it('settles consecutive items from a position of the chunk, values and failures', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 4);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(10, 17));
    const chunk = sent[0]!.chunk.chunk;
    scheduler.answers('w1', { chunk, from: 0, values: ['x', 'y'], failures: [] });
    expect(job.outcomes).toEqual([
      [10, ok('x')],
      [11, ok('y')],
    ]);
    expect(scheduler.current('w1')?.index).toBe(12);
    expect(sent).toHaveLength(1);
    const error = new Error('bad input');
    scheduler.answers('w1', { chunk, from: 2, values: ['z', undefined], failures: [[1, error]] });
    expect(job.outcomes.slice(2)).toEqual([
      [12, ok('z')],
      [13, { ok: false, error }],
    ]);
    // The chunk is done: its credit brings the next one.
    expect(log(sent.slice(1))).toEqual([['w1', 'a', [14, 15, 16, 17]]]);
  });

  it('ignores answers for unknown workers and chunks, and repeated answers', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 2));
    const chunk = sent[0]!.chunk.chunk;
    scheduler.answers('ghost', { chunk, from: 0, values: [1], failures: [] });
    scheduler.answers('w1', { chunk: 999, from: 0, values: [1], failures: [] });
    expect(job.outcomes).toEqual([]);
    scheduler.answers('w1', { chunk, from: 0, values: [1], failures: [] });
    scheduler.answers('w1', { chunk, from: 0, values: [1], failures: [] });
    expect(job.outcomes).toEqual([[0, ok(1)]]);
  });

  it('a batch that leaves one item unanswered lets a death blame it', () => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 2));
    scheduler.answers('w1', { chunk: sent[0]!.chunk.chunk, from: 0, values: [0, 2], failures: [] });
    scheduler.removeWorker('w1', SIGKILL);
    expect(crash(job, 2).attempts).toBe(1);
    expect(scheduler.queued).toBe(0);
  });
});

describe('PoolScheduler with a clock', () => {
  /** A scheduler whose clock the test moves; 8 items in flight at most, 20 ms of work ahead. */
  function timed() {
    let now = 0;
    const sent: Sent[] = [];
    const scheduler = new PoolScheduler(
      {
        maxRetries: 0,
        prefetch: 1,
        prefetchItems: 8,
        lookaheadMs: 20,
        maxTasksPerWorker: undefined,
        batchItems: 1,
      },
      {
        dispatch: (worker, chunks) => {
          for (const chunk of chunks) sent.push({ worker, chunk, batch: 0 });
        },
        recycle: () => {},
        now: () => now,
      },
    );
    return { scheduler, sent, advance: (ms: number) => void (now += ms) };
  }

  it('gives a worker whose items are slow only about lookaheadMs of them ahead', () => {
    const { scheduler, sent, advance } = timed();
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('slow', 1), items(0, 39));
    expect(sent).toHaveLength(8); // nothing known yet: the whole window
    for (const s of sent.slice(0, 8)) {
      advance(10); // 10 ms an item: 20 ms ahead is 2 items
      answer(scheduler, s);
    }
    expect(sent.slice(8).map(indexes)).toEqual([[8], [9]]);
  });

  it('keeps the whole window for quick items', () => {
    const { scheduler, sent, advance } = timed();
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('quick', 1), items(0, 39));
    for (const s of sent.slice(0, 8)) {
      advance(0.01);
      answer(scheduler, s);
    }
    // Still topped up from the whole window: at least half of it in flight (the slow worker: 2).
    expect(sent.length - 8).toBeGreaterThanOrEqual(4);
  });
});

describe('PoolScheduler batches', () => {
  it('sends small chunks for one worker together, up to batchItems items, in one dispatch', () => {
    const { scheduler, sent } = setup({ prefetch: 1, prefetchItems: 10, batchItems: 4 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 1), items(0, 9));
    expect(sent.map((s) => [s.batch, indexes(s)])).toEqual([
      [0, [0]],
      [0, [1]],
      [0, [2]],
      [0, [3]],
      [1, [4]],
      [1, [5]],
      [1, [6]],
      [1, [7]],
      [2, [8]],
      [2, [9]],
    ]);
  });

  it('gives a chunk of batchItems items or more a batch of its own', () => {
    const { scheduler, sent } = setup({ prefetch: 3, batchItems: 4 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 4), items(0, 9));
    expect(sent.map((s) => [s.batch, indexes(s)])).toEqual([
      [0, [0, 1, 2, 3]],
      [1, [4, 5, 6, 7]],
      [2, [8, 9]],
    ]);
  });

  it('suspects every unanswered item of the first batch when its worker dies, and nothing of later batches', () => {
    const { scheduler, sent } = setup({ prefetch: 1, prefetchItems: 6, batchItems: 3 });
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 7));
    expect(sent.map((s) => s.batch)).toEqual([0, 0, 0, 1, 1, 1]);
    // Item 0 answered; 1 or 2 may have been running (answers of a batch travel together).
    answer(scheduler, sent[0]!);
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    scheduler.addWorker('w2');
    // 1 and 2 each run alone, as eager chunks (answered one by one) of a batch of their own; the
    // later batch's items follow untouched.
    expect(sent.slice(6).map((s) => [s.batch, indexes(s), s.chunk.eager === true])).toEqual([
      [2, [1], true],
      [2, [2], true],
      [3, [3], false],
      [3, [4], false],
      [3, [5], false],
      [4, [6], false],
    ]);
    // w2 dies with 1 answered: 2, the first unanswered item of its eager batch, was running. It
    // is charged; the later items had not begun and go back untouched.
    answer(scheduler, sent[6]!);
    scheduler.removeWorker('w2', SIGKILL);
    expect(crash(job, 2).attempts).toBe(1);
    scheduler.addWorker('w3');
    expect(sent.slice(12).map((s) => [indexes(s), s.chunk.eager === true, s.chunk.attempt])).toEqual([
      [[3], false, undefined],
      [[4], false, undefined],
      [[5], false, undefined],
      [[6], false, undefined],
      [[7], false, undefined],
    ]);
  });

  it('in an eager batch, charges only the first unanswered item: the ones after it had not begun', () => {
    const { scheduler, sent } = setup({ maxRetries: 1, prefetch: 1, prefetchItems: 4, batchItems: 4 });
    const timed: FakeJob = { ...fakeJob('t', 1), eager: true };
    scheduler.addWorker('w1');
    scheduler.submit(timed, items(0, 3));
    expect(sent.map((s) => s.batch)).toEqual([0, 0, 0, 0]);
    answer(scheduler, sent[0]!);
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.addWorker('w2');
    // 1 is retried (attempt 2, its own eager chunk); 2 and 3 were never begun: untouched.
    expect(sent.slice(4).map((s) => [indexes(s), s.chunk.attempt])).toEqual([
      [[1], 2],
      [[2], undefined],
      [[3], undefined],
    ]);
    expect(timed.outcomes).toEqual([[0, ok(0)]]);
  });

  it('blames the one unanswered item of a first batch', () => {
    const { scheduler, sent } = setup({ prefetch: 1, prefetchItems: 4, batchItems: 2 });
    const job = fakeJob('a', 1);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    answer(scheduler, sent[0]!);
    scheduler.removeWorker('w1', SIGKILL);
    expect(crash(job, 1).attempts).toBe(1);
    expect(scheduler.queued).toBe(2);
  });

  it('batches a retried item, and items of a call that times its items, only with other eager chunks', () => {
    const { scheduler, sent } = setup({ maxRetries: 1, prefetch: 1, prefetchItems: 4, batchItems: 4 });
    const job = fakeJob('a', 1);
    const timed: FakeJob = { ...fakeJob('t', 1), eager: true };
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 0));
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.submit(timed, items(0, 1));
    scheduler.submit(job, items(1, 2));
    scheduler.addWorker('w2');
    expect(
      sent.slice(1).map((s) => [s.batch, s.chunk.task.name, indexes(s), s.chunk.eager === true]),
    ).toEqual([
      [1, 'a', [0], true],
      [1, 't', [0], true],
      [1, 't', [1], true],
      [2, 'a', [1], false],
    ]);
  });
});

describe('PoolScheduler maxTasksPerWorker', () => {
  it('cuts chunks to the allowance, then recycles the worker once its items are answered', () => {
    const { scheduler, sent, recycled } = setup({ prefetch: 2, maxTasksPerWorker: 4 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 3), items(0, 9));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1, 2]],
      ['w1', 'a', [3]],
    ]);
    answer(scheduler, sent[0]!);
    expect(sent).toHaveLength(2); // its share is given: no more chunks
    expect(recycled).toEqual([]);
    answer(scheduler, sent[1]!);
    expect(recycled).toEqual(['w1']);
    expect(scheduler.workers).toBe(0);
    expect(scheduler.queued).toBe(6);
    scheduler.addWorker('w2');
    expect(log(sent.slice(2))).toEqual([
      ['w2', 'a', [4, 5, 6]],
      ['w2', 'a', [7]],
    ]);
  });

  it('recycles once, and ignores answers from the recycled worker', () => {
    const { scheduler, sent, recycled } = setup({ maxTasksPerWorker: 2 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    answer(scheduler, sent[0]!);
    answer(scheduler, sent[0]!);
    expect(recycled).toEqual(['w1']);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
    scheduler.removeWorker('w1', SHUTDOWN);
    expect(scheduler.queued).toBe(2);
  });

  it('counts items, not chunks, across several chunks', () => {
    const { scheduler, sent, recycled } = setup({ maxTasksPerWorker: 5 });
    scheduler.addWorker('w1');
    scheduler.submit(fakeJob('a', 2), items(0, 9));
    answer(scheduler, sent[0]!);
    answer(scheduler, sent[1]!);
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'a', [2, 3]],
      ['w1', 'a', [4]],
    ]);
    expect(recycled).toEqual([]);
    answer(scheduler, sent[2]!);
    expect(recycled).toEqual(['w1']);
  });

  it('keeps other workers busy while one retires', () => {
    const { scheduler, sent, recycled } = setup({ maxTasksPerWorker: 2 });
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(fakeJob('a', 2), items(0, 5));
    answer(scheduler, sent[0]!);
    expect(recycled).toEqual(['w1']);
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w2', 'a', [2, 3]],
    ]);
    scheduler.addWorker('w3');
    expect(log(sent.slice(2))).toEqual([['w3', 'a', [4, 5]]]);
  });
});

describe('PoolScheduler bookkeeping', () => {
  it("drop removes that job's queued items only", () => {
    const { scheduler, sent } = setup();
    const a = fakeJob('a', 1);
    const b = fakeJob('b', 1);
    scheduler.submit(a, items(0, 1));
    scheduler.submit(b, items(0, 1));
    scheduler.submit(a, items(2, 3));
    scheduler.drop(a);
    expect(scheduler.queued).toBe(2);
    scheduler.addWorker('w1');
    expect(log(sent)).toEqual([['w1', 'b', [0]]]);
  });

  it("drop removes that job's requeued items too, and leaves its items in flight alone", () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    const a = fakeJob('a', 2);
    const b = fakeJob('b', 2);
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(a, items(0, 3));
    scheduler.submit(b, items(0, 3));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w2', 'a', [2, 3]],
      ['w1', 'b', [0, 1]],
      ['w2', 'b', [2, 3]],
    ]);
    scheduler.removeWorker('w1', SHUTDOWN); // a0, a1, b0, b1 requeued
    expect(scheduler.queued).toBe(4);
    scheduler.drop(a);
    expect(scheduler.queued).toBe(2);
    expect(scheduler.workersRunning(a)).toEqual(['w2']);
    answer(scheduler, sent[1]!);
    expect(a.outcomes.map(([index]) => index)).toEqual([2, 3]);
    expect(log(sent.slice(4))).toEqual([['w2', 'b', [0, 1]]]);
  });

  it.each([0, 1])(
    "a worker dying on a dropped job's item blames no other job and brings nothing of it back (maxRetries %i)",
    (maxRetries) => {
      const { scheduler, sent } = setup({ maxRetries, prefetch: 2 });
      const a = fakeJob('a', 2);
      const b = fakeJob('b', 2);
      scheduler.addWorker('w1');
      scheduler.submit(a, items(0, 1));
      scheduler.submit(b, items(0, 1));
      expect(log(sent)).toEqual([
        ['w1', 'a', [0, 1]],
        ['w1', 'b', [0, 1]],
      ]);
      // The call behind `a` fails or is cancelled: its queue is dropped, its items in flight run out.
      scheduler.drop(a);
      expect(scheduler.workersRunning(a)).toEqual(['w1']);
      // a0 then kills its worker: a is settled already, and b did nothing wrong.
      scheduler.removeWorker('w1', SIGKILL);
      expect(a.outcomes).toEqual([]);
      expect(b.outcomes).toEqual([]);
      expect(scheduler.queued).toBe(2);
      scheduler.addWorker('w2');
      expect(log(sent.slice(2))).toEqual([['w2', 'b', [0, 1]]]);
    },
  );

  it.each([0, 1])(
    "a dropped job's item that kills its worker alone keeps the blame off the later chunks (maxRetries %i)",
    (maxRetries) => {
      const { scheduler, sent } = setup({ maxRetries, prefetch: 3 });
      const a = fakeJob('a', 1);
      const b = fakeJob('b', 2);
      scheduler.addWorker('w1');
      scheduler.submit(a, items(0, 1));
      scheduler.submit(b, items(0, 1));
      expect(log(sent)).toEqual([
        ['w1', 'a', [0]],
        ['w1', 'a', [1]],
        ['w1', 'b', [0, 1]],
      ]);
      scheduler.drop(a);
      scheduler.removeWorker('w1', SIGKILL);
      expect(a.outcomes).toEqual([]);
      expect(b.outcomes).toEqual([]);
      expect(scheduler.queued).toBe(2);
      scheduler.addWorker('w2');
      expect(log(sent.slice(3))).toEqual([['w2', 'b', [0, 1]]]);
    },
  );

  it('workersRunning names the workers with unanswered items of a job', () => {
    const { scheduler, sent } = setup();
    const a = fakeJob('a', 2);
    const b = fakeJob('b', 2);
    expect(scheduler.workersRunning(a)).toEqual([]);
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.addWorker('w3');
    scheduler.submit(a, items(0, 3));
    scheduler.submit(b, items(0, 1));
    expect(scheduler.workersRunning(a)).toEqual(['w1', 'w2']);
    expect(scheduler.workersRunning(b)).toEqual(['w3']);
    answer(scheduler, sent[0]!, 0);
    expect(scheduler.workersRunning(a)).toEqual(['w1', 'w2']);
    answer(scheduler, sent[0]!, 1);
    expect(scheduler.workersRunning(a)).toEqual(['w2']);
    answer(scheduler, sent[1]!);
    expect(scheduler.workersRunning(a)).toEqual([]);
  });

  it('takeAll empties the queue, requeued items first', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 4));
    scheduler.removeWorker('w1', SHUTDOWN);
    const all = scheduler.takeAll();
    expect(all.map((item) => [item.job, item.index, item.args])).toEqual([
      [job, 0, [0]],
      [job, 1, [1]],
      [job, 2, [2]],
      [job, 3, [3]],
      [job, 4, [4]],
    ]);
    expect(scheduler.queued).toBe(0);
    expect(scheduler.takeAll()).toEqual([]);
    scheduler.addWorker('w2');
    expect(sent).toHaveLength(1);
  });

  it('ignores outcomes for unknown workers, chunks and indexes, and repeated answers', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    scheduler.submit(job, items(0, 5));
    const [first, second] = [sent[0]!, sent[1]!];
    const one = (worker: string, chunk: number, from: number) =>
      scheduler.answers(worker, { chunk, from, values: [from * 2], failures: [] });
    one('ghost', first.chunk.chunk, 0);
    one('w1', 999, 0);
    one('w1', first.chunk.chunk, 7); // past the chunk's end
    one('w1', first.chunk.chunk, 1); // skips position 0
    one('w2', first.chunk.chunk, 0); // another worker's chunk
    one('w1', second.chunk.chunk, 0);
    expect(job.outcomes).toEqual([]);
    answer(scheduler, first, 0);
    answer(scheduler, first, 0);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    expect(sent).toHaveLength(2);
    scheduler.removeWorker('w1', SIGKILL);
    answer(scheduler, first, 1); // from a dead worker
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
    expect(crash(job, 1).attempts).toBe(1);
    expect(job.outcomes).toHaveLength(2);
  });

  it('counts queued items and workers', () => {
    const { scheduler, sent, recycled } = setup({ maxTasksPerWorker: 1 });
    expect(scheduler.queued).toBe(0);
    expect(scheduler.workers).toBe(0);
    scheduler.submit(fakeJob('a', 1), items(0, 2));
    expect(scheduler.queued).toBe(3);
    scheduler.addWorker('w1');
    scheduler.addWorker('w2');
    expect(scheduler.workers).toBe(2);
    expect(scheduler.queued).toBe(1);
    answer(scheduler, sent[0]!);
    expect(recycled).toEqual(['w1']);
    expect(scheduler.workers).toBe(1);
    scheduler.removeWorker('w2', SHUTDOWN);
    expect(scheduler.workers).toBe(0);
    expect(scheduler.queued).toBe(2);
  });
});
