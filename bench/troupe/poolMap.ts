/**
 * Troupe `pool.map` on a pool of 2 worker processes. The pool is started and warmed with one map
 * of the same task and size first (as every side of these figures is); only the next map call is
 * timed. With `steady`, the warm-up is five maps (V8 is still compiling the hot paths during the
 * first few) and the median of the next five is printed. With `cold`, the warm-up is a map of 8
 * items, so the first full map is timed.
 *
 *   poolMap.ts <n> square          # default chunking: ceil(n / (4 · size))
 *   poolMap.ts <n> square 1        # chunk size 1: one dispatch per item
 *   poolMap.ts <n> square 0 cold   # default chunking, the first full map of a fresh pool
 *   poolMap.ts <n> square 0 steady # default chunking, the median of 5 maps after 5 warm-up maps
 *   poolMap.ts <n> fib22           # CPU-bound: fib(22) per item, default chunking
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { ActorSystem, defineTask } from '@troupe/node-runtime';

function fib(k: number): number {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);

export const fib22 = defineTask(import.meta.url, 'fib22', (_: number) => fib(22));

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  const which = process.argv[3] ?? 'square';
  const chunkSize = Number(process.argv[4] ?? 0) || undefined;
  const cold = process.argv[5] === 'cold';
  const steady = process.argv[5] === 'steady';
  const timedCalls = steady ? 5 : 1;
  const options = chunkSize === undefined ? {} : { chunkSize };
  const task = which === 'fib22' ? fib22 : square;
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2 });
  for (let warmUp = 0; warmUp < (steady ? 5 : 1); warmUp++)
    await pool.map(
      task,
      Array.from({ length: cold ? 8 : n }, (_, i) => i),
      options,
    );
  const items = Array.from({ length: n }, (_, i) => i);
  const rates: number[] = [];
  for (let call = 0; call < timedCalls; call++) {
    const started = performance.now();
    const results = await pool.map(task, items, options);
    const elapsed = performance.now() - started;
    if (results.length !== n || results[n - 1] !== (which === 'fib22' ? 17_711 : (n - 1) * (n - 1)))
      throw new Error(`wrong results: ${results.length} items, last ${String(results[n - 1])}`);
    rates.push((n / elapsed) * 1000);
  }
  rates.sort((a, b) => a - b);
  pool.close();
  await pool.join();
  console.log(JSON.stringify({ items_per_s: rates[Math.floor(rates.length / 2)] }));
}
