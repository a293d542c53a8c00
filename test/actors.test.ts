/**
 * Actors on every placement: ask/reply, order, messages that round-trip or are refused,
 * lifecycle, names and events.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  ActorStoppedError,
  AskTimeoutError,
  InvalidArgumentError,
  MessageTooLargeError,
  NameTakenError,
  type Placement,
  SerializationError,
  SpawnError,
  type SystemEvent,
} from '@troupe/node-runtime';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Counter, Crasher, Echo, FailingInit, Forwarder, Recorder, Stopper } from './fixtures/actors.js';
import { startSystem, tsxExecArgv } from './support/system.js';

const placements: Placement[] = ['process', 'thread', 'local'];

describe.each(placements)('on placement %s', (placement) => {
  it('answers asks and keeps state between messages', async () => {
    const system = await startSystem({ placement });
    const counter = await system.spawn(Counter, { start: 41 });
    expect(counter.placement).toBe(placement);
    expect(counter.pid === undefined).toBe(placement !== 'process');
    counter.send({ type: 'inc' });
    await expect(counter.ask({ type: 'get' }, { timeoutMs: 10_000 })).resolves.toBe(42);
  });

  it('delivers 1,000 messages from one sender in order', async () => {
    const system = await startSystem({ placement });
    const recorder = await system.spawn(Recorder, undefined);
    for (let i = 0; i < 1000; i++) recorder.send({ type: 'record', value: i });
    const seen = await recorder.ask({ type: 'dump' });
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('round-trips Map, Set, Date, BigInt, Error and a cycle', async () => {
    const system = await startSystem({ placement });
    const echo = await system.spawn(Echo, undefined);
    const cyclic: { name: string; self?: unknown } = { name: 'loop' };
    cyclic.self = cyclic;
    const error = new TypeError('bad', { cause: new Error('deeper') });
    Object.assign(error, { code: 'E_BAD' });
    const message = {
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { b: true }],
      ]),
      set: new Set(['x', 'y']),
      date: new Date('2026-11-28T00:00:00Z'),
      big: 2n ** 70n,
      error,
      bytes: new Uint8Array([1, 2, 3]),
      cyclic,
    };
    const back = (await echo.ask(message)) as typeof message;
    expect(back.map).toEqual(message.map);
    expect(back.set).toEqual(message.set);
    expect(back.date).toBeInstanceOf(Date);
    expect(back.date.getTime()).toBe(message.date.getTime());
    expect(back.big).toBe(2n ** 70n);
    expect(back.error).toBeInstanceOf(TypeError);
    expect(back.error.message).toBe('bad');
    expect((back.error as TypeError & { code: string }).code).toBe('E_BAD');
    expect(back.error.stack).toBe(error.stack);
    expect((back.error.cause as Error).message).toBe('deeper');
    expect(back.bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.cyclic.self).toBe(back.cyclic);
  });

  it('refuses a function in a message at the call site, and nothing arrives', async () => {
    const system = await startSystem({ placement });
    const recorder = await system.spawn(Recorder, undefined);
    const bad = { type: 'record', value: { handler: () => 1 } } as const;
    let thrown: unknown;
    try {
      recorder.send(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as SerializationError).path).toBe('msg.value.handler');
    expect(() => recorder.ask({ type: 'record', value: Symbol('s') })).toThrow(SerializationError);
    await expect(recorder.ask({ type: 'dump' })).resolves.toEqual([]);
  });

  it('refuses a SharedArrayBuffer at the call site naming its path; a typed array over one arrives as a copy', async () => {
    const system = await startSystem({ placement });
    const recorder = await system.spawn(Recorder, undefined);
    const buf = new SharedArrayBuffer(16);
    let thrown: unknown;
    try {
      recorder.send({ type: 'record', value: { buf } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as SerializationError).path).toBe('msg.value.buf');
    expect((thrown as Error).message).toMatch(/msg\.value\.buf: a SharedArrayBuffer/);
    const ints = new Int32Array(buf);
    ints[0] = 1;
    recorder.send({ type: 'record', value: ints });
    ints[0] = 2; // the copy was taken at the send: the actor does not see this
    const [seen] = (await recorder.ask({ type: 'dump' }, { timeoutMs: 20_000 })) as [Int32Array];
    expect(seen).toEqual(Int32Array.of(1, 0, 0, 0));
    expect(seen.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('refuses an oversize message at the sender', async () => {
    const system = await startSystem({ placement, maxMessageBytes: 64 * 1024 });
    const recorder = await system.spawn(Recorder, undefined);
    expect(() => recorder.send({ type: 'record', value: new Uint8Array(100 * 1024) })).toThrow(
      MessageTooLargeError,
    );
    recorder.send({ type: 'record', value: new Uint8Array(1024) });
    await expect(recorder.ask({ type: 'dump' })).resolves.toHaveLength(1);
  });

  it('fails an actor whose reply is oversize, at the sender (the worker)', async () => {
    const system = await startSystem({ placement, maxMessageBytes: 64 * 1024 });
    const crasher = await system.spawn(Crasher, undefined);
    const rejection = await crasher.ask({ type: 'reply', bytes: 100 * 1024 }).catch((e: unknown) => e);
    expect((rejection as Error).name).toBe('ActorCrashedError');
    const exit = await crasher.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(MessageTooLargeError);
  });

  it('rejects an ask past its timeout, and with the abort reason', async () => {
    const system = await startSystem({ placement });
    const crasher = await system.spawn(Crasher, undefined);
    await expect(crasher.ask({ type: 'slow', ms: 60_000 }, { timeoutMs: 50 })).rejects.toBeInstanceOf(
      AskTimeoutError,
    );
    const controller = new AbortController();
    const pending = crasher.ask({ type: 'slow', ms: 60_000 }, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    crasher.kill();
  });

  it('rejects an ask to a stopped actor at once', async () => {
    const system = await startSystem({ placement });
    const counter = await system.spawn(Counter, { start: 0 });
    const exit = await counter.stop();
    expect(exit.reason).toBe('shutdown');
    expect(counter.isAlive).toBe(false);
    await expect(counter.ask({ type: 'get' })).rejects.toBeInstanceOf(ActorStoppedError);
  });

  it('sends to a dead actor go to dead letters, never throw', async () => {
    const system = await startSystem({ placement });
    const counter = await system.spawn(Counter, { start: 0 });
    await counter.stop();
    const letter = system.events.next((e) => e.type === 'deadLetter');
    expect(() => counter.send({ type: 'inc' })).not.toThrow();
    expect(await letter).toMatchObject({
      type: 'deadLetter',
      to: { id: counter.id },
      message: { type: 'inc' },
    });
  });

  it('stops itself with reason normal, running terminate', async () => {
    const system = await startSystem({ placement });
    const crasher = await system.spawn(Crasher, undefined);
    crasher.send({ type: 'stopSelf' });
    expect((await crasher.exited).reason).toBe('normal');
  });

  it('lets actors talk to each other through references in arguments', async () => {
    const system = await startSystem({ placement });
    const counter = await system.spawn(Counter, { start: 0 });
    const forwarder = await system.spawn(Forwarder, { to: counter });
    forwarder.send({ type: 'bump' });
    forwarder.send({ type: 'bump' });
    await expect(forwarder.ask({ type: 'read' })).resolves.toBe(2);
  });

  it('fails the spawn with SpawnError when init throws', async () => {
    const system = await startSystem({ placement });
    const failure = await system.spawn(FailingInit, undefined).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SpawnError);
    expect(((failure as Error).cause as Error).message).toBe('init refused');
  });
});

describe('the actor system', () => {
  it('finds actors by name and refuses a name in use', async () => {
    const system = await startSystem({ placement: 'local' });
    const counter = await system.spawn(Counter, { start: 7 }, { name: 'counter' });
    expect(system.lookup('counter')).toBe(counter);
    await expect(system.spawn(Counter, { start: 0 }, { name: 'counter' })).rejects.toBeInstanceOf(
      NameTakenError,
    );
    await counter.stop();
    expect(system.lookup('counter')).toBeUndefined();
  });

  it('stops actors in reverse start order on shutdown', async () => {
    const system = await startSystem({ placement: 'process' });
    const log = await system.spawn(Recorder, undefined, { placement: 'local' });
    for (const label of ['first', 'second', 'third']) await system.spawn(Stopper, { label, log });
    const exits: string[] = [];
    system.events.subscribe((e: SystemEvent) => {
      if (e.type === 'exited') exits.push(e.name);
    });
    const dump = (async () => {
      // The recorder is the first actor started, so the last one stopped: it sees every terminate.
      await system.events.next(
        (e) => e.type === 'exited' && e.exit.reason === 'shutdown' && exits.length === 3,
      );
      return log.ask({ type: 'dump' });
    })();
    await system.shutdown();
    await expect(dump).resolves.toEqual(['third', 'second', 'first']);
  });

  it('rejects bad options with errors that name them', async () => {
    await expect(startSystem({ maxMessageBytes: -1 })).rejects.toThrow(/maxMessageBytes/);
    await expect(startSystem({ placement: 'moon' as Placement })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const system = await startSystem({ placement: 'local' });
    const counter = await system.spawn(Counter, { start: 0 });
    expect(() => counter.ask({ type: 'get' }, { timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
    await expect(
      system.spawn({ kind: 'actor', module: 'file:///x.js', name: 'X' } as never, {}),
    ).rejects.toThrow(/defineActor/);
  });

  it('refuses new work after shutdown', async () => {
    const system = await startSystem({ placement: 'local' });
    await system.shutdown();
    await expect(system.spawn(Counter, { start: 0 })).rejects.toThrow(/shut down/);
  });
});

describe('a root started with flags that worker threads refuse', () => {
  it('node --expose-gc: a thread-placed actor starts without the flag (its process has it) and answers', async () => {
    const script = fileURLToPath(new URL('./fixtures/threadRoot.ts', import.meta.url));
    const root = spawn(process.execPath, ['--expose-gc', ...tsxExecArgv, script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (root.exitCode === null && root.signalCode === null) root.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    root.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    root.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const [code] = await once(root, 'exit');
    expect(code, err).toBe(0);
    const flags = JSON.parse(out);
    expect(flags.root).toEqual(['--expose-gc', '--import', 'tsx']);
    // The thread takes the loader, not --expose-gc, which V8 applies to the whole process anyway.
    expect(flags.thread).toEqual({ execArgv: ['--import', 'tsx'], gc: 'function' });
    // A worker process takes every flag.
    expect(flags.process).toEqual({ execArgv: ['--expose-gc', '--import', 'tsx'], gc: 'function' });
  });
});

describe('SIGTERM to a process actor (an operator’s kill <pid>)', () => {
  it('stops it politely, even sent the moment its spawn resolves', async () => {
    const system = await startSystem();
    // Its handler is in place before `ready` leaves the worker: a worker descheduled right after
    // saying it was ready (a loaded machine) must not die of the signal's default action.
    for (let i = 0; i < 5; i++) {
      const counter = await system.spawn(Counter, { start: i });
      counter.kill('SIGTERM');
      expect(await counter.exited).toMatchObject({ reason: 'shutdown', signal: null });
    }
  });
});
