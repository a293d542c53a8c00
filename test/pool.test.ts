/** The pool: parallel map over real worker processes that never hangs. */

import { getEventListeners } from 'node:events';
import { existsSync, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskContext } from '@troupe/core';
import {
  MessageTooLargeError,
  PoolBrokenError,
  PoolTerminatedError,
  SerializationError,
  TimeoutError,
  WorkerCrashedError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { cube, HANG_ON_LOAD_ENV } from './fixtures/hangOnLoad.js';
import {
  add,
  alwaysDie,
  badResult,
  checkIn,
  delayed,
  dieOnce,
  dieOnFirstAttempt,
  evenOnly,
  failInit,
  forever,
  greet,
  identity,
  Mapper,
  myAttempt,
  repeatTo,
  setGreeting,
  square,
  takeToken,
  whoAmI,
} from './fixtures/pool.js';
import { isAlive } from './support/processes.js';
import { startSystem } from './support/system.js';

describe('pool', () => {
  it("maps the seed's squares with 2 workers", async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    await expect(pool.map(square, [1, 2, 3, 4, 5])).resolves.toEqual([1, 4, 9, 16, 25]);
    await expect(pool.map(square, [])).resolves.toEqual([]);
  });

  it('imap keeps input order even when later items finish first; imapUnordered yields in completion order', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const jobs = [
      { value: 1, ms: 300 },
      { value: 2, ms: 10 },
    ];
    const ordered: number[] = [];
    for await (const v of pool.imap(delayed, jobs)) ordered.push(v);
    expect(ordered).toEqual([1, 2]);
    const unordered: number[] = [];
    for await (const v of pool.imapUnordered(delayed, jobs)) unordered.push(v);
    expect(unordered).toEqual([2, 1]);
  });

  it('imap reads an async iterable lazily', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    let produced = 0;
    async function* numbers() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const v of pool.imap(square, numbers())) {
      seen.push(v);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 4]);
    expect(produced).toBeLessThan(100);
  });

  // CPython's test_imap_handle_iterable_exception and test_imap_unordered_handle_iterable_exception.
  it.each([
    ['imap', 'a sync generator'],
    ['imapUnordered', 'a sync generator'],
    ['imap', 'an async generator'],
    ['imapUnordered', 'an async generator'],
  ] as const)(
    '%s over %s that throws at item 3 yields the results before it, then throws',
    async (method, kind) => {
      const system = await startSystem();
      const pool = await system.pool({ size: 2 });
      const broken = new Error('input broke at 3');
      function* sync() {
        for (let i = 0; i < 10; i++) {
          if (i === 3) throw broken;
          yield i;
        }
      }
      async function* asynchronous() {
        yield* sync();
      }
      const source = kind === 'a sync generator' ? sync() : asynchronous();
      const seen: number[] = [];
      let thrown: unknown;
      try {
        for await (const v of pool[method](square, source)) seen.push(v);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBe(broken);
      if (method === 'imap') expect(seen).toEqual([0, 1, 4]);
      else expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 4]);
      // The pool is not broken by its caller's input.
      await expect(pool.map(square, [5])).resolves.toEqual([25]);
    },
  );

  // Issue 14, defect 4: only an item a worker had begun is charged for its death.
  it('an item whose worker dies while loading its task is not charged: it runs on the next worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-load-'));
    const flag = join(dir, 'hang');
    process.env[HANG_ON_LOAD_ENV] = flag;
    try {
      const system = await startSystem();
      const pool = await system.pool({ size: 1, maxRetries: 0 });
      writeFileSync(flag, '');
      const loading = new Promise<void>((resolve) => {
        const watcher = watch(dir, () => {
          if (!existsSync(`${flag}.loading`)) return;
          watcher.close();
          resolve();
        });
      });
      const result = pool.apply(cube, 3);
      await loading;
      const [pid] = pool.pids;
      expect(pid).toBeDefined();
      process.kill(pid as number, 'SIGKILL');
      // With maxRetries 0, a charge would have failed it: it had not begun.
      await expect(result).resolves.toBe(27);
      expect(pool.pids).not.toContain(pid);
    } finally {
      delete process.env[HANG_ON_LOAD_ENV];
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('taskContext().attempt numbers the runs of an item whose worker died running it', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1, maxRetries: 2 });
    await expect(pool.apply(dieOnFirstAttempt, 5)).resolves.toEqual({ x: 5, attempt: 2 });
    // Other items, and items run anywhere else, are on their first attempt.
    await expect(pool.map(myAttempt, [undefined, undefined])).resolves.toEqual([1, 1]);
    const alone = await system.process(myAttempt);
    await expect(alone.result()).resolves.toBe(1);
    expect(taskContext().attempt).toBe(1);
  });

  // Issue 14, defect 3: a worker's read-ahead held a token while the other worker's get waited.
  it('four items taking one token each from a shared queue all finish: an idle worker gives back what it fetched ahead', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const tokens = system.queue<string>();
    const started = system.queue<number>();
    const jobs = [0, 1, 2, 3].map((n) => ({ tokens, started, n }));
    const results = pool.map(takeToken, jobs, { chunkSize: 1 });
    // Two items have started (one per worker), both waiting in get().
    await started.get();
    await started.get();
    for (const t of ['a', 'b', 'c', 'd']) await tokens.put(t);
    await expect(results.then((r) => [...r].sort())).resolves.toEqual(['a', 'b', 'c', 'd']);
    await expect(tokens.size()).resolves.toBe(0);
  });

  it('a chunk whose items together pass maxMessageBytes goes in parts, and so do its answers: every item that fits runs', async () => {
    const system = await startSystem({ maxMessageBytes: 64 * 1024 });
    const pool = await system.pool({ size: 1 });
    // 40 items of 10 kB in one chunk: 400 kB each way, six times the limit.
    const items = Array.from({ length: 40 }, (_, i) => `${i}:${'x'.repeat(10_000)}`);
    await expect(pool.map(identity, items, { chunkSize: 40 })).resolves.toEqual(items);
    // One item alone over the limit fails, named; the others of its chunk run.
    const mixed = [...items.slice(0, 10), 'y'.repeat(70 * 1024), ...items.slice(10, 20)];
    const settled = await pool.mapSettled(identity, mixed, { chunkSize: 21 });
    expect(settled.map((s) => s.status)).toEqual(mixed.map((_, i) => (i === 10 ? 'rejected' : 'fulfilled')));
    expect((settled[10] as { reason: Error }).reason).toBeInstanceOf(MessageTooLargeError);
    expect(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))).toEqual([
      ...items.slice(0, 20),
    ]);
    // An answer alone over the limit fails its own item; the worker lives on.
    const pids = pool.pids;
    const grown = await pool.mapSettled(repeatTo, [10, 70 * 1024, 10], { chunkSize: 3 });
    expect(grown.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((grown[1] as { reason: Error }).reason).toBeInstanceOf(MessageTooLargeError);
    expect(pool.pids).toEqual(pids);
  });

  it('starmap and apply', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    await expect(
      pool.starmap(add, [
        [1, 2],
        [3, 4],
      ]),
    ).resolves.toEqual([3, 7]);
    await expect(pool.apply(add, 20, 22)).resolves.toBe(42);
  });

  it('the initializer runs in each worker before its tasks', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2, initializer: { task: setGreeting, args: ['Hello'] } });
    await expect(pool.map(greet, ['a', 'b'])).resolves.toEqual(['Hello, a', 'Hello, b']);
  });

  it('maxTasksPerWorker: 2 over 8 tasks uses at least 4 workers and completes', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2, maxTasksPerWorker: 2 });
    const pids = await pool.map(
      whoAmI,
      Array.from({ length: 8 }, () => 20),
      { chunkSize: 1 },
    );
    expect(new Set(pids).size).toBeGreaterThanOrEqual(4);
  });

  it('a worker SIGKILLed mid-map fails exactly that item; the next map succeeds', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const jobs = Array.from({ length: 6 }, (_, i) => ({ value: i, die: i === 3 }));
    const failure = await pool.map(alwaysDie, jobs, { chunkSize: 3 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkerCrashedError);
    expect((failure as WorkerCrashedError).exit.signal).toBe('SIGKILL');
    const settled = await pool.mapSettled(alwaysDie, jobs, { chunkSize: 3 });
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    await expect(pool.map(square, [2, 3])).resolves.toEqual([4, 9]);
  });

  it('with maxRetries: 1, the item of a killed worker is retried on a fresh worker and the map completes', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2, maxRetries: 1 });
    const marker = join(mkdtempSync(join(tmpdir(), 'troupe-test-')), 'died');
    const jobs = Array.from({ length: 6 }, (_, i) => ({ value: i, die: i === 2, marker }));
    await expect(pool.map(dieOnce, jobs)).resolves.toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a throwing task fails its item with the remote error; the pool stays usable', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const failure = await pool.map(evenOnly, [0, 1, 2]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RangeError);
    expect((failure as Error).message).toBe('odd: 1');
    await expect(pool.map(evenOnly, [0, 2, 4])).resolves.toEqual([0, 2, 4]);
  });

  it('an unserializable result fails only its item', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const settled = await pool.mapSettled(badResult, [1, 2, 3]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(settled[1]?.status).toBe('rejected');
    expect((settled[1] as { reason: Error }).reason).toBeInstanceOf(SerializationError);
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 3 });
  });

  it('abort rejects the call and kills its running items; the pool carries on', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const controller = new AbortController();
    const pending = pool.map(forever, [1, 2, 3], { signal: controller.signal, chunkSize: 1 });
    controller.abort(new Error('stop it'));
    await expect(pending).rejects.toThrow('stop it');
    await expect(pool.map(square, [3])).resolves.toEqual([9]);
  });

  it('a call whose signal has already aborted rejects with its reason and sends nothing, so no worker is lost', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1 });
    const pids = pool.pids;
    const reason = new Error('too late');
    const controller = new AbortController();
    controller.abort(reason);
    await expect(pool.map(forever, [1], { signal: controller.signal })).rejects.toBe(reason);
    const stream = pool.imap(forever, [1], { signal: controller.signal })[Symbol.asyncIterator]();
    await expect(stream.next()).rejects.toBe(reason);
    await expect(pool.map(square, [2])).resolves.toEqual([4]);
    expect(pool.pids).toEqual(pids);
  });

  it('a call leaves no abort listener on its signal once it is over', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1 });
    const controller = new AbortController();
    await pool.map(square, [1, 2], { signal: controller.signal });
    await pool.mapSettled(evenOnly, [1], { signal: controller.signal });
    for await (const _ of pool.imap(square, [3], { signal: controller.signal })) {
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('timeoutMs fails an item that runs too long, kills its worker, and the pool carries on', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const settled = await pool.mapSettled(forever, [1, 2], { chunkSize: 1, timeoutMs: 200 });
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as { reason: Error }).reason).toBeInstanceOf(TimeoutError);
    await expect(pool.map(square, [4], { timeoutMs: 10_000 })).resolves.toEqual([16]);
  });

  it('runs the same tasks on worker threads', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2, placement: 'thread' });
    await expect(pool.map(square, [1, 2, 3, 4, 5])).resolves.toEqual([1, 4, 9, 16, 25]);
    expect(pool.pids).toEqual([]);
  });

  it('starts a pool larger than its starts in flight a few workers at a time; all start and work', async () => {
    const inFlight = Math.min(8, 2 * availableParallelism()); // as PoolOptions.size documents
    const size = inFlight + 3;
    const system = await startSystem();
    // Each worker's initializer checks in and holds its start until let go.
    const arrived = system.queue<number>();
    const go = system.queue<string>();
    const starting = system.pool({
      size,
      placement: 'thread',
      initializer: { task: checkIn, args: [arrived, go] },
    });
    for (let i = 0; i < inFlight; i++) await arrived.get({ timeoutMs: 20_000 });
    // Those starting hold every place: no other worker has begun.
    expect(system.stats().workers).toBe(inFlight);
    for (let released = 1; released <= size - inFlight; released++) {
      await go.put('go');
      await arrived.get({ timeoutMs: 20_000 });
      expect(system.stats().workers).toBe(inFlight + released);
    }
    for (let i = 0; i < inFlight; i++) await go.put('go');
    const pool = await starting;
    expect(pool.size).toBe(size);
    const items = Array.from({ length: 3 * size }, (_, i) => i);
    await expect(pool.map(square, items, { chunkSize: 1 })).resolves.toEqual(items.map((x) => x * x));
  });

  it('rejects bad options by name', async () => {
    const system = await startSystem({ placement: 'local' });
    await expect(system.pool({ size: 0 })).rejects.toThrow(/size/);
    await expect(system.pool({ maxRetries: -1 })).rejects.toThrow(/maxRetries/);
    await expect(system.pool({ placement: 'local' as 'thread' })).rejects.toThrow(/placement/);
  });

  it('is itself an actor: an actor in another process maps through the pool it was handed', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const mapper = await system.spawn(Mapper, { pool: pool.ref });
    await expect(mapper.ask([1, 2, 3], { timeoutMs: 30_000 })).resolves.toEqual([1, 4, 9]);
  });

  it('gives every number back exactly, whether the chunk is all numbers or mixed', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    // (-0 is left out: msgpack encodes it as the integer 0, so outside packed runs it arrives as 0.)
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, -1e-300, 2 ** 53 - 1, 0.1 + 0.2, -7, 0];
    const numbers = Array.from({ length: 200 }, (_, i) => odd[i % odd.length] as number);
    const back = await pool.map(identity, numbers, { chunkSize: 50 });
    expect(back).toHaveLength(200);
    for (const [i, value] of back.entries()) expect(Object.is(value, numbers[i])).toBe(true);
    const mixed = numbers.map((n, i) => (i % 17 === 0 ? String(n) : n));
    expect(await pool.map(identity, mixed, { chunkSize: 50 })).toEqual(mixed);
    expect(await pool.map(square, numbers.slice(0, 40))).toEqual(numbers.slice(0, 40).map((n) => n * n));
    // A hole in a sparse array of numbers is undefined, not NaN; the call keeps its own copy.
    const sparse: unknown[] = numbers.slice(0, 40);
    delete sparse[5];
    const call = pool.map(identity, sparse);
    sparse[39] = 'changed after the call';
    const fromSparse = await call;
    expect(fromSparse[5]).toBeUndefined();
    expect(5 in fromSparse).toBe(true);
    expect(Object.is(fromSparse[4], numbers[4])).toBe(true);
    expect(Object.is(fromSparse[39], numbers[39])).toBe(true);
  });

  it('reports progress', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const seen: number[] = [];
    await pool.map(square, [1, 2, 3, 4], { chunkSize: 1, onProgress: ({ done }) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('close then join completes outstanding work; join before close throws; terminate rejects outstanding work', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    await expect(pool.join()).rejects.toThrow(/close/);
    const pending = pool.map(delayed, [{ value: 7, ms: 50 }]);
    pool.close();
    expect(() => pool.map(square, [1])).toThrow(PoolTerminatedError);
    await pool.join();
    await expect(pending).resolves.toEqual([7]);

    const other = await system.pool({ size: 1 });
    const stuck = expect(other.map(forever, [1])).rejects.toBeInstanceOf(PoolTerminatedError);
    await other.terminate();
    await stuck;
  });

  it('terminate() called again while the first call runs resolves only once the workers are gone', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const pids = pool.pids;
    const stuck = expect(pool.map(forever, [1, 2], { chunkSize: 1 })).rejects.toBeInstanceOf(
      PoolTerminatedError,
    );
    const first = pool.terminate();
    await pool.terminate();
    expect(pids.filter(isAlive)).toEqual([]);
    await first;
    await stuck;
  });

  it('an initializer that keeps failing breaks the pool instead of respawning forever', async () => {
    const system = await startSystem();
    await expect(
      system.pool({ size: 1, initializer: { task: failInit }, maxStartFailures: 2 }),
    ).rejects.toBeInstanceOf(PoolBrokenError);
  });

  it('the chunk size rule: 100 items over 4 workers go in chunks of 7', async () => {
    const { defaultChunkSize } = await import('@troupe/core/spi');
    expect(defaultChunkSize(100, 4)).toBe(7);
  });
});
