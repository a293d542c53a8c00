/**
 * Messages near `maxMessageBytes`, on every path a message takes: each size from `limit - 64` to
 * `limit + 8` is either refused at the sender's call with MessageTooLargeError or delivered, and
 * nothing in between (the envelope the runtime adds on the way) can fail or end the root.
 */

import type { Placement } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import {
  getSizes,
  pipeSizes,
  putSizes,
  recvSizes,
  type SendReport,
  SizeRecorder,
  SizeSender,
  trySizes,
} from './fixtures/sizes.js';
import { startSystem } from './support/system.js';

const LIMIT = 4096;
const FROM = LIMIT - 64;
const UNTIL = LIMIT + 8;

/** Tries every size from FROM to UNTIL at the root, as the fixtures do in a worker. */
const rootSizes = (send: (bytes: Uint8Array) => unknown): Promise<SendReport> => trySizes(FROM, UNTIL, send);

function expectCut(report: SendReport, arrived: number[]): void {
  expect(report.other).toEqual([]);
  expect(report.sent.length + report.refused.length).toBe(UNTIL - FROM + 1);
  expect(report.sent.length).toBeGreaterThan(0);
  const cut = report.sent.length + FROM;
  expect(report.sent).toEqual(Array.from({ length: cut - FROM }, (_, i) => FROM + i));
  expect(report.refused).toEqual(Array.from({ length: UNTIL + 1 - cut }, (_, i) => cut + i));
  expect(cut).toBeLessThanOrEqual(LIMIT + 1);
  expect(arrived).toEqual(report.sent);
}

describe('messages near maxMessageBytes: refused at the call, or delivered', () => {
  const cases: [Placement, 'queue' | 'pipe'][] = [
    ['process', 'queue'],
    ['process', 'pipe'],
    ['thread', 'queue'],
    ['thread', 'pipe'],
    ['local', 'queue'],
    ['local', 'pipe'],
  ];

  it.each(cases)('root to a %s actor with a %s mailbox', async (placement, mailbox) => {
    const system = await startSystem({ maxMessageBytes: LIMIT });
    const recorder = await system.spawn(SizeRecorder, undefined, { placement, mailbox });
    const report = await rootSizes((bytes) => recorder.send(bytes));
    expectCut(report, await recorder.ask('dump', { timeoutMs: 20_000 }));
  });

  it.each(['queue', 'pipe'] as const)('actor to actor, the receiver with a %s mailbox', async (mailbox) => {
    const system = await startSystem({ maxMessageBytes: LIMIT });
    const recorder = await system.spawn(SizeRecorder, undefined, { mailbox });
    const sender = await system.spawn(SizeSender, undefined);
    const report = await sender.ask({ to: recorder, from: FROM, until: UNTIL }, { timeoutMs: 20_000 });
    expectCut(report, await recorder.ask('dump', { timeoutMs: 20_000 }));
  });

  it.each([undefined, 1000])(
    'queue items (capacity %s): root to worker, worker to root, worker to worker',
    async (capacity) => {
      const system = await startSystem({ maxMessageBytes: LIMIT });
      const options = capacity === undefined ? {} : { capacity };

      const toWorker = system.queue<Uint8Array | 'end'>(options);
      const consumer = await system.process(getSizes, toWorker);
      const fromRoot = await rootSizes((bytes) => toWorker.put(bytes));
      await toWorker.put('end');
      expectCut(fromRoot, await consumer.result());

      const toRoot = system.queue<Uint8Array | 'end'>(options);
      const producer = await system.process(putSizes, toRoot, FROM, UNTIL);
      const arrived: number[] = [];
      for (let item = await toRoot.get(); item !== 'end'; item = await toRoot.get())
        arrived.push(item.byteLength);
      expectCut(await producer.result(), arrived);

      const between = system.queue<Uint8Array | 'end'>(options);
      const [got, put] = await Promise.all([
        system.process(getSizes, between),
        system.process(putSizes, between, FROM, UNTIL),
      ]);
      expectCut(await put.result(), await got.result());
    },
  );

  it('pipe ends: root to worker, worker to root', async () => {
    const system = await startSystem({ maxMessageBytes: LIMIT });
    const [rootEnd, workerEnd] = system.pipe<Uint8Array | 'end'>();
    const receiver = await system.process(recvSizes, workerEnd as never);
    const fromRoot = await rootSizes((bytes) => rootEnd.send(bytes));
    await rootEnd.send('end');
    expectCut(fromRoot, await receiver.result());

    const [mine, theirs] = system.pipe<Uint8Array | 'end'>();
    const sender = await system.process(pipeSizes, theirs as never, FROM, UNTIL);
    const arrived: number[] = [];
    for (let item = await mine.recv(); item !== 'end'; item = await mine.recv())
      arrived.push(item.byteLength);
    expectCut(await sender.result(), arrived);
  });

  it.each(['thread', 'process'] as const)(
    'a pipe between two %s actors (relayed by the root for threads, direct between processes)',
    async (placement) => {
      const system = await startSystem({ maxMessageBytes: LIMIT, placement });
      const [a, b] = system.pipe<Uint8Array | 'end'>();
      const pool = await system.pool({ size: 2, placement });
      const [report, arrived] = await Promise.all([
        pool.apply(pipeSizes, a as never, FROM, UNTIL),
        pool.apply(recvSizes, b as never),
      ]);
      expectCut(report, arrived);
    },
  );
});
