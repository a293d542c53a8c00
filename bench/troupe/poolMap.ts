/**
 * Troupe `pool.map` on a pool of worker processes (2 unless a size is given). The pool is started
 * and warmed with one map of the same task and size first (as every side of these figures is);
 * only the next map call is timed. With `steady`, the warm-up is five maps (V8 is still compiling
 * the hot paths during the first few) and the median of the next five is printed. With `cold`,
 * nothing is warmed: the first map of the fresh pool is timed, as a script's only map would be.
 *
 *   poolMap.ts <n> square            # default chunking: ceil(n / (4 · size))
 *   poolMap.ts <n> square 1          # chunk size 1: one dispatch per item
 *   poolMap.ts <n> square 0 cold     # default chunking, the first map of a fresh pool
 *   poolMap.ts <n> square 0 steady   # default chunking, the median of 5 maps after 5 warm-up maps
 *   poolMap.ts <n> fib22             # CPU-bound: fib(22) per item, the item ignored
 *   poolMap.ts <n> fib               # CPU-bound: fib(k) of each item k (all 22), as users write it
 *   poolMap.ts <n> fib 0 warm 1      # the same on a pool of one worker (per-item overhead)
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { ActorSystem, defineTask } from '@troupe/node-runtime';

function fib(k: number): number {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);

export const fib22 = defineTask(import.meta.url, 'fib22', (_: number) => fib(22));

/** A task that uses its integer argument, as a user's would. */
export const fibOf = defineTask(import.meta.url, 'fibOf', (k: number) => fib(k));

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  const which = process.argv[3] ?? 'square';
  const chunkSize = Number(process.argv[4] ?? 0) || undefined;
  const cold = process.argv[5] === 'cold';
  const steady = process.argv[5] === 'steady';
  const size = Number(process.argv[6] ?? 2);
  const timedCalls = steady ? 5 : 1;
  const options = chunkSize === undefined ? {} : { chunkSize };
  const task = which === 'fib22' ? fib22 : which === 'fib' ? fibOf : square;
  const items = Array.from({ length: n }, (_, i) => (which === 'fib' ? 22 : i));
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size });
  for (let warmUp = 0; warmUp < (cold ? 0 : steady ? 5 : 1); warmUp++) await pool.map(task, items, options);
  const rates: number[] = [];
  for (let call = 0; call < timedCalls; call++) {
    const started = performance.now();
    const results = await pool.map(task, items, options);
    const elapsed = performance.now() - started;
    if (results.length !== n || results[n - 1] !== (which.startsWith('fib') ? 17_711 : (n - 1) * (n - 1)))
      throw new Error(`wrong results: ${results.length} items, last ${String(results[n - 1])}`);
    rates.push((n / elapsed) * 1000);
  }
  rates.sort((a, b) => a - b);
  pool.close();
  await pool.join();
  console.log(JSON.stringify({ items_per_s: rates[Math.floor(rates.length / 2)] }));
}
