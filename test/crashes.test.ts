/**
 * Every way a worker can die yields the right typed exit, with the remote error where there is
 * one, and settles every pending ask.
 */

import {
  ActorCrashedError,
  type ExitInfo,
  MessageTooLargeError,
  ProcessExitError,
  ProtocolError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { Counter, Crasher, type CrashMsg, hostileHeader } from './fixtures/actors.js';
import { rawFrame } from './fixtures/exposure.js';
import { startSystem } from './support/system.js';

async function crashWith(
  placement: 'process' | 'thread',
  msg: CrashMsg,
  maxHeapMb?: number,
): Promise<ExitInfo> {
  const system = await startSystem({ placement });
  const crasher = await system.spawn(Crasher, undefined, maxHeapMb === undefined ? {} : { maxHeapMb });
  await expect(crasher.ask({ type: 'ping' })).resolves.toBe('pong');
  crasher.send(msg);
  const exit = await crasher.exited;
  expect(crasher.isAlive).toBe(false);
  return exit;
}

describe.each(['process', 'thread'] as const)('crashes on placement %s', (placement) => {
  it('an exception is an error exit carrying the remote name, message, stack, code and cause', async () => {
    const exit = await crashWith(placement, { type: 'throw' });
    expect(exit.reason).toBe('error');
    expect(exit.code).toBe(1);
    expect(exit.error).toBeInstanceOf(RangeError);
    expect(exit.error?.message).toBe('kaboom');
    expect((exit.error as RangeError & { code: string }).code).toBe('E_KABOOM');
    expect(exit.error?.stack).toMatch(/fixtures[/\\]actors\.ts/);
    expect(((exit.error as Error).cause as Error).message).toBe('root cause');
  });

  it('an unhandled rejection is an error exit', async () => {
    const exit = await crashWith(placement, { type: 'reject' });
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(TypeError);
    expect(exit.error?.message).toBe('async kaboom');
  });

  it('process.exit(3) is an error exit with the code', async () => {
    const exit = await crashWith(placement, { type: 'exit', code: 3 });
    expect(exit.reason).toBe('error');
    expect(exit.code).toBe(3);
    expect(exit.error).toBeInstanceOf(ProcessExitError);
    expect((exit.error as ProcessExitError).exitCode).toBe(3);
  });

  it('running out of heap is an oom exit', async () => {
    const exit = await crashWith(placement, { type: 'oom' }, 32);
    expect(exit.reason).toBe('oom');
  });

  it('a kill is a signal exit, and settles the asks in flight', async () => {
    const system = await startSystem({ placement });
    const crasher = await system.spawn(Crasher, undefined);
    const inFlight = crasher.ask({ type: 'slow', ms: 60_000 });
    crasher.kill('SIGKILL');
    const failure = await inFlight.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ActorCrashedError);
    const exit = await crasher.exited;
    expect(exit.reason).toBe('signal');
    expect(exit.signal).toBe('SIGKILL');
    expect((failure as ActorCrashedError).exit).toEqual(exit);
  });
});

describe('crashes of a child process', () => {
  it('a SIGKILL from outside is reported as signal SIGKILL, and the system carries on', async () => {
    const system = await startSystem();
    const crasher = await system.spawn(Crasher, undefined);
    const exitEvent = system.events.next((e) => e.type === 'exited' && e.id === crasher.id);
    process.kill(crasher.pid as number, 'SIGKILL');
    expect(await exitEvent).toMatchObject({
      exit: { reason: 'signal', signal: 'SIGKILL' },
      pid: crasher.pid,
    });
    const counter = await system.spawn(Counter, { start: 1 });
    await expect(counter.ask({ type: 'get' })).resolves.toBe(1);
  });

  it('a frame header announcing more than maxMessageBytes closes the channel, and the root survives', async () => {
    const system = await startSystem({ maxMessageBytes: 1024 * 1024 });
    const hostile = await system.process(hostileHeader);
    const exit = await hostile.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(ProtocolError);
    expect(exit.error?.message).toMatch(/announces 2147483647 bytes/);
    const counter = await system.spawn(Counter, { start: 5 });
    await expect(counter.ask({ type: 'get' })).resolves.toBe(5);
  });

  it('a malformed queue call ends that worker with a ProtocolError naming the field, and the queue and root carry on', async () => {
    const system = await startSystem();
    const queue = system.queue<string>();
    await queue.put('kept');
    // An ack of -5 items would corrupt the queue's books, a take of 'all' its answer.
    for (const [op, arg] of [
      ['ack', -5],
      ['take', 'all'],
    ] as const) {
      const hostile = await system.process(rawFrame, {
        t: 'qcall',
        op,
        id: 0,
        q: queue.id,
        arg,
        timeoutMs: undefined,
      });
      const exit = await hostile.exited;
      expect(exit.reason).toBe('error');
      expect(exit.error).toBeInstanceOf(ProtocolError);
      expect(exit.error?.message).toMatch(/could not handle a 'qcall' frame/);
      expect(exit.error?.cause).toBeInstanceOf(ProtocolError);
      expect(String(exit.error?.cause)).toMatch(new RegExp(`Malformed queue call "${op}": arg must be`));
    }
    await expect(queue.get({ timeoutMs: 5000 })).resolves.toBe('kept');
    expect(await queue.size()).toBe(0);
    const counter = await system.spawn(Counter, { start: 5 });
    await expect(counter.ask({ type: 'get' })).resolves.toBe(5);
  });

  it('a busy-looping actor that ignores stop is killed after shutdownMs with reason timeout', async () => {
    const system = await startSystem({ shutdownMs: 300 });
    const crasher = await system.spawn(Crasher, undefined);
    await crasher.ask({ type: 'spin' });
    const exit = await crasher.stop();
    expect(exit.reason).toBe('timeout');
    expect(exit.signal).toBe('SIGKILL');
  });
});

describe('oversize in the worker', () => {
  it('an oversize reply fails in the worker with MessageTooLargeError', async () => {
    const system = await startSystem({ maxMessageBytes: 4096 });
    const crasher = await system.spawn(Crasher, undefined);
    await expect(crasher.ask({ type: 'reply', bytes: 10_000 })).rejects.toBeInstanceOf(ActorCrashedError);
    expect((await crasher.exited).error).toBeInstanceOf(MessageTooLargeError);
  });
});
