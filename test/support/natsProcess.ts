/**
 * A real `nats-server` with JetStream, started on loopback with a port and a store of its own and
 * stopped again: for the NATS tests and benchmarks (no test framework in here).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `nats-server` binary on PATH, or undefined. */
export function natsServerBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const binary = natsServerBinary();

/** Why a server cannot be started here, or undefined when it can. */
export const natsMissing =
  binary === undefined
    ? 'nats-server is not installed (Debian: apt-get install nats-server; see README, "NATS")'
    : undefined;

/** A free TCP port on 127.0.0.1 (the server binds it right after: a clash is retried). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store: a restart on it keeps every stream. */
  readonly storeDir: string;
  /** The server's pid (for SIGSTOP/SIGCONT/SIGKILL in a test). */
  pid(): number;
  /** Starts it again on the same port and store (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** SIGKILLs it and waits for it to exit. */
  kill(): Promise<void>;
  /** Sends `signal` (SIGSTOP, SIGCONT, ...) without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Stops it and removes its store. */
  stop(): Promise<void>;
}

function launch(port: number, storeDir: string): Promise<ChildProcess> {
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  const child = spawn(binary as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`nats-server did not start in 10 s:\n${log}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr?.setEncoding('utf8');
    const onData = (chunk: string) => {
      log += chunk;
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        // Keep draining its log so the server never blocks on a full pipe.
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => fail(new Error(`nats-server exited (${code ?? signal}):\n${log}`)));
  });
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a server on a free loopback port with a fresh store. */
export async function startNatsServer(): Promise<NatsServer> {
  if (binary === undefined) throw new Error(natsMissing);
  const storeDir = mkdtempSync(join(tmpdir(), 'troupe-nats-'));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, storeDir);
    } catch (error) {
      // Another process took the port between the probe and the bind: try another.
      if (attempt >= 2) throw error;
    }
  }
  let current: ChildProcess = child;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => current.pid as number,
    restart: async () => {
      current = await launch(port, storeDir);
    },
    kill: async () => {
      current.kill('SIGKILL');
      await ended(current);
    },
    signal: (signal) => {
      current.kill(signal);
    },
    stop: async () => {
      current.kill('SIGTERM');
      await ended(current);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
