import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  MaxChildrenError,
  SupervisorNotRunningError,
  SupervisorStartError,
} from '../../src/errors.js';
import { MAX_WORKERS } from '../../src/limits.js';
import { disposeAll, flush, setup, states, worker } from './fakeRuntime.js';

afterEach(disposeAll);

describe('startChild', () => {
  it('adds a child at run time, after the others, and supervises it', async () => {
    const { sup, runtime } = setup({ strategy: 'rest_for_one', children: [worker('a')] });
    await sup.start();
    await sup.startChild(worker('b'));
    await sup.startChild(worker('c'));
    expect(states(sup)).toEqual(['a: running', 'b: running', 'c: running']);
    runtime.clear();

    runtime.crash('b');
    await flush();

    expect(runtime.log).toEqual(['stop c 5000', 'start b#2', 'start c#2']);
  });

  it('rejects MaxChildrenError past maxChildren', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', maxChildren: 2, children: [worker('a')] });
    await sup.start();
    await sup.startChild(worker('b'));
    const error = await sup.startChild(worker('c')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxChildrenError);
    expect(error).toMatchObject({ code: 'ERR_TROUPE_MAX_CHILDREN', maxChildren: 2 });
    expect(runtime.log).toEqual(['start a#1', 'start b#1']);

    await sup.terminateChild('a');
    await sup.startChild(worker('c'));
    expect(states(sup)).toEqual(['b: running', 'c: running']);
  });

  it('takes MAX_WORKERS children when maxChildren is not given, and no more', async () => {
    const { sup } = setup({ strategy: 'one_for_one', children: [worker('w0')] });
    await sup.start();
    for (let i = 1; i < MAX_WORKERS; i++) await sup.startChild(worker(`w${i}`));
    const error = await sup.startChild(worker('one-too-many')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxChildrenError);
    expect(error).toMatchObject({ maxChildren: MAX_WORKERS });
    expect(sup.children()).toHaveLength(MAX_WORKERS);
  });

  it('rejects InvalidArgumentError for a duplicate id, or a bad spec', async () => {
    const { sup } = setup({ strategy: 'one_for_one', children: [worker('a')] });
    await sup.start();
    await expect(sup.startChild(worker('a'))).rejects.toThrow(InvalidArgumentError);
    await expect(sup.startChild(worker('a'))).rejects.toThrow(/already has a child 'a'/);
    await expect(sup.startChild(worker(''))).rejects.toThrow(/spec\.id/);
    await expect(sup.startChild({ ...worker('z'), restart: 'sometimes' } as never)).rejects.toThrow(
      /spec\.restart/,
    );
    expect(states(sup)).toEqual(['a: running']);
  });

  it('rejects SupervisorStartError when the child fails to start, and does not add it', async () => {
    const { sup, runtime } = setup({ strategy: 'one_for_one', children: [] });
    await sup.start();
    const cause = new Error('nope');
    runtime.failNext.set('x', [cause]);
    const error = await sup.startChild(worker('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SupervisorStartError);
    expect(error).toMatchObject({ childId: 'x', cause });
    expect(sup.children()).toEqual([]);
    expect(runtime.log).toEqual(['start x#1', 'retire x']);
    await sup.startChild(worker('x'));
    expect(states(sup)).toEqual(['x: running']);
  });

  it('rejects SupervisorNotRunningError before start and after stop', async () => {
    const { sup } = setup({ strategy: 'one_for_one', children: [] });
    await expect(sup.startChild(worker('a'))).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await sup.start();
    await sup.stop();
    await expect(sup.startChild(worker('a'))).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await expect(sup.terminateChild('a')).rejects.toBeInstanceOf(SupervisorNotRunningError);
  });
});

describe('terminateChild', () => {
  it('stops the child with its shutdown value, removes and retires it; it is not restarted', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_all',
      children: [worker('a'), worker('b', { shutdown: 'brutal_kill' }), worker('c')],
    });
    await sup.start();
    runtime.clear();

    await sup.terminateChild('b');
    await flush();

    expect(runtime.log).toEqual(['stop b brutal_kill', 'retire b']);
    expect(states(sup)).toEqual(['a: running', 'c: running']);
  });

  it('rejects InvalidArgumentError for an unknown id', async () => {
    const { sup } = setup({ strategy: 'one_for_one', children: [] });
    await sup.start();
    await expect(sup.terminateChild('ghost')).rejects.toThrow(/no child 'ghost'/);
  });

  it('removes a child that was already down', async () => {
    const { sup, runtime } = setup({
      strategy: 'one_for_one',
      children: [worker('a', { restart: 'transient' })],
    });
    await sup.start();
    runtime.crash('a', 'normal');
    await flush();
    runtime.clear();
    await sup.terminateChild('a');
    expect(runtime.log).toEqual(['retire a']);
    expect(sup.children()).toEqual([]);
  });
});
