/**
 * Leases on NATS: an item held by a host that vanishes (its root SIGKILLed, nothing left to say
 * so) is delivered again after the ack timeout; an item a live consumer works on for longer than
 * that is not. And actors whose mailboxes are queues on NATS work as they do on one host.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { natsBackend } from '@troupe/nats';
import { QueueEmptyError } from '@troupe/node-runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Counter } from './fixtures/actors.js';
import type { Job } from './fixtures/natsQueues.js';
import { describeNats, type NatsServer, startNatsServer } from './support/natsServer.js';
import { startSystem, tsxExecArgv } from './support/system.js';

/** Short, so a vanished holder's items come back within the test; live holders renew well before. */
const ACK_WAIT_MS = 1500;
let server: NatsServer;

describeNats('leases on NATS', () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const start = () => startSystem({ backend: natsBackend({ servers: server.url, ackWaitMs: ACK_WAIT_MS }) });

  it('delivers again, after the ack timeout, what a SIGKILLed host held', async () => {
    const system = await start();
    const name = `vanish-${process.pid}`;
    const jobs = system.queue<Job>({ name, joinable: true });
    for (let id = 0; id < 3; id++) await jobs.put({ id });
    const holder = spawn(
      process.execPath,
      [
        ...tsxExecArgv,
        fileURLToPath(new URL('./fixtures/natsHolder.ts', import.meta.url)),
        server.url,
        name,
        '3',
        String(ACK_WAIT_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && resolve());
        holder.once('exit', () => reject(new Error('the holder exited before holding')));
      });
      // Held elsewhere: nothing for this system now.
      await expect(jobs.get({ timeoutMs: 200 })).rejects.toBeInstanceOf(QueueEmptyError);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    const again = [];
    for (let i = 0; i < 3; i++) again.push((await jobs.get({ timeoutMs: 20_000 })).id);
    expect(again.sort()).toEqual([0, 1, 2]);
  });

  it('keeps an item with a live consumer that works on it for longer than the ack timeout', async () => {
    const system = await start();
    const jobs = system.queue<Job>({ name: `long-${process.pid}`, joinable: true });
    await jobs.put({ id: 7 });
    expect(await jobs.get({ timeoutMs: 10_000 })).toEqual({ id: 7 });
    // Twice the ack timeout, held and unfinished: its lease is renewed, nobody else gets it.
    await expect(jobs.get({ timeoutMs: 2 * ACK_WAIT_MS })).rejects.toBeInstanceOf(QueueEmptyError);
    jobs.taskDone();
    await jobs.join({ timeoutMs: 10_000 });
  });

  it('runs actors whose mailboxes are queues on NATS: messages sent, then an ask, answered in order', async () => {
    const system = await start();
    const counter = await system.spawn(Counter, { start: 5 });
    counter.send({ type: 'inc' });
    counter.send({ type: 'inc' });
    expect(await counter.ask({ type: 'get' }, { timeoutMs: 10_000 })).toBe(7);
    await counter.stop();
  });
});
