import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../src/Clock.js';
import { PendingCalls } from '../src/internal/PendingCalls.js';

class TimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

const onTimeout = (ms: number) => new TimedOut(ms);

/** Resolves with how `promise` settled, without letting a rejection go unhandled. */
function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('PendingCalls', () => {
  it('gives each call its own increasing id and settles it by that id', async () => {
    const calls = new PendingCalls(new SimulatedClock());
    const a = calls.create<string>({ onTimeout });
    const b = calls.create<string>({ onTimeout });
    expect(b.id).toBeGreaterThan(a.id);
    expect(calls.size).toBe(2);
    expect(calls.resolve(b.id, 'bee')).toBe(true);
    expect(calls.reject(a.id, new Error('no'))).toBe(true);
    await expect(b.promise).resolves.toBe('bee');
    await expect(a.promise).rejects.toThrow('no');
    expect(calls.size).toBe(0);
  });

  it('settles a call once: a second resolve or reject returns false and changes nothing', async () => {
    const calls = new PendingCalls(new SimulatedClock());
    const { id, promise } = calls.create<number>({ onTimeout });
    expect(calls.resolve(id, 1)).toBe(true);
    expect(calls.resolve(id, 2)).toBe(false);
    expect(calls.reject(id, new Error('late'))).toBe(false);
    await expect(promise).resolves.toBe(1);
  });

  it('returns false for an id it never gave out', () => {
    const calls = new PendingCalls(new SimulatedClock());
    expect(calls.resolve(42, 'x')).toBe(false);
    expect(calls.reject(42, new Error('x'))).toBe(false);
  });

  it('rejects with the timeout error once timeoutMs has passed on the clock', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const { id, promise } = calls.create<number>({ timeoutMs: 100, onTimeout });
    const settled = outcome(promise);
    clock.advance(99);
    expect(calls.size).toBe(1);
    clock.advance(1);
    expect(calls.size).toBe(0);
    const result = await settled;
    expect(result).toEqual({ error: expect.any(TimedOut) });
    expect((result as { error: TimedOut }).error.timeoutMs).toBe(100);
    expect(calls.resolve(id, 5)).toBe(false);
  });

  it('cancels the timer of a call answered in time', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const { id, promise } = calls.create<number>({ timeoutMs: 100, onTimeout });
    expect(clock.pending).toBe(1);
    calls.resolve(id, 7);
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    await expect(promise).resolves.toBe(7);
  });

  it('sets no timer without timeoutMs', () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    calls.create({ onTimeout });
    calls.create({ timeoutMs: undefined, onTimeout });
    expect(clock.pending).toBe(0);
    clock.advance(1e9);
    expect(calls.size).toBe(2);
  });

  it('rejects at once with the reason of a signal already aborted, and keeps nothing', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const reason = new Error('caller gave up');
    const { id, promise } = calls.create({ timeoutMs: 50, signal: AbortSignal.abort(reason), onTimeout });
    await expect(promise).rejects.toBe(reason);
    expect(calls.size).toBe(0);
    expect(clock.pending).toBe(0);
    expect(calls.resolve(id, 'late')).toBe(false);
  });

  it('rejects with the reason when the signal aborts later, and cancels the timer', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const controller = new AbortController();
    const { id, promise } = calls.create({ timeoutMs: 50, signal: controller.signal, onTimeout });
    const settled = outcome(promise);
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await settled).toEqual({ error: reason });
    expect(calls.size).toBe(0);
    expect(clock.pending).toBe(0);
    expect(calls.resolve(id, 'late')).toBe(false);
  });

  it('stops listening to the signal once the call is settled', async () => {
    const calls = new PendingCalls(new SimulatedClock());
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const { id, promise } = calls.create({ signal: controller.signal, onTimeout });
    calls.resolve(id, 'ok');
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort(new Error('too late'));
    await expect(promise).resolves.toBe('ok');
  });

  it('does not time out a call its signal already rejected', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const controller = new AbortController();
    const timeout = vi.fn(onTimeout);
    const { promise } = calls.create({ timeoutMs: 10, signal: controller.signal, onTimeout: timeout });
    const settled = outcome(promise);
    controller.abort(new Error('first'));
    clock.advance(10);
    expect(timeout).not.toHaveBeenCalled();
    expect(await settled).toEqual({ error: new Error('first') });
  });

  it('rejectAll rejects every pending call with its own error and clears their timers', async () => {
    const clock = new SimulatedClock();
    const calls = new PendingCalls(clock);
    const a = calls.create({ timeoutMs: 100, onTimeout });
    const b = calls.create({ onTimeout });
    const done = calls.create<string>({ onTimeout });
    calls.resolve(done.id, 'answered');
    let made = 0;
    calls.rejectAll(() => new Error(`peer died #${++made}`));
    expect(made).toBe(2);
    expect(calls.size).toBe(0);
    expect(clock.pending).toBe(0);
    const [ea, eb] = [await outcome(a.promise), await outcome(b.promise)];
    expect(ea).toEqual({ error: new Error('peer died #1') });
    expect(eb).toEqual({ error: new Error('peer died #2') });
    await expect(done.promise).resolves.toBe('answered');
    expect(calls.resolve(a.id, 'late')).toBe(false);
  });

  it('rejectAll on no pending calls does nothing', () => {
    const calls = new PendingCalls(new SimulatedClock());
    const factory = vi.fn(() => new Error('unused'));
    calls.rejectAll(factory);
    expect(factory).not.toHaveBeenCalled();
  });
});
