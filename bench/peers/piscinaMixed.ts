/**
 * Piscina (worker threads) with 2 threads on the mixed workload of bench/troupe/mixedMap.ts: every
 * `run()` issued at once and awaited, one task per item. Warmed with 100 items first.
 *
 *   piscinaMixed.ts <n>
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { jobs } from '../troupe/mixedMap.js';

const n = Number(process.argv[2] ?? 10_000);
const pool = new Piscina({
  filename: fileURLToPath(new URL('./piscinaMixedWorker.mjs', import.meta.url)),
  minThreads: 2,
  maxThreads: 2,
});
await Promise.all(jobs(100).map((job) => pool.run(job)));
const items = jobs(n);
const started = performance.now();
const results: { id: number; ok: boolean }[] = await Promise.all(items.map((job) => pool.run(job)));
const elapsed = performance.now() - started;
await pool.destroy();
if (results.length !== n || results.some((r, i) => r.id !== i || !r.ok)) throw new Error('wrong results');
console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
