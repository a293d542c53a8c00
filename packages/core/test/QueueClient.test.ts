import { describe, expect, it } from 'vitest';
import { Codec } from '../src/Codec.js';
import { ProtocolError } from '../src/errors.js';
import { type ItemRun, splitRun, type TakenItems, toWire } from '../src/queue/itemRun.js';
import type { QueueInfo, QueueItem } from '../src/queue/QueueBackend.js';
import { QueueClient, type QueueOps } from '../src/queue/QueueClient.js';

const info: QueueInfo = { id: 'q', capacity: null, joinable: false };

/** Ops over a plain array of numbers; tryTake can be held back to model a read-ahead in flight. */
function fakeOps() {
  const items: number[] = [];
  const calls: string[] = [];
  const given: number[] = [];
  let hold: (() => void) | undefined;
  let holding = false;
  const takeNow = (max: number): QueueItem[] => items.splice(0, max);
  const ops: QueueOps = {
    put: async (_q, item) => void items.push(item as number),
    tryPut: async () => true,
    take: async (_q, max) => {
      calls.push(`take ${max}`);
      return takeNow(max);
    },
    tryTake: (_q, max) => {
      calls.push(`tryTake ${max}`);
      if (!holding) return Promise.resolve(takeNow(max));
      return new Promise((resolve) => {
        hold = () => resolve(takeNow(max));
      });
    },
    ack: () => {},
    giveBack: (_q, n) => void given.push(n),
    taskDone: () => {},
    join: async () => {},
    size: async () => items.length,
    close: async () => {},
  };
  return {
    ops,
    items,
    calls,
    given,
    holdReadAhead: () => {
      holding = true;
    },
    release: () => hold?.(),
    /** A held read-ahead is on its way. */
    inFlight: () => hold !== undefined,
  };
}

describe('QueueClient reclaim', () => {
  it('gives back what it fetched ahead and starts its next fetch at one item', async () => {
    const fake = fakeOps();
    const client = new QueueClient(fake.ops, new Codec());
    fake.items.push(...Array.from({ length: 40 }, (_, i) => i));
    // A draining loop grows its fetches: 1, 2, 4, 8 ... and reads ahead.
    for (let i = 0; i < 10; i++) await expect(client.get(info, undefined)).resolves.toBe(i);
    await Promise.resolve();
    const buffered = 40 - 10 - fake.items.length;
    expect(buffered).toBeGreaterThan(0);
    client.reclaim('q');
    expect(fake.given).toEqual([buffered]);
    fake.calls.length = 0;
    fake.items.unshift(...Array.from({ length: buffered }, (_, i) => 10 + i));
    await expect(client.get(info, undefined)).resolves.toBe(10);
    expect(fake.calls[0]).toBe('take 1');
    // Nothing held: nothing given back; an unknown queue is ignored.
    client.reclaim('q');
    client.reclaim('other');
    expect(fake.given).toEqual([buffered]);
  });

  it('waits for a read-ahead on its way before giving back, then gives back all of it', async () => {
    const fake = fakeOps();
    const client = new QueueClient(fake.ops, new Codec());
    fake.items.push(...Array.from({ length: 100 }, (_, i) => i));
    for (let i = 0; i < 4; i++) await client.get(info, undefined);
    fake.holdReadAhead();
    // Drain the buffer until a read-ahead goes out and is held.
    let got = 4;
    while (!fake.inFlight()) {
      await client.get(info, undefined);
      got++;
      if (got > 50) throw new Error('no read-ahead went out');
    }
    client.reclaim('q');
    expect(fake.given).toEqual([]);
    fake.release();
    await new Promise((resolve) => setImmediate(resolve));
    // The buffer and the read-ahead's items, all of them.
    expect(fake.given).toHaveLength(1);
    expect(fake.given[0]! + got + fake.items.length).toBe(100);
  });

  it("waits for a get's take on its way, whose answer may arrive with the request, then gives back the rest", async () => {
    const fake = fakeOps();
    let answer: ((items: QueueItem[]) => void) | undefined;
    const ops: QueueOps = {
      ...fake.ops,
      take: (_q, max) =>
        new Promise((resolve) => {
          answer = (items) => resolve(items.slice(0, max));
        }),
    };
    const client = new QueueClient(ops, new Codec());
    // Grow the fetch: the first get takes 1, the second 2.
    const first = client.get(info, undefined);
    answer?.([1]);
    await expect(first).resolves.toBe(1);
    const second = client.get(info, undefined);
    // The answer (two items) and the hub's request arrive together, before the get resumes.
    answer?.([2, 3]);
    client.reclaim('q');
    expect(fake.given).toEqual([]);
    await expect(second).resolves.toBe(2);
    expect(fake.given).toEqual([1]);
  });
});

describe('QueueClient decoding', () => {
  /** Ops whose takes answer with `taken`, once. */
  function answering(taken: TakenItems) {
    const acked: number[] = [];
    const ops: QueueOps = {
      ...fakeOps().ops,
      take: async () => taken,
      ack: (_q, n) => void acked.push(n),
    };
    return { ops, acked };
  }

  it('decodes a run in one go, and a broken item fails only its own get, after the others', async () => {
    const codec = new Codec();
    const good = [{ id: 1 }, [2, 2], 'three'].map((value) => codec.encode(value));
    const broken = codec.encode({ id: 'broken', list: [1, 2, 3] }).subarray(0, 5);
    const items = [good[0]!, good[1]!, broken, good[2]!];
    for (const taken of [toWire(items), items, [...items, 5]]) {
      const { ops, acked } = answering(taken);
      const client = new QueueClient(ops, new Codec());
      await expect(client.get(info, undefined)).resolves.toEqual({ id: 1 });
      await expect(client.get(info, undefined)).resolves.toEqual([2, 2]);
      await expect(client.get(info, undefined)).rejects.toBeInstanceOf(ProtocolError);
      await expect(client.get(info, undefined)).resolves.toBe('three');
      if (Array.isArray(taken) && taken.length === 5)
        await expect(client.get(info, undefined)).resolves.toBe(5);
      // The broken item was taken like the others: acked, not handed out again.
      expect(acked.reduce((sum, n) => sum + n, 0)).toBe(Array.isArray(taken) ? taken.length : 4);
    }
  });

  it('decodes items taken by the root one by one (views of several runs) as one run', async () => {
    const codec = new Codec();
    const first = toWire([codec.encode({ a: 1 }), codec.encode({ a: 2 })]) as ItemRun;
    const second = toWire([codec.encode({ b: 1 }), codec.encode({ b: 2 })]) as ItemRun;
    const views = [...splitRun(first), ...splitRun(second)];
    const { ops } = answering(views);
    const client = new QueueClient(ops, new Codec());
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await client.get(info, undefined));
    expect(got).toEqual([{ a: 1 }, { a: 2 }, { b: 1 }, { b: 2 }]);
  });
});
