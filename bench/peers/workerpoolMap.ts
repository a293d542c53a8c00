/**
 * workerpool with 2 worker processes (`workerType: 'process'`): every `exec()` issued at once and
 * awaited, one task per item. Warmed with one batch of the same size first; only the next batch is
 * timed. The worker is plain JavaScript (workerpool forks it without this process's `execArgv`);
 * startup is not timed anyway.
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';

const n = Number(process.argv[2] ?? 20_000);
const pool = workerpool.pool(fileURLToPath(new URL('./workerpoolSquare.mjs', import.meta.url)), {
  workerType: 'process',
  minWorkers: 2,
  maxWorkers: 2,
});
const batch = () =>
  Promise.all(Array.from({ length: n }, (_, i) => pool.exec('square', [i]) as Promise<number>));
await batch();
const started = performance.now();
const results = await batch();
const elapsed = performance.now() - started;
await pool.terminate();
if (results.length !== n || results[n - 1] !== (n - 1) * (n - 1))
  throw new Error(`wrong results: ${results.length} items, last ${String(results[n - 1])}`);
console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
