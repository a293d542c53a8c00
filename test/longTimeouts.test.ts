/**
 * Timeouts past Node's timer limit (2^31 − 1 ms, about 24.8 days) with the real clock: they wait
 * as long as they were given, where Node alone fires such a timer after 1 ms.
 */

import { describe, expect, it } from 'vitest';
import { Gate } from './fixtures/actors.js';
import { startSystem } from './support/system.js';

const LONG = [2 ** 31, 2 ** 40];

/**
 * Resolves once a timeout armed by the call just made would have fired, had it been cut to Node's
 * 1 ms: Node runs its 1 ms timers in the order they were set, and this sets one from within
 * another, so it comes after any timer armed by the call or by the microtasks it queued. Not a
 * guess at how long anything takes.
 */
function pastTheOneMsTimer(): Promise<void> {
  return new Promise((resolve) => setTimeout(() => setTimeout(resolve, 1), 1));
}

/** A promise's outcome, without leaving a rejection unhandled meanwhile. */
function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('timeouts longer than Node keeps a timer', () => {
  it.each(LONG)('an ask with timeoutMs %d gets the reply that comes after it', async (timeoutMs) => {
    const system = await startSystem({ placement: 'thread' });
    const opens = system.queue<string>();
    const gate = await system.spawn(Gate, { opens });
    const reply = outcome(gate.ask('wait', { timeoutMs }));
    await pastTheOneMsTimer();
    await opens.put('open');
    expect(await reply).toEqual({ value: 'open' });
  });

  it.each(LONG)('queue.get with timeoutMs %d gets the item put after it', async (timeoutMs) => {
    const system = await startSystem();
    const queue = system.queue<number>();
    const item = outcome(queue.get({ timeoutMs }));
    await pastTheOneMsTimer();
    await queue.put(7);
    expect(await item).toEqual({ value: 7 });
  });

  it.each(LONG)('a pipe recv with timeoutMs %d gets the value sent after it', async (timeoutMs) => {
    const system = await startSystem();
    const [left, right] = system.pipe<string>();
    const value = outcome(right.recv({ timeoutMs }));
    await pastTheOneMsTimer();
    await left.send('hi');
    expect(await value).toEqual({ value: 'hi' });
  });
});
