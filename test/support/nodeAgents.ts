/**
 * Node agents for the cluster tests and benchmarks: each a real `troupe node` process (the CLI, as
 * an operator starts it), on a NATS server the test started on loopback. No test framework in
 * here; the caller stops what it starts.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { descendantsOf, isAlive, waitUntil } from './processes.js';

const troupeBin = fileURLToPath(new URL('../../packages/node-runtime/bin/troupe.js', import.meta.url));

export interface AgentOptions {
  readonly url: string;
  readonly name: string;
  readonly heartbeatMs?: number;
  readonly prefix?: string;
  /** Passed as TROUPE_SECRET. */
  readonly secret?: string;
}

export interface Agent {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** What it printed so far. */
  output(): string;
  /** Its live worker processes (and their reapers), by walking /proc. */
  workers(): number[];
  /** SIGKILLs it and waits for it to exit. */
  kill(): Promise<void>;
  /** SIGTERMs it and waits for it to exit (it stops its workers first). */
  stop(): Promise<number | null>;
  /** Sends `signal` without waiting (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `troupe node` under tsx (its workers import the TypeScript fixtures) and waits until it is up. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const args = [
    '--import',
    'tsx',
    troupeBin,
    'node',
    '--nats',
    options.url,
    '--name',
    options.name,
    ...(options.heartbeatMs === undefined ? [] : ['--heartbeat-ms', String(options.heartbeatMs)]),
    ...(options.prefix === undefined ? [] : ['--prefix', options.prefix]),
  ];
  const env = { ...process.env, ...(options.secret === undefined ? {} : { TROUPE_SECRET: options.secret }) };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    log += chunk;
  });
  const exited = once(child, 'exit');
  const up = await Promise.race([waitUntil(() => log.includes(': up ('), 30_000), exited.then(() => false)]);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`troupe node ${options.name} did not come up:\n${log}`);
  }
  const pid = child.pid as number;
  const killTree = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return {
    name: options.name,
    process: child,
    pid,
    output: () => log,
    workers: () => descendantsOf(pid),
    kill: async () => {
      const left = descendantsOf(pid);
      await killTree('SIGKILL');
      // Its reaper ends its workers; a test that fails still leaves nothing behind.
      if (!(await waitUntil(() => !left.some(isAlive), 3000)))
        for (const p of left.filter(isAlive)) process.kill(p, 'SIGKILL');
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
    signal: (signal) => child.kill(signal),
  };
}
