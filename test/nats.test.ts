/**
 * Troupe's queues on a real nats-server, started by these tests on loopback with a store of its
 * own: systems in separate root processes (as separate hosts) sharing a queue, consumers killed
 * holding items, bounded queues, and bytes on the stream that Troupe did not write.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { natsBackend } from '@troupe/nats';
import { QueueFullError } from '@troupe/node-runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crashOnJob, type Job, takeJobs, workJobs } from './fixtures/natsQueues.js';
import { describeNats, type NatsServer, startNatsServer } from './support/natsServer.js';
import { startSystem, tsxExecArgv } from './support/system.js';

const run = promisify(execFile);
let server: NatsServer;
let unique = 0;
const queueName = (what: string) => `${what}-${process.pid}-${++unique}`;

describeNats('queues on NATS JetStream', () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const start = () => startSystem({ backend: natsBackend({ servers: server.url }) });

  it('takes in one system what another system, in its own root process, put into the same named queue', async () => {
    const system = await start();
    const name = queueName('shared');
    const jobs = system.queue<Job>({ name });
    const host = fileURLToPath(new URL('./fixtures/natsHost.ts', import.meta.url));
    const consumer = await system.process(takeJobs, jobs, 200);
    const { stdout } = await run(process.execPath, [...tsxExecArgv, host, server.url, name, '0', '200'], {
      timeout: 60_000,
    });
    expect(stdout).toContain('done');
    expect(await consumer.result()).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('redelivers the item a SIGKILLed consumer held, and it is worked once by its idempotency key', async () => {
    const system = await start();
    const dir = mkdtempSync(join(tmpdir(), 'troupe-nats-jobs-'));
    try {
      // Joinable: a job is finished when its consumer says so (taskDone), not when it is taken.
      const jobs = system.queue<Job>({ name: queueName('killed'), joinable: true });
      for (let id = 0; id < 20; id++) await jobs.put({ id });
      // The first consumer stops for ever on job 5, holding it (and the read-ahead behind it).
      const doomed = await system.process(workJobs, jobs, dir, 20, 5);
      await expect.poll(() => readIfThere(join(dir, 'stalled')), { timeout: 20_000 }).toBe('5\n');
      process.kill(doomed.pid as number, 'SIGKILL');
      await doomed.exited;
      const survivor = await system.process(workJobs, jobs, dir, 20 - doneCount(dir), null);
      await survivor.join();
      await jobs.join({ timeoutMs: 20_000 });
      const worked = readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').map(Number);
      expect([...worked].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dead-letters an item whose consumers keep crashing on it, and `troupe dlq replay` puts it back', async () => {
    const system = await start();
    const name = queueName('poison');
    const jobs = system.queue<Job>({ name, joinable: true, maxDeliveries: 2 });
    await jobs.put({ id: 13 });
    for (let i = 0; i < 2; i++) {
      const consumer = await system.process(crashOnJob, jobs);
      await expect(consumer.result()).rejects.toThrow(/job 13 is poison/);
    }
    const troupe = fileURLToPath(new URL('../packages/node-runtime/bin/troupe.js', import.meta.url));
    const cli = (...args: string[]) =>
      run(process.execPath, [troupe, 'dlq', ...args, name, '--nats', server.url]);
    await expect.poll(async () => (await cli('ls')).stdout, { timeout: 10_000 }).toMatch(/delivered 2 times/);
    expect((await cli('ls')).stdout).toContain('{ id: 13 }');
    expect((await cli('replay')).stdout).toContain('Replayed 1 dead letter(s)');
    expect((await cli('ls')).stdout).toContain('No dead letters');
    expect(await jobs.get({ timeoutMs: 10_000 })).toEqual({ id: 13 });
    jobs.taskDone();
  });

  it('makes a put to a full bounded queue wait, and time out with QueueFullError', async () => {
    const system = await start();
    const jobs = system.queue<Job>({ name: queueName('bounded'), capacity: 2 });
    await jobs.put({ id: 1 });
    await jobs.put({ id: 2 });
    await expect(jobs.put({ id: 3 }, { timeoutMs: 200 })).rejects.toBeInstanceOf(QueueFullError);
    const waiting = jobs.put({ id: 3 }, { timeoutMs: 20_000 });
    expect(await jobs.get()).toEqual({ id: 1 });
    await waiting;
    expect([await jobs.get(), await jobs.get()]).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('dead-letters a message on the stream that Troupe did not write; consumers carry on', async () => {
    const system = await start();
    const name = queueName('foreign');
    const jobs = system.queue<Job>({ name });
    const deadLetters: unknown[] = [];
    system.events.subscribe((event) => {
      if (event.type === 'deadLetter') deadLetters.push(event);
    });
    await jobs.put({ id: 1 });
    await publishRaw(server.url, `TROUPE.q.${name}`, 'not a troupe item');
    await jobs.put({ id: 2 });
    const consumer = await system.process(takeJobs, jobs, 2);
    expect(await consumer.result()).toEqual([1, 2]);
    await expect.poll(() => deadLetters.length, { timeout: 10_000 }).toBe(1);
  });
});

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function doneCount(dir: string): number {
  return readIfThere(join(dir, 'log')).split('\n').filter(Boolean).length;
}

/** Publishes bytes with the plain NATS client: what another program might put on the subject. */
async function publishRaw(url: string, subject: string, text: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: url });
  try {
    await nc.request(subject, new TextEncoder().encode(text), { timeout: 5000 });
  } finally {
    await nc.close();
  }
}
