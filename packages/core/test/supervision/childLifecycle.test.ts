import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { childLifecycle, childState, sendChecked } from '../../src/supervision/childLifecycle.js';
import { exitOf } from './fakeRuntime.js';

function child() {
  return createActor(childLifecycle, { input: { id: 'c' } }).start();
}

describe('childLifecycle', () => {
  it('starts in starting, at incarnation 1', () => {
    const actor = child();
    expect(childState(actor)).toBe('starting');
    expect(actor.getSnapshot().context).toEqual({
      id: 'c',
      pid: undefined,
      incarnation: 1,
      restarts: 0,
      lastExit: undefined,
    });
  });

  it('runs, fails on an abnormal exit, and restarts one incarnation further', () => {
    const actor = child();
    sendChecked(actor, { type: 'STARTED', pid: 7 });
    expect(childState(actor)).toBe('running');
    expect(actor.getSnapshot().context.pid).toBe(7);
    sendChecked(actor, { type: 'EXITED', exit: exitOf('oom') });
    expect(childState(actor)).toBe('failed');
    expect(actor.getSnapshot().context).toMatchObject({ pid: undefined, lastExit: exitOf('oom') });
    sendChecked(actor, { type: 'RESTART' });
    expect(childState(actor)).toBe('starting');
    expect(actor.getSnapshot().context).toMatchObject({ incarnation: 2, restarts: 1 });
  });

  it('is stopped after a normal exit', () => {
    for (const reason of ['normal', 'shutdown'] as const) {
      const actor = child();
      sendChecked(actor, { type: 'STARTED', pid: undefined });
      sendChecked(actor, { type: 'EXITED', exit: exitOf(reason) });
      expect(childState(actor)).toBe('stopped');
    }
  });

  it('stops through stopping', () => {
    const actor = child();
    sendChecked(actor, { type: 'STARTED', pid: 1 });
    sendChecked(actor, { type: 'STOP' });
    expect(childState(actor)).toBe('stopping');
    sendChecked(actor, { type: 'STOPPED', exit: exitOf('timeout') });
    expect(childState(actor)).toBe('stopped');
  });

  it('backs off from failed or stopped, and a STOP cancels the backoff', () => {
    const actor = child();
    sendChecked(actor, { type: 'START_FAILED', error: new Error('x') });
    expect(childState(actor)).toBe('failed');
    sendChecked(actor, { type: 'BACKOFF', delayMs: 10 });
    expect(childState(actor)).toBe('backingOff');
    sendChecked(actor, { type: 'STOP' });
    expect(childState(actor)).toBe('stopped');
    sendChecked(actor, { type: 'BACKOFF', delayMs: 10 });
    sendChecked(actor, { type: 'RESTART' });
    expect(childState(actor)).toBe('starting');
  });

  it('refuses events out of place', () => {
    const actor = child();
    expect(() => sendChecked(actor, { type: 'EXITED', exit: exitOf('error') })).toThrow(
      /cannot take EXITED in state starting/,
    );
    sendChecked(actor, { type: 'STARTED', pid: 1 });
    expect(() => sendChecked(actor, { type: 'RESTART' })).toThrow(/RESTART in state running/);
    expect(() => sendChecked(actor, { type: 'BACKOFF', delayMs: 1 })).toThrow(/BACKOFF/);
  });
});
