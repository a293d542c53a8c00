/**
 * four-processes — the seed's second example: four processes, each printing its own number.
 * They run in parallel, so the order of the lines may vary from run to run.
 *
 * Python:
 *   processes = [Process(target=print_number, args=(i,)) for i in range(4)]
 */

import { ActorSystem, defineTask } from '@troupe/node-runtime';

export const printNumber = defineTask(import.meta.url, 'printNumber', (n: number) => {
  console.log(`Process ${n}: ${n}`);
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  // Start all four before waiting for any: they run at the same time.
  const processes = await Promise.all([0, 1, 2, 3].map((n) => system.process(printNumber, n)));
  await Promise.all(processes.map((p) => p.join()));
}
