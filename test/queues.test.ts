/** Queues across processes: many producers and consumers, timeouts, close, joinable redelivery. */

import {
  InvalidArgumentError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TaskDoneError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Recorder } from './fixtures/actors.js';
import {
  consumeAll,
  Forwarding,
  finishAll,
  produce,
  produceNoting,
  takeAndHang,
  tryPutAll,
} from './fixtures/queues.js';
import { startSystem } from './support/system.js';

describe('queues across processes', () => {
  it('3 producers and 2 consumers move 30,000 items, each consumed exactly once, FIFO per producer', async () => {
    const system = await startSystem();
    const q = system.queue<number>();
    const perProducer = 10_000;
    const consumers = await Promise.all([0, 1].map(() => system.process(consumeAll, q)));
    const producers = await Promise.all(
      [0, 1, 2].map((i) => system.process(produce, q, i * perProducer, perProducer)),
    );
    await Promise.all(producers.map((p) => p.join()));
    await q.close();
    const results = await Promise.all(consumers.map((c) => c.result()));
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 3 * perProducer }, (_, i) => i));
    // Each consumer sees each producer's items in the order they were put.
    for (const got of results) {
      for (let p = 0; p < 3; p++) {
        const mine = got.filter((x) => Math.floor(x / perProducer) === p);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
    }
  });

  it('put on a full queue waits, and rejects QueueFullError at its timeout', async () => {
    const system = await startSystem();
    const q = system.queue<string>({ capacity: 2 });
    await q.put('a');
    await q.put('b');
    await expect(q.tryPut('c')).resolves.toBe(false);
    await expect(q.put('c', { timeoutMs: 30 })).rejects.toBeInstanceOf(QueueFullError);
    const waiting = q.put('d');
    await expect(q.get()).resolves.toBe('a');
    await waiting;
    expect(await q.size()).toBe(2);
    await expect(q.get()).resolves.toBe('b');
    await expect(q.get()).resolves.toBe('d');
  });

  it("a producer process's puts on a bounded queue keep order and its bound, and wait while it is full", async () => {
    // Its puts go in batches into places reserved for it, not a round trip each; but no put may
    // complete while the queue (with what is reserved) is full.
    const system = await startSystem();
    const capacity = 16;
    const n = 300;
    const q = system.queue<number>({ capacity });
    const progress = system.queue<number>();
    const producer = await system.process(produceNoting, q, progress, n);
    let taken = 0;
    for (let seen = 0; seen < n; seen++) {
      const done = await progress.get();
      expect(done).toBe(seen);
      // Put number `done` completed: at most `capacity` items were in the queue or promised to it.
      expect(done).toBeLessThan(capacity + taken);
      if (done + 1 >= capacity + taken) {
        await expect(q.get()).resolves.toBe(taken);
        taken++;
      }
    }
    await producer.join();
    while (taken < n) await expect(q.get()).resolves.toBe(taken++);
    expect(await q.size()).toBe(0);
  });

  it('tryPut from a process fills a bounded queue exactly to its capacity', async () => {
    const system = await startSystem();
    const q = system.queue<number>({ capacity: 40 });
    const filler = await system.process(tryPutAll, q, 100);
    await expect(filler.result()).resolves.toBe(40);
    expect(await q.size()).toBe(40);
    await expect(q.tryPut(99)).resolves.toBe(false);
    const got: number[] = [];
    for (let i = 0; i < 40; i++) got.push(await q.get());
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('get on an empty queue rejects QueueEmptyError at its timeout, also from a worker', async () => {
    const system = await startSystem();
    const q = system.queue<number>();
    await expect(q.get({ timeoutMs: 30 })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.tryGet()).resolves.toBeUndefined();
    const consumer = await system.process(consumeAll, q);
    await q.put(1);
    await q.close();
    await expect(consumer.result()).resolves.toEqual([1]);
  });

  it('close drains what is left, then ends iteration; puts after close reject', async () => {
    const system = await startSystem();
    const q = system.queue<number>();
    for (const n of [1, 2, 3]) await q.put(n);
    await q.close();
    await expect(q.put(4)).rejects.toBeInstanceOf(QueueClosedError);
    const got: number[] = [];
    for await (const n of q) got.push(n);
    expect(got).toEqual([1, 2, 3]);
    await expect(q.get()).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('refuses an unserializable item at put, and nothing is queued', async () => {
    const system = await startSystem();
    const q = system.queue<unknown>();
    expect(() => q.put({ run: () => 1 })).toThrow(SerializationError);
    expect(await q.size()).toBe(0);
  });

  it('join() completes with a consumer SIGKILLed holding an item: the item is redelivered', async () => {
    const system = await startSystem();
    const q = system.queue<string>({ joinable: true });
    const report = system.queue<string>();
    for (const item of ['a', 'b', 'c']) await q.put(item);
    const hanger = await system.process(takeAndHang, q, report);
    await expect(report.get()).resolves.toBe('a');
    hanger.kill();
    await hanger.join();
    const finisher = await system.process(finishAll, q, 3);
    await q.join({ timeoutMs: 20_000 });
    const finished = await finisher.result();
    expect(finished.sort()).toEqual(['a', 'b', 'c']);
  });

  it("with onConsumerDeath: 'fail', a dead consumer's item is failed to dead letters and join() completes", async () => {
    const system = await startSystem();
    const q = system.queue<string>({ joinable: true, onConsumerDeath: 'fail' });
    const report = system.queue<string>();
    await q.put('only');
    const letters: unknown[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'deadLetter') letters.push(e.message);
    });
    const hanger = await system.process(takeAndHang, q, report);
    await report.get();
    hanger.kill();
    await q.join({ timeoutMs: 20_000 });
    expect(letters).toEqual(['only']);
  });

  it('taskDone() more often than items were taken throws TaskDoneError', async () => {
    const system = await startSystem();
    const q = system.queue<number>({ joinable: true });
    await q.put(1);
    await q.get();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(TaskDoneError);
    await q.join();
    expect(() => system.queue<number>().taskDone()).toThrow(TaskDoneError);
  });

  it('a queue handle travels to an actor on every placement', async () => {
    const system = await startSystem();
    const out = system.queue<unknown>();
    for (const placement of ['process', 'thread', 'local'] as const) {
      const forwarding = await system.spawn(Forwarding, { out }, { placement });
      forwarding.send({ from: placement });
      await expect(out.get({ timeoutMs: 10_000 })).resolves.toEqual({ from: placement });
    }
  });

  it('rejects bad queue options by name', async () => {
    const system = await startSystem({ placement: 'local' });
    expect(() => system.queue({ capacity: 0 })).toThrow(InvalidArgumentError);
    expect(() => system.queue({ capacity: Number.NaN })).toThrow(/capacity/);
    expect(() => system.queue({ onConsumerDeath: 'drop' as 'fail' })).toThrow(/onConsumerDeath/);
    await system.spawn(Recorder, undefined);
  });
});
