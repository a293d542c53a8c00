import { afterEach, describe, expect, it } from 'vitest';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

const backoff = { minMs: 100, maxMs: 1000, randomFactor: 0.5 };

/** Crashes `id` and returns the delay before its restart, found by stepping the clock 1 ms at a time. */
async function restartDelay(env: ReturnType<typeof setup>, id: string, limit = 10_000): Promise<number> {
  const { runtime, clock } = env;
  runtime.crash(id);
  await flush();
  const before = runtime.log.length;
  for (let waited = 0; waited <= limit; waited++) {
    if (runtime.log.length > before) return waited;
    clock.advance(1);
    await flush(20);
  }
  throw new Error(`${id} not restarted within ${limit} ms`);
}

describe('backoff', () => {
  it('waits min(maxMs, minMs·2^n)·(1 + random·randomFactor) before each restart', async () => {
    const env = setup(
      { strategy: 'one_for_one', maxRestarts: 100, backoff, children: [worker('a')] },
      { random: () => 0.5 },
    );
    await env.sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await restartDelay(env, 'a'));
    // 100, 200, 400, 800, then capped at 1000; each × 1.25.
    expect(delays).toEqual([125, 250, 500, 1000, 1250, 1250]);
  });

  it('is exact to the millisecond on the simulated clock', async () => {
    const env = setup(
      { strategy: 'one_for_one', backoff: { minMs: 300, maxMs: 300 }, children: [worker('a')] },
      { random: () => 0.99 },
    );
    const { sup, runtime, clock } = env;
    await sup.start();
    runtime.clear();
    runtime.crash('a');
    await flush();
    expect(states(sup)).toEqual(['a: backingOff']);
    clock.advance(299);
    await flush();
    expect(runtime.log).toEqual([]);
    clock.advance(1);
    await flush();
    expect(runtime.log).toEqual(['start a#2']);
    expect(states(sup)).toEqual(['a: running']);
  });

  it('resets n once the child has stayed up resetAfterMs (default maxMs)', async () => {
    const env = setup(
      { strategy: 'one_for_one', maxRestarts: 100, backoff, children: [worker('a')] },
      { random: () => 0 },
    );
    await env.sup.start();
    expect(await restartDelay(env, 'a')).toBe(100);
    expect(await restartDelay(env, 'a')).toBe(200);
    env.clock.advance(999);
    expect(await restartDelay(env, 'a')).toBe(400); // up 999 ms: not reset
    env.clock.advance(1000);
    expect(await restartDelay(env, 'a')).toBe(100); // up 1000 ms: reset
  });

  it('takes resetAfterMs from the options', async () => {
    const env = setup(
      {
        strategy: 'one_for_one',
        maxRestarts: 100,
        backoff: { ...backoff, resetAfterMs: 50 },
        children: [worker('a')],
      },
      { random: () => 0 },
    );
    await env.sup.start();
    expect(await restartDelay(env, 'a')).toBe(100);
    env.clock.advance(50);
    expect(await restartDelay(env, 'a')).toBe(100);
  });

  it('keeps a count per child', async () => {
    const env = setup(
      { strategy: 'one_for_one', maxRestarts: 100, backoff, children: [worker('a'), worker('b')] },
      { random: () => 0 },
    );
    await env.sup.start();
    expect(await restartDelay(env, 'a')).toBe(100);
    expect(await restartDelay(env, 'a')).toBe(200);
    expect(await restartDelay(env, 'b')).toBe(100);
  });

  it('one_for_all: stops the siblings at once, then restarts the group after the delay', async () => {
    const env = setup(
      { strategy: 'one_for_all', backoff, children: [worker('a'), worker('b'), worker('c')] },
      { random: () => 0 },
    );
    const { sup, runtime, clock } = env;
    await sup.start();
    runtime.clear();
    runtime.crash('b');
    await flush();
    expect(runtime.log).toEqual(['stop c 5000', 'stop a 5000']);
    expect(states(sup)).toEqual(['a: backingOff', 'b: backingOff', 'c: backingOff']);
    clock.advance(100);
    await flush();
    expect(runtime.log.slice(2)).toEqual(['start a#2', 'start b#2', 'start c#2']);
  });

  it('a crash during the backoff of a later group takes that group over', async () => {
    const env = setup(
      { strategy: 'rest_for_one', backoff, children: [worker('a'), worker('b'), worker('c')] },
      { random: () => 0 },
    );
    const { sup, runtime, clock } = env;
    await sup.start();
    runtime.crash('b'); // b and c back off for 100 ms
    await flush();
    clock.advance(50);
    runtime.clear();
    runtime.crash('a'); // a, b and c back off for 100 ms from now
    await flush();
    expect(states(sup)).toEqual(['a: backingOff', 'b: backingOff', 'c: backingOff']);
    expect(clock.pending).toBe(1);
    clock.advance(99);
    await flush();
    expect(runtime.log).toEqual([]);
    clock.advance(1);
    await flush();
    expect(runtime.log).toEqual(['start a#2', 'start b#2', 'start c#2']);
  });

  it('stop() during a backoff cancels the restart', async () => {
    const env = setup({ strategy: 'one_for_one', backoff, children: [worker('a'), worker('b')] });
    const { sup, runtime, clock } = env;
    await sup.start();
    runtime.crash('a');
    await flush();
    expect(clock.pending).toBe(1);
    runtime.clear();
    await sup.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    await flush();
    expect(runtime.log).toEqual(['stop b 5000', 'retire a', 'retire b']);
    expect(states(sup)).toEqual(['a: stopped', 'b: stopped']);
  });

  it('terminateChild during a backoff cancels its restart', async () => {
    const env = setup({ strategy: 'one_for_one', backoff, children: [worker('a')] });
    const { sup, runtime, clock } = env;
    await sup.start();
    runtime.crash('a');
    await flush();
    runtime.clear();
    await sup.terminateChild('a');
    expect(clock.pending).toBe(0);
    expect(runtime.log).toEqual(['retire a']);
    expect(sup.children()).toEqual([]);
  });
});
