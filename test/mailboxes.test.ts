/** Actor mailboxes: queue (kept outside the actor), shared queue, pipe, and bounded. */

import { ActorCrashedError, QueueFullError, type SystemEvent } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Counter } from './fixtures/actors.js';
import { Logger } from './fixtures/queues.js';
import { startSystem } from './support/system.js';

describe('mailboxes', () => {
  it('messages queued while an actor is down reach its next incarnation, in order; the crashing one is a dead letter', async () => {
    const system = await startSystem();
    const mailbox = system.queue<unknown>();
    const out = system.queue<unknown>();
    const letters: SystemEvent[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'deadLetter') letters.push(e);
    });
    const first = await system.spawn(Logger, { out }, { mailbox });
    await mailbox.put({ v: 1 });
    await expect(out.get()).resolves.toEqual({ v: 1 });
    await mailbox.put('crash');
    await mailbox.put({ v: 2 });
    await mailbox.put({ v: 3 });
    expect((await first.exited).reason).toBe('error');
    await mailbox.put({ v: 4 });
    await system.spawn(Logger, { out }, { mailbox });
    const next = [await out.get(), await out.get(), await out.get()];
    expect(next).toEqual([{ v: 2 }, { v: 3 }, { v: 4 }]);
    expect(letters).toMatchObject([{ type: 'deadLetter', message: 'crash' }]);
  });

  it('several actors share one queue: each message is handled exactly once', async () => {
    const system = await startSystem();
    const work = system.queue<unknown>();
    const out = system.queue<{ by: string; msg: { v: number } }>();
    await Promise.all(['a', 'b'].map((tag) => system.spawn(Logger, { out, tag }, { mailbox: work })));
    for (let v = 0; v < 200; v++) await work.put({ v });
    const seen: { by: string; msg: { v: number } }[] = [];
    for (let i = 0; i < 200; i++) seen.push(await out.get());
    expect(seen.map((s) => s.msg.v).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await out.size()).toBe(0);
  });

  it('a private queue mailbox: when its actor dies, queued messages go to dead letters and queued asks reject', async () => {
    const system = await startSystem();
    const out = system.queue<unknown>();
    const logger = await system.spawn(Logger, { out });
    logger.send({ slow: 100 });
    logger.send('crash');
    logger.send({ v: 9 });
    const pendingAsk = logger.ask({ type: 'count' });
    const failure = await pendingAsk.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ActorCrashedError);
    expect((await logger.exited).reason).toBe('error');
  });

  it('a bounded mailbox sends overflow to dead letters, and sendAsync waits for room', async () => {
    const system = await startSystem();
    const out = system.queue<unknown>();
    const logger = await system.spawn(Logger, { out }, { mailboxCapacity: 2 });
    const letter = system.events.next((e) => e.type === 'deadLetter');
    logger.send({ slow: 60_000 });
    await expect(out.get()).resolves.toBe('busy'); // taken: the actor is busy from now on
    logger.send({ v: 0 });
    logger.send({ v: 1 });
    logger.send({ v: 2 }); // the third queued message: over capacity
    expect(await letter).toMatchObject({ message: { v: 2 }, reason: 'mailbox full' });
    await expect(logger.sendAsync({ v: 3 }, { timeoutMs: 30 })).rejects.toBeInstanceOf(QueueFullError);
    logger.kill();
  });

  it('a growing backlog is reported at 64, 128, ... messages waiting, with the actor and its pid', async () => {
    const system = await startSystem();
    const out = system.queue<unknown>();
    const logger = await system.spawn(Logger, { out });
    const depths: SystemEvent[] = [];
    system.inspect((e) => {
      if (e.type === 'mailboxDepth') depths.push(e);
    });
    logger.send({ slow: 60_000 });
    await expect(out.get()).resolves.toBe('busy');
    for (let v = 0; v < 130; v++) logger.send({ v });
    expect(logger.mailboxDepth).toBe(130);
    expect(depths).toEqual([
      expect.objectContaining({ type: 'mailboxDepth', id: logger.id, pid: logger.pid, depth: 64 }),
      expect.objectContaining({ type: 'mailboxDepth', id: logger.id, pid: logger.pid, depth: 128 }),
    ]);
    logger.kill();
  });

  it("a pipe mailbox delivers straight over the worker's channel", async () => {
    const system = await startSystem();
    const counter = await system.spawn(Counter, { start: 1 }, { mailbox: 'pipe' });
    counter.send({ type: 'inc' });
    await expect(counter.ask({ type: 'get' })).resolves.toBe(2);
  });

  it('refuses a closed queue as a mailbox, before any worker starts', async () => {
    const system = await startSystem();
    const shared = system.queue<unknown>();
    shared.close();
    await expect(system.spawn(Counter, { start: 0 }, { mailbox: shared })).rejects.toThrow(
      /mailbox is a closed queue/,
    );
    expect(system.stats().workers).toBe(0);
  });

  it('refuses a mailbox that is not a queue of this system', async () => {
    const system = await startSystem({ placement: 'local' });
    await expect(
      system.spawn(Counter, { start: 0 }, { mailbox: 'carrier-pigeon' as 'queue' }),
    ).rejects.toThrow(/mailbox/);
    await expect(
      system.spawn(Counter, { start: 0 }, { mailbox: 'pipe', mailboxCapacity: 3 }),
    ).rejects.toThrow(/mailboxCapacity/);
  });
});
