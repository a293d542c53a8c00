/**
 * CPython's `Lib/test/_test_multiprocessing.py`, the Process cases (`_TestProcess`,
 * `_TestSubclassingProcess`, `_TestAtExit`), ported to `system.process`. Each test is named after
 * the case it ports; where Python has no clean answer, Troupe's documented one is asserted.
 */

import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, ProcessExitError, type ProcessHandle } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import {
  closeStdio,
  countFds,
  defaultSigint,
  divideByZero,
  exitWith,
  relay,
  reportArgs,
  signalThenSleep,
  sleepMs,
  upperCaser,
  waitForGo,
  writeAtExit,
} from '../fixtures/peers.js';
import { workerChildren } from '../support/processes.js';
import { startSystem } from '../support/system.js';

describe('_TestProcess', () => {
  it('_TestProcess.test_process: a started process is alive, gets its arguments, and exits 0 once joined', async () => {
    const system = await startSystem();
    // Capacity 1, as in CPython: the child blocks on its second put until the parent takes the
    // first, so it is certainly alive when looked at.
    const q = system.queue<unknown>({ capacity: 1 });
    const kwargs = { hello: 23, bye: 2.54 };
    const p = await system.process(reportArgs, q, 1, 2, kwargs);
    expect(p.exitCode).toBeNull();
    expect(p.isAlive).toBe(true);
    expect(p.exitInfo).toBeUndefined();
    expect(await q.get()).toEqual([1, 2, kwargs]);
    expect(await q.get()).toBe(p.pid);
    expect(await q.get()).toBe(process.pid);
    const exit = await p.join();
    expect(exit).toMatchObject({ reason: 'normal', code: 0, signal: null });
    expect(p.exitCode).toBe(0);
    expect(p.isAlive).toBe(false);
  });

  it('_TestProcess.test_args_argument: an argument of any shape reaches the child as given', async () => {
    const system = await startSystem();
    const cases: unknown[] = [1, 'str', [1], { 0: 1 }];
    const runs = await Promise.all(
      cases.map(async (arg) => {
        const q = system.queue<unknown>();
        const p = await system.process(reportArgs, q, arg);
        const [got] = (await q.get()) as unknown[];
        await p.join();
        return { got, exitCode: p.exitCode };
      }),
    );
    expect(runs).toEqual(cases.map((arg) => ({ got: arg, exitCode: 0 })));
  });

  it("_TestProcess.test_parent_process_attributes: the child's parent is this process", async () => {
    const system = await startSystem();
    const q = system.queue<unknown>();
    const p = await system.process(reportArgs, q);
    await q.get();
    expect(await q.get()).toBe(p.pid);
    expect(await q.get()).toBe(process.pid);
    await p.join();
  });

  /**
   * CPython's `_kill_process`: a child that says it runs, then sleeps; `join(0)` returns at once
   * with nothing, `meth` ends it, and the exit code is returned.
   */
  async function killProcess(meth: (p: ProcessHandle) => void): Promise<ProcessHandle> {
    const system = await startSystem();
    const ready = system.queue<string>();
    const p = await system.process(signalThenSleep, ready);
    expect(p.isAlive).toBe(true);
    expect(p.exitCode).toBeNull();
    expect(workerChildren()).toContain(p.pid);
    await expect(p.join(0)).resolves.toBeUndefined();
    expect(p.isAlive).toBe(true);
    // Python treats join(-1) as join(0); Troupe refuses a negative timeout, naming it.
    expect(() => p.join(-1)).toThrow(InvalidArgumentError);
    expect(() => p.join(-1)).toThrow(/join\(timeoutMs\)/);
    await expect(ready.get({ timeoutMs: 20_000 })).resolves.toBe('running');
    meth(p);
    const exit = await p.join();
    expect(exit).toBe(p.exitInfo);
    expect(p.isAlive).toBe(false);
    expect(workerChildren()).not.toContain(p.pid);
    await expect(p.join()).resolves.toBe(exit);
    return p;
  }

  it('_TestProcess.test_terminate: terminate() ends a sleeping child with -SIGTERM', async () => {
    const p = await killProcess((child) => child.terminate());
    expect(p.exitCode).toBe(-15);
    expect(p.exitInfo).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
  });

  it('_TestProcess.test_kill: kill() ends a sleeping child with -SIGKILL', async () => {
    const p = await killProcess((child) => child.kill());
    expect(p.exitCode).toBe(-9);
    expect(p.exitInfo).toMatchObject({ reason: 'signal', signal: 'SIGKILL' });
  });

  it('_TestProcess.test_interrupt: SIGINT does not end a worker (Ctrl-C is for the root to handle)', async () => {
    // Python's child dies of KeyboardInterrupt (exit code 1). A Troupe worker ignores SIGINT: a
    // terminal's Ctrl-C reaches the whole process group, and the root decides how workers stop.
    const system = await startSystem();
    const inbox = system.queue<string>();
    const outbox = system.queue<string>();
    const p = await system.process(relay, inbox, outbox);
    await inbox.put('before');
    await expect(outbox.get()).resolves.toBe('before');
    process.kill(p.pid as number, 'SIGINT');
    // The signal is delivered before the child can read this; it answering proves it lived on.
    await inbox.put('after');
    await expect(outbox.get()).resolves.toBe('after');
    expect(p.isAlive).toBe(true);
    p.terminate();
    await p.join();
    expect(p.exitCode).toBe(-15);
  });

  it('_TestProcess.test_interrupt_no_handler: with the default SIGINT action the child dies of -SIGINT', async () => {
    const system = await startSystem();
    const ready = system.queue<string>();
    const p = await system.process(defaultSigint, ready);
    await ready.get();
    process.kill(p.pid as number, 'SIGINT');
    expect(await p.join()).toMatchObject({ reason: 'signal', signal: 'SIGINT' });
    expect(p.exitCode).toBe(-2);
  });

  it('_TestProcess.test_cpu_count: the CPU count is a positive integer, and a pool of no given size has that many workers', async () => {
    const cpus = availableParallelism();
    expect(Number.isInteger(cpus)).toBe(true);
    expect(cpus).toBeGreaterThanOrEqual(1);
    const system = await startSystem();
    const pool = await system.pool();
    expect(pool.size).toBe(cpus);
    expect(pool.pids).toHaveLength(cpus);
  });

  it("_TestProcess.test_active_children: a running process is among this process's children, and is not once joined", async () => {
    const system = await startSystem();
    const go = system.queue<string>();
    const p = await system.process(waitForGo, go);
    expect(workerChildren()).toContain(p.pid);
    await go.put('go');
    await p.join();
    expect(workerChildren()).not.toContain(p.pid);
  });

  it('_TestProcess.test_sentinel: the exit promise settles only when the process ends', async () => {
    const system = await startSystem();
    const go = system.queue<string>();
    const p = await system.process(waitForGo, go);
    let settled = false;
    void p.exited.then(() => {
      settled = true;
    });
    await expect(p.join(0)).resolves.toBeUndefined();
    expect(settled).toBe(false);
    await go.put('go');
    await expect(p.exited).resolves.toMatchObject({ reason: 'normal', code: 0 });
    expect(settled).toBe(true);
    await expect(p.result()).resolves.toBe('go');
  });

  it('_TestProcess.test_many_processes: quick processes all exit 0; freshly started ones all terminate with -SIGTERM', async () => {
    const system = await startSystem();
    const N = 4;
    const quick = await Promise.all(Array.from({ length: N }, () => system.process(sleepMs, 10)));
    await Promise.all(quick.map((p) => p.join()));
    expect(quick.map((p) => p.exitCode)).toEqual(Array(N).fill(0));

    const go = system.queue<string>();
    const sleepers = await Promise.all(Array.from({ length: N }, () => system.process(waitForGo, go)));
    for (const p of sleepers) p.terminate();
    await Promise.all(sleepers.map((p) => p.join()));
    expect(sleepers.map((p) => p.exitCode)).toEqual(Array(N).fill(-15));
  });

  it('_TestProcess.test_child_fd_inflation: the number of fds in a child does not grow with the number of running children', async () => {
    const system = await startSystem();
    const report = system.queue<number>();
    const gate = system.queue<string>();
    const children: ProcessHandle[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      children.push(await system.process(countFds, report, gate));
      counts.push(await report.get());
    }
    for (const _ of children) await gate.put('go');
    await Promise.all(children.map((p) => p.join()));
    expect(new Set(counts).size).toBe(1);
    expect(children.map((p) => p.exitCode)).toEqual([0, 0, 0, 0]);
  });

  it('_TestProcess.test_error_on_stdio_flush_2: a child that closes its stdout and stderr still exits 0', async () => {
    const system = await startSystem();
    const p = await system.process(closeStdio);
    await expect(p.result()).resolves.toBe('closed');
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });
});

describe('_TestSubclassingProcess', () => {
  it('_TestSubclassingProcess.test_subclassing: a process serving requests over its pipe end (the upper-caser)', async () => {
    const system = await startSystem();
    const [parentConn, childConn] = system.pipe<string | null, string>();
    const p = await system.process(upperCaser, childConn);
    await parentConn.send('hello');
    await expect(parentConn.recv()).resolves.toBe('HELLO');
    await parentConn.send('world');
    await expect(parentConn.recv()).resolves.toBe('WORLD');
    await parentConn.send(null);
    parentConn.close();
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });

  it("_TestSubclassingProcess.test_stderr_flush: the child's whole traceback reaches the parent", async () => {
    const system = await startSystem();
    const p = await system.process(divideByZero);
    const exit = await p.join();
    expect(p.exitCode).toBe(1);
    expect(exit?.reason).toBe('error');
    const error = exit?.error as Error;
    expect(error.name).toBe('ZeroDivisionError');
    expect(error.message).toContain('# MARKER');
    expect(error.stack).toContain('ZeroDivisionError');
    expect(error.stack).toMatch(/fixtures[/\\]peers\.ts/);
  });

  it('_TestSubclassingProcess.test_sys_exit: process.exit(code) gives that exit code; a non-zero one is an error exit', async () => {
    const system = await startSystem();
    const cases = [
      { code: 1, exitCode: 1, reason: 'error' },
      { code: 0, exitCode: 0, reason: 'normal' },
      { code: 8, exitCode: 8, reason: 'error' },
      { code: undefined, exitCode: 0, reason: 'normal' },
    ];
    const runs = await Promise.all(cases.map(({ code }) => system.process(exitWith, code)));
    const exits = await Promise.all(runs.map((p) => p.join()));
    for (const [i, { exitCode, reason }] of cases.entries()) {
      expect(runs[i]?.exitCode).toBe(exitCode);
      expect(exits[i]?.reason).toBe(reason);
      if (exitCode !== 0) expect(exits[i]?.error).toBeInstanceOf(ProcessExitError);
    }
  });
});

describe('_TestAtExit', () => {
  it("_TestAtExit.test_atexit: the child's exit handlers run when its task returns", async () => {
    const system = await startSystem();
    const path = join(await mkdtemp(join(tmpdir(), 'troupe-peers-')), 'output.txt');
    const p = await system.process(writeAtExit, path);
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
    expect(readFileSync(path, 'utf8')).toBe('deadbeef');
  });
});
