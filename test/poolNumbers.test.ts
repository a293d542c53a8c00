/**
 * Numbers keep their representation through a pool: an integer put in reaches the task as a
 * small integer (V8's Smi), which integer-heavy code needs to run at full speed (runs of numbers
 * used to travel as Float64Arrays, and a task got every integer as a double). The speed itself
 * is a benchmark line (`pnpm bench`: "per-item overhead of a CPU-bound task").
 */

import { describe, expect, it } from 'vitest';
import { identity, numberKind } from './fixtures/pool.js';
import { startSystem, tsxExecArgv } from './support/system.js';

describe('pool numbers', () => {
  it('reach a task as small integers when they are integers, however the items travel', async () => {
    const system = await startSystem({ execArgv: [...tsxExecArgv, '--allow-natives-syntax'] });
    const pool = await system.pool({ size: 2 });
    const items = Array.from({ length: 100 }, (_, i) => i * 3 - 50);
    for (const options of [{}, { chunkSize: 1 }, { chunkSize: 7 }]) {
      const kinds = await pool.map(numberKind, items, options);
      expect(kinds, JSON.stringify(options)).toEqual(items.map(() => ({ integer: true, small: true })));
    }
    const streamed: unknown[] = [];
    for await (const kind of pool.imap(numberKind, items.slice(0, 20))) streamed.push(kind);
    expect(streamed).toEqual(Array(20).fill({ integer: true, small: true }));
    const [alone] = await pool.apply(numberKind, 7).then((kind) => [kind]);
    expect(alone).toEqual({ integer: true, small: true });
  });

  it('come back exact, integers and every other number, on every path', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 2 });
    const integers = Array.from({ length: 40 }, (_, i) => (i - 20) * 100_000);
    // -0 is left out: it arrives as 0, as documented for every message (msgpack has no -0).
    const others = [
      ...integers.slice(0, 20),
      0.5,
      2 ** 31,
      -(2 ** 31) - 1,
      Number.NaN,
      1e300,
      Number.EPSILON,
    ];
    for (const items of [integers, others]) {
      for (const options of [{}, { chunkSize: 1 }]) {
        const back = await pool.map(identity, items, options);
        expect(back.length).toBe(items.length);
        for (const [i, value] of items.entries())
          expect(Object.is(back[i], value), `${i}: ${value} came back as ${back[i]}`).toBe(true);
      }
    }
  });
});
