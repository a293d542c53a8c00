/**
 * Chaos: real workers SIGKILLed at random while they work. Nothing may be lost, nothing counted
 * twice where the API promises once, nothing may hang. `pnpm chaos` runs the same tests longer
 * (CHAOS_SCALE=10).
 */

import type { ActorSystem, ProcessHandle, SystemEvent } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Counter } from './fixtures/actors.js';
import { consumeIds, spinSquare } from './fixtures/chaos.js';
import { startSystem } from './support/system.js';

const SCALE = Number(process.env.CHAOS_SCALE ?? 1);

/** A seeded generator, so a failing run can be replayed (the seed is in the test name). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** SIGKILLs one of `pids()` every `everyMs` until stopped; returns the kill count. */
function killer(pids: () => number[], everyMs: number, seed: number) {
  const next = random(seed);
  let kills = 0;
  const timer = setInterval(() => {
    const all = pids();
    const pid = all[Math.floor(next() * all.length)];
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
      kills++;
    } catch {
      // it had just exited
    }
  }, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      return kills;
    },
  };
}

const SEED = 20261128;

describe('chaos', () => {
  it(`pool.map over ${10_000 * SCALE} items with a random worker SIGKILLed every 100 ms: every result, once (seed ${SEED})`, async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2, maxRetries: 3 });
    const n = 10_000 * SCALE;
    // 20 µs each: a worker's short life (it is killed every ~100 ms, and a restart costs a process
    // start) still finishes many items, and most kills land mid-chunk.
    const jobs = Array.from({ length: n }, (_, x) => ({ x, spinMs: 0.02 }));
    let done = 0;
    let overshoot = false;
    const chaos = killer(() => pool.pids, 100, SEED);
    let results: number[];
    try {
      results = await pool.map(spinSquare, jobs, {
        chunkSize: 50,
        onProgress: (p) => {
          done = p.done;
          if (p.done > n) overshoot = true;
        },
      });
    } finally {
      const kills = chaos.stop();
      expect(kills).toBeGreaterThan(0);
    }
    expect(results).toHaveLength(n);
    const wrong = results.flatMap((r, x) => (r === x * x ? [] : [x]));
    expect(wrong).toEqual([]);
    expect(done).toBe(n);
    expect(overshoot).toBe(false);
    // And the pool still serves.
    await expect(pool.map(spinSquare, [{ x: 7, spinMs: 0 }])).resolves.toEqual([49]);
  }, 120_000);

  it(`a consumer group with consumers SIGKILLed at random: every id arrives, join() returns (seed ${SEED + 1})`, async () => {
    const system = await startSystem();
    const jobs = system.queue<number>({ joinable: true });
    const done = system.queue<number>();
    const n = 3_000 * SCALE;
    const consumers = new Set<ProcessHandle<void>>();
    const startConsumer = async () => {
      const consumer = await system.process(consumeIds, jobs, done, 0.3);
      consumers.add(consumer);
      void consumer.join().then(() => consumers.delete(consumer));
    };
    // A replacement still starting when the test ends is stopped with the system: not a failure.
    const replace = () => void startConsumer().catch(() => {});
    await Promise.all([startConsumer(), startConsumer(), startConsumer()]);
    // Replace each killed consumer, so the group keeps going.
    const replaced = system.events.subscribe((e: SystemEvent) => {
      if (e.type === 'exited' && e.exit.reason === 'signal') replace();
    });
    const chaos = killer(
      () => [...consumers].flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
      100,
      SEED + 1,
    );
    for (let id = 0; id < n; id++) await jobs.put(id);
    await jobs.join();
    const kills = chaos.stop();
    replaced();
    jobs.close();
    const seen = new Map<number, number>();
    for (;;) {
      const got = await done.tryGet();
      if (got === undefined) break;
      seen.set(got.value, (seen.get(got.value) ?? 0) + 1);
    }
    const missing = Array.from({ length: n }, (_, id) => id).filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
    // At-least-once: an id is seen twice only when its consumer died after reporting it and before
    // finishing it, so repeats are bounded by the kills.
    const repeats = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
    expect(repeats).toBeLessThanOrEqual(kills);
    expect(kills).toBeGreaterThan(0);
  }, 120_000);

  it(`a supervision tree under random kills: restart counts match the kills (seed ${SEED + 2})`, async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 1000,
      withinMs: 60_000,
      children: ['a', 'b', 'c'].map((id) => ({ id, actor: Counter, args: { start: 0 } })),
    });
    const next = random(SEED + 2);
    const kills = 20 * SCALE;
    for (let k = 0; k < kills; k++) {
      const running = sup.children().filter((c) => c.state === 'running' && c.pid !== undefined);
      const victim = running[Math.floor(next() * running.length)];
      if (victim?.pid === undefined) throw new Error('no running child to kill');
      const restarted = system.events.next((e) => e.type === 'restarted' && e.child === victim.id);
      process.kill(victim.pid, 'SIGKILL');
      await restarted;
    }
    const total = sup.children().reduce((sum, c) => sum + c.restarts, 0);
    expect(total).toBe(kills);
    // Every child answers, with a fresh state.
    for (const id of ['a', 'b', 'c']) {
      await expect(sup.child<{ type: 'get' }, number>(id)?.ask({ type: 'get' })).resolves.toBe(0);
    }
  }, 120_000);

  it('a supervision tree escalates once kills exceed its intensity', async () => {
    const system: ActorSystem = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 2,
      withinMs: 60_000,
      children: [{ id: 'a', actor: Counter, args: { start: 0 } }],
    });
    for (let k = 0; k < 2; k++) {
      const restarted = system.events.next((e) => e.type === 'restarted');
      process.kill(sup.children()[0]?.pid as number, 'SIGKILL');
      await restarted;
    }
    process.kill(sup.children()[0]?.pid as number, 'SIGKILL');
    const exit = await sup.exited;
    expect(exit.reason).toBe('escalated');
    expect(sup.children().every((c) => c.state === 'stopped' || c.state === 'failed')).toBe(true);
  });
});
