/**
 * One delivery path: a message reaches an actor the same way whoever sends it (the root or
 * another actor), portables arrive whole in every direction, and a pipe end answers only to the
 * worker that holds it.
 */

import type { Connection, Placement, Queue, SystemEvent } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Counter } from './fixtures/actors.js';
import { Holder, type HolderMsg, Relay, type RelayMsg } from './fixtures/delivery.js';
import { rawFrame } from './fixtures/exposure.js';
import { echo } from './fixtures/pipes.js';
import { Worker, type WorkerMsg } from './fixtures/supervised.js';
import { startSystem } from './support/system.js';

const WAIT = { timeoutMs: 20_000 };

describe('delivery', () => {
  it('a message and an ask another actor sends during a restart backoff reach the next incarnation', async () => {
    const system = await startSystem();
    const log = system.queue<unknown>();
    const letters: SystemEvent[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'deadLetter') letters.push(e);
    });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      backoff: { minMs: 1500, maxMs: 1500, randomFactor: 0 },
      children: [{ id: 'w', actor: Worker, args: { log } }],
    });
    const w = sup.child<WorkerMsg, number>('w');
    if (w === undefined) throw new Error('no child w');
    const before = await w.ask({ type: 'pid' }, WAIT);
    const relay = await system.spawn(Relay, null);
    let restarted = false;
    const restart = system.events.next((e) => e.type === 'restarted' && e.child === 'w');
    void restart.then(() => {
      restarted = true;
    });
    const exited = system.events.next((e) => e.type === 'exited' && e.id === w.id);
    w.send({ type: 'crash' });
    await exited;
    // In the gap: the child is down and waits out its backoff.
    const sent = await relay.ask({ type: 'send', to: w, msg: { type: 'record', value: 'in the gap' } }, WAIT);
    const asked = relay.ask({ type: 'ask', to: w, msg: { type: 'pid' }, timeoutMs: 20_000 }, WAIT);
    expect(sent).toBe('sent');
    expect(restarted, 'the restart came before the relay had sent').toBe(false);
    await expect(log.get(WAIT)).resolves.toBe('in the gap');
    const answer = (await asked) as { value?: number; error?: string };
    expect(answer.error).toBeUndefined();
    expect(answer.value).not.toBe(before);
    expect(answer.value).toBe(await w.ask({ type: 'pid' }, WAIT));
    // The one dead letter is the message that crashed it.
    expect(letters).toMatchObject([{ type: 'deadLetter', message: { type: 'crash' } }]);
  });

  it("a message another actor sends to an actor that has gone is a dead letter addressed by the actor's id and name", async () => {
    const system = await startSystem();
    const counter = await system.spawn(Counter, { start: 0 }, { name: 'gone-counter' });
    const relay = await system.spawn(Relay, null);
    await counter.stop();
    const letter = system.events.next((e) => e.type === 'deadLetter');
    await relay.ask({ type: 'send', to: counter, msg: { type: 'inc' } }, WAIT);
    expect(await letter).toMatchObject({
      type: 'deadLetter',
      to: { id: counter.id, name: 'gone-counter' },
      message: { type: 'inc' },
    });
  });

  const placements: [Placement, Placement][] = [
    ['process', 'process'],
    ['thread', 'thread'],
    ['process', 'thread'],
  ];
  for (const [from, to] of placements) {
    it(`a queue forwarded from a ${from} actor to a ${to} actor arrives usable`, async () => {
      const system = await startSystem();
      const relay = await system.spawn(Relay, null, { placement: from });
      const holder = await system.spawn(Holder, null, { placement: to });
      const q = system.queue<string>();
      const report = system.queue<string>();
      const msg: HolderMsg = { type: 'queue', q, report };
      await relay.ask({ type: 'send', to: holder, msg }, WAIT);
      await expect(report.get(WAIT)).resolves.toBe('queue used');
      await expect(q.get(WAIT)).resolves.toBe('holder put');
    });

    it(`a pipe end forwarded from a ${from} actor to a ${to} actor arrives usable`, async () => {
      const system = await startSystem();
      const relay = await system.spawn(Relay, null, { placement: from });
      const holder = await system.spawn(Holder, null, { placement: to });
      const [mine, theirs] = system.pipe<string>();
      const report = system.queue<string>();
      const msg: HolderMsg = { type: 'pipe', conn: theirs, report };
      await relay.ask({ type: 'send', to: holder, msg }, WAIT);
      await expect(mine.recv(WAIT)).resolves.toBe('holder says');
      await mine.send('root answers');
      await expect(report.get(WAIT)).resolves.toBe('holder got root answers');
    });
  }

  for (const placement of ['process', 'thread'] as const) {
    it(`a queue and a pipe end a ${placement} actor answers with arrive in the root usable`, async () => {
      const system = await startSystem();
      const relay = await system.spawn(Relay, null, { placement });
      const q = system.queue<string>();
      const back = (await relay.ask({ type: 'give', value: q } satisfies RelayMsg, WAIT)) as Queue<string>;
      expect(typeof back.put).toBe('function');
      await back.put('through the returned handle');
      await expect(q.get(WAIT)).resolves.toBe('through the returned handle');

      const [mine, theirs] = system.pipe<string>();
      const end = (await relay.ask({ type: 'give', value: theirs } satisfies RelayMsg, WAIT)) as Connection<
        string,
        string
      >;
      expect(typeof end.send).toBe('function');
      await mine.send('to the returned end');
      await expect(end.recv(WAIT)).resolves.toBe('to the returned end');
    });
  }

  it('pipe ids are not guessable from one another', () => {
    return startSystem().then((system) => {
      const ids = Array.from({ length: 4 }, () => system.pipe()[0].info.pipe);
      expect(new Set(ids).size).toBe(4);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    });
  });

  it('a forged attach and forged data for a pipe end held elsewhere are refused: the holder keeps it, and each is a security event', async () => {
    const system = await startSystem();
    const [mine, theirs] = system.pipe<number>();
    const echoing = await system.process(echo, theirs);
    await mine.send(1);
    await expect(mine.recv(WAIT)).resolves.toBe(1);
    const refused: SystemEvent[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'security') refused.push(e);
    });
    const { pipe, side } = theirs.info;
    const attach = await system.process(rawFrame, { t: 'pipe', op: 'attach', pipe, side });
    await expect(attach.result()).resolves.toBe('written');
    const data = await system.process(rawFrame, { t: 'pipe', op: 'data', pipe, side, body: 666 });
    await expect(data.result()).resolves.toBe('written');
    // Both forged frames were read before each child's done frame: the echo still holds its end.
    await mine.send(2);
    await expect(mine.recv(WAIT)).resolves.toBe(2);
    expect(refused).toMatchObject([
      { type: 'security', pid: attach.pid, what: 'pipe' },
      { type: 'security', pid: data.pid, what: 'pipe' },
    ]);
    mine.close();
    await expect(echoing.result()).resolves.toBe(2);
  });
});
