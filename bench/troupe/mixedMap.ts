/**
 * A mixed workload, shaped like a user's batch job: n items `{ id, ms, tags }`, each taking 1–5 ms
 * of work (a busy loop for `ms` milliseconds, `ms = 1 + id % 5`, so every side does the same work
 * whatever its language) and returning a small object `{ id, ok, spins }`. `pool.map` with default
 * chunking on 2 worker processes, warmed with a map of 100 such items first (as every side is).
 *
 *   mixedMap.ts <n>
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

import { ActorSystem, defineTask } from '@troupe/node-runtime';

/** One item of work. */
export interface Job {
  readonly id: number;
  readonly ms: number;
  readonly tags: readonly string[];
}

/** Busy for `job.ms` milliseconds; returns a small object. */
export function work(job: Job): { id: number; ok: boolean; spins: number } {
  const end = performance.now() + job.ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return { id: job.id, ok: job.tags.length === 2, spins };
}

export const mixed = defineTask(import.meta.url, 'mixed', work);

/** The n items every side runs. */
export const jobs = (n: number): Job[] =>
  Array.from({ length: n }, (_, id) => ({ id, ms: 1 + (id % 5), tags: ['batch', 'mixed'] }));

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2 });
  await pool.map(mixed, jobs(100));
  const items = jobs(n);
  const started = performance.now();
  const results = await pool.map(mixed, items);
  const elapsed = performance.now() - started;
  if (results.length !== n || results.some((r, i) => r.id !== i || !r.ok)) throw new Error('wrong results');
  pool.close();
  await pool.join();
  console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
}
