/**
 * imap-progress — `imap` over a large, lazily generated input, with a live progress bar. Results
 * arrive in input order while the input is still being read; the pool never holds more than a
 * bounded number of items. On a terminal the bar redraws in place; otherwise it prints a line
 * per quarter.
 */

import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';
import { Presets, SingleBar } from 'cli-progress';

/** A little CPU work per item: is `n` prime? */
export const isPrime = defineTask(import.meta.url, 'isPrime', (n: number) => {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
});

function* numbers(count: number): Generator<number> {
  for (let n = 1_000_000; n < 1_000_000 + count; n++) yield n; // produced on demand
}

export async function run(): Promise<void> {
  const total = 20_000;
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2 });
  const tty = process.stdout.isTTY === true;
  const bar = new SingleBar(
    { format: '{bar} {percentage}% | {value}/{total} checked', noTTYOutput: false },
    Presets.shades_classic,
  );
  if (tty) bar.start(total, 0);
  let checked = 0;
  let primes = 0;
  for await (const prime of pool.imap(isPrime, numbers(total), { chunkSize: 50 })) {
    checked++;
    if (prime) primes++;
    if (tty) bar.update(checked);
    else if (checked % (total / 4) === 0) console.log(`${checked}/${total} checked`);
  }
  if (tty) bar.stop();
  console.log(`${primes} primes between 1000000 and ${1_000_000 + total}`);
  pool.close();
  await pool.join();
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
