import { afterEach, describe, expect, it } from 'vitest';
import type { ExitReason } from '../../src/exit.js';
import type { RestartType, Strategy } from '../../src/supervision/types.js';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];
const REASONS: readonly ExitReason[] = ['normal', 'shutdown', 'error', 'signal', 'oom', 'timeout'];

/** What restarting `b` (of a, b, c) does, per strategy: stops, then starts. */
const RESTART_LOG: Record<Strategy, string[]> = {
  one_for_one: ['start b#2'],
  one_for_all: ['stop c 5000', 'stop a 5000', 'start a#2', 'start b#2', 'start c#2'],
  rest_for_one: ['stop c 5000', 'start b#2', 'start c#2'],
};

function restarted(restart: RestartType, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'temporary') return false;
  return reason !== 'normal' && reason !== 'shutdown';
}

describe('Supervisor strategies × restart types × exit reasons', () => {
  for (const strategy of STRATEGIES) {
    for (const restart of RESTARTS) {
      for (const reason of REASONS) {
        const yes = restarted(restart, reason);
        it(`${strategy}: a ${restart} child exiting '${reason}' is ${yes ? '' : 'not '}restarted`, async () => {
          const { sup, runtime } = setup({
            strategy,
            maxRestarts: 10,
            children: [worker('a'), worker('b', { restart }), worker('c')],
          });
          await sup.start();
          expect(runtime.log).toEqual(['start a#1', 'start b#1', 'start c#1']);
          runtime.clear();

          runtime.crash('b', reason);
          await flush();

          if (yes) {
            expect(runtime.log).toEqual(RESTART_LOG[strategy]);
            expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
            const b = sup.children()[1];
            expect(b).toMatchObject({ restarts: 1, incarnation: 2, pid: runtime.pid('b') });
          } else if (restart === 'temporary') {
            expect(runtime.log).toEqual(['retire b']);
            expect(states(sup)).toEqual(['a: running', 'c: running']);
          } else {
            expect(runtime.log).toEqual([]);
            expect(states(sup)).toEqual(['a: running', 'b: stopped', 'c: running']);
            expect(sup.children()[1]?.pid).toBeUndefined();
          }
        });
      }
    }
  }
});

describe('siblings stopped by a restart', () => {
  for (const strategy of ['one_for_all', 'rest_for_one'] as const) {
    it(`${strategy}: a temporary sibling is stopped and removed, never restarted`, async () => {
      const { sup, runtime } = setup({
        strategy,
        children: [worker('a'), worker('b'), worker('t', { restart: 'temporary' }), worker('c')],
      });
      await sup.start();
      runtime.clear();

      runtime.crash('b');
      await flush();

      const expected =
        strategy === 'one_for_all'
          ? ['stop c 5000', 'stop t 5000', 'stop a 5000', 'retire t', 'start a#2', 'start b#2', 'start c#2']
          : ['stop c 5000', 'stop t 5000', 'retire t', 'start b#2', 'start c#2'];
      expect(runtime.log).toEqual(expected);
      expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
    });

    it(`${strategy}: a transient sibling is restarted with the group`, async () => {
      const { sup, runtime } = setup({
        strategy,
        children: [worker('a'), worker('b', { restart: 'transient' })],
      });
      await sup.start();
      runtime.clear();

      runtime.crash('a', 'signal');
      await flush();

      expect(runtime.log).toEqual(['stop b 5000', 'start a#2', 'start b#2']);
      expect(sup.children().map((c) => c.restarts)).toEqual([1, 1]);
    });

    it(`${strategy}: a child that stopped normally is started again by a later group restart, as in OTP`, async () => {
      const { sup, runtime } = setup({
        strategy,
        children: [worker('a'), worker('b', { restart: 'transient' }), worker('c')],
      });
      await sup.start();
      runtime.crash('b', 'normal');
      await flush();
      expect(states(sup)).toEqual(['a: running', 'b: stopped', 'c: running']);
      runtime.clear();

      runtime.crash('a');
      await flush();

      expect(runtime.log).toEqual(['stop c 5000', 'start a#2', 'start b#2', 'start c#2']);
      expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
    });
  }

  it('exits of children the supervisor stops itself are not failures, whatever their reason', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_all',
      maxRestarts: 1,
      children: [worker('a'), worker('b'), worker('c')],
    });
    runtime.stopExit.set('a', { reason: 'timeout', code: null, signal: 'SIGKILL' });
    await sup.start();

    runtime.crash('c');
    await flush();

    expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
    let settled = false;
    void sup.exited.then(() => {
      settled = true;
    });
    await flush();
    expect(settled).toBe(false);
  });

  it('an exit of an old incarnation arriving late is ignored', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    runtime.crash('a');
    runtime.crash('a'); // the same incarnation again: already settled
    await flush();
    expect(sup.children()[0]).toMatchObject({ state: 'running', restarts: 1, incarnation: 2 });
  });
});
