/**
 * A worker's side of queue calls: puts on a bounded queue use the places the root reserved for
 * the worker (no round trip each), in order, and hand back what they do not use.
 */

import { describe, expect, it } from 'vitest';
import { realClock } from '../src/Clock.js';
import { PendingCalls } from '../src/internal/PendingCalls.js';
import type { QueueCallMessage } from '../src/queue/queueCall.js';
import { RemoteQueueOps } from '../src/queue/RemoteQueueOps.js';

function setup() {
  const sent: QueueCallMessage[] = [];
  const pending = new PendingCalls(realClock);
  let flushSoon: (() => void) | undefined;
  const ops = new RemoteQueueOps(
    (message) => void sent.push(message),
    pending,
    (fn) => {
      flushSoon = fn;
    },
  );
  /** Runs the flush the ops scheduled, as the next turn of the event loop would. */
  const tick = () => {
    const fn = flushSoon;
    flushSoon = undefined;
    fn?.();
  };
  /** Answers the call sent `back` frames ago. */
  const answer = (value: unknown, back = 1) => pending.resolve(sent[sent.length - back]?.id as number, value);
  return { ops, sent, pending, tick, answer };
}

const shape = (sent: readonly QueueCallMessage[]) => sent.map((m) => [m.op, m.arg]);

describe('RemoteQueueOps on a bounded queue', () => {
  it('waits for the first put, then uses the places it reserved without a round trip, in one batch', async () => {
    const { ops, sent, tick, answer } = setup();
    const first = ops.put('q', 'a', undefined, true);
    expect(shape(sent)).toEqual([['admit', ['a', 1024]]]);
    answer(3);
    await first;
    // Three places: three puts resolve at once and travel together; the fourth waits again.
    for (const item of ['b', 'c', 'd']) await ops.put('q', item, undefined, true);
    expect(sent).toHaveLength(1);
    const fifth = ops.put('q', 'e', undefined, true);
    expect(shape(sent.slice(1))).toEqual([
      ['puts', ['b', 'c', 'd']],
      ['admit', ['e', 1024]],
    ]);
    answer(0);
    await fifth;
    tick();
    expect(sent).toHaveLength(3);
  });

  it('keeps a producer’s order: puts made while an admitted put waits go behind it, not into places', async () => {
    const { ops, sent, pending, tick } = setup();
    const a = ops.put('q', 'a', undefined, true);
    const b = ops.put('q', 'b', undefined, true);
    // 'a' is admitted with places, but 'b' still waits at the root: 'c' must not overtake it.
    pending.resolve(sent[0]?.id as number, 5);
    await a;
    const c = ops.put('q', 'c', undefined, true);
    expect(shape(sent)).toEqual([
      ['admit', ['a', 1024]],
      ['admit', ['b', 1024]],
      ['admit', ['c', 1024]],
    ]);
    pending.resolve(sent[1]?.id as number, 0);
    pending.resolve(sent[2]?.id as number, 0);
    await Promise.all([b, c]);
    // Nothing waits now: the next put takes one of the five places.
    await ops.put('q', 'd', undefined, true);
    tick();
    expect(shape(sent.slice(3))).toEqual([['puts', ['d']]]);
  });

  it('hands back unused places once the producer stops putting', async () => {
    const { ops, sent, tick, answer } = setup();
    const first = ops.put('q', 'a', undefined, true);
    answer(10);
    await first;
    await ops.put('q', 'b', undefined, true);
    tick();
    // The tick that flushed 'b' saw a put: the places are kept, and looked at again next tick.
    expect(shape(sent.slice(1))).toEqual([['puts', ['b']]]);
    tick();
    expect(shape(sent.slice(2))).toEqual([['release', 9]]);
    // Nothing reserved any more: the next put waits for an answer again.
    void ops.put('q', 'c', undefined, true);
    expect(shape(sent.slice(3))).toEqual([['admit', ['c', 1024]]]);
  });

  it('lets tryPut use a reserved place, and sends it otherwise', async () => {
    const { ops, sent, answer } = setup();
    const first = ops.put('q', 'a', undefined, true);
    answer(1);
    await first;
    await expect(ops.tryPut('q', 'b')).resolves.toBe(true);
    const third = ops.tryPut('q', 'c');
    expect(shape(sent.slice(1))).toEqual([
      ['puts', ['b']],
      ['tryPut', 'c'],
    ]);
    answer(false);
    await expect(third).resolves.toBe(false);
  });
});
