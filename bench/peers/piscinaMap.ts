/**
 * Piscina (worker threads) with 2 threads: every `run()` issued at once and awaited, one task per
 * item. Warmed with one batch of the same size first; only the next batch is timed.
 *
 *   piscinaMap.ts <n> square | fib22 | fib   (fib: each task is fib(k) of its item k, all 22)
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

const n = Number(process.argv[2] ?? 20_000);
const which = process.argv[3] ?? 'square';
const worker =
  which === 'fib22' ? './piscinaFib.mjs' : which === 'fib' ? './piscinaFibOf.mjs' : './piscinaSquare.mjs';
const item = (i: number) => (which === 'fib' ? 22 : i);
const pool = new Piscina({
  filename: fileURLToPath(new URL(worker, import.meta.url)),
  minThreads: 2,
  maxThreads: 2,
});
await Promise.all(Array.from({ length: n }, (_, i) => pool.run(item(i))));
const started = performance.now();
const results: number[] = await Promise.all(Array.from({ length: n }, (_, i) => pool.run(item(i))));
const elapsed = performance.now() - started;
await pool.destroy();
if (results.length !== n || results[n - 1] !== (which.startsWith('fib') ? 17_711 : (n - 1) * (n - 1)))
  throw new Error(`wrong results: ${results.length} items, last ${String(results[n - 1])}`);
console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
