/**
 * pool-survives — a worker is SIGKILLed in the middle of a map. Python's Pool would hang for
 * ever; Troupe's loses exactly the item that worker was running, retries it on a fresh worker
 * (`maxRetries: 1`), replaces the worker, and the map completes.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';

/** Doubles `value`; the marked item kills its own worker the first time it runs. */
export const fragileDouble = defineTask(
  import.meta.url,
  'fragileDouble',
  async (job: { value: number; killWorker: boolean; marker: string }) => {
    const { existsSync, writeFileSync } = await import('node:fs');
    if (job.killWorker && !existsSync(job.marker)) {
      writeFileSync(job.marker, 'killed once');
      process.kill(process.pid, 'SIGKILL'); // the worker dies mid-map
    }
    return job.value * 2;
  },
);

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2, maxRetries: 1 });
  const marker = join(mkdtempSync(join(tmpdir(), 'troupe-gallery-')), 'killed');
  const jobs = Array.from({ length: 10 }, (_, i) => ({ value: i, killWorker: i === 4, marker }));
  const results = await pool.map(fragileDouble, jobs, { chunkSize: 1 });
  console.log(`results: [${results.join(', ')}]`);
  // The dead worker is replaced; the pool keeps serving.
  const again = await pool.map(fragileDouble, [{ value: 21, killWorker: false, marker }]);
  console.log(`and the pool still serves: [${again.join(', ')}]`);
  pool.close();
  await pool.join();
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
