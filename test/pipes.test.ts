/** Pipes: round trips, EOF and broken pipes, one-way ends, and direct links between processes. */

import {
  BrokenPipeError,
  PipeClosedError,
  SerializationError,
  TimeoutError,
  WrongPipeEndError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { client, echo, holdEnd, readToEnd } from './fixtures/pipes.js';
import { startSystem } from './support/system.js';

describe('pipes', () => {
  it('carry values both ways between two ends in the root, copied through the codec', async () => {
    const system = await startSystem({ placement: 'local' });
    const [left, right] = system.pipe<{ n: number }, string>();
    const sent = { n: 1 };
    await left.send(sent);
    const got = await right.recv();
    expect(got).toEqual({ n: 1 });
    expect(got).not.toBe(sent);
    await right.send('back');
    await expect(left.recv({ timeoutMs: 1000 })).resolves.toBe('back');
    await expect(left.poll()).resolves.toBe(false);
    await expect(left.recv({ timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('after the other end closes: recv drains then rejects PipeClosedError, poll is ready, send rejects BrokenPipeError', async () => {
    const system = await startSystem({ placement: 'local' });
    const [left, right] = system.pipe<string>();
    await left.send('last words');
    left.close();
    await expect(right.poll()).resolves.toBe(true);
    await expect(right.recv()).resolves.toBe('last words');
    await expect(right.recv()).rejects.toBeInstanceOf(PipeClosedError);
    await expect(right.poll()).resolves.toBe(true);
    await expect(right.send('anyone?')).rejects.toBeInstanceOf(BrokenPipeError);
    await expect(left.send('again')).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it('a one-way pipe rejects use of the wrong end', async () => {
    const system = await startSystem({ placement: 'local' });
    const [reader, writer] = system.pipe<string>({ duplex: false });
    expect(() => reader.send('x')).toThrow(WrongPipeEndError);
    await expect(writer.recv()).rejects.toBeInstanceOf(WrongPipeEndError);
    await writer.send('one way');
    await expect(reader.recv()).resolves.toBe('one way');
  });

  it('an end handed to a child process works there, and its death counts as a close', async () => {
    const system = await startSystem();
    const [mine, theirs] = system.pipe<string>();
    const report = system.queue<string>();
    const holder = await system.process(holdEnd, theirs, report);
    expect(() => theirs.send('x')).toThrow(WrongPipeEndError);
    await mine.send('hello');
    await expect(report.get()).resolves.toBe('hello');
    const pending = mine.recv();
    holder.kill();
    await expect(pending).rejects.toBeInstanceOf(PipeClosedError);
    await expect(mine.poll()).resolves.toBe(true);
    await expect(mine.send('still there?')).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it('an end in arguments that fail to encode stays with its owner: a failed spawn takes nothing', async () => {
    const system = await startSystem();
    const [mine, theirs] = system.pipe<string>();
    const report = system.queue<string>();
    const unsendable = { conn: theirs, report, handler: () => 'no' };
    await expect(system.process(holdEnd, unsendable.conn, unsendable as never)).rejects.toBeInstanceOf(
      SerializationError,
    );
    // Still this process's end: it sends and receives here, and can still be handed over.
    await theirs.send('back');
    await expect(mine.recv()).resolves.toBe('back');
    await system.process(holdEnd, theirs, report);
    await mine.send('hello');
    await expect(report.get()).resolves.toBe('hello');
  });

  it('values sent before an end is handed over wait for it, and its reader sees the close after them', async () => {
    const system = await startSystem();
    const [writer, reader] = system.pipe<string>();
    await writer.send('one');
    await writer.send('two');
    writer.close();
    const result = await (await system.process(readToEnd, reader)).result();
    expect(result).toEqual({ got: ['one', 'two'], ended: 'PipeClosedError', pollReady: true });
  });

  it('between two child processes: round trips over a direct connection, with no frame relayed by the root', async () => {
    const system = await startSystem();
    const [a, b] = system.pipe<number>();
    const ready = system.queue<string>();
    const go = system.queue<string>();
    const linked = system.events.next((e) => e.type === 'pipeLinked');
    const server = await system.process(echo, b);
    const caller = await system.process(client, a, ready, go, 1000);
    await ready.get();
    await linked;
    const relayedBefore = system.stats().relayedPipeFrames;
    await go.put('go');
    await expect(caller.result()).resolves.toBe((999 * 1000) / 2);
    await expect(server.result()).resolves.toBe(1001);
    expect(system.stats().relayedPipeFrames).toBe(relayedBefore);
  });

  it('a direct connection breaks cleanly when one process is SIGKILLed', async () => {
    const system = await startSystem();
    const [a, b] = system.pipe<string>();
    const report = system.queue<string>();
    const linked = system.events.next((e) => e.type === 'pipeLinked');
    const reader = await system.process(readToEnd, a);
    const holder = await system.process(holdEnd, b, report);
    await linked;
    holder.kill();
    const result = await reader.result();
    expect(result).toMatchObject({ got: [], ended: 'PipeClosedError', pollReady: true });
  });
});
