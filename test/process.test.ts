/** The multiprocessing.Process analog: run a task in its own process and join it. */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ActorCrashedError, SerializationError, SpawnError } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import {
  add,
  busyLoop,
  Crasher,
  ForeverInit,
  hello,
  SlowInit,
  sleepForever,
  sumTo,
  throwingTask,
  unserializableResult,
  workerFlags,
} from './fixtures/actors.js';
import { isAlive } from './support/processes.js';
import { startSystem, tsxExecArgv } from './support/system.js';

describe('system.process', () => {
  it('runs a task in a new process, joins it and returns its result', async () => {
    const system = await startSystem();
    const p = await system.process(add, 2, 3);
    expect(p.pid).toBeGreaterThan(0);
    expect(p.pid).not.toBe(process.pid);
    const exit = await p.join();
    expect(exit).toMatchObject({ reason: 'normal', code: 0 });
    expect(p.isAlive).toBe(false);
    expect(p.exitCode).toBe(0);
    await expect(p.result()).resolves.toBe(5);
  });

  it('join(timeoutMs) resolves undefined on timeout without throwing; terminate and kill end it', async () => {
    const system = await startSystem();
    const p = await system.process(sleepForever);
    await expect(p.join(20)).resolves.toBeUndefined();
    expect(p.isAlive).toBe(true);
    expect(p.exitCode).toBeNull();
    p.terminate();
    expect(await p.join()).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
    expect(p.exitCode).toBe(-15);
    const q = await system.process(sleepForever);
    q.kill();
    expect(await q.join()).toMatchObject({ reason: 'signal', signal: 'SIGKILL' });
  });

  it('a task that throws exits with its error; result() rejects with it as cause', async () => {
    const system = await startSystem();
    const p = await system.process(throwingTask);
    const exit = await p.join();
    expect(exit?.reason).toBe('error');
    expect(exit?.error).toBeInstanceOf(SyntaxError);
    const failure = await p.result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ActorCrashedError);
    expect((failure as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('an unserializable result fails the task with a SerializationError naming it', async () => {
    const system = await startSystem();
    const p = await system.process(unserializableResult);
    const exit = await p.join();
    expect(exit?.error).toBeInstanceOf(SerializationError);
    expect((exit as unknown as { error: SerializationError }).error.path).toBe('result.fn');
  });

  it('refuses unserializable arguments before starting anything', async () => {
    const system = await startSystem();
    const spawned: unknown[] = [];
    system.events.subscribe((e) => spawned.push(e));
    await expect(system.process(add, 1, (() => 2) as unknown as number)).rejects.toThrow(/args\[1\]/);
    expect(spawned).toEqual([]);
  });

  it("prints to the parent's stdout (hello from a TypeScript module, through the tsx loader)", async () => {
    const script = fileURLToPath(new URL('./fixtures/helloMain.ts', import.meta.url));
    const child = spawn(process.execPath, [...tsxExecArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toBe('Hello from the child process!\nHello from the main process!\n');
    expect(isAlive(child.pid as number)).toBe(false);
  });

  it.each([
    { execArgv: ['--import', 'tsx'], others: [] },
    { execArgv: ['--import=tsx', '--no-warnings'], others: ['--no-warnings'] },
  ])(
    'a worker started with $execArgv registers tsx itself and shows the flag as if started with it',
    async ({ execArgv, others }) => {
      // The runtime's own modules load natively first; the worker then registers tsx, loads the
      // TypeScript fixture through it, and puts the flag back for anything it forks.
      const system = await startSystem({ execArgv });
      const p = await system.process(workerFlags);
      const flags = await p.result();
      expect(flags.handOverLeft).toBe(false);
      expect(flags.execArgv).toEqual([...others, '--import', 'tsx']);
    },
  );

  it('names the missing loader when a TypeScript definition cannot load', async () => {
    const system = await startSystem({ execArgv: [] });
    const failure = await system.process(hello, 'nobody').catch((e: unknown) => e);
    // The definition error itself, not a worker that ended before it was ready.
    expect((failure as Error).name).toBe('DefinitionError');
    expect((failure as Error).message).toMatch(/--import tsx/);
  });
});

describe('CPU-bound work that never yields (Python starts any target)', () => {
  it('a task in a loop that never yields still starts; join(timeoutMs), isAlive, exitInfo, terminate and kill work on it', async () => {
    const system = await startSystem();
    const p = await system.process(busyLoop);
    expect(p.isAlive).toBe(true);
    expect(p.exitInfo).toBeUndefined();
    await expect(p.join(20)).resolves.toBeUndefined();
    expect(p.isAlive).toBe(true);
    p.terminate();
    expect(await p.join()).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
    expect(p.isAlive).toBe(false);
    expect(p.exitInfo).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
    expect(p.exitCode).toBe(-15);
    const q = await system.process(busyLoop);
    q.kill();
    expect(await q.join()).toMatchObject({ reason: 'signal', signal: 'SIGKILL' });
    await expect(q.result()).rejects.toBeInstanceOf(ActorCrashedError);
  });

  it('a long synchronous computation starts, then returns its result', async () => {
    const system = await startSystem();
    const p = await system.process(sumTo, 20_000_000);
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
    await expect(p.result()).resolves.toBe((20_000_000 * 19_999_999) / 2);
  });

  it.each(['queue', 'pipe'] as const)(
    'a reply leaves before the next message, one that never yields, runs (%s mailbox)',
    async (mailbox) => {
      const system = await startSystem();
      const actor = await system.spawn(Crasher, undefined, { mailbox });
      const pong = actor.ask({ type: 'ping' }, { timeoutMs: 20_000 });
      actor.send({ type: 'busy' });
      await expect(pong).resolves.toBe('pong');
      actor.kill();
      expect(await actor.exited).toMatchObject({ reason: 'signal', signal: 'SIGKILL' });
    },
  );

  it('an actor whose init computes for a while starts, and its first message is answered', async () => {
    const system = await startSystem();
    const actor = await system.spawn(SlowInit, { iterations: 30_000_000 });
    await expect(actor.ask('count', { timeoutMs: 20_000 })).resolves.toBe(1);
  });

  it('an actor whose init never returns is killed at shutdown, and its spawn rejects with SpawnError', async () => {
    const system = await startSystem({ shutdownMs: 200 });
    const spawning = system.spawn(ForeverInit, undefined);
    await system.shutdown();
    await expect(spawning).rejects.toBeInstanceOf(SpawnError);
  });
});
