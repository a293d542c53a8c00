/**
 * CPython's `Lib/test/_test_multiprocessing.py`, the Pipe/Connection cases (`_TestConnection`,
 * `_TestPoll`, `TestWait`, `_TestPicklingConnections`, `TestIgnoreEINTR`), ported to
 * `system.pipe`. `send_bytes`/`recv_bytes` are `send`/`recv` of a `Uint8Array`; EOFError is
 * `PipeClosedError`; `multiprocessing.connection.wait` is awaiting several ends at once.
 */

import {
  type Connection,
  InvalidArgumentError,
  PipeClosedError,
  WrongPipeEndError,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { childAccess, echoUntil, ignoreSignal, sendAll, sendNumbered } from '../fixtures/peers.js';
import { startSystem } from '../support/system.js';

const SENTINEL = '<<sentinel>>';
const latin = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** How long `promise` took to settle, in ms, and what it settled with. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await promise;
  return { ms: performance.now() - start, value };
}

describe('_TestConnection', () => {
  it('_TestConnection.test_connection: values, bytes, typed arrays and a 16 MiB message round-trip through a child; poll waits; EOF after the child closes', async () => {
    const system = await startSystem();
    const [conn, childConn] = system.pipe<unknown, unknown>();
    const p = await system.process(echoUntil, childConn, SENTINEL);

    const seq = [1, 2.25, null];
    await expect(conn.send(seq)).resolves.toBeUndefined();
    await expect(conn.recv()).resolves.toEqual(seq);

    const msg = latin('hello world');
    await conn.send(msg);
    const bytes = await conn.recv();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toEqual(msg);

    const arr = Int32Array.from([0, 1, 2, 3]);
    await conn.send(arr);
    const arrBack = await conn.recv();
    expect(arrBack).toBeInstanceOf(Int32Array);
    expect(Array.from(arrBack as Int32Array)).toEqual([0, 1, 2, 3]);

    await expect(conn.poll()).resolves.toBe(false);
    const waited = await timed(conn.poll(100));
    expect(waited.value).toBe(false);
    expect(waited.ms).toBeGreaterThanOrEqual(90);

    await conn.send(null);
    await expect(conn.poll(20_000)).resolves.toBe(true);
    await expect(conn.recv()).resolves.toBeNull();

    const reallyBig = new Uint8Array(16 * 1024 * 1024).fill(0x58);
    await conn.send(reallyBig);
    const bigBack = (await conn.recv({ timeoutMs: 20_000 })) as Uint8Array;
    expect(bigBack.byteLength).toBe(reallyBig.byteLength);
    expect(Buffer.from(bigBack).equals(Buffer.from(reallyBig))).toBe(true);

    await conn.send(SENTINEL); // tell the child to quit
    expect(conn.readable).toBe(true);
    expect(conn.writable).toBe(true);
    await expect(conn.recv()).rejects.toBeInstanceOf(PipeClosedError);
    await expect(conn.recv()).rejects.toBeInstanceOf(PipeClosedError);
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });

  it('_TestConnection.test_duplex_false: a one-way pipe carries values from writer to reader; the wrong end refuses', async () => {
    const system = await startSystem({ placement: 'local' });
    const [reader, writer] = system.pipe<number>({ duplex: false });
    await expect(writer.send(1)).resolves.toBeUndefined();
    await expect(reader.recv()).resolves.toBe(1);
    expect(reader.readable).toBe(true);
    expect(reader.writable).toBe(false);
    expect(writer.readable).toBe(false);
    expect(writer.writable).toBe(true);
    expect(() => reader.send(2)).toThrow(WrongPipeEndError);
    await expect(writer.recv()).rejects.toBeInstanceOf(WrongPipeEndError);
    await expect(writer.poll()).rejects.toBeInstanceOf(WrongPipeEndError);
  });

  it('_TestConnection.test_spawn_close: closing the handed-over end right after the spawn does not break the child', async () => {
    const system = await startSystem();
    const [conn, childConn] = system.pipe<unknown, unknown>();
    const p = await system.process(echoUntil, childConn, SENTINEL);
    childConn.close(); // the end belongs to the child now: this closes nothing
    const msg = latin('hello');
    await conn.send(msg);
    await expect(conn.recv()).resolves.toEqual(msg);
    await conn.send(SENTINEL);
    conn.close();
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });

  it('_TestConnection.test_sendbytes: a view of part of a buffer sends just the bytes it shows', async () => {
    const system = await startSystem({ placement: 'local' });
    const msg = latin('abcdefghijklmnopqrstuvwxyz');
    const [a, b] = system.pipe<Uint8Array>();
    const cases: [number, number | undefined][] = [
      [0, undefined],
      [5, undefined],
      [7, 7 + 8],
      [26, undefined],
      [26, 26],
    ];
    for (const [from, to] of cases) {
      await a.send(msg.subarray(from, to));
      const got = await b.recv();
      expect(Array.from(got)).toEqual(Array.from(msg.slice(from, to)));
    }
  });

  it('_TestConnection.test_context: after both ends close, each reports closed and recv raises EOF', async () => {
    const system = await startSystem({ placement: 'local' });
    const [a, b] = system.pipe<number>();
    await a.send(1729);
    await expect(b.recv()).resolves.toBe(1729);
    expect(a.closed).toBe(false);
    expect(b.closed).toBe(false);
    a.close();
    b.close();
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(true);
    await expect(a.recv()).rejects.toBeInstanceOf(PipeClosedError);
    await expect(b.recv()).rejects.toBeInstanceOf(PipeClosedError);
  });
});

describe('_TestPoll', () => {
  it('_TestPoll.test_empty_string: an empty message makes poll() ready, and polling does not consume it', async () => {
    const system = await startSystem({ placement: 'local' });
    const [a, b] = system.pipe<Uint8Array | string>();
    await expect(a.poll()).resolves.toBe(false);
    await b.send(new Uint8Array(0));
    await expect(a.poll()).resolves.toBe(true);
    await expect(a.poll()).resolves.toBe(true);
    expect(await a.recv()).toEqual(new Uint8Array(0));
    await b.send('');
    await expect(a.poll()).resolves.toBe(true);
    await expect(a.recv()).resolves.toBe('');
    await expect(a.poll()).resolves.toBe(false);
  });

  it('_TestPoll.test_strings: strings (empty ones too) sent by a child arrive one by one, each announced by poll', async () => {
    const system = await startSystem();
    const strings = ['hello', '', 'a', 'b', '', 'bye', '', 'lop'];
    const [a, b] = system.pipe<string>();
    const p = await system.process(sendAll, b, strings);
    for (const s of strings) {
      await expect(a.poll(20_000)).resolves.toBe(true);
      await expect(a.recv()).resolves.toBe(s);
    }
    await expect(a.recv()).rejects.toBeInstanceOf(PipeClosedError);
    await p.join();
  });

  it('_TestPoll.test_dont_merge: messages sent back to back stay separate', async () => {
    const system = await startSystem();
    const [a, b] = system.pipe<Uint8Array>();
    await expect(a.poll(0)).resolves.toBe(false);
    await expect(a.poll(100)).resolves.toBe(false);
    const p = await system.process(sendAll, b, [latin('a'), latin('b'), latin('cd')]);
    expect(await a.recv()).toEqual(latin('a'));
    await expect(a.poll(1000)).resolves.toBe(true);
    await expect(a.poll(1000)).resolves.toBe(true);
    expect(await a.recv()).toEqual(latin('b'));
    await expect(a.poll(1000)).resolves.toBe(true);
    await expect(a.poll(1000)).resolves.toBe(true);
    await expect(a.poll(0)).resolves.toBe(true);
    expect(await a.recv()).toEqual(latin('cd'));
    await p.join();
  });
});

describe('TestWait', () => {
  it('TestWait.test_wait: reading four children at once gets every message of each, then EOF from each', async () => {
    const system = await startSystem();
    const pipes = Array.from({ length: 4 }, () => system.pipe<never, [number, number]>({ duplex: false }));
    const readers: Connection<[number, number], never>[] = pipes.map(([r]) => r);
    const procs = await Promise.all(pipes.map(([, w]) => system.process(sendNumbered, w, 10)));
    const messages: [number, number][] = [];
    await Promise.all(
      readers.map(async (r) => {
        for await (const msg of r) messages.push(msg);
      }),
    );
    const order = (x: [number, number], y: [number, number]) => x[0] - y[0] || x[1] - y[1];
    const expected = procs.flatMap((p) =>
      Array.from({ length: 10 }, (_, i) => [i, p.pid] as [number, number]),
    );
    expect(messages.sort(order)).toEqual(expected.sort(order));
    await Promise.all(procs.map((p) => p.join()));
  });

  it('TestWait.test_wait_timeout: waiting on ends with nothing to read times out; once one is sent to, it is ready', async () => {
    const system = await startSystem({ placement: 'local' });
    const [a, b] = system.pipe<null>();
    const waited = await timed(Promise.all([a.poll(200), b.poll(200)]));
    expect(waited.value).toEqual([false, false]);
    expect(waited.ms).toBeGreaterThanOrEqual(100);
    await b.send(null);
    await expect(Promise.all([a.poll(20_000), b.poll(0)])).resolves.toEqual([true, false]);
  });

  it('TestWait.test_neg_timeout: a negative wait is refused with InvalidArgumentError (Python returns at once)', async () => {
    const system = await startSystem({ placement: 'local' });
    const [a, b] = system.pipe<null>();
    await expect(a.poll(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(a.poll(-1)).rejects.toThrow(/poll\(timeoutMs\)/);
    await expect(a.recv({ timeoutMs: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    a.close();
    b.close();
  });
});

describe('_TestPicklingConnections', () => {
  it('_TestPicklingConnections.test_access: pipe ends sent over a pipe to a child work there, both ways', async () => {
    const system = await startSystem();
    type End = Connection<never, string> | Connection<string, never>;
    const [conn, childConn] = system.pipe<End, string>();
    const p = await system.process(childAccess, childConn);

    const [r, w] = system.pipe<never, string>({ duplex: false });
    await conn.send(w);
    w.close(); // handed over: closes nothing here
    await expect(r.recv({ timeoutMs: 20_000 })).resolves.toBe('all is well');
    r.close();

    const [r2, w2] = system.pipe<never, string>({ duplex: false });
    await conn.send(r2);
    r2.close();
    await w2.send('foobar');
    w2.close();
    await expect(conn.recv({ timeoutMs: 20_000 })).resolves.toBe('foobarfoobar');
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });
});

describe('TestIgnoreEINTR', () => {
  it('TestIgnoreEINTR.test_ignore: a signal the child handles does not disturb its pipe, even mid-way through a large message', async () => {
    const system = await startSystem();
    const [conn, childConn] = system.pipe<unknown, unknown>();
    const size = 4 * 1024 * 1024;
    const p = await system.process(ignoreSignal, childConn, size);
    await expect(conn.recv({ timeoutMs: 20_000 })).resolves.toBe('ready');
    process.kill(p.pid as number, 'SIGUSR1');
    await conn.send(1234);
    await expect(conn.recv()).resolves.toBe(1234);
    process.kill(p.pid as number, 'SIGUSR1');
    const big = (await conn.recv({ timeoutMs: 20_000 })) as Uint8Array;
    expect(big.byteLength).toBe(size);
    expect(big.every((byte) => byte === 0x78)).toBe(true);
    conn.close();
    expect(await p.join()).toMatchObject({ reason: 'normal', code: 0 });
  });
});
