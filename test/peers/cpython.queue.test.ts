/**
 * CPython's `Lib/test/_test_multiprocessing.py`, the Queue and JoinableQueue cases (`_TestQueue`,
 * `TestSimpleQueue`, `TestStdinBadfiledescriptor`), ported to `system.queue`. Python's
 * `empty()`/`full()`/`qsize()` are `size()` here; `put(block=False)` and `get_nowait()` are
 * `tryPut`/`tryGet`; `shutdown(immediate=False)` is `close()`.
 */

import {
  ActorCrashedError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TaskDoneError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import {
  drainAfterGo,
  finishOne,
  getOne,
  joinQueue,
  putAfterGo,
  putEmptiness,
  putOne,
  putRange,
  taskDoneWorker,
  tryGetOnce,
  tryGetOne,
} from '../fixtures/peers.js';
import { startSystem } from '../support/system.js';

/** How long `promise` took to settle, in ms, and how it settled. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - start, error };
}

describe('_TestQueue', () => {
  it('_TestQueue.test_put: puts fill a bounded queue; a put on a full one fails at once or at its timeout; a consumer empties it', async () => {
    const system = await startSystem();
    const MAXSIZE = 6;
    const queue = system.queue<number>({ capacity: MAXSIZE });
    const go = system.queue<string>();
    const done = system.queue<string>();
    const proc = await system.process(drainAfterGo, queue, go, MAXSIZE, done);

    expect(await queue.size()).toBe(0);
    for (let i = 1; i <= MAXSIZE - 1; i++) await queue.put(i);
    await expect(queue.tryPut(MAXSIZE)).resolves.toBe(true);
    expect(await queue.size()).toBe(MAXSIZE);

    // put(block=False) and put_nowait: refused at once.
    await expect(queue.tryPut(7)).resolves.toBe(false);
    // put(timeout=...): refused once the time is up, not before.
    const blocked = await timed(queue.put(7, { timeoutMs: 100 }));
    expect(blocked.error).toBeInstanceOf(QueueFullError);
    expect(blocked.ms).toBeGreaterThanOrEqual(90);
    const zero = await timed(queue.put(7, { timeoutMs: 0 }));
    expect(zero.error).toBeInstanceOf(QueueFullError);
    expect(await queue.size()).toBe(MAXSIZE);

    await go.put('go');
    await expect(done.get()).resolves.toBe('done');
    expect(await queue.size()).toBe(0);
    await proc.join();
    expect(proc.exitCode).toBe(0);
  });

  it('_TestQueue.test_get: items put by a child come out in order; a get on an empty queue fails at once or at its timeout', async () => {
    const system = await startSystem();
    const queue = system.queue<number>();
    const go = system.queue<string>();
    const done = system.queue<string>();
    const proc = await system.process(putAfterGo, queue, go, [2, 3, 4, 5], done);
    expect(await queue.size()).toBe(0);
    await go.put('go');
    await done.get();
    expect(await queue.size()).toBe(4);

    await expect(queue.get()).resolves.toBe(2);
    await expect(queue.get({ timeoutMs: 1000 })).resolves.toBe(3);
    await expect(queue.get({ timeoutMs: 1000 })).resolves.toBe(4);
    await expect(queue.tryGet()).resolves.toEqual({ value: 5 });
    expect(await queue.size()).toBe(0);

    await expect(queue.tryGet()).resolves.toBeUndefined();
    const blocked = await timed(queue.get({ timeoutMs: 100 }));
    expect(blocked.error).toBeInstanceOf(QueueEmptyError);
    expect(blocked.ms).toBeGreaterThanOrEqual(90);
    await expect(queue.get({ timeoutMs: 0 })).rejects.toBeInstanceOf(QueueEmptyError);
    await proc.join();
  });

  it("_TestQueue.test_fork: a child started after the parent's puts adds its own after them", async () => {
    const system = await startSystem();
    const queue = system.queue<number>();
    for (let i = 0; i < 10; i++) await queue.put(i);
    const p = await system.process(putRange, queue, 10, 20);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(await queue.get({ timeoutMs: 20_000 }));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await expect(queue.tryGet()).resolves.toBeUndefined();
    await p.join();
  });

  it('_TestQueue.test_qsize: size() counts what was put and not yet taken, exactly', async () => {
    const system = await startSystem({ placement: 'local' });
    const q = system.queue<number>();
    expect(await q.size()).toBe(0);
    await q.put(1);
    expect(await q.size()).toBe(1);
    await q.put(5);
    expect(await q.size()).toBe(2);
    await q.get();
    expect(await q.size()).toBe(1);
    await q.get();
    expect(await q.size()).toBe(0);
  });

  it('_TestQueue.test_task_done: three workers finishing items let join() return', async () => {
    const system = await startSystem();
    const queue = system.queue<number | null>({ joinable: true });
    const workers = await Promise.all(
      Array.from({ length: 3 }, () => system.process(taskDoneWorker, queue, 10)),
    );
    for (let i = 0; i < 10; i++) await queue.put(i);
    await queue.join({ timeoutMs: 20_000 });
    for (const _ of workers) await queue.put(null);
    const finished = await Promise.all(workers.map((p) => p.result()));
    expect(finished.reduce((a, b) => a + b, 0)).toBe(10);
    await Promise.all(workers.map((p) => p.join()));
    expect(workers.map((p) => p.exitCode)).toEqual([0, 0, 0]);
  });

  it('_TestQueue.test_timeout: a get with a 200 ms timeout waits at least ~200 ms before QueueEmptyError', async () => {
    const system = await startSystem({ placement: 'local' });
    const q = system.queue<number>();
    const { ms, error } = await timed(q.get({ timeoutMs: 200 }));
    expect(error).toBeInstanceOf(QueueEmptyError);
    expect(ms).toBeGreaterThanOrEqual(100);
  });

  it('_TestQueue.test_queue_feeder_donot_stop_onexc: an unserializable put throws at the call, nothing is queued, and the queue goes on', async () => {
    // Python drops such an item in its feeder thread (printing a traceback) and the put returns.
    const system = await startSystem({ placement: 'local' });
    const q = system.queue<unknown>();
    const notSerializable = { reduce: () => 1 };
    expect(() => q.put(notSerializable)).toThrow(SerializationError);
    await q.put(true);
    await expect(q.get({ timeoutMs: 1000 })).resolves.toBe(true);

    // bpo-33078: the size of a bounded queue is right after the failed put.
    const bounded = system.queue<unknown>({ capacity: 1 });
    expect(() => bounded.put(notSerializable)).toThrow(SerializationError);
    await bounded.put(true);
    expect(await bounded.size()).toBe(1);
    await expect(bounded.get({ timeoutMs: 1000 })).resolves.toBe(true);
    expect(await bounded.size()).toBe(0);
  });

  it.each([false, true])(
    '_TestQueue.test_closed_queue_put_get_exceptions: after close(), put and get reject QueueClosedError (joinable: %s)',
    async (joinable) => {
      const system = await startSystem({ placement: 'local' });
      const q = system.queue<string>({ joinable });
      await q.close();
      await expect(q.put('foo')).rejects.toBeInstanceOf(QueueClosedError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueClosedError);
      await expect(q.tryPut('foo')).rejects.toBeInstanceOf(QueueClosedError);
    },
  );

  it.each([false, true])(
    '_TestQueue.test_closed_queue_empty_exceptions: a closed queue still answers size() (Python raises OSError) (joinable: %s)',
    async (joinable) => {
      const system = await startSystem({ placement: 'local' });
      const unused = system.queue<string>({ joinable });
      await unused.close();
      expect(await unused.size()).toBe(0);
      const used = system.queue<string>({ joinable });
      await used.put('foo');
      await used.close();
      expect(await used.size()).toBe(1);
    },
  );

  it('_TestQueue.test_shutdown_empty: a closed empty queue refuses puts and gets, here and in a child; join() of a joinable one returns', async () => {
    const system = await startSystem();
    const plain = system.queue<string>();
    const joinable = system.queue<string>({ joinable: true });
    const bounded = system.queue<string>({ capacity: 1 });
    const joiner = await system.process(joinQueue, joinable);
    for (const q of [plain, joinable, bounded]) await q.close();
    await expect(joiner.result()).resolves.toBe('joined');
    for (const q of [plain, joinable]) {
      expect(await q.size()).toBe(0);
      await expect(q.put('data')).rejects.toBeInstanceOf(QueueClosedError);
      await expect(q.tryPut('data')).rejects.toBeInstanceOf(QueueClosedError);
      await expect(q.get()).rejects.toBeInstanceOf(QueueClosedError);
    }
    // In children: a get learns of the close, and so does a put on a bounded queue (it waits for
    // the root's answer).
    const [put, get] = await Promise.all([
      system.process(putOne, bounded, 'data'),
      system.process(getOne, joinable),
    ]);
    const putFailure = await put.result().catch((e: unknown) => e);
    expect(putFailure).toBeInstanceOf(ActorCrashedError);
    expect((putFailure as Error).cause).toBeInstanceOf(QueueClosedError);
    expect(((await get.result().catch((e: unknown) => e)) as Error).cause).toBeInstanceOf(QueueClosedError);
  });

  // Python's child gets ShutDown. Troupe's documented answer differs for a worker's put on an
  // unbounded queue: such puts are gathered and sent without waiting for an answer (that is
  // what makes a producer fast), so one that reaches a closed queue resolves and its item goes
  // to dead letters, where it is seen, not lost. (A put in the root, or on a bounded queue,
  // rejects QueueClosedError: see the case above.)
  it('_TestQueue.test_shutdown_empty: a put from a child on a closed (unbounded) queue goes to dead letters', async () => {
    const system = await startSystem();
    const q = system.queue<string>();
    await q.close();
    const dropped = system.events.next((e) => e.type === 'deadLetter');
    const put = await system.process(putOne, q, 'data');
    await expect(put.result()).resolves.toBeUndefined();
    await expect(dropped).resolves.toMatchObject({ type: 'deadLetter', message: 'data' });
  });

  // tryGet() on a closed and drained queue rejects QueueClosedError (as get() does), so a
  // consumer that polls can tell that the queue is finished; Python's get_nowait() raises ShutDown.
  it('_TestQueue.test_shutdown_empty: tryGet() on a closed, drained queue rejects QueueClosedError, in the root and in a child', async () => {
    const system = await startSystem();
    const q = system.queue<string>();
    await q.close();
    await expect(q.tryGet()).rejects.toBeInstanceOf(QueueClosedError);
    const child = await system.process(tryGetOne, q);
    await expect(child.result()).resolves.toBe('QueueClosedError');
    // A closed queue that still holds items hands them out first.
    const full = system.queue<string>();
    await full.put('last');
    await full.close();
    await expect(full.tryGet()).resolves.toEqual({ value: 'last' });
    await expect(full.tryGet()).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('_TestQueue.test_shutdown_nonempty: a closed queue still hands out what it holds; join() waits for that item to be finished', async () => {
    const system = await startSystem();
    const q = system.queue<string>({ capacity: 1, joinable: true });
    await q.put('data');
    const joiner = await system.process(joinQueue, q);
    await q.close();
    expect(await q.size()).toBe(1);
    await expect(joiner.join(0)).resolves.toBeUndefined();

    const taker = await system.process(finishOne, q);
    await expect(taker.result()).resolves.toBe('data');
    await expect(joiner.result()).resolves.toBe('joined');

    await expect(q.put('data')).rejects.toBeInstanceOf(QueueClosedError);
    await expect(q.get()).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('_TestQueue.test_shutdown_nonempty: an item taken but not finished keeps join() waiting; taskDone() ends it, a second one throws', async () => {
    const system = await startSystem({ placement: 'local' });
    const q = system.queue<string>({ joinable: true });
    await q.put('data');
    let joined = false;
    const joining = q.join().then(() => {
      joined = true;
    });
    await q.close();
    await expect(q.get()).resolves.toBe('data');
    await expect(q.get()).rejects.toBeInstanceOf(QueueClosedError);
    expect(joined).toBe(false);
    q.taskDone();
    await joining;
    expect(joined).toBe(true);
    expect(() => q.taskDone()).toThrow(TaskDoneError);
  });
});

describe('TestSimpleQueue', () => {
  it('TestSimpleQueue.test_empty: a child sees the queue empty, then not empty once it put something', async () => {
    const system = await startSystem();
    const queue = system.queue<boolean>();
    const go = system.queue<string>();
    const done = system.queue<string>();
    const proc = await system.process(putEmptiness, queue, go, done);
    expect(await queue.size()).toBe(0);
    await go.put('go');
    await done.get();
    expect(await queue.size()).toBe(2);
    await expect(queue.get()).resolves.toBe(true);
    await expect(queue.get()).resolves.toBe(false);
    expect(await queue.size()).toBe(0);
    await proc.join();
    expect(proc.exitCode).toBe(0);
  });

  it('TestSimpleQueue.test_close: closing a queue twice does not fail', async () => {
    const system = await startSystem({ placement: 'local' });
    const queue = system.queue<number>();
    await queue.close();
    await expect(queue.close()).resolves.toBeUndefined();
    await expect(queue.put(1)).rejects.toBeInstanceOf(QueueClosedError);
  });
});

describe('TestStdinBadfiledescriptor', () => {
  it('TestStdinBadfiledescriptor.test_queue_in_process: a non-blocking get on an empty queue in a child returns nothing and it exits 0', async () => {
    const system = await startSystem();
    const queue = system.queue<number>();
    const p = await system.process(tryGetOnce, queue);
    await expect(p.result()).resolves.toBeNull();
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });
});
