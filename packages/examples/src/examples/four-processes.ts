/**
 * four-processes — the seed's second example: a pool of four processes maps `printNumber` over
 * `[1, 2, 3, 4]`, and each call prints its number. Then the same four calls as four processes of
 * their own. The workers run in parallel, so within each group the order of the lines may vary.
 *
 * Python:
 *   with Pool(processes=4) as pool: pool.map(print_number, [1, 2, 3, 4])
 * and with Process:
 *   processes = [Process(target=print_number, args=(i,)) for i in [1, 2, 3, 4]]
 */

import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';

/** Prints its number; runs in a worker process, which writes straight to the terminal. */
export const printNumber = defineTask(import.meta.url, 'printNumber', (n: number) => {
  console.log(`Process ${n}: ${n}`);
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();

  // The seed: Pool(processes=4).map(print_number, [1, 2, 3, 4]).
  const pool = await system.pool({ size: 4 });
  await pool.map(printNumber, [1, 2, 3, 4]);
  pool.close();
  await pool.join();

  // The same with Process: start all four before waiting for any, so they run at the same time.
  console.log('The same with four system.process calls:');
  const processes = await Promise.all([1, 2, 3, 4].map((n) => system.process(printNumber, n)));
  await Promise.all(processes.map((p) => p.join()));
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
