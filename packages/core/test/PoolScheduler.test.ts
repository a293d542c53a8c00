import { describe, expect, it } from 'vitest';
import { WorkerCrashedError } from '../src/errors.js';
import type { ExitInfo } from '../src/exit.js';
import {
  type ChunkMessage,
  defaultChunkSize,
  type Job,
  type Outcome,
  PoolScheduler,
  type SchedulerOptions,
} from '../src/pool/PoolScheduler.js';

const SIGKILL: ExitInfo = { reason: 'signal', code: null, signal: 'SIGKILL' };
const SHUTDOWN: ExitInfo = { reason: 'shutdown', code: 0, signal: null };
const NORMAL: ExitInfo = { reason: 'normal', code: 0, signal: null };

interface Sent {
  readonly worker: string;
  readonly chunk: ChunkMessage;
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

/** A scheduler over fake deps that record every `dispatch` and `recycle`. */
function setup(options: Partial<SchedulerOptions> = {}) {
  const sent: Sent[] = [];
  const recycled: string[] = [];
  const scheduler = new PoolScheduler(
    { maxRetries: 0, prefetch: 1, maxTasksPerWorker: undefined, ...options },
    {
      dispatch: (worker, chunk) => void sent.push({ worker, chunk }),
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
const indexes = (sent: Sent): number[] => sent.chunk.items.map(([index]) => index);

/** Each sent chunk as `[worker, task name, indexes]`, in the order sent. */
const log = (sent: readonly Sent[]) => sent.map((s) => [s.worker, s.chunk.task.name, indexes(s)]);

const ok = (value: unknown): Outcome => ({ ok: true, value });

/** Answers `index` of a sent chunk successfully (its value is the index doubled). */
function answer(scheduler: PoolScheduler, sent: Sent, ...which: number[]): void {
  for (const index of which.length > 0 ? which : indexes(sent))
    scheduler.outcome(sent.worker, sent.chunk.chunk, index, ok(index * 2));
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
    expect(sent[0]!.chunk.items).toEqual([
      [0, [0]],
      [1, [1]],
      [2, [2]],
    ]);
    const ids = sent.map((s) => s.chunk.chunk);
    expect(new Set(ids).size).toBe(ids.length);
    expect(scheduler.queued).toBe(0);
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
    // Answered out of order: outcomes are passed on as they come.
    answer(scheduler, sent[0]!, 2);
    answer(scheduler, sent[0]!, 0);
    expect(sent).toHaveLength(1);
    expect(job.outcomes).toEqual([
      [2, ok(4)],
      [0, ok(0)],
    ]);
    answer(scheduler, sent[0]!, 1);
    expect(job.outcomes.map(([index]) => index)).toEqual([2, 0, 1]);
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
    scheduler.outcome('w1', sent[0]!.chunk.chunk, 0, { ok: false, error });
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

describe('PoolScheduler worker deaths', () => {
  it('fails the item the worker was running with WorkerCrashedError when maxRetries is 0', () => {
    const { scheduler, sent } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 5));
    answer(scheduler, sent[0]!, 0);
    scheduler.removeWorker('w1', SIGKILL);
    expect(scheduler.workers).toBe(0);
    expect(job.outcomes.map(([index]) => index)).toEqual([0, 1]);
    const error = crash(job, 1);
    expect(error.exit).toEqual(SIGKILL);
    expect(error.attempts).toBe(1);
    expect(error.code).toBe('ERR_TROUPE_WORKER_CRASHED');
    // Item 2 goes back untouched, ahead of 3..5, and is chunked with them as usual.
    expect(scheduler.queued).toBe(4);
    scheduler.addWorker('w2');
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [2, 3, 4]]]);
  });

  it.each<ExitInfo>([
    { reason: 'error', code: 3, signal: null, error: new Error('uncaught') },
    { reason: 'oom', code: null, signal: null },
    { reason: 'timeout', code: null, signal: 'SIGKILL' },
    { reason: 'signal', code: null, signal: 'SIGTERM' },
  ])('blames the running item for a $reason exit', (exit) => {
    const { scheduler } = setup({ maxRetries: 0 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 1));
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
    scheduler.removeWorker('w1', SIGKILL);
    expect(job.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(6); // 0 and 1 back in front of 4..7
    answer(scheduler, sent[1]!);
    // Item 0 runs alone, so that a second death takes nothing else with it.
    expect(log(sent.slice(2))).toEqual([['w2', 'a', [0]]]);
    scheduler.addWorker('w3');
    expect(log(sent.slice(3))).toEqual([['w3', 'a', [1, 4]]]);
    scheduler.removeWorker('w2', SIGKILL);
    const error = crash(job, 0);
    expect(error.attempts).toBe(2);
    expect(error.exit).toBe(SIGKILL);
    expect(sent.every((s) => s.worker !== 'w1' || s === sent[0])).toBe(true);
  });

  it('retries an item that survives its retry like any other', () => {
    const { scheduler, sent } = setup({ maxRetries: 1 });
    const job = fakeJob('a', 2);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 3));
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.addWorker('w2');
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [0]]]);
    answer(scheduler, sent[1]!);
    expect(job.outcomes).toEqual([[0, ok(0)]]);
    expect(log(sent.slice(2))).toEqual([['w2', 'a', [1, 2]]]);
  });

  it('blames the first unanswered item, even when later ones were answered first', () => {
    const { scheduler, sent } = setup();
    const job = fakeJob('a', 3);
    scheduler.addWorker('w1');
    scheduler.submit(job, items(0, 2));
    answer(scheduler, sent[0]!, 1);
    scheduler.removeWorker('w1', SIGKILL);
    crash(job, 0);
    expect(scheduler.takeAll().map((item) => item.index)).toEqual([2]);
  });

  it("puts the worker's other chunks back in order, ahead of later items and later jobs", () => {
    const { scheduler, sent } = setup({ prefetch: 2 });
    const a = fakeJob('a', 2);
    const b = fakeJob('b', 2);
    scheduler.addWorker('w1');
    scheduler.submit(a, items(0, 3));
    expect(log(sent)).toEqual([
      ['w1', 'a', [0, 1]],
      ['w1', 'a', [2, 3]],
    ]);
    scheduler.submit(b, items(0, 1));
    answer(scheduler, sent[0]!); // frees a credit: w1 takes b
    expect(log(sent.slice(2))).toEqual([['w1', 'b', [0, 1]]]);
    scheduler.submit(a, items(4, 5));
    scheduler.removeWorker('w1', SIGKILL);
    crash(a, 2);
    expect(b.outcomes).toEqual([]);
    expect(scheduler.queued).toBe(5); // a3, b0, b1 back in front of a4, a5
    scheduler.addWorker('w2');
    expect(log(sent.slice(3))).toEqual([
      ['w2', 'a', [3]],
      ['w2', 'b', [0, 1]],
    ]);
    scheduler.addWorker('w3');
    expect(log(sent.slice(5))).toEqual([['w3', 'a', [4, 5]]]);
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
    // Untouched: the items are chunked together again, not isolated as a retry would be.
    scheduler.addWorker('w2');
    expect(log(sent.slice(1))).toEqual([['w2', 'a', [0, 1, 2]]]);
    // And the clean exit used up none of the item's retries.
    scheduler.removeWorker('w2', SIGKILL);
    expect(crash(job, 0).attempts).toBe(1);
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
    scheduler.outcome('ghost', first.chunk.chunk, 0, ok(0));
    scheduler.outcome('w1', 999, 0, ok(0));
    scheduler.outcome('w1', first.chunk.chunk, 7, ok(7));
    scheduler.outcome('w2', first.chunk.chunk, 0, ok(0)); // another worker's chunk
    scheduler.outcome('w1', second.chunk.chunk, 2, ok(2));
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
