import { describe, expect, it } from 'vitest';
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
