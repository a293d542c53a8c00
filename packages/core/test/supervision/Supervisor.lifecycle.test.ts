import { afterEach, describe, expect, it } from 'vitest';
import { SupervisorNotRunningError, SupervisorStartError } from '../../src/errors.js';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

describe('start', () => {
  it('starts the children in order', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [worker('a'), worker('b'), worker('c')],
    });
    await sup.start();
    expect(runtime.log).toEqual(['start a#1', 'start b#1', 'start c#1']);
    expect(sup.children()).toEqual([
      { id: 'a', type: 'worker', state: 'running', pid: runtime.pid('a'), restarts: 0, incarnation: 1 },
      { id: 'b', type: 'worker', state: 'running', pid: runtime.pid('b'), restarts: 0, incarnation: 1 },
      { id: 'c', type: 'worker', state: 'running', pid: runtime.pid('c'), restarts: 0, incarnation: 1 },
    ]);
  });

  it('on a failed start, stops the started children in reverse order and rejects naming the child', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [worker('a'), worker('b'), worker('c'), worker('d')],
    });
    const cause = new Error('init threw');
    runtime.failNext.set('c', [cause]);

    const error = await sup.start().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SupervisorStartError);
    expect(error).toMatchObject({ code: 'ERR_TROUPE_SUPERVISOR_START', childId: 'c', cause });
    expect((error as Error).message).toContain("'c'");
    expect(runtime.log).toEqual([
      'start a#1',
      'start b#1',
      'start c#1',
      'stop b 5000',
      'stop a 5000',
      'retire a',
      'retire b',
      'retire c',
    ]);
    expect(states(sup)).toEqual(['a: stopped', 'b: stopped', 'c: failed']);
    expect(await sup.exited).toEqual({ reason: 'shutdown', error });
  });

  it('returns the same promise when called twice', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    const first = sup.start();
    expect(sup.start()).toBe(first);
    await first;
    expect(runtime.log).toEqual(['start a#1']);
  });

  it('passes heartbeatMs to the runtime; a heartbeat timeout restarts like any crash', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', heartbeatMs: 250, children: [worker('a')] });
    await sup.start();
    expect(runtime.startOptions.get('a#1')).toEqual({ heartbeatMs: 250 });
    runtime.crash('a', 'timeout');
    await flush();
    expect(runtime.startOptions.get('a#2')).toEqual({ heartbeatMs: 250 });
    expect(sup.children()[0]).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('passes no heartbeatMs when none is set', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    expect(runtime.startOptions.get('a#1')).toEqual({});
  });
});

describe('stop', () => {
  it('stops the children in reverse start order, each with its shutdown value, then retires them', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [
        worker('a'),
        worker('b', { shutdown: 'brutal_kill' }),
        worker('c', { shutdown: 'infinity' }),
        worker('d', { shutdown: 250 }),
      ],
    });
    await sup.start();
    runtime.clear();

    await sup.stop();

    expect(runtime.log).toEqual([
      'stop d 250',
      'stop c infinity',
      'stop b brutal_kill',
      'stop a 5000',
      'retire a',
      'retire b',
      'retire c',
      'retire d',
    ]);
    expect(states(sup)).toEqual(['a: stopped', 'b: stopped', 'c: stopped', 'd: stopped']);
    expect(await sup.exited).toEqual({ reason: 'shutdown' });
  });

  it('is idempotent', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    await Promise.all([sup.stop(), sup.stop()]);
    await sup.stop();
    expect(runtime.log.filter((l) => l.startsWith('stop'))).toEqual(['stop a 5000']);
  });

  it('skips children already down', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [worker('a'), worker('b', { restart: 'transient' })],
    });
    await sup.start();
    runtime.crash('b', 'normal');
    await flush();
    runtime.clear();
    await sup.stop();
    expect(runtime.log).toEqual(['stop a 5000', 'retire a', 'retire b']);
  });

  it('waits for a start in progress, then stops what it started', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a'), worker('b')] });
    const started = sup.start();
    const stopped = sup.stop();
    await Promise.all([started, stopped]);
    expect(runtime.log).toEqual([
      'start a#1',
      'start b#1',
      'stop b 5000',
      'stop a 5000',
      'retire a',
      'retire b',
    ]);
  });

  it('before start: the supervisor is stopped and start() then rejects', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.stop();
    expect(await sup.exited).toEqual({ reason: 'shutdown' });
    await expect(sup.start()).rejects.toBeInstanceOf(SupervisorNotRunningError);
    expect(runtime.log).toEqual([]);
  });

  it('after an escalation: resolves at once', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', maxRestarts: 0, children: [worker('a')] });
    await sup.start();
    runtime.crash('a');
    await sup.exited;
    runtime.clear();
    await sup.stop();
    expect(runtime.log).toEqual([]);
    expect((await sup.exited).reason).toBe('escalated');
  });

  it('does not restart a child whose crash arrives after stop() was called', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [worker('a'), worker('b')] });
    await sup.start();
    runtime.crash('a');
    await sup.stop();
    await flush();
    expect(runtime.log.filter((l) => l.startsWith('start'))).toEqual(['start a#1', 'start b#1']);
    expect(states(sup)).toEqual(['a: stopped', 'b: stopped']);
  });
});
