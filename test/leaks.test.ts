/**
 * Leaks: many spawn / crash / restart cycles leave the root's open files and memory flat, and no
 * zombie behind. `pnpm chaos` runs 10× as many cycles (CHAOS_SCALE=10: 600 per placement, 1,200 in all).
 */

import { readdirSync, readFileSync } from 'node:fs';
import type { Placement } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Crasher } from './fixtures/actors.js';
import { startSystem } from './support/system.js';

const SCALE = Number(process.env.CHAOS_SCALE ?? 1);

const openFiles = () => readdirSync('/proc/self/fd').length;

/** The pids of this process's children that are zombies (exited, not reaped). */
function zombieChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('leaks', () => {
  it.each<[Exclude<Placement, 'local'>, number]>([
    ['process', 60 * SCALE],
    ['thread', 60 * SCALE],
  ])(
    '%s placement: %i crash and restart cycles leave open files, memory and zombies flat',
    async (placement, cycles) => {
      const system = await startSystem();
      const sup = await system.supervise({
        strategy: 'one_for_one',
        maxRestarts: cycles * 2,
        withinMs: 3_600_000,
        children: [{ id: 'crasher', actor: Crasher, args: undefined, placement } as never],
      });
      const crasher = sup.child<{ type: 'throw' } | { type: 'ping' }, unknown>('crasher');
      if (crasher === undefined) throw new Error('no crasher child');
      const cycle = async () => {
        const restarted = system.events.next((e) => e.type === 'restarted');
        crasher.send({ type: 'throw' });
        await restarted;
        await crasher.ask({ type: 'ping' });
      };
      // Warm up first: the first restarts allocate what every later one reuses.
      for (let i = 0; i < 20; i++) await cycle();
      const files = openFiles();
      const rss = process.memoryUsage().rss;
      for (let i = 0; i < cycles; i++) await cycle();
      const grewMb = (process.memoryUsage().rss - rss) / 2 ** 20;
      expect(openFiles() - files).toBeLessThanOrEqual(2);
      expect(grewMb).toBeLessThan(40);
      expect(sup.children()[0]?.restarts).toBe(cycles + 20);
      expect(zombieChildren()).toEqual([]);
      console.log(
        `${placement}: ${cycles} cycles, open files ${files} -> ${openFiles()}, RSS +${grewMb.toFixed(1)} MB`,
      );
    },
    300_000,
  );
});
