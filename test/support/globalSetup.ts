/**
 * Marks every process of this test run, and after the run checks that none of its workers (or
 * reapers) is still alive: a leak fails the run.
 */

import { randomUUID } from 'node:crypto';
import { findRunProcesses, waitUntil } from './processes.js';

export function setup(): void {
  process.env.TROUPE_TEST_RUN = randomUUID();
}

export async function teardown(): Promise<void> {
  const runId = process.env.TROUPE_TEST_RUN;
  if (runId === undefined) return;
  // Test workers have just exited; give their reapers a moment to see it.
  const clean = await waitUntil(() => findRunProcesses(runId).length === 0, 5000);
  if (clean) return;
  const left = findRunProcesses(runId);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
  throw new Error(
    `Processes of this test run outlived it: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`,
  );
}
