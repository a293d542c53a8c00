import { afterEach, describe, expect, it, vi } from 'vitest';
import { SerialQueue } from '../../src/supervision/SerialQueue.js';
import { eventReporter } from '../../src/supervision/SupervisionEvent.js';
import { flush } from './fakeRuntime.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures what is queued with queueMicrotask instead of running it. */
function captureMicrotasks(): (() => void)[] {
  const captured: (() => void)[] = [];
  vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
    captured.push(fn);
  });
  return captured;
}

describe('SerialQueue', () => {
  it('runs operations one at a time, in order', async () => {
    const ops = new SerialQueue();
    const log: string[] = [];
    const slow = ops.run(async () => {
      log.push('a start');
      await flush(5);
      log.push('a end');
    });
    const fast = ops.run(async () => {
      log.push('b');
      return 2;
    });
    expect(await fast).toBe(2);
    await slow;
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('keeps going after a failed operation, which rejects its own caller', async () => {
    const ops = new SerialQueue();
    await expect(ops.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await ops.run(async () => 'next')).toBe('next');
  });

  it('post: a failure nobody awaits is rethrown as an uncaught error, not swallowed', async () => {
    const captured = captureMicrotasks();
    const ops = new SerialQueue();
    ops.post(() => Promise.reject(new Error('bug')));
    for (let i = 0; i < 10; i++) await Promise.resolve(); // flush() itself uses queueMicrotask
    expect(captured).toHaveLength(1);
    expect(() => captured[0]?.()).toThrow('bug');
  });
});

describe('eventReporter', () => {
  it('rethrows a listener error as an uncaught error instead of breaking the caller', () => {
    const captured = captureMicrotasks();
    const emit = eventReporter(() => {
      throw new Error('listener bug');
    });
    expect(() => emit({ type: 'childState', supervisor: 's', id: 'a', state: 'running' })).not.toThrow();
    expect(captured).toHaveLength(1);
    expect(() => captured[0]?.()).toThrow('listener bug');
  });
});
