/**
 * Warm standby workers (`ActorSystem.start({ standby })`): spawns and supervised restarts adopt an
 * idle worker started ahead of time, a replacement starts behind it, and standbys never show up
 * as actors, never outlive their system and never leak when the root dies.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SpawnError, type SystemEvent } from '@troupe/node-runtime';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Counter, type CounterMsg } from './fixtures/actors.js';
import { Worker, type WorkerMsg } from './fixtures/supervised.js';
import { goneWithRoot, waitUntil, workerChildren } from './support/processes.js';
import { startSystem } from './support/system.js';

/** The one worker process of this test that is not in `actors`: the idle standby. */
function onlyStandby(actors: readonly (number | undefined)[] = []): number {
  const idle = workerChildren().filter((pid) => !actors.includes(pid));
  expect(idle).toHaveLength(1);
  return idle[0] as number;
}

describe('standby workers', () => {
  it('a spawn adopts the idle standby process, and a replacement starts behind it', async () => {
    const system = await startSystem({ standby: { process: 1 } });
    expect(system.stats()).toMatchObject({ workers: 0, standby: 1 });
    const standby = onlyStandby();

    const counter = await system.spawn(Counter, { start: 41 });
    expect(counter.pid).toBe(standby);
    // Its replacement started as soon as the adopted worker first spoke (here: ready).
    expect(system.stats()).toMatchObject({ workers: 1, standby: 1 });
    counter.send({ type: 'inc' });
    await expect(counter.ask({ type: 'get' }, { timeoutMs: 20_000 })).resolves.toBe(42);

    expect(system.stats()).toMatchObject({ workers: 1, standby: 1 });
    const replacement = onlyStandby([counter.pid]);
    expect(replacement).not.toBe(standby);
    // The replacement is adopted in turn.
    const next = await system.spawn(Counter, { start: 0 });
    expect(next.pid).toBe(replacement);
  });

  it('a supervised child killed with SIGKILL restarts into the standby and answers again', async () => {
    const system = await startSystem({ standby: { process: 1 } });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'w', actor: Worker, args: {} }],
    });
    const w = sup.child<WorkerMsg, number>('w');
    if (w === undefined) throw new Error('no child w');
    const first = await w.ask({ type: 'pid' }, { timeoutMs: 20_000 });
    const standby = onlyStandby([first]);

    const restarted = system.events.next((e) => e.type === 'restarted' && e.child === 'w');
    process.kill(first, 'SIGKILL');
    await restarted;
    await expect(w.ask({ type: 'pid' }, { timeoutMs: 20_000 })).resolves.toBe(standby);
    expect(w.pid).toBe(standby);
    expect(sup.children()[0]).toMatchObject({ id: 'w', restarts: 1 });
    expect(system.stats().standby).toBe(1);
  });

  it('a spawn with its own maxHeapMb starts a fresh worker and leaves the standby idle', async () => {
    const system = await startSystem({ standby: { process: 1 } });
    const standby = onlyStandby();
    const counter = await system.spawn(Counter, { start: 0 }, { maxHeapMb: 128 });
    expect(counter.pid).not.toBe(standby);
    expect(onlyStandby([counter.pid])).toBe(standby);
    expect(system.stats()).toMatchObject({ workers: 1, standby: 1 });
    // A supervised child with its own heap limit restarts cold too.
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'w', actor: Worker, args: {}, maxHeapMb: 128 }],
    });
    expect(sup.child('w')?.pid).not.toBe(standby);
    expect(onlyStandby([counter.pid, sup.child('w')?.pid])).toBe(standby);
  });

  it('a thread spawn takes a thread standby, which is replaced; a process spawn finds none', async () => {
    const system = await startSystem({ standby: { thread: 1 } });
    expect(system.stats()).toMatchObject({ workers: 0, standby: 1 });
    const counter = await system.spawn<{ start: number }, CounterMsg, number>(
      Counter,
      { start: 1 },
      { placement: 'thread' },
    );
    await expect(counter.ask({ type: 'get' }, { timeoutMs: 20_000 })).resolves.toBe(1);
    expect(system.stats()).toMatchObject({ workers: 1, standby: 1 });
    const inProcess = await system.spawn(Counter, { start: 2 });
    await expect(inProcess.ask({ type: 'get' }, { timeoutMs: 20_000 })).resolves.toBe(2);
    expect(workerChildren()).toEqual([inProcess.pid]);
  });

  it('shutdown kills the idle standbys and reaps them: no process is left', async () => {
    const system = await startSystem({ standby: { process: 2, thread: 1 } });
    const counter = await system.spawn(Counter, { start: 0 });
    const pids = workerChildren();
    expect(pids).toHaveLength(3); // the actor and two standbys
    expect(pids).toContain(counter.pid);
    expect(system.stats()).toMatchObject({ workers: 1, standby: 3 });
    await system.shutdown();
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(system.stats()).toMatchObject({ workers: 0, standby: 0 });
  });

  it('a standby killed while idle is replaced, and no event reports it', async () => {
    const system = await startSystem({ standby: { process: 1 } });
    const seen: SystemEvent[] = [];
    onTestFinished(system.events.subscribe((e) => seen.push(e)));
    const standby = onlyStandby();

    process.kill(standby, 'SIGKILL');
    // The root replaces it when it sees the exit, which no event announces: look at the processes.
    const replaced = await waitUntil(() => {
      const idle = workerChildren();
      return idle.length === 1 && idle[0] !== standby && system.stats().standby === 1;
    }, 20_000);
    expect(replaced).toBe(true);
    expect(seen).toEqual([]);

    const replacement = onlyStandby();
    const counter = await system.spawn(Counter, { start: 0 });
    expect(counter.pid).toBe(replacement);
    expect(seen.map((e) => e.type)).toEqual(['spawned']);
  });

  it('standbys that keep dying as they start are given up on; spawns then start cold', async () => {
    // Every worker with this flag evaluates `process.exit(3)` instead of booting.
    const system = await startSystem({ standby: { process: 1 }, execArgv: ['--eval', 'process.exit(3)'] });
    const seen: SystemEvent[] = [];
    onTestFinished(system.events.subscribe((e) => seen.push(e)));
    // No event tells when the last one died: the count drops to 0 only once they are given up on.
    expect(await waitUntil(() => system.stats().standby === 0, 20_000)).toBe(true);
    expect(workerChildren()).toEqual([]);
    expect(seen).toEqual([]);
    // A cold start reports the problem to the one who asked.
    const refused = await system.spawn(Counter, { start: 0 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SpawnError);
    expect((refused as SpawnError).message).toMatch(/ended before it was ready.*code 3/);
    expect(system.stats().standby).toBe(0);
  });

  it('standbys are gone within 1 s of their root being SIGKILLed', async () => {
    const script = [
      "import { ActorSystem } from '@troupe/node-runtime';",
      'const system = await ActorSystem.start({ execArgv: [], standby: { process: 2 } });',
      'console.log(JSON.stringify(system.stats()));',
      'setInterval(() => {}, 1 << 30);',
    ].join('\n');
    const root = spawn(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      root.kill('SIGKILL');
    });
    const [line] = (await once(createInterface({ input: root.stdout }), 'line')) as [string];
    expect(JSON.parse(line)).toMatchObject({ standby: 2 });
    const pids = workerChildren(root.pid);
    expect(pids).toHaveLength(2);

    expect(await goneWithRoot(root, pids)).toBe(true);
  });
});
