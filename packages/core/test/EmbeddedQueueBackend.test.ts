import { describe, expect, it } from 'vitest';
import { realClock } from '../src/Clock.js';
import { EmbeddedQueueBackend } from '../src/queue/EmbeddedQueueBackend.js';
import type { FailedItem } from '../src/queue/QueueBackend.js';

function setup(options: {
  maxDeliveries?: number;
  onConsumerDeath?: 'redeliver' | 'fail';
  joinable?: boolean;
}) {
  const failed: FailedItem[] = [];
  const hub = new EmbeddedQueueBackend({ clock: realClock, onFailed: (f) => void failed.push(f) });
  const { id } = hub.create(options);
  return { hub, id, failed };
}

describe('EmbeddedQueueBackend when a consumer dies', () => {
  it('charges only the item in hand; items waiting in its read-ahead go back uncharged, in order', () => {
    const { hub, id, failed } = setup({ maxDeliveries: 2 });
    for (const n of [1, 2, 3]) hub.tryPut(id, n);
    for (let death = 1; death <= 2; death++) {
      expect(hub.tryTake(id, `c${death}`, 3)).toEqual([1, 2, 3]);
      hub.consumerGone(`c${death}`);
    }
    // Item 1 was in hand at both deaths: poison. Items 2 and 3 were never charged.
    expect(failed.map((f) => [f.item, f.deliveries, f.reason])).toEqual([
      [1, 2, 'poison: too many deliveries'],
    ]);
    for (let death = 3; death <= 4; death++) {
      expect(hub.tryTake(id, `c${death}`, 3)).toEqual([2, 3]);
      hub.consumerGone(`c${death}`);
    }
    // Now 2 was in hand twice; 3, behind it each time, is still uncharged and is handed out again.
    expect(failed.map((f) => f.item)).toEqual([1, 2]);
    expect(hub.tryTake(id, 'c5', 3)).toEqual([3]);
  });

  it("with onConsumerDeath 'fail', fails the item in hand and redelivers the read-ahead", async () => {
    const { hub, id, failed } = setup({ onConsumerDeath: 'fail', joinable: true });
    for (const n of [1, 2, 3]) hub.tryPut(id, n);
    expect(hub.tryTake(id, 'c1', 3)).toEqual([1, 2, 3]);
    hub.consumerGone('c1');
    expect(failed.map((f) => [f.item, f.reason])).toEqual([[1, 'consumer died']]);
    expect(hub.tryTake(id, 'c2', 3)).toEqual([2, 3]);
    hub.taskDone(id, 'c2', 2);
    await expect(hub.join(id)).resolves.toBeUndefined();
  });
});

describe('EmbeddedQueueBackend takes', () => {
  it('hand out at most a mebibyte of encoded items per take, and always at least one', () => {
    const { hub, id } = setup({});
    const big = () => new Uint8Array(400 * 1024);
    for (let i = 0; i < 5; i++) hub.tryPut(id, big());
    // Two (800 KiB): a third would take it past the mebibyte.
    expect(hub.tryTake(id, 'c', 10)).toHaveLength(2);
    const huge = setup({});
    huge.hub.tryPut(huge.id, new Uint8Array(3 * 1024 * 1024));
    huge.hub.tryPut(huge.id, new Uint8Array(8));
    expect(huge.hub.tryTake(huge.id, 'c', 10)).toHaveLength(1);
    // Primitives travel unencoded and count nothing: the take stops at max.
    const small = setup({});
    for (let i = 0; i < 100; i++) small.hub.tryPut(small.id, i);
    expect(small.hub.tryTake(small.id, 'c', 64)).toHaveLength(64);
  });
});

describe('EmbeddedQueueBackend tryPutAll', () => {
  it('puts a batch in order and serves a waiting taker once', async () => {
    const { hub, id } = setup({});
    const waiting = hub.take(id, 'c', 10);
    expect(hub.tryPutAll(id, [1, 2, 3])).toBe(3);
    await expect(waiting).resolves.toEqual([1, 2, 3]);
    expect(hub.tryPutAll(id, [4, 5])).toBe(2);
    expect(hub.tryTake(id, 'c', 10)).toEqual([4, 5]);
  });

  it('takes only what fits in a bounded queue, and nothing while putters wait', async () => {
    const failed: FailedItem[] = [];
    const hub = new EmbeddedQueueBackend({ clock: realClock, onFailed: (f) => void failed.push(f) });
    const { id } = hub.create({ capacity: 3 });
    expect(hub.tryPutAll(id, [1, 2, 3, 4, 5])).toBe(3);
    const blocked = hub.put(id, 6);
    expect(hub.tryTake(id, 'c', 1)).toEqual([1]);
    await blocked;
    // The waiting putter got the free place; the queue is full again.
    expect(hub.tryPutAll(id, [7])).toBe(0);
    expect(hub.tryTake(id, 'c', 10)).toEqual([2, 3, 6]);
  });

  it('counts a batch for join, and refuses one once closed', async () => {
    const { hub, id } = setup({ joinable: true });
    expect(hub.tryPutAll(id, ['a', 'b'])).toBe(2);
    let joined = false;
    const join = hub.join(id).then(() => {
      joined = true;
    });
    expect(hub.tryTake(id, 'c', 2)).toEqual(['a', 'b']);
    hub.taskDone(id, 'c', 1);
    await Promise.resolve();
    expect(joined).toBe(false);
    hub.taskDone(id, 'c', 1);
    await join;
    expect(joined).toBe(true);
    hub.close(id);
    expect(() => hub.tryPutAll(id, [1])).toThrow(/closed/);
  });
});

describe('EmbeddedQueueBackend read-ahead given back', () => {
  it('asks the consumers holding items when another must wait on the empty queue, not the one waiting', async () => {
    const asked: [string, string[]][] = [];
    const hub = new EmbeddedQueueBackend({
      clock: realClock,
      onStarving: (queue, holders) => void asked.push([queue, [...holders]]),
    });
    const { id } = hub.create({});
    for (const n of [1, 2, 3]) hub.tryPut(id, n);
    expect(hub.tryTake(id, 'a', 3)).toEqual([1, 2, 3]);
    hub.ack(id, 'a', 1); // 1 handed out; 2 and 3 are its read-ahead
    const waiting = hub.take(id, 'b', 1);
    expect(asked).toEqual([[id, ['a']]]);
    // A gives back its two newest: they go to the front, and the waiting taker gets the first.
    hub.giveBack(id, 'a', 2);
    await expect(waiting).resolves.toEqual([2]);
    expect(hub.tryTake(id, 'c', 5)).toEqual([3]);
    // Nobody holds anything now: a wait asks no one.
    hub.ack(id, 'b', 1);
    hub.ack(id, 'c', 1);
    const again = hub.take(id, 'b', 1, { timeoutMs: 1 });
    expect(asked).toHaveLength(1);
    await expect(again).rejects.toThrow(/stayed empty/);
  });

  it('gives back uncharged and keeps the older items held, so a later death charges the right one', () => {
    const failed: FailedItem[] = [];
    const hub = new EmbeddedQueueBackend({ clock: realClock, onFailed: (f) => void failed.push(f) });
    const { id } = hub.create({ maxDeliveries: 1 });
    for (const n of [1, 2, 3]) hub.tryPut(id, n);
    expect(hub.tryTake(id, 'a', 3)).toEqual([1, 2, 3]);
    hub.giveBack(id, 'a', 2);
    expect(hub.size(id)).toBe(2);
    // a dies holding 1, in hand: with one delivery allowed it fails; 2 and 3 were given back
    // uncharged and can still be delivered once.
    hub.consumerGone('a');
    expect(failed.map((f) => f.item)).toEqual([1]);
    expect(hub.tryTake(id, 'b', 3)).toEqual([2, 3]);
    hub.consumerGone('b');
    expect(failed.map((f) => f.item)).toEqual([1, 2]);
    // Giving back more than is held, or for an unknown consumer or queue, is harmless.
    hub.giveBack(id, 'nobody', 3);
    hub.giveBack('no-such-queue', 'a', 1);
    expect(hub.tryTake(id, 'c', 3)).toEqual([3]);
    hub.giveBack(id, 'c', 10);
    expect(hub.size(id)).toBe(1);
  });
});

describe('EmbeddedQueueBackend reserved places (bounded puts from another process)', () => {
  const reserve = (producer: string, want = 1024) => ({ producer, want });

  it('an admitted put reserves up to an eighth of the capacity, of the places free, for its producer', async () => {
    const hub = new EmbeddedQueueBackend({ clock: realClock });
    const { id } = hub.create({ capacity: 80 });
    await expect(hub.admit(id, 'a', reserve('p'))).resolves.toBe(10);
    // Asking again while holding them tops it up to the eighth, no more.
    await expect(hub.admit(id, 'b', reserve('p'))).resolves.toBe(0);
    await expect(hub.admit(id, 'c', reserve('p', 3))).resolves.toBe(0);
    await expect(hub.admit(id, 'd', reserve('q', 3))).resolves.toBe(3);
    // A plain put reserves nothing, and neither does an unbounded queue.
    await expect(hub.admit(id, 'e', undefined)).resolves.toBe(0);
    const unbounded = hub.create({}).id;
    await expect(hub.admit(unbounded, 'x', reserve('p'))).resolves.toBe(0);
    expect(hub.size(id)).toBe(5);
  });

  it('reserved places count as taken for everyone else: the queue never holds more than its capacity', async () => {
    const hub = new EmbeddedQueueBackend({ clock: realClock });
    const { id } = hub.create({ capacity: 16 });
    await expect(hub.admit(id, 0, reserve('p'))).resolves.toBe(2);
    expect(
      hub.tryPutAll(
        id,
        Array.from({ length: 20 }, (_, i) => i + 1),
      ),
    ).toBe(13);
    expect(hub.tryPut(id, 'no')).toBe(false);
    let waited = false;
    const other = hub.put(id, 'later').then(() => {
      waited = true;
    });
    // The producer fills its places without waiting, in order behind what is there.
    expect(hub.putReserved(id, 'p', ['r1', 'r2', 'r3'])).toBe(2);
    expect(hub.size(id)).toBe(16);
    await Promise.resolve();
    expect(waited).toBe(false);
    expect(hub.tryTake(id, 'c', 16).slice(-2)).toEqual(['r1', 'r2']);
    await other;
    expect(waited).toBe(true);
  });

  it('places handed back, or of a producer that died, go to waiting putters', async () => {
    const hub = new EmbeddedQueueBackend({ clock: realClock });
    const { id } = hub.create({ capacity: 8 });
    await expect(hub.admit(id, 'a', reserve('p'))).resolves.toBe(1);
    await expect(hub.admit(id, 'b', reserve('q'))).resolves.toBe(1);
    expect(hub.tryPutAll(id, [1, 2, 3, 4])).toBe(4);
    const waiting = [hub.put(id, 'w1'), hub.put(id, 'w2')];
    hub.release(id, 'p', 5);
    await waiting[0];
    hub.consumerGone('q');
    await waiting[1];
    expect(hub.tryTake(id, 'c', 8)).toEqual(['a', 'b', 1, 2, 3, 4, 'w1', 'w2']);
    // Nothing is left reserved: the places went with them.
    expect(hub.putReserved(id, 'p', ['x'])).toBe(0);
    expect(hub.putReserved(id, 'q', ['x'])).toBe(0);
  });

  it('a waiting admitted put is granted places when room comes, and refuses a closed queue', async () => {
    const hub = new EmbeddedQueueBackend({ clock: realClock });
    const { id } = hub.create({ capacity: 16 });
    expect(
      hub.tryPutAll(
        id,
        Array.from({ length: 16 }, (_, i) => i),
      ),
    ).toBe(16);
    const admitted = hub.admit(id, 'late', reserve('p'));
    expect(hub.tryTake(id, 'c', 8)).toHaveLength(8);
    // One place for the item, then two reserved (an eighth of 16) of the seven free.
    await expect(admitted).resolves.toBe(2);
    hub.close(id);
    expect(() => hub.putReserved(id, 'p', ['x'])).toThrow(/closed/);
    await expect(hub.admit(id, 'y', reserve('p'))).rejects.toThrow(/closed/);
  });
});
