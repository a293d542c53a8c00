import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/Clock.js';
import { TimeoutError } from '../src/errors.js';
import type { ExitInfo } from '../src/exit.js';
import type { ChunkMessage, Outcome, RefusedChunk } from '../src/pool/chunks.js';
import type { Job } from '../src/pool/Job.js';
import { PoolScheduler } from '../src/pool/PoolScheduler.js';

const SIGKILL: ExitInfo = { reason: 'signal', code: null, signal: 'SIGKILL' };

function job(timeoutMs?: number) {
  const outcomes: [number, Outcome][] = [];
  const value: Job = {
    task: { module: 'file:///tasks.js', name: 'slow' },
    chunkSize: 1,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onOutcome: (index, outcome) => void outcomes.push([index, outcome]),
  };
  return { job: value, outcomes };
}

/** A scheduler on a simulated clock whose workers begin each batch when told to. */
function setup(refuse: (chunk: ChunkMessage) => Error | undefined = () => undefined) {
  const clock = new SimulatedClock();
  const sent: { worker: string; chunks: ChunkMessage[] }[] = [];
  const killed: string[] = [];
  const scheduler = new PoolScheduler(
    { maxRetries: 0, prefetch: 1, prefetchItems: 0, maxTasksPerWorker: undefined, batchItems: 1 },
    {
      dispatch: (worker, chunks, refused: (refusal: RefusedChunk) => void) => {
        for (const chunk of chunks) {
          const error = refuse(chunk);
          if (error === undefined) sent.push({ worker, chunks: [chunk] });
          else refused({ chunk: chunk.chunk, error });
        }
      },
      recycle: () => {},
      kill: (worker) => void killed.push(worker),
      clock,
    },
  );
  return { clock, scheduler, sent, killed };
}

describe('PoolScheduler deadlines', () => {
  it('fail an item that runs past its call timeoutMs, from when its batch began, and kill its worker', () => {
    const { clock, scheduler, sent, killed } = setup();
    const { job: timed, outcomes } = job(100);
    scheduler.addWorker('w1');
    scheduler.submitAll(timed, [1, 2]);
    const [first] = sent;
    expect(first?.chunks[0]?.eager).toBe(true); // a timed call's items are answered one by one
    clock.advance(500); // in transit: no deadline yet
    expect(outcomes).toEqual([]);
    scheduler.begun('w1', first?.chunks[0]?.chunk ?? 0);
    clock.advance(99);
    expect(outcomes).toEqual([]);
    clock.advance(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.[0]).toBe(0);
    expect(outcomes[0]?.[1]).toEqual({ ok: false, error: expect.any(TimeoutError) });
    expect(killed).toEqual(['w1']);
    // Its death blames nothing more: item 1 goes to the next worker, untouched.
    scheduler.removeWorker('w1', SIGKILL);
    scheduler.addWorker('w2');
    expect(sent.at(-1)?.worker).toBe('w2');
    expect(sent.at(-1)?.chunks[0]?.first).toBe(1);
  });

  it('restart with each item, stop when the worker dies, and are not kept for calls without a timeout', () => {
    const { clock, scheduler, sent, killed } = setup();
    const { job: timed, outcomes } = job(100);
    scheduler.addWorker('w1');
    scheduler.submitAll(timed, [1, 2]);
    const chunk = sent[0]?.chunks[0] as ChunkMessage;
    scheduler.begun('w1', chunk.chunk);
    clock.advance(80);
    scheduler.answers('w1', { chunk: chunk.chunk, from: 0, values: [1], failures: [] });
    const next = sent[1]?.chunks[0] as ChunkMessage;
    scheduler.begun('w1', next.chunk);
    clock.advance(80); // 160 ms since the first began, 80 since the second did
    expect(outcomes.map(([index, outcome]) => [index, outcome.ok])).toEqual([[0, true]]);
    scheduler.removeWorker('w1', SIGKILL);
    clock.advance(1000);
    expect(killed).toEqual([]);
    const { job: untimed, outcomes: quiet } = job();
    scheduler.addWorker('w3');
    scheduler.submitAll(untimed, [1]);
    scheduler.begun('w3', sent.at(-1)?.chunks[0]?.chunk ?? 0);
    clock.advance(1_000_000);
    expect(quiet).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});

describe('PoolScheduler refused chunks', () => {
  it('fail their items at once, and free their worker for the next chunk', () => {
    const reason = new Error('cannot be sent');
    const { scheduler, sent } = setup((chunk) => (chunk.first === 1 ? reason : undefined));
    const { job: call, outcomes } = job();
    scheduler.addWorker('w1');
    scheduler.submitAll(call, ['a', 'b', 'c']);
    expect(sent.map((s) => s.chunks[0]?.first)).toEqual([0]);
    // Item 0 answered: item 1 is refused and fails at once, and its credit goes to item 2 in the
    // same round.
    scheduler.answers('w1', { chunk: sent[0]?.chunks[0]?.chunk ?? 0, from: 0, values: ['A'], failures: [] });
    expect(outcomes).toEqual([
      [0, { ok: true, value: 'A' }],
      [1, { ok: false, error: reason }],
    ]);
    expect(sent.map((s) => s.chunks[0]?.first)).toEqual([0, 2]);
  });
});
