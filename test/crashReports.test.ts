/**
 * Crash reports: a worker that dies of an error, out of memory or a timeout while nothing watches
 * it is reported once, to the system's logger; one that something watches (its handle's
 * `exited`, a process's `join()` or `result()`, a supervisor, a pool, a subscriber to
 * `system.events`) is not.
 */

import { ActorSystem, type CrashReport, InvalidArgumentError } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Crasher, FailingInit, throwingTask } from './fixtures/actors.js';
import { startSystem } from './support/system.js';

/** A system whose crash reports are collected, with a way to await the next one. */
async function reportingSystem() {
  const reports: CrashReport[] = [];
  const waiters: ((report: CrashReport) => void)[] = [];
  const system = await startSystem({
    logger: (report) => {
      reports.push(report);
      waiters.shift()?.(report);
    },
  });
  const nextReport = () => new Promise<CrashReport>((resolve) => waiters.push(resolve));
  return { system, reports, nextReport };
}

/** Lets reports already decided on be made: they are made in a setImmediate after the exit. */
async function reportsSettled(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('crash reports', () => {
  for (const placement of ['process', 'thread'] as const) {
    it(`an actor on placement '${placement}' that throws while nothing watches it is reported once, with its remote stack`, async () => {
      const { system, reports, nextReport } = await reportingSystem();
      const actor = await system.spawn(Crasher, undefined, { placement });
      const reported = nextReport();
      actor.send({ type: 'throw' });
      const report = await reported;
      expect(report).toMatchObject({ kind: 'actor', id: actor.id, name: actor.name, placement });
      expect(report.pid).toBe(placement === 'process' ? actor.pid : undefined);
      expect(report.exit.reason).toBe('error');
      expect(report.exit.error?.message).toBe('kaboom');
      expect(report.text).toMatch(
        new RegExp(`^Troupe crash report: actor Crasher#${actor.id} \\(id ${actor.id}`),
      );
      expect(report.text).toMatch(/RangeError: kaboom\n\s+at .*fixtures\/actors\.ts/);
      expect(report.text).toMatch(/\[cause\]: Error: root cause/);
      await reportsSettled();
      expect(reports).toHaveLength(1);
    });
  }

  it('a system.process task that throws is reported when nobody joins it, and not when someone does', async () => {
    const { system, reports, nextReport } = await reportingSystem();
    const joined = await system.process(throwingTask);
    const exit = await joined.join();
    expect(exit?.reason).toBe('error');
    const reported = nextReport();
    const unwatched = await system.process(throwingTask);
    const report = await reported;
    expect(report).toMatchObject({ kind: 'task', pid: unwatched.pid, placement: 'process' });
    expect(report.name).toBe(`throwingTask#${report.id}`);
    expect(report.text).toMatch(/ended: error: bad task\nSyntaxError: bad task/);
    await reportsSettled();
    expect(reports.map((r) => r.pid)).toEqual([unwatched.pid]);
  });

  it('nothing is reported for a crash something watches: exited, a supervisor, a system.events subscriber', async () => {
    const { system, reports, nextReport } = await reportingSystem();
    const watched = await system.spawn(Crasher, undefined);
    const exited = watched.exited;
    watched.send({ type: 'throw' });
    expect((await exited).reason).toBe('error');

    const sup = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 1,
      withinMs: 60_000,
      children: [{ id: 'c', actor: Crasher }],
    });
    const child = sup.child('c');
    child?.send({ type: 'throw' });
    // Its queue mailbox keeps the ask for the next incarnation.
    expect(await child?.ask({ type: 'ping' }, { timeoutMs: 20_000 })).toBe('pong');

    const off = system.events.subscribe(() => {});
    const seen = await system.spawn(Crasher, undefined);
    const seenExit = system.events.next((e) => e.type === 'exited' && e.id === seen.id);
    seen.send({ type: 'throw' });
    await seenExit;
    off();

    // The control: the same crash, unwatched, is reported, and is the only report.
    const control = await system.spawn(Crasher, undefined);
    const reported = nextReport();
    control.send({ type: 'throw' });
    expect((await reported).id).toBe(control.id);
    await reportsSettled();
    expect(reports.map((r) => r.id)).toEqual([control.id]);
  });

  it('normal ends, stops and kills are not crashes', async () => {
    const { system, reports, nextReport } = await reportingSystem();
    const stopped = await system.spawn(Crasher, undefined);
    await stopped.stop();
    const killed = await system.spawn(Crasher, undefined, { placement: 'process', mailbox: 'pipe' });
    // An ask is no watcher: it fails when the actor dies, and tells this test so.
    const pending = killed.ask({ type: 'slow', ms: 60_000 }, { timeoutMs: 60_000 });
    process.kill(killed.pid as number, 'SIGKILL');
    await expect(pending).rejects.toThrow();
    const control = await system.spawn(Crasher, undefined);
    const reported = nextReport();
    control.send({ type: 'throw' });
    await reported;
    await reportsSettled();
    expect(reports.map((r) => r.id)).toEqual([control.id]);
  });

  it('an actor whose init throws is not reported: its spawn rejects with that error', async () => {
    const { system, reports, nextReport } = await reportingSystem();
    await expect(system.spawn(FailingInit, undefined)).rejects.toThrow(/init refused/);
    const control = await system.spawn(Crasher, undefined);
    const reported = nextReport();
    control.send({ type: 'throw' });
    await reported;
    await reportsSettled();
    expect(reports.map((r) => r.id)).toEqual([control.id]);
  });

  it('a logger that throws does not take the system down', async () => {
    let called: () => void = () => {};
    const logged = new Promise<void>((resolve) => {
      called = resolve;
    });
    const system = await startSystem({
      logger: () => {
        called();
        throw new Error('logger broke');
      },
    });
    const actor = await system.spawn(Crasher, undefined);
    actor.send({ type: 'throw' });
    await logged;
    const next = await system.spawn(Crasher, undefined);
    expect(await next.ask({ type: 'ping' }, { timeoutMs: 10_000 })).toBe('pong');
  });

  it('refuses a logger that is neither a function nor false, naming the option', async () => {
    for (const logger of [true, 'stderr', null, {}]) {
      await expect(ActorSystem.start({ logger: logger as never })).rejects.toThrow(InvalidArgumentError);
    }
    await expect(ActorSystem.start({ logger: 'x' as never })).rejects.toThrow(/^logger must be a function/);
    await expect(ActorSystem.start({ prefixOutput: 'yes' as never })).rejects.toThrow(
      /^prefixOutput must be a boolean/,
    );
  });
});
