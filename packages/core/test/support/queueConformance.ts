/**
 * The queue semantics every `QueueBackend` keeps, as one suite: the embedded backend runs it in
 * core's tests, the NATS backend in `@troupe/nats`'s, against a real server. Every call is
 * awaited, so a backend may answer at once or later.
 */

import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  TimeoutError,
} from '../../src/errors.js';

/**
 * Matches an error by its code: a backend in another package may throw the same class from its
 * own copy of core.
 */
const coded = (Class: { readonly code: string }) => expect.objectContaining({ code: Class.code });

import type { FailedItem, QueueBackend, QueueItem } from '../../src/queue/QueueBackend.js';

export interface OpenedForTest {
  readonly backend: QueueBackend;
  /** Items the backend reported failed (`onFailed`), in order. */
  readonly failed: FailedItem[];
}

let unique = 0;
/** A queue name of this run's own. */
const named = (what: string) => `${what}-${process.pid}-${++unique}`;

/** Takes until `n` items have come (a backend may hand out fewer than asked at a time). */
async function takeN(b: QueueBackend, queue: string, consumer: string, n: number): Promise<QueueItem[]> {
  const got: QueueItem[] = [];
  while (got.length < n) got.push(...(await b.take(queue, consumer, n - got.length, { timeoutMs: 10_000 })));
  return got;
}

/** Waits until `check` holds, looking again each time the backend may have moved. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (i > 20) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
}

export function queueConformance(name: string, open: () => OpenedForTest): void {
  describe(`queue semantics: ${name}`, () => {
    it('hands items out in the order they were put, primitives and encoded bytes alike', async () => {
      const { backend: b } = open();
      const { id } = b.create({ name: named('order') });
      const items: QueueItem[] = [1, 'two', new Uint8Array([3, 4]), null, true, 2n ** 70n, -0.5];
      for (const item of items) await b.put(id, item);
      const got = await takeN(b, id, 'c', items.length);
      expect(got).toEqual(items);
      await b.ack(id, 'c', got.length);
      expect(await b.tryTake(id, 'c', 10)).toEqual([]);
    });

    it('makes a take wait for the next put, and time out on an empty queue', async () => {
      const { backend: b } = open();
      const { id } = b.create({});
      const waiting = b.take(id, 'c', 5, { timeoutMs: 10_000 });
      await b.put(id, 'late');
      await expect(waiting).resolves.toEqual(['late']);
      await expect(b.take(id, 'c', 1, { timeoutMs: 150 })).rejects.toEqual(coded(QueueEmptyError));
    });

    it('bounds a queue: tryPut refuses, put waits and times out, and room made by a take lets it in', async () => {
      const { backend: b } = open();
      const { id } = b.create({ capacity: 2 });
      await b.put(id, 1);
      await b.put(id, 2);
      expect(await b.tryPut(id, 3)).toBe(false);
      await expect(b.put(id, 3, { timeoutMs: 150 })).rejects.toEqual(coded(QueueFullError));
      const blocked = b.put(id, 3, { timeoutMs: 10_000 });
      const [first] = await takeN(b, id, 'c', 1);
      expect(first).toBe(1);
      await b.ack(id, 'c', 1);
      await blocked;
      expect(await takeN(b, id, 'c', 2)).toEqual([2, 3]);
    });

    it('closes: puts are refused, what is left is still taken, then takes see it closed', async () => {
      const { backend: b } = open();
      const { id } = b.create({});
      await b.put(id, 'left');
      await b.close(id);
      expect(b.isClosed(id)).toBe(true);
      await expect(b.put(id, 'more')).rejects.toEqual(coded(QueueClosedError));
      await expect(b.take(id, 'c', 5, { timeoutMs: 10_000 })).resolves.toEqual(['left']);
      await b.ack(id, 'c', 1);
      await expect(b.take(id, 'c', 1, { timeoutMs: 10_000 })).rejects.toEqual(coded(QueueClosedError));
    });

    it("redelivers a dead consumer's items to another consumer", async () => {
      const { backend: b } = open();
      const { id } = b.create({});
      for (const item of ['a', 'b', 'c']) await b.put(id, item);
      expect(await takeN(b, id, 'dies', 2)).toEqual(['a', 'b']);
      await b.consumerGone('dies');
      const again = await takeN(b, id, 'lives', 3);
      expect([...again].sort()).toEqual(['a', 'b', 'c']);
    });

    it('fails an item whose consumers keep dying, after maxDeliveries deliveries', async () => {
      const opened = open();
      const b = opened.backend;
      const { id } = b.create({ maxDeliveries: 2 });
      await b.put(id, 'poison');
      for (const consumer of ['first', 'second']) {
        expect(await takeN(b, id, consumer, 1)).toEqual(['poison']);
        await b.consumerGone(consumer);
      }
      await eventually(() => opened.failed.some((f) => f.queue === id), 'the poison item is reported failed');
      const failed = opened.failed.find((f) => f.queue === id);
      expect(failed).toMatchObject({ item: 'poison', deliveries: 2 });
      await expect(b.take(id, 'third', 1, { timeoutMs: 300 })).rejects.toEqual(coded(QueueEmptyError));
    });

    it('gives read-ahead back: the newest items go back for others, the older stay held', async () => {
      const { backend: b } = open();
      const { id } = b.create({});
      for (const item of [1, 2, 3]) await b.put(id, item);
      expect(await takeN(b, id, 'ahead', 3)).toEqual([1, 2, 3]);
      await b.giveBack(id, 'ahead', 2);
      expect(await takeN(b, id, 'other', 2)).toEqual([2, 3]);
    });

    it('joins once every item put has been finished (taskDone)', async () => {
      const { backend: b } = open();
      const { id } = b.create({ joinable: true });
      await b.put(id, 'x');
      await b.put(id, 'y');
      await expect(b.join(id, { timeoutMs: 50 })).rejects.toEqual(coded(TimeoutError));
      let joined = false;
      const join = b.join(id, { timeoutMs: 20_000 }).then(() => {
        joined = true;
      });
      await takeN(b, id, 'c', 2);
      await b.taskDone(id, 'c', 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(joined).toBe(false);
      await b.taskDone(id, 'c', 1);
      await join;
      expect(joined).toBe(true);
    });

    it('counts the items waiting (not those held)', async () => {
      const { backend: b } = open();
      const { id } = b.create({});
      for (const item of [1, 2, 3]) await b.put(id, item);
      expect(await b.size(id)).toBe(3);
      await takeN(b, id, 'c', 1);
      expect(await b.size(id)).toBe(2);
    });

    it('opens a named queue again as the same queue, and refuses other settings for it', async () => {
      const { backend: b } = open();
      const name = named('shared');
      const first = b.create({ name, capacity: 5 });
      expect(b.create({ name, capacity: 5 })).toEqual(first);
      expect(() => b.create({ name, capacity: 6 })).toThrow(
        expect.objectContaining({ code: InvalidArgumentError.code }),
      );
      expect(() => b.create({ name: 'no spaces' })).toThrow(
        expect.objectContaining({ code: InvalidArgumentError.code }),
      );
    });
  });
}
