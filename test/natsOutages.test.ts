/**
 * Troupe's NATS queues through server outages: the server SIGKILLed and restarted on the same
 * store mid-stream, and paused (SIGSTOP) and resumed. Each test has a server of its own.
 */

import { readFileSync } from 'node:fs';
import { natsBackend } from '@troupe/nats';
import { QueueEmptyError, TimeoutError } from '@troupe/node-runtime';
import { afterEach, expect, it } from 'vitest';
import { type Job, takeJobs } from './fixtures/natsQueues.js';
import { describeNats, type NatsServer, startNatsServer } from './support/natsServer.js';
import { startSystem } from './support/system.js';

let server: NatsServer | undefined;

describeNats('queues on NATS through server outages', () => {
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async () => {
    server = await startNatsServer();
    // Reconnect quickly and for as long as a test may take.
    const connection = { reconnectTimeWait: 100, maxReconnectAttempts: -1 };
    return startSystem({ backend: natsBackend({ servers: server.url, connection }) });
  };

  it('loses no item when the server is SIGKILLed and restarted on its store mid-stream', async () => {
    const system = await start();
    const n = 600;
    const jobs = system.queue<Job>({ name: `outage-${process.pid}` });
    const consumer = await system.process(takeJobs, jobs, n);
    for (let id = 0; id < n; id++) {
      if (id === n / 2) {
        await (server as NatsServer).kill();
        await (server as NatsServer).restart();
      }
      await jobs.put({ id }, { timeoutMs: 30_000 });
    }
    // Delivered at least once: an item whose ack the dead server never saw may come twice.
    const ids = (await consumer.result()) as number[];
    const missing = Array.from({ length: n }, (_, i) => i).filter((id) => !ids.includes(id));
    if (missing.length > 0) {
      // A duplicate took a missing item's turn in the consumer's count: take the rest.
      const rest = await system.process(takeJobs, jobs, missing.length);
      ids.push(...((await rest.result()) as number[]));
    }
    expect(new Set(ids).size).toBe(n);
  });

  it('rejects put and get with typed timeouts while the server is paused, and works again after', async () => {
    const system = await start();
    const jobs = system.queue<Job>({ name: `paused-${process.pid}` });
    await jobs.put({ id: 1 });
    expect(await jobs.get()).toEqual({ id: 1 });
    (server as NatsServer).signal('SIGSTOP');
    // The stop takes effect when the kernel next schedules the server: wait until it has.
    await expect.poll(() => processState((server as NatsServer).pid()), { interval: 5 }).toBe('T');
    try {
      await expect(jobs.put({ id: 2 }, { timeoutMs: 300 })).rejects.toBeInstanceOf(TimeoutError);
      await expect(jobs.get({ timeoutMs: 300 })).rejects.toBeInstanceOf(QueueEmptyError);
    } finally {
      (server as NatsServer).signal('SIGCONT');
    }
    await jobs.put({ id: 3 }, { timeoutMs: 20_000 });
    // The put that timed out may have landed once the server read it: 2 may come before 3.
    const got = [(await jobs.get({ timeoutMs: 20_000 })).id];
    if (got[0] === 2) got.push((await jobs.get({ timeoutMs: 20_000 })).id);
    expect(got.at(-1)).toBe(3);
  });
});

/** A process's state letter from /proc (`T` once stopped). */
function processState(pid: number): string | undefined {
  return /State:\s+(\w)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
}
