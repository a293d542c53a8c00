/**
 * A nats-server for the examples that need one: `NATS_URL` if set, else one of their own on a
 * loopback port (`nats-server` on PATH; Debian: `apt-get install nats-server`), else none.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A nats-server of this example's own, on a loopback port, or undefined when there is none. */
export async function startServer(): Promise<{ url: string; stop(): void } | undefined> {
  try {
    execFileSync('sh', ['-c', 'command -v nats-server'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const store = mkdtempSync(join(tmpdir(), 'troupe-example-nats-'));
  // A port free a moment ago (listening on port 0 picks one).
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const server: ChildProcess = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk;
      if (log.includes('Server is ready')) resolve();
    });
    server.once('exit', () => reject(new Error(`nats-server did not start:\n${log}`)));
  });
  server.stderr?.resume();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () => {
      server.kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
