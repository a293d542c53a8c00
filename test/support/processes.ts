/** Looking at processes through /proc, for tests that check what is alive. */

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';

/** True while `pid` is a live process (a zombie counts as gone: it runs nothing). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Checks `condition` every 10 ms until it holds or `timeoutMs` passes. For facts the OS gives
 * no event for (a foreign process disappearing); resolves with whether it held.
 */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Troupe worker and reaper processes (and nats-servers the tests started) whose environment carries this test run's id. */
export function findRunProcesses(runId: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!/workerMain\.js|reaperMain\.js|^troupe: |nats-server |troupe\.js node /.test(cmd)) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`TROUPE_TEST_RUN=${runId}`)) continue;
      if (isAlive(pid)) found.push({ pid, cmd: cmd.trim() });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Live Troupe worker processes whose parent is `parent` (default: this test process). */
export function workerChildren(parent = process.pid): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== parent || state === 'Z' || state === 'X') continue;
      if (/workerMain|^troupe: /.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) found.push(pid);
    } catch {
      // gone while we looked
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * SIGKILLs `root` and waits up to a second for `pids` (its workers) to die with it. True if they
 * all did; any left alive are killed here, so a failing test leaves nothing behind.
 */
export async function goneWithRoot(root: ChildProcess, pids: readonly number[]): Promise<boolean> {
  const exited = once(root, 'exit');
  root.kill('SIGKILL');
  await exited;
  const gone = await waitUntil(() => !pids.some(isAlive), 1000);
  if (!gone) for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
  return gone;
}

/** Live processes descended from `pid` (children, their children, ...), by walking /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), child]);
    } catch {
      // gone while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      if (isAlive(child)) found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}
