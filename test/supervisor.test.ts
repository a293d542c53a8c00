/** Supervision with real child processes: restarts, restart types, strategies, escalation, liveness. */

import { type ActorHandle, EscalationError, type SystemEvent } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Echo } from './fixtures/actors.js';
import { Worker, type WorkerMsg } from './fixtures/supervised.js';
import { isAlive } from './support/processes.js';
import { startSystem } from './support/system.js';

const worker = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  actor: Worker,
  args: {},
  ...extra,
});

async function pidOf(handle: ActorHandle<WorkerMsg, number> | undefined): Promise<number> {
  if (handle === undefined) throw new Error('no such child');
  return handle.ask({ type: 'pid' }, { timeoutMs: 20_000 });
}

describe('supervisor with real processes', () => {
  it('restarts a SIGKILLed child with a new pid, under the same handle', async () => {
    const system = await startSystem();
    const sup = await system.supervise({ strategy: 'one_for_one', children: [worker('w')] });
    const w = sup.child<WorkerMsg, number>('w');
    const before = await pidOf(w);
    const restarted = system.events.next((e) => e.type === 'restarted' && e.child === 'w');
    const exited = system.events.next((e) => e.type === 'exited' && e.pid === before);
    process.kill(before, 'SIGKILL');
    const event = await restarted;
    const after = await pidOf(w);
    expect(after).not.toBe(before);
    expect(sup.children()[0]).toMatchObject({ id: 'w', restarts: 1 });
    // The restart names the actor as its exit did: one id across incarnations.
    expect(event).toMatchObject({ id: w?.id, pid: after, restarts: 1 });
    expect(await exited).toMatchObject({ id: w?.id });
  });

  it('process.exit(0): a permanent child restarts, a transient one does not', async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [worker('perm', { restart: 'permanent' }), worker('trans', { restart: 'transient' })],
    });
    const perm = sup.child<WorkerMsg, number>('perm');
    const trans = sup.child<WorkerMsg, number>('trans');
    const permPid = await pidOf(perm);
    await pidOf(trans);
    const restarted = system.events.next((e) => e.type === 'restarted');
    const transExit = trans?.exited;
    perm?.send({ type: 'exit', code: 0 });
    trans?.send({ type: 'exit', code: 0 });
    expect(await restarted).toMatchObject({ child: 'perm' });
    expect((await transExit)?.reason).toBe('normal');
    expect(await pidOf(perm)).not.toBe(permPid);
    expect(sup.children().find((c) => c.id === 'trans')?.state).toBe('stopped');
  });

  it('rest_for_one restarts the crashed child and those after it; the earlier sibling keeps its pid', async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'rest_for_one',
      children: [worker('a'), worker('b'), worker('c')],
    });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => pidOf(sup.child(id))));
    const restartedC = system.events.next((e) => e.type === 'restarted' && e.child === 'c');
    sup.child<WorkerMsg, number>('b')?.send({ type: 'crash' });
    await restartedC;
    expect(await pidOf(sup.child('a'))).toBe(a);
    expect(await pidOf(sup.child('b'))).not.toBe(b);
    expect(await pidOf(sup.child('c'))).not.toBe(c);
  });

  it('escalation: a nested supervisor that gives up is restarted, with its whole subtree', async () => {
    const system = await startSystem();
    const top = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 3,
      children: [
        worker('sibling'),
        {
          id: 'sub',
          type: 'supervisor',
          supervisor: {
            strategy: 'one_for_one',
            maxRestarts: 0,
            withinMs: 60_000,
            children: [worker('leaf')],
          },
        },
      ],
    });
    const sibling = await pidOf(top.child('sibling'));
    const leaf = await pidOf(top.child('leaf'));
    const escalated = system.events.next((e) => e.type === 'escalated');
    const subRestarted = system.events.next((e) => e.type === 'restarted' && e.child === 'sub');
    top.child<WorkerMsg, number>('leaf')?.send({ type: 'crash' });
    expect(((await escalated) as Extract<SystemEvent, { type: 'escalated' }>).error).toBeInstanceOf(
      EscalationError,
    );
    await subRestarted;
    expect(await pidOf(top.child('leaf'))).not.toBe(leaf);
    expect(await pidOf(top.child('sibling'))).toBe(sibling);
  });

  it('a busy-looping child is killed by the heartbeat and restarted', async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      heartbeatMs: 200,
      children: [worker('w')],
    });
    const w = sup.child<WorkerMsg, number>('w');
    const before = await pidOf(w);
    const exited = system.events.next((e) => e.type === 'exited' && e.pid === before);
    w?.send({ type: 'spin' });
    expect(await exited).toMatchObject({ exit: { reason: 'timeout' } });
    expect(await pidOf(w)).not.toBe(before);
  });

  it('a child that ignores stop (and SIGTERM) with shutdown: 500 is killed after 500 ms', async () => {
    const system = await startSystem();
    const log = system.queue<unknown>();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [worker('stubborn', { args: { ignoreSigterm: true, log }, shutdown: 500 })],
    });
    const stubborn = sup.child<WorkerMsg, number>('stubborn');
    const pid = await pidOf(stubborn);
    stubborn?.send({ type: 'hang' });
    await expect(log.get()).resolves.toBe('hanging');
    const exited = system.events.next((e) => e.type === 'exited' && e.pid === pid);
    const started = performance.now();
    process.kill(pid, 'SIGTERM'); // ignored
    await sup.stop();
    const elapsed = performance.now() - started;
    expect(await exited).toMatchObject({ exit: { reason: 'timeout', signal: 'SIGKILL' } });
    expect(elapsed).toBeGreaterThanOrEqual(450);
  });

  it('messages sent while a child restarts reach the new incarnation, in order', async () => {
    const system = await startSystem();
    const log = system.queue<unknown>();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [worker('w', { args: { log } })],
    });
    const w = sup.child<WorkerMsg, number>('w');
    const pid = await pidOf(w);
    const restarted = system.events.next((e) => e.type === 'restarted' && e.child === 'w');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 5; i++) w?.send({ type: 'record', value: i });
    await restarted;
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await log.get({ timeoutMs: 20_000 }));
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('starts a child spec without args (an actor whose init takes none), which answers', async () => {
    const system = await startSystem();
    const sup = await system.supervise({ strategy: 'one_for_one', children: [{ id: 'a', actor: Echo }] });
    expect(sup.children()).toMatchObject([{ id: 'a', state: 'running' }]);
    expect(await sup.child('a')?.ask('ping', { timeoutMs: 20_000 })).toBe('ping');
  });

  it('names a tree by options.name (in sup.name and its events), else supervisor-N; a nested one parent/id', async () => {
    const system = await startSystem();
    const seen: string[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'childState') seen.push(`${e.supervisor}/${e.child}`);
    });
    const named = await system.supervise({
      name: 'billing',
      strategy: 'one_for_one',
      children: [
        { id: 'a', actor: Echo, placement: 'local' },
        {
          id: 'jobs',
          type: 'supervisor',
          supervisor: {
            name: 'ignored',
            strategy: 'one_for_one',
            children: [{ id: 'b', actor: Echo, placement: 'local' }],
          },
        },
      ],
    });
    const unnamed = await system.supervise({ strategy: 'one_for_one', children: [] });
    expect(named.name).toBe('billing');
    expect(unnamed.name).toMatch(/^supervisor-\d+$/);
    expect(new Set(seen)).toEqual(new Set(['billing/a', 'billing/jobs', 'billing/jobs/b']));
  });

  it('leaves no child alive after the system shuts down', async () => {
    const system = await startSystem();
    const sup = await system.supervise({ strategy: 'one_for_all', children: [worker('a'), worker('b')] });
    const pids = await Promise.all(['a', 'b'].map((id) => pidOf(sup.child(id))));
    await system.shutdown();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(sup.children().every((c) => c.state === 'stopped')).toBe(true);
  });
});
