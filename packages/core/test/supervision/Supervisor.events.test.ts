import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/Clock.js';
import { Supervisor } from '../../src/supervision/Supervisor.js';
import { disposeAll, exitOf, FakeRuntime, flush, setup, worker } from './fakeRuntime.js';

afterEach(disposeAll);

describe('the event stream', () => {
  it('reports starts, exits, restarts and every lifecycle state, in order', async () => {
    const { sup, runtime, events } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    const pid1 = runtime.pid('a');
    runtime.crash('a', 'signal');
    await flush();
    const pid2 = runtime.pid('a');
    await sup.stop();

    expect(events).toEqual([
      { type: 'childState', supervisor: 'root', id: 'a', state: 'starting' },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'running' },
      { type: 'childStarted', supervisor: 'root', id: 'a', pid: pid1, incarnation: 1 },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'failed' },
      { type: 'childExited', supervisor: 'root', id: 'a', pid: pid1, exit: exitOf('signal') },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'starting' },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'running' },
      { type: 'childStarted', supervisor: 'root', id: 'a', pid: pid2, incarnation: 2 },
      { type: 'childRestarted', supervisor: 'root', id: 'a', pid: pid2, restarts: 1, delayMs: 0 },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'stopping' },
      { type: 'childState', supervisor: 'root', id: 'a', state: 'stopped' },
      { type: 'childExited', supervisor: 'root', id: 'a', pid: pid2, exit: exitOf('shutdown') },
    ]);
  });

  it('goes through backingOff when backoff is set, and reports the delay', async () => {
    const { sup, runtime, clock, events } = setup(
      { strategy: 'one_for_one', backoff: { minMs: 40, maxMs: 400 }, children: [worker('a')] },
      { random: () => 0 },
    );
    await sup.start();
    runtime.crash('a');
    await flush();
    clock.advance(40);
    await flush();

    const aStates = events.flatMap((e) => (e.type === 'childState' ? [e.state] : []));
    expect(aStates).toEqual(['starting', 'running', 'failed', 'backingOff', 'starting', 'running']);
    expect(events.find((e) => e.type === 'childRestarted')).toMatchObject({ restarts: 1, delayMs: 40 });
  });

  it('reports a normal exit as stopped, and siblings stopped by a restart through stopping', async () => {
    const { sup, runtime, events } = setup({
      strategy: 'one_for_all',
      children: [worker('a', { restart: 'transient' }), worker('b')],
    });
    await sup.start();
    runtime.crash('a', 'normal');
    await flush();
    runtime.crash('b');
    await flush();
    const transitions = events.flatMap((e) => (e.type === 'childState' ? [`${e.id}:${e.state}`] : []));
    expect(transitions.slice(4)).toEqual([
      'a:stopped',
      'b:failed',
      'a:starting',
      'a:running',
      'b:starting',
      'b:running',
    ]);
  });

  it('names nested supervisors after their parent', async () => {
    const { sup, events } = setup(
      {
        strategy: 'one_for_one',
        children: [
          { id: 'db', type: 'supervisor', supervisor: { strategy: 'one_for_one', children: [worker('c')] } },
        ],
      },
      { name: 'app' },
    );
    await sup.start();
    expect(new Set(events.map((e) => e.supervisor))).toEqual(new Set(['app', 'app/db']));
  });

  it('defaults the name to "supervisor"', async () => {
    const names: string[] = [];
    const sup = new Supervisor({ strategy: 'one_for_one', children: [worker('a')] }, new FakeRuntime(), {
      clock: new SimulatedClock(),
      onEvent: (e) => names.push(e.supervisor),
    });
    await sup.start();
    await sup.stop();
    expect(new Set(names)).toEqual(new Set(['supervisor']));
  });

  it("takes its name from options.name; a nested supervisor is named parent/id, whatever its options' name", async () => {
    const names: string[] = [];
    const sup = new Supervisor(
      {
        name: 'billing',
        strategy: 'one_for_one',
        children: [
          worker('a'),
          {
            id: 'jobs',
            type: 'supervisor',
            supervisor: { name: 'exported-tree', strategy: 'one_for_one', children: [worker('b')] },
          },
        ],
      },
      new FakeRuntime(),
      { clock: new SimulatedClock(), onEvent: (e) => names.push(e.supervisor) },
    );
    await sup.start();
    await sup.stop();
    expect(new Set(names)).toEqual(new Set(['billing', 'billing/jobs']));
  });

  it("a name in deps (the runtime's) wins over options.name", async () => {
    const { sup, events } = setup({ name: 'billing', strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    expect(new Set(events.map((e) => e.supervisor))).toEqual(new Set(['root']));
  });
});
