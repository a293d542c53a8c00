/**
 * The floor for spawn to ready: a bare `child_process.fork` (or `new Worker`) of a tiny module that
 * says 'ready' once loaded, timed from the call to the 'ready' message. For fairness with Troupe,
 * whose workers inherit this process's `execArgv` (`--import tsx`), the child is forked with the
 * same `process.execArgv` and the thread registers tsx itself (readyThread.mjs), so both sides pay
 * for the TypeScript loader. Stopping each worker is not timed; one untimed spawn warms up first.
 *
 *   spawnReady.ts <n> process | thread
 *
 * Prints one JSON line: {"ms": <mean ms per spawn>}.
 */

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Starts one bare worker; resolves when it is ready, with a function that stops it. */
export async function startBare(
  placement: string,
): Promise<{ pid?: number | undefined; stop(): Promise<void> }> {
  if (placement === 'thread') {
    const worker = new Worker(new URL('./readyThread.mjs', import.meta.url), { execArgv: process.execArgv });
    await once(worker, 'message');
    return { stop: async () => void (await worker.terminate()) };
  }
  const child = fork(fileURLToPath(new URL('./readyChild.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
  });
  await once(child, 'message');
  return {
    pid: child.pid,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20);
  const placement = process.argv[3] ?? 'process';
  await (await startBare(placement)).stop();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const worker = await startBare(placement);
    total += performance.now() - started;
    await worker.stop();
  }
  console.log(JSON.stringify({ ms: total / n }));
}
