/**
 * CPython's `Lib/test/_test_multiprocessing.py`, the Pool cases (`_TestPool`,
 * `_TestPoolWorkerErrors`, `_TestPoolWorkerLifetime`, `TestInitializers`,
 * `TestPoolNotLeakOnFailure`, `MiscTestCase`), ported to `system.pool`. `map_async`,
 * `apply_async` and `starmap_async` are the same calls (they return promises); `chunksize` is
 * `chunkSize`; `maxtasksperchild` is `maxTasksPerWorker`.
 */

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorSystem,
  InvalidArgumentError,
  type Pool,
  PoolBrokenError,
  PoolTerminatedError,
  SerializationError,
  TimeoutError,
} from '@troupe/node-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mul,
  never,
  raiseKeyError,
  raiseLargeError,
  raiseRuntimeError,
  reportInit,
  sqr,
  throwTypeError,
  ticketInit,
  toInt,
  unpicklableResult,
} from '../fixtures/peers.js';
import { isAlive, waitUntil, workerChildren } from '../support/processes.js';
import { startSystem, tsxExecArgv } from '../support/system.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

class SayWhenError extends RangeError {
  override name = 'SayWhenError';
}

/** CPython's `exception_throwing_generator(total, when)`. */
function* exceptionThrowingGenerator(total: number, when: number): Generator<number> {
  if (when === -1) throw new SayWhenError('Somebody said when');
  for (let i = 0; i < total; i++) {
    if (i === when) throw new SayWhenError('Somebody said when');
    yield i;
  }
}

/** Whatever `call` throws or rejects with (a call may refuse its input before it returns). */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Pulls every result of `it`; returns those that came, and the error that ended it, if any. */
async function drain<T>(it: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of it) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

// As in CPython's setUpClass, one pool of 4 serves the cases that leave it as it was; it is
// terminated after them. Cases that close, terminate or size a pool make their own.
let classSystem: ActorSystem;
let pool: Pool;
beforeAll(async () => {
  classSystem = await ActorSystem.start({ execArgv: tsxExecArgv, shutdownMs: 2000 });
  pool = await classSystem.pool({ size: 4 });
});
afterAll(async () => {
  await pool?.terminate();
  await classSystem?.shutdown();
});

describe('_TestPool', () => {
  it('_TestPool.test_apply: apply runs the task with the given arguments', async () => {
    await expect(pool.apply(sqr, 5)).resolves.toBe(25);
    await expect(pool.apply(mul, 3, 4)).resolves.toBe(12);
  });

  it('_TestPool.test_map: map gives the results in input order, with any chunk size', async () => {
    await expect(pool.map(sqr, range(10))).resolves.toEqual(range(10).map((x) => x * x));
    await expect(pool.map(sqr, range(100), { chunkSize: 20 })).resolves.toEqual(range(100).map((x) => x * x));
  });

  it('_TestPool.test_starmap: starmap spreads each item over the arguments', async () => {
    const tuples = range(10).map((i) => [i, 9 - i] as [number, number]);
    await expect(pool.starmap(mul, tuples)).resolves.toEqual(tuples.map(([x, y]) => x * y));
    const more = range(100).map((i) => [i, 99 - i] as [number, number]);
    await expect(pool.starmap(mul, more, { chunkSize: 20 })).resolves.toEqual(more.map(([x, y]) => x * y));
  });

  it('_TestPool.test_starmap_async: starmap of 100 pairs with the default chunk size', async () => {
    const tuples = range(100).map((i) => [i, 99 - i] as [number, number]);
    const pending = pool.starmap(mul, tuples);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toEqual(tuples.map(([x, y]) => x * y));
  });

  it('_TestPool.test_map_async: map returns a promise of the results', async () => {
    const pending = pool.map(sqr, range(10));
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toEqual(range(10).map((x) => x * x));
  });

  it("_TestPool.test_map_async_callbacks: the promise resolves with the results, or rejects with the task's error", async () => {
    await expect(pool.map(toInt, ['1'])).resolves.toEqual([1]);
    const failure = await pool.map(toInt, ['a']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toContain("'a'");
  });

  it('_TestPool.test_map_unplicklable: an item that cannot be sent fails the map with SerializationError, without a hang', async () => {
    const unsendable = { reduce: () => 'cannot pickle' };
    const failure = await failureOf(() => pool.map(sqr, Array(10).fill(unsendable) as never[]));
    expect(failure).toBeInstanceOf(SerializationError);
    await expect(pool.map(sqr, [3])).resolves.toEqual([9]);
  });

  it('_TestPool.test_map_chunksize: a map of nothing with chunk size 1 returns at once', async () => {
    await expect(pool.map(sqr, [], { chunkSize: 1 })).resolves.toEqual([]);
  });

  it("_TestPool.test_map_handle_iterable_exception: map over an input that throws fails with the input's own error", async () => {
    // Python raises from map(); Troupe reads a map's input at the call, so the error comes from there.
    for (const [total, when] of [
      [1, -1],
      [1, -1],
      [10, 3],
    ] as const) {
      const failure = await failureOf(() =>
        pool.map(sqr, exceptionThrowingGenerator(total, when), { chunkSize: 1 }),
      );
      expect(failure).toBeInstanceOf(SayWhenError);
    }
    const special: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: (): IteratorResult<number> => {
          throw new SayWhenError('special');
        },
      }),
    };
    expect(await failureOf(() => pool.map(sqr, special, { chunkSize: 1 }))).toBeInstanceOf(SayWhenError);
    expect(await failureOf(() => pool.map(sqr, special, { chunkSize: 1 }))).toBeInstanceOf(SayWhenError);
    await expect(pool.map(sqr, [4])).resolves.toEqual([16]);
  });

  it('_TestPool.test_async: apply of a task that sleeps resolves with its result', async () => {
    const start = performance.now();
    await expect(pool.apply(sqr, 7, 100)).resolves.toBe(49);
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
  });

  it('_TestPool.test_async_timeout: an item past its timeout fails with TimeoutError (and its worker is replaced)', async () => {
    // Python's get(timeout) gives up waiting and leaves the task running; Troupe's timeoutMs fails
    // the item and kills the worker that ran it.
    const failure = await pool.map(never, [6], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TimeoutError);
    await expect(pool.map(sqr, range(8), { chunkSize: 1 })).resolves.toEqual(range(8).map((x) => x * x));
  });

  it('_TestPool.test_imap: imap yields the results in order, one by one, then ends', async () => {
    expect((await drain(pool.imap(sqr, range(10)))).values).toEqual(range(10).map((x) => x * x));

    const it = pool.imap(sqr, range(10))[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) await expect(it.next()).resolves.toEqual({ done: false, value: i * i });
    await expect(it.next()).resolves.toMatchObject({ done: true });

    const big = pool.imap(sqr, range(1000), { chunkSize: 100 })[Symbol.asyncIterator]();
    for (let i = 0; i < 1000; i++) expect((await big.next()).value).toBe(i * i);
    await expect(big.next()).resolves.toMatchObject({ done: true });
  });

  it("_TestPool.test_imap_handle_iterable_exception: imap yields the items before the input's error, then raises it", async () => {
    for (let n = 0; n < 2; n++) {
      const { values, error } = await drain(
        pool.imap(sqr, exceptionThrowingGenerator(1, -1), { chunkSize: 1 }),
      );
      expect(values).toEqual([]);
      expect(error).toBeInstanceOf(SayWhenError);
    }
    const cases = [
      { total: 10, when: 3, chunkSize: 1 },
      { total: 20, when: 7, chunkSize: 2 },
      { total: 20, when: 7, chunkSize: 4 },
    ];
    for (const { total, when, chunkSize } of cases) {
      const { values, error } = await drain(
        pool.imap(sqr, exceptionThrowingGenerator(total, when), { chunkSize }),
      );
      expect(error).toBeInstanceOf(SayWhenError);
      // Python drops the results of the chunk the error fell in; Troupe yields every item read.
      expect(values).toEqual(range(when).map((x) => x * x));
    }
  });

  it('_TestPool.test_imap_unordered: imapUnordered yields every result once', async () => {
    const { values } = await drain(pool.imapUnordered(sqr, range(10)));
    expect(values.sort((a, b) => a - b)).toEqual(range(10).map((x) => x * x));
    const many = await drain(pool.imapUnordered(sqr, range(1000), { chunkSize: 100 }));
    expect(many.values.sort((a, b) => a - b)).toEqual(range(1000).map((x) => x * x));
  });

  it("_TestPool.test_imap_unordered_handle_iterable_exception: imapUnordered yields results of the items read before the input's error, then raises it", async () => {
    for (let n = 0; n < 2; n++) {
      const { values, error } = await drain(
        pool.imapUnordered(sqr, exceptionThrowingGenerator(1, -1), { chunkSize: 1 }),
      );
      expect(values).toEqual([]);
      expect(error).toBeInstanceOf(SayWhenError);
    }
    for (const { total, when, chunkSize } of [
      { total: 10, when: 3, chunkSize: 1 },
      { total: 20, when: 7, chunkSize: 2 },
    ]) {
      const { values, error } = await drain(
        pool.imapUnordered(sqr, exceptionThrowingGenerator(total, when), { chunkSize }),
      );
      expect(error).toBeInstanceOf(SayWhenError);
      expect(values.sort((a, b) => a - b)).toEqual(range(when).map((x) => x * x));
    }
  });

  it('_TestPool.test_traceback: a remote error keeps its class name, message and remote stack', async () => {
    const failure = (await pool.apply(raiseRuntimeError).catch((e: unknown) => e)) as Error;
    expect(failure.name).toBe('RuntimeError');
    expect(failure.message).toBe('123');
    expect(failure.stack).toMatch(/fixtures[/\\]peers\.ts/);
    // An error of the map's own input is not a remote error: it is the input's, untouched.
    const local = await failureOf(() => pool.map(sqr, exceptionThrowingGenerator(1, -1), { chunkSize: 1 }));
    expect(local).toBeInstanceOf(SayWhenError);
    expect((local as Error).cause).toBeUndefined();
  });

  it('_TestPool.test_wrapped_exception: a built-in error is rebuilt as its own class, not wrapped', async () => {
    const failure = await pool.apply(throwTypeError, 'foo').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toBe('foo');
  });

  it('_TestPool.test_empty_iterable: map, imap and imapUnordered of nothing give nothing (a pool of 1)', async () => {
    const p = await classSystem.pool({ size: 1 });
    await expect(p.map(sqr, [])).resolves.toEqual([]);
    expect((await drain(p.imap(sqr, []))).values).toEqual([]);
    expect((await drain(p.imapUnordered(sqr, []))).values).toEqual([]);
    await expect(p.starmap(mul, [])).resolves.toEqual([]);
    await expect(p.mapSettled(sqr, [])).resolves.toEqual([]);
    p.close();
    await p.join();
  });
});

describe('_TestPool (a pool of their own)', () => {
  it('_TestPool.test_make_pool: sizes below 1 are refused; a pool of 3 has 3 workers', async () => {
    const system = await startSystem();
    await expect(system.pool({ size: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(system.pool({ size: 0 })).rejects.toThrow(/size/);
    const p = await system.pool({ size: 3 });
    expect(p.size).toBe(3);
    expect(p.pids).toHaveLength(3);
    expect(new Set(p.pids).size).toBe(3);
    p.close();
    await p.join();
  });

  it('_TestPool.test_terminate: terminate() with 10,000 slow items queued ends at once; the map rejects and the workers are gone', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 3 });
    const pids = p.pids;
    const result = p.map(never, range(10_000), { chunkSize: 1 });
    const rejected = expect(result).rejects.toBeInstanceOf(PoolTerminatedError);
    await p.terminate();
    await rejected;
    await p.join();
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('_TestPool.test_context / test_enter: a terminated pool takes no more work', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 2 });
    await expect(p.map(sqr, range(10))).resolves.toEqual(range(10).map((x) => x * x));
    await p.terminate();
    expect(await failureOf(() => p.map(sqr, range(10)))).toBeInstanceOf(PoolTerminatedError);
    expect(await failureOf(() => p.apply(sqr, 1))).toBeInstanceOf(PoolTerminatedError);
    await expect(p.terminate()).resolves.toBeUndefined();
  });

  it('_TestPool.test_map_no_failfast: a map whose items fail with 1 MiB messages rejects, and close() then join() returns', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 2 });
    const failure = await p.map(raiseLargeError, [0, 1], { chunkSize: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RangeError);
    expect((failure as Error).message).toHaveLength(1024 * 1024);
    p.close();
    await p.join();
  });
});

describe('_TestPoolWorkerErrors', () => {
  it("_TestPoolWorkerErrors.test_async_error_callback: apply rejects with the task's error, class name and code kept", async () => {
    const failure = (await pool.apply(raiseKeyError).catch((e: unknown) => e)) as Error & { code?: string };
    expect(failure).toBeInstanceOf(Error);
    expect(failure.name).toBe('KeyError');
    expect(failure.code).toBe('E_KEY');
  });

  it('_TestPoolWorkerErrors.test_unpickleable_result: a result that cannot be sent fails its call, 20 times over, and costs no worker', async () => {
    await waitUntil(() => pool.pids.length === 4, 10_000);
    const pids = [...pool.pids].sort();
    for (let i = 0; i < 20; i++) {
      const failure = await pool.apply(unpicklableResult).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SerializationError);
    }
    expect([...pool.pids].sort()).toEqual(pids);
    await expect(pool.map(sqr, [1, 2, 3])).resolves.toEqual([1, 4, 9]);
  });
});

describe('_TestPoolWorkerLifetime', () => {
  it('_TestPoolWorkerLifetime.test_pool_worker_lifetime: with maxTasksPerWorker 5, 20 tasks are all answered and every worker is replaced', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 2, maxTasksPerWorker: 5 });
    const original = [...p.pids];
    expect(original).toHaveLength(2);
    const results = await Promise.all(range(20).map((i) => p.apply(sqr, i)));
    expect(results).toEqual(range(20).map((i) => i * i));
    // Every worker ran its share and was replaced; the pool refills to its size.
    await waitUntil(() => p.pids.length === 2, 10_000);
    const final = [...p.pids];
    expect(final).toHaveLength(2);
    expect(final.filter((pid) => original.includes(pid))).toEqual([]);
    p.close();
    await p.join();
  });

  it('_TestPoolWorkerLifetime.test_pool_worker_lifetime_early_close: closing a pool of short-lived workers before its tasks finish does not hang join()', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 2, maxTasksPerWorker: 1 });
    const results = range(4).map((i) => p.apply(sqr, i, 30));
    p.close();
    await p.join();
    await expect(Promise.all(results)).resolves.toEqual(range(4).map((i) => i * i));
  });

  it('_TestPoolWorkerLifetime.test_pool_maxtasksperchild_invalid: 0, -1, 0.5 and "12" are refused', async () => {
    const system = await startSystem({ placement: 'local' });
    for (const value of [0, -1, 0.5, '12']) {
      await expect(system.pool({ size: 1, maxTasksPerWorker: value as number })).rejects.toThrow(
        /maxTasksPerWorker/,
      );
    }
  });
});

describe('TestInitializers', () => {
  it('TestInitializers.test_pool_initializer: an initializer that is not a task is refused; one that is runs once in the worker', async () => {
    const system = await startSystem();
    await expect(system.pool({ initializer: 1 as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    const ran = system.queue<number>();
    const p = await system.pool({ size: 1, initializer: { task: reportInit, args: [ran] } });
    const [pid] = p.pids;
    p.close();
    await p.join();
    await expect(ran.get({ timeoutMs: 5000 })).resolves.toBe(pid);
    expect(await ran.size()).toBe(0);
  });
});

describe('TestPoolNotLeakOnFailure', () => {
  it('TestPoolNotLeakOnFailure.test_release_unused_processes: a pool that fails to start leaves none of the workers it started', async () => {
    const system = await startSystem();
    const before = workerChildren();
    const dir = await mkdtemp(join(tmpdir(), 'troupe-peers-'));
    // The third worker to start refuses; the pool gives up at the first failure.
    const failure = await system
      .pool({ size: 3, initializer: { task: ticketInit, args: [dir, 2] }, maxStartFailures: 1 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PoolBrokenError);
    // Workers of this test's failed pool: new children that are not the shared pool's.
    const leftover = () =>
      workerChildren().filter((pid) => !before.includes(pid) && !pool.pids.includes(pid));
    await waitUntil(() => leftover().length === 0, 5000);
    expect(leftover()).toEqual([]);
  });
});

describe('MiscTestCase', () => {
  // Skipped here for its cost, not for a defect: 200 worker processes (about 75 MiB each, some
  // 15 GiB) do not fit a shared 2-core test machine. Sizes are bounded by MAX_WORKERS (1024),
  // and a pool starts at most a few workers at a time (see test/pool.test.ts and badInput).
  it.skip('MiscTestCase.test_large_pool: a pool of 200 maps 1000 items', async () => {
    const system = await startSystem();
    const p = await system.pool({ size: 200 });
    const squares = await p.map(sqr, range(1000));
    expect(squares.reduce((a, b) => a + b, 0)).toBe(range(1000).reduce((a, x) => a + x * x, 0));
    await p.terminate();
  });
});
