import { afterEach, describe, expect, it } from 'vitest';
import { EscalationError, SupervisorStartError } from '../../src/errors.js';
import type { ChildSpec, SupervisorOptions } from '../../src/supervision/types.js';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

function sub(id: string, options: SupervisorOptions, extra: Partial<ChildSpec> = {}): ChildSpec {
  return { id, type: 'supervisor', supervisor: options, ...extra } as ChildSpec;
}

describe('nested supervisors', () => {
  it('start their children in place, depth first, and stop them in reverse', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [
        worker('a'),
        sub('mid', {
          strategy: 'one_for_one',
          children: [worker('b'), sub('leaf', { strategy: 'one_for_all', children: [worker('c')] })],
        }),
        worker('d'),
      ],
    });
    await sup.start();
    expect(runtime.log).toEqual(['start a#1', 'start b#1', 'start c#1', 'start d#1']);
    expect(sup.children()[1]).toEqual({
      id: 'mid',
      type: 'supervisor',
      state: 'running',
      pid: undefined,
      restarts: 0,
      incarnation: 1,
    });
    runtime.clear();

    await sup.stop();
    expect(runtime.log).toEqual([
      'stop d 5000',
      'stop c 5000',
      'stop b 5000',
      'stop a 5000',
      'retire a',
      'retire b',
      'retire c',
      'retire d',
    ]);
  });

  it('an escalation restarts the subtree under its parent; its siblings are untouched', async () => {
    const { sup, runtime, events } = setup({
      strategy: 'one_for_one',
      children: [
        worker('a'),
        sub('db', { strategy: 'one_for_one', maxRestarts: 1, children: [worker('conn'), worker('cache')] }),
      ],
    });
    await sup.start();
    runtime.crash('conn');
    await flush();
    runtime.clear();

    runtime.crash('conn'); // the second restart within 5 s: 'root/db' gives up
    await flush();

    expect(runtime.log).toEqual(['stop cache 5000', 'start conn#1', 'start cache#1']);
    expect(states(sup)).toEqual(['a: running', 'db: running']);
    expect(sup.children()[1]).toMatchObject({ restarts: 1, incarnation: 2 });
    const escalated = events.find((e) => e.type === 'escalated');
    expect(escalated).toMatchObject({
      supervisor: 'root/db',
      error: { supervisor: 'root/db', maxRestarts: 1 },
    });
    const dbExit = events.find((e) => e.type === 'childExited' && e.id === 'db');
    expect(dbExit).toMatchObject({ supervisor: 'root', exit: { reason: 'error' } });
    expect(dbExit?.type === 'childExited' && dbExit.exit.error).toBeInstanceOf(EscalationError);
    expect(
      events.some((e) => e.type === 'childStarted' && e.supervisor === 'root/db' && e.id === 'conn'),
    ).toBe(true);
  });

  it('escalations count toward the parent intensity, which escalates in turn', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      maxRestarts: 1,
      children: [
        worker('a'),
        sub('db', { strategy: 'one_for_one', maxRestarts: 0, children: [worker('conn')] }),
      ],
    });
    await sup.start();
    runtime.crash('conn'); // db gives up; root restarts it (1)
    await flush();
    runtime.clear();
    runtime.crash('conn'); // db gives up again; root's 2nd restart: root gives up
    const exit = await sup.exited;

    expect(exit).toMatchObject({ reason: 'escalated', error: { supervisor: 'root' } });
    expect((exit.error as Error).cause).toBeInstanceOf(EscalationError);
    expect(runtime.log).toEqual(['stop a 5000', 'retire a', 'retire conn']);
  });

  it('its workers are not retired when it escalates (its parent may start them again)', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [sub('db', { strategy: 'one_for_one', maxRestarts: 0, children: [worker('conn')] })],
    });
    await sup.start();
    runtime.crash('conn');
    await flush();
    expect(runtime.log).not.toContain('retire conn');
    await sup.stop();
    expect(runtime.log.at(-1)).toBe('retire conn');
  });

  it('a temporary nested supervisor that escalates is removed, and its workers retired', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [
        worker('a'),
        sub(
          'jobs',
          { strategy: 'one_for_one', maxRestarts: 0, children: [worker('j')] },
          { restart: 'temporary' },
        ),
      ],
    });
    await sup.start();
    runtime.clear();
    runtime.crash('j');
    await flush();
    expect(runtime.log).toEqual(['retire j']);
    expect(states(sup)).toEqual(['a: running']);
  });

  it('a nested start failure fails the parent start, naming both', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [
        worker('a'),
        sub('db', { strategy: 'one_for_one', children: [worker('conn'), worker('pool')] }),
      ],
    });
    runtime.failNext.set('pool', [new Error('no pool')]);
    const error = await sup.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ childId: 'db', cause: { childId: 'pool' } });
    expect((error as Error).cause).toBeInstanceOf(SupervisorStartError);
    expect(runtime.log).toEqual([
      'start a#1',
      'start conn#1',
      'start pool#1',
      'stop conn 5000',
      'stop a 5000',
      'retire a',
      'retire conn',
      'retire pool',
    ]);
  });

  it('a nested supervisor can be started and terminated at run time', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [] });
    await sup.start();
    await sup.startChild(sub('pool', { strategy: 'one_for_all', children: [worker('p1'), worker('p2')] }));
    expect(states(sup)).toEqual(['pool: running']);
    runtime.clear();
    await sup.terminateChild('pool');
    expect(runtime.log).toEqual(['stop p2 5000', 'stop p1 5000', 'retire p1', 'retire p2']);
    expect(sup.children()).toEqual([]);
  });
});
