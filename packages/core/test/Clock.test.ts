import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock, SimulatedClock } from '../src/Clock.js';

describe('SimulatedClock', () => {
  it('starts at zero and moves only when advanced', () => {
    const clock = new SimulatedClock();
    expect(clock.now()).toBe(0);
    clock.advance(250);
    expect(clock.now()).toBe(250);
    clock.advance(0);
    expect(clock.now()).toBe(250);
  });

  it('fires a timer when its due time is reached, not before', () => {
    const clock = new SimulatedClock();
    let fired = 0;
    clock.setTimeout(() => fired++, 100);
    clock.advance(99);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    clock.advance(1000);
    expect(fired).toBe(1);
  });

  it('fires due timers in order of due time, whatever the order they were set in', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('c'), 30);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('b'), 20);
    clock.advance(30);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('fires timers due at the same time in creation order', () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    for (let i = 0; i < 10; i++) clock.setTimeout(() => fired.push(i), 50);
    clock.advance(50);
    expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shows each timer the time it fell due, and the target time afterwards', () => {
    const clock = new SimulatedClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 10);
    clock.setTimeout(() => seen.push(clock.now()), 25);
    clock.advance(100);
    expect(seen).toEqual([10, 25]);
    expect(clock.now()).toBe(100);
  });

  it('fires, in the same advance, a timer set by a timer when it falls due within it', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push(`outer@${clock.now()}`);
      clock.setTimeout(() => fired.push(`inner@${clock.now()}`), 5);
      clock.setTimeout(() => fired.push(`late@${clock.now()}`), 50);
    }, 10);
    clock.setTimeout(() => fired.push(`sibling@${clock.now()}`), 20);
    clock.advance(20);
    expect(fired).toEqual(['outer@10', 'inner@15', 'sibling@20']);
    clock.advance(39);
    expect(fired).toHaveLength(3);
    clock.advance(1);
    expect(fired).toEqual(['outer@10', 'inner@15', 'sibling@20', 'late@60']);
  });

  it('fires a zero-delay timer set by a timer after the timers already due at that time', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('first');
      clock.setTimeout(() => fired.push('nested'), 0);
    }, 10);
    clock.setTimeout(() => fired.push('second'), 10);
    clock.advance(10);
    expect(fired).toEqual(['first', 'second', 'nested']);
  });

  it('treats a NaN delay as zero and never fires an infinite one', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`nan@${clock.now()}`), Number.NaN);
    clock.setTimeout(() => fired.push('infinite'), Number.POSITIVE_INFINITY);
    clock.advance(5);
    expect(fired).toEqual(['nan@0']);
    clock.advance(Number.MAX_SAFE_INTEGER);
    expect(fired).toEqual(['nan@0']);
    expect(clock.pending).toBe(1);
  });

  it('treats a negative delay as zero', () => {
    const clock = new SimulatedClock();
    clock.advance(40);
    let firedAt: number | undefined;
    clock.setTimeout(() => (firedAt = clock.now()), -10);
    clock.advance(0);
    expect(firedAt).toBe(40);
  });

  it('never fires a cleared timer', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const cleared = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 10);
    clock.clearTimeout(cleared);
    clock.advance(100);
    expect(fired).toEqual(['kept']);
  });

  it('lets a timer clear another due at the same time', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('first');
      clock.clearTimeout(victim);
    }, 10);
    const victim = clock.setTimeout(() => fired.push('victim'), 10);
    clock.advance(10);
    expect(fired).toEqual(['first']);
  });

  it('ignores clearing a timer that has fired or was cleared already', () => {
    const clock = new SimulatedClock();
    let fired = 0;
    const handle = clock.setTimeout(() => fired++, 5);
    clock.advance(5);
    expect(() => clock.clearTimeout(handle)).not.toThrow();
    clock.clearTimeout(handle);
    const other = clock.setTimeout(() => fired++, 5);
    clock.clearTimeout(other);
    clock.clearTimeout(other);
    clock.advance(10);
    expect(fired).toBe(1);
  });

  it('counts the timers still waiting', () => {
    const clock = new SimulatedClock();
    expect(clock.pending).toBe(0);
    const a = clock.setTimeout(() => {}, 10);
    clock.setTimeout(() => {}, 20);
    clock.setTimeout(() => {}, 30);
    expect(clock.pending).toBe(3);
    clock.clearTimeout(a);
    expect(clock.pending).toBe(2);
    clock.advance(20);
    expect(clock.pending).toBe(1);
    clock.advance(10);
    expect(clock.pending).toBe(0);
  });
});

describe('realClock', () => {
  it('reads a monotonic time in milliseconds', () => {
    const a = realClock.now();
    const b = realClock.now();
    expect(typeof a).toBe('number');
    expect(b).toBeGreaterThanOrEqual(a);
  });

  it('fires timers and does not keep the process alive with them', async () => {
    let handle: unknown;
    await new Promise<void>((resolve) => {
      handle = realClock.setTimeout(resolve, 0);
    });
    expect((handle as { hasRef(): boolean }).hasRef()).toBe(false);
  });

  it('never fires a cleared timer', async () => {
    const fired: string[] = [];
    const cleared = realClock.setTimeout(() => fired.push('cleared'), 0);
    realClock.clearTimeout(cleared);
    // Node fires timers of equal delay in the order they were set: by the time the second one
    // fires, the first would have.
    await new Promise<void>((resolve) => {
      realClock.setTimeout(() => {
        fired.push('later');
        resolve();
      }, 0);
    });
    expect(fired).toEqual(['later']);
  });
});

// Node keeps a delay of at most 2^31 - 1 ms and fires a longer one after 1 ms; vitest's fake timers
// do the same, so they show whether the real clock chains its timers.
describe('realClock past the host timer limit (fake timers)', () => {
  const LIMIT = 2 ** 31 - 1;

  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([2 ** 31, 2 ** 40, 3 * LIMIT])('fires a %d ms timer when due, not before', (ms) => {
    vi.useFakeTimers();
    let firedAt: number | undefined;
    const start = Date.now();
    realClock.setTimeout(() => (firedAt = Date.now() - start), ms);
    vi.advanceTimersByTime(1);
    expect(firedAt).toBeUndefined();
    vi.advanceTimersByTime(ms - 2);
    expect(firedAt).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1); // one link of the chain at a time
    vi.advanceTimersByTime(1);
    expect(firedAt).toBe(ms);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires a timer of exactly the limit with a single host timer', () => {
    vi.useFakeTimers();
    let fired = 0;
    realClock.setTimeout(() => fired++, LIMIT);
    vi.advanceTimersByTime(LIMIT - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it('never fires a long timer cleared before its first link ends, or after', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const early = realClock.setTimeout(() => fired.push('early'), 2 ** 40);
    const late = realClock.setTimeout(() => fired.push('late'), 2 ** 40);
    realClock.clearTimeout(early);
    vi.advanceTimersByTime(5 * LIMIT);
    realClock.clearTimeout(late);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 ** 40);
    expect(fired).toEqual([]);
  });

  it('keeps waiting on an infinite delay without firing', () => {
    vi.useFakeTimers();
    let fired = false;
    const handle = realClock.setTimeout(() => (fired = true), Number.POSITIVE_INFINITY);
    vi.advanceTimersByTime(4 * LIMIT);
    expect(fired).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    realClock.clearTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not keep the process alive with any link of a chain', () => {
    vi.useFakeTimers();
    const links: ReturnType<typeof setTimeout>[] = [];
    const host = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const link = host(fn, ms);
      links.push(link);
      return link;
    }) as typeof setTimeout);
    try {
      realClock.setTimeout(() => {}, 2 ** 32);
      vi.advanceTimersByTime(LIMIT);
    } finally {
      spy.mockRestore();
    }
    expect(links.map((link) => link.hasRef())).toEqual([false, false]);
  });
});
