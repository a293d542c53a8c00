import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../src/EventStream.js';

type Event = { type: 'a' | 'b'; n: number };

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Spies on `stream.subscribe` so a test can see whether each subscription was undone. */
function trackSubscriptions<E>(stream: EventStream<E>): { active(): number } {
  let active = 0;
  const subscribe = stream.subscribe.bind(stream);
  vi.spyOn(stream, 'subscribe').mockImplementation((listener) => {
    const off = subscribe(listener);
    active++;
    let done = false;
    return () => {
      if (!done) active--;
      done = true;
      off();
    };
  });
  return { active: () => active };
}

describe('EventStream.subscribe', () => {
  it('delivers every later event, in order, to every listener in subscription order', () => {
    const stream = new EventStream<Event>();
    const seen: string[] = [];
    stream.emit({ type: 'a', n: 0 });
    stream.subscribe((e) => seen.push(`first ${e.n}`));
    stream.subscribe((e) => seen.push(`second ${e.n}`));
    stream.emit({ type: 'a', n: 1 });
    stream.emit({ type: 'b', n: 2 });
    expect(seen).toEqual(['first 1', 'second 1', 'first 2', 'second 2']);
  });

  it('stops delivering once unsubscribed; unsubscribing twice is harmless', () => {
    const stream = new EventStream<number>();
    const seen: number[] = [];
    const off = stream.subscribe((n) => seen.push(n));
    stream.emit(1);
    off();
    off();
    stream.emit(2);
    expect(seen).toEqual([1]);
  });

  it('treats the same function subscribed twice as two subscriptions', () => {
    const stream = new EventStream<number>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const off = stream.subscribe(listener);
    stream.subscribe(listener);
    stream.emit(1);
    off();
    stream.emit(2);
    expect(seen).toEqual([1, 1, 2]);
  });

  it('does not hand the event being emitted to a listener subscribed while emitting it', () => {
    const stream = new EventStream<number>();
    const seen: string[] = [];
    stream.subscribe((n) => {
      seen.push(`outer ${n}`);
      if (n === 1) stream.subscribe((m) => seen.push(`inner ${m}`));
    });
    stream.emit(1);
    stream.emit(2);
    expect(seen).toEqual(['outer 1', 'outer 2', 'inner 2']);
  });

  it('keeps delivering to the other listeners when one throws, and reports the error', () => {
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (error: unknown) => reported.push(error));
    const stream = new EventStream<number>();
    const seen: number[] = [];
    const boom = new Error('listener failed');
    stream.subscribe(() => {
      throw boom;
    });
    stream.subscribe((n) => seen.push(n));
    stream.emit(7);
    expect(seen).toEqual([7]);
    expect(reported).toEqual([boom]);
  });
});

describe('EventStream.next', () => {
  it('resolves with the next event, then stops listening', async () => {
    const stream = new EventStream<Event>();
    const subscriptions = trackSubscriptions(stream);
    const next = stream.next();
    expect(subscriptions.active()).toBe(1);
    stream.emit({ type: 'a', n: 1 });
    stream.emit({ type: 'a', n: 2 });
    await expect(next).resolves.toEqual({ type: 'a', n: 1 });
    expect(subscriptions.active()).toBe(0);
  });

  it('resolves with the first event for which the predicate holds', async () => {
    const stream = new EventStream<Event>();
    const predicate = vi.fn((e: Event) => e.type === 'b');
    const next = stream.next(predicate);
    stream.emit({ type: 'a', n: 1 });
    stream.emit({ type: 'b', n: 2 });
    stream.emit({ type: 'b', n: 3 });
    await expect(next).resolves.toEqual({ type: 'b', n: 2 });
    expect(predicate).toHaveBeenCalledTimes(2);
  });

  it('narrows to the type a type-guard predicate picks', async () => {
    type Tagged = { kind: 'num'; value: number } | { kind: 'str'; value: string };
    const stream = new EventStream<Tagged>();
    const next = stream.next((e): e is Extract<Tagged, { kind: 'num' }> => e.kind === 'num');
    stream.emit({ kind: 'str', value: 'x' });
    stream.emit({ kind: 'num', value: 4 });
    const event = await next;
    // Compiles only because `event.value` is a number.
    expect(event.value.toFixed(1)).toBe('4.0');
  });

  it('rejects at once with the reason of a signal already aborted, subscribing nothing', async () => {
    const stream = new EventStream<number>();
    const subscriptions = trackSubscriptions(stream);
    const reason = new Error('gave up');
    await expect(stream.next(() => true, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(subscriptions.active()).toBe(0);
  });

  it('rejects with the reason when the signal aborts later, and stops listening', async () => {
    const stream = new EventStream<number>();
    const subscriptions = trackSubscriptions(stream);
    const controller = new AbortController();
    const predicate = vi.fn(() => false);
    const next = stream.next(predicate, controller.signal);
    stream.emit(1);
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    stream.emit(2);
    expect(predicate).toHaveBeenCalledTimes(1);
    expect(subscriptions.active()).toBe(0);
  });

  it('stops listening to the signal once an event has arrived', async () => {
    const stream = new EventStream<number>();
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const next = stream.next(() => true, controller.signal);
    stream.emit(5);
    await expect(next).resolves.toBe(5);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort(new Error('after the fact'));
    await expect(next).resolves.toBe(5);
  });
});

describe('EventStream async iteration', () => {
  it('yields the events emitted after it started, buffering those not yet consumed', async () => {
    const stream = new EventStream<number>();
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    stream.emit(1);
    stream.emit(2);
    stream.emit(3);
    await expect(first).resolves.toEqual({ value: 1, done: false });
    await expect(iterator.next()).resolves.toEqual({ value: 2, done: false });
    await expect(iterator.next()).resolves.toEqual({ value: 3, done: false });
    const fourth = iterator.next();
    stream.emit(4);
    await expect(fourth).resolves.toEqual({ value: 4, done: false });
    await iterator.return();
  });

  it('unsubscribes when the loop ends', async () => {
    const stream = new EventStream<number>();
    const subscriptions = trackSubscriptions(stream);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const n of stream) {
        seen.push(n);
        if (n === 2) break;
      }
    })();
    // The loop subscribes on its first step, which runs synchronously up to its first await.
    expect(subscriptions.active()).toBe(1);
    stream.emit(1);
    stream.emit(2);
    stream.emit(3);
    await loop;
    expect(seen).toEqual([1, 2]);
    expect(subscriptions.active()).toBe(0);
  });

  it('keeps falsy events such as 0 and null', async () => {
    const stream = new EventStream<number | null>();
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    stream.emit(0);
    stream.emit(null);
    await expect(first).resolves.toEqual({ value: 0, done: false });
    await expect(iterator.next()).resolves.toEqual({ value: null, done: false });
    await iterator.return();
  });
});
