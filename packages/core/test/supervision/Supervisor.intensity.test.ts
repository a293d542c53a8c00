import { afterEach, describe, expect, it } from 'vitest';
import { EscalationError } from '../../src/errors.js';
import type { SupervisorExit } from '../../src/supervision/types.js';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

/** Resolves to the exit if `exited` has settled, else `undefined`. */
async function exitedYet(exited: Promise<SupervisorExit>): Promise<SupervisorExit | undefined> {
  let exit: SupervisorExit | undefined;
  void exited.then((e) => {
    exit = e;
  });
  await flush();
  return exit;
}

describe('restart intensity', () => {
  it('allows 3 restarts within 5 s by default; the 4th escalates', async () => {
    const { sup, runtime, clock, events } = setup({
      strategy: 'one_for_one',
      children: [worker('a'), worker('b'), worker('c')],
    });
    await sup.start();
    for (let i = 0; i < 3; i++) {
      runtime.crash('b');
      await flush();
      clock.advance(1000);
    }
    expect(sup.children()[1]).toMatchObject({ state: 'running', restarts: 3 });
    expect(await exitedYet(sup.exited)).toBeUndefined();
    runtime.clear();

    runtime.crash('b'); // the 4th within 5 s (at t = 3000)
    const exit = await sup.exited;

    expect(exit.reason).toBe('escalated');
    const error = exit.error;
    expect(error).toBeInstanceOf(EscalationError);
    expect(error).toMatchObject({
      code: 'ERR_TROUPE_ESCALATION',
      maxRestarts: 3,
      withinMs: 5000,
      supervisor: 'root',
    });
    expect((error as Error).cause).toMatchObject({ message: 'boom' });
    expect(runtime.log).toEqual(['stop c 5000', 'stop a 5000', 'retire a', 'retire b', 'retire c']);
    expect(states(sup)).toEqual(['a: stopped', 'b: failed', 'c: stopped']);
    expect(events.filter((e) => e.type === 'escalated')).toEqual([
      { type: 'escalated', supervisor: 'root', error },
    ]);
  });

  it('takes maxRestarts and withinMs from the options', async () => {
    const { sup, runtime, clock } = setup({
      strategy: 'one_for_one',
      maxRestarts: 1,
      withinMs: 100,
      children: [worker('a')],
    });
    await sup.start();
    runtime.crash('a');
    await flush();
    clock.advance(99);
    runtime.crash('a');
    const exit = await sup.exited;
    expect(exit).toMatchObject({ reason: 'escalated', error: { maxRestarts: 1, withinMs: 100 } });
  });

  it('maxRestarts 0 gives up at the first crash that needs a restart', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      maxRestarts: 0,
      children: [worker('a', { restart: 'transient' }), worker('b')],
    });
    await sup.start();
    runtime.crash('a', 'normal'); // not restarted: does not count
    await flush();
    expect(await exitedYet(sup.exited)).toBeUndefined();
    runtime.crash('b');
    expect((await sup.exited).reason).toBe('escalated');
  });

  it('never trips on crashes spaced beyond the window', async () => {
    const { sup, runtime, clock } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    for (let i = 0; i < 20; i++) {
      runtime.crash('a');
      await flush();
      clock.advance(5000);
    }
    expect(sup.children()[0]).toMatchObject({ state: 'running', restarts: 20 });
    expect(await exitedYet(sup.exited)).toBeUndefined();
  });

  it('slides: old restarts leave the window', async () => {
    const { sup, runtime, clock } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    for (const at of [0, 1000, 2000, 5000, 6000, 7000]) {
      clock.advance(at - clock.now());
      runtime.crash('a');
      await flush();
    }
    // At 7000 the window (2000, 7000] holds 5000, 6000, 7000: three.
    expect(await exitedYet(sup.exited)).toBeUndefined();
    clock.advance(500);
    runtime.crash('a');
    expect((await sup.exited).reason).toBe('escalated');
  });

  it('counts a group restart once', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_all',
      maxRestarts: 1,
      children: [worker('a'), worker('b'), worker('c')],
    });
    await sup.start();
    runtime.crash('a');
    await flush();
    expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
    runtime.crash('c');
    expect((await sup.exited).reason).toBe('escalated');
  });

  it('counts a restart that fails to start as another crash', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a'), worker('b')] });
    await sup.start();
    runtime.failNext.set('b', [new Error('no'), new Error('no'), new Error('no')]);
    runtime.clear();

    runtime.crash('b');
    const exit = await sup.exited;

    expect(exit.reason).toBe('escalated');
    expect((exit.error as Error).cause).toMatchObject({ message: 'no' });
    expect(runtime.log).toEqual([
      'start b#2',
      'start b#3',
      'start b#4',
      'stop a 5000',
      'retire a',
      'retire b',
    ]);
  });

  it('recovers when a failed restart succeeds on the next attempt', async () => {
    const { sup, runtime, events } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    runtime.failNext.set('a', [new Error('flaky')]);
    runtime.crash('a');
    await flush();
    expect(sup.children()[0]).toMatchObject({ state: 'running', restarts: 2, incarnation: 3 });
    const aStates = events.flatMap((e) => (e.type === 'childState' ? [e.state] : []));
    expect(aStates).toEqual(['starting', 'running', 'failed', 'starting', 'failed', 'starting', 'running']);
  });
});
