/**
 * pool-squares — the seed's headline: a pool of 2 worker processes squares five numbers in
 * parallel; results come back in input order.
 *
 * Python:
 *   with Pool(2) as pool: print("Squared results:", pool.map(square, [1, 2, 3, 4, 5]))
 */

import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';

export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2 });
  const results = await pool.map(square, [1, 2, 3, 4, 5]);
  console.log(`Squared results: [${results.join(', ')}]`);
  pool.close();
  await pool.join();
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
