import { describe, expect, it } from 'vitest';
import { Channel, type Transport } from '../src/Channel.js';
import { Codec, FRAME_HEADROOM_BYTES } from '../src/Codec.js';
import { MessageTooLargeError, ProtocolError, SerializationError } from '../src/errors.js';
import { frame } from '../src/framing.js';

type Msg = { t: 'msg'; body: unknown };
const isMsg = (value: unknown): value is Msg => (value as { t?: unknown } | null)?.t === 'msg';

/** A transport that records what is written to it and whether it was closed. */
class RecordingTransport implements Transport {
  readonly writes: Uint8Array[][] = [];
  closes = 0;
  write(chunks: Uint8Array[]): void {
    this.writes.push(chunks);
  }
  close(): void {
    this.closes++;
  }
}

/** One channel end over a recording transport, collecting what it receives. */
function endpoint(codec = new Codec()) {
  const transport = new RecordingTransport();
  const received: Msg[] = [];
  const errors: ProtocolError[] = [];
  const channel = new Channel<Msg, Msg>({
    codec,
    transport,
    accept: isMsg,
    onMessage: (message) => received.push(message),
    onProtocolError: (error) => errors.push(error),
  });
  return { channel, transport, received, errors, codec };
}

/** Feeds everything `from` wrote so far into `to`, as a byte stream would. */
function deliver(from: RecordingTransport, to: Channel<Msg, Msg>): void {
  for (const chunks of from.writes.splice(0)) for (const chunk of chunks) to.receive(chunk);
}

describe('Channel', () => {
  it('carries messages to the other end, in order, written once per tick', async () => {
    const a = endpoint();
    const b = endpoint();
    a.channel.send({ t: 'msg', body: 1 });
    a.channel.send({ t: 'msg', body: new Map([['two', 2n]]) });
    a.channel.send({ t: 'msg', body: [3] });
    expect(a.transport.writes).toHaveLength(0);
    await Promise.resolve();
    expect(a.transport.writes).toHaveLength(1);
    deliver(a.transport, b.channel);
    expect(b.received).toEqual([
      { t: 'msg', body: 1 },
      { t: 'msg', body: new Map([['two', 2n]]) },
      { t: 'msg', body: [3] },
    ]);
    expect(b.errors).toEqual([]);
  });

  it('decodes frames that arrive one byte at a time', () => {
    const b = endpoint();
    const bytes = frame(b.codec.encode({ t: 'msg', body: 'split' }));
    for (let i = 0; i < bytes.byteLength; i++) b.channel.receive(bytes.subarray(i, i + 1));
    expect(b.received).toEqual([{ t: 'msg', body: 'split' }]);
  });

  it('flush() writes what is queued at once', () => {
    const a = endpoint();
    a.channel.send({ t: 'msg', body: 'now' });
    a.channel.flush();
    expect(a.transport.writes).toHaveLength(1);
  });

  it('sendBytes() writes bytes encoded ahead', () => {
    const a = endpoint();
    const b = endpoint();
    a.channel.sendBytes(a.codec.encode({ t: 'msg', body: 'prepared' }));
    a.channel.flush();
    deliver(a.transport, b.channel);
    expect(b.received).toEqual([{ t: 'msg', body: 'prepared' }]);
  });

  it('throws SerializationError at send, sends nothing of that message, and the rest still goes', () => {
    const a = endpoint();
    const b = endpoint();
    a.channel.send({ t: 'msg', body: 'before' });
    const bad = { t: 'msg' as const, body: { run: () => 1 } };
    expect(() => a.channel.send(bad)).toThrow(SerializationError);
    a.channel.send({ t: 'msg', body: 'after' });
    a.channel.flush();
    deliver(a.transport, b.channel);
    expect(b.received.map((m) => m.body)).toEqual(['before', 'after']);
  });

  it('names the path from the label and focus it is given', () => {
    const a = endpoint();
    const body = { items: [1, Symbol('x')] };
    expect(() => a.channel.send({ t: 'msg', body }, 'reply', body)).toThrow(
      expect.objectContaining({ path: 'reply.items[1]' }),
    );
    expect(() => a.channel.send({ t: 'msg', body })).toThrow(
      expect.objectContaining({ path: 'msg.body.items[1]' }),
    );
  });

  it('throws MessageTooLargeError at send past the codec limit', () => {
    const a = endpoint(new Codec({ maxMessageBytes: 100 }));
    expect(() => a.channel.send({ t: 'msg', body: new Uint8Array(200) })).toThrow(MessageTooLargeError);
    a.channel.flush();
    expect(a.transport.writes).toEqual([]);
  });

  it('close() flushes what is queued, then closes the transport once', () => {
    const a = endpoint();
    const b = endpoint();
    a.channel.send({ t: 'msg', body: 'last words' });
    a.channel.close();
    expect(a.channel.closed).toBe(true);
    expect(a.transport.closes).toBe(1);
    deliver(a.transport, b.channel);
    expect(b.received).toEqual([{ t: 'msg', body: 'last words' }]);
    a.channel.close();
    expect(a.transport.closes).toBe(1);
  });

  it('drops messages sent and bytes received after close', async () => {
    const a = endpoint();
    a.channel.close();
    a.channel.send({ t: 'msg', body: 'too late' });
    a.channel.sendBytes(a.codec.encode({ t: 'msg', body: 'too late' }));
    a.channel.receive(frame(a.codec.encode({ t: 'msg', body: 'ignored' })));
    await Promise.resolve();
    expect(a.transport.writes).toEqual([]);
    expect(a.received).toEqual([]);
    expect(a.errors).toEqual([]);
  });

  it('fails with ProtocolError on a frame that does not decode, closing itself', async () => {
    const b = endpoint();
    b.channel.receive(frame(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])));
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]).toBeInstanceOf(ProtocolError);
    expect(b.errors[0]!.message).toContain('Undecodable');
    expect(b.channel.closed).toBe(true);
    expect(b.transport.closes).toBe(1);
  });

  it('fails with ProtocolError on a message it does not accept', () => {
    const b = endpoint();
    b.channel.receive(frame(b.codec.encode({ t: 'other' })));
    expect(b.received).toEqual([]);
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]!.message).toBe('Unexpected message on channel');
    expect(b.channel.closed).toBe(true);
  });

  it('fails with ProtocolError on a header over the codec limit, ignoring the rest of the chunk', () => {
    const b = endpoint(new Codec({ maxMessageBytes: 64 }));
    const good = frame(b.codec.encode({ t: 'msg', body: 'ok' }));
    // A frame may carry its envelope's headroom beyond the message limit, and no more.
    const limit = b.codec.maxFrameBytes;
    expect(limit).toBe(64 + FRAME_HEADROOM_BYTES);
    const oversize = new Uint8Array([0, 0, (limit + 1) >> 8, (limit + 1) & 0xff]);
    const after = frame(b.codec.encode({ t: 'msg', body: 'never' }));
    b.channel.receive(new Uint8Array([...good, ...oversize, ...after]));
    expect(b.received).toEqual([{ t: 'msg', body: 'ok' }]);
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]!.message).toContain(`over the limit of ${limit}`);
    expect(b.transport.closes).toBe(1);
  });

  it('reports a protocol error once, stops delivering, and drops what was queued to send', async () => {
    const b = endpoint();
    b.channel.send({ t: 'msg', body: 'queued' });
    const valid = frame(b.codec.encode({ t: 'msg', body: 'after the failure' }));
    b.channel.receive(new Uint8Array([...frame(new Uint8Array([0xc6, 0xff])), ...valid]));
    b.channel.receive(frame(new Uint8Array([0xc6, 0xff])));
    b.channel.receive(valid);
    b.channel.send({ t: 'msg', body: 'later' });
    await Promise.resolve();
    expect(b.errors).toHaveLength(1);
    expect(b.received).toEqual([]);
    expect(b.transport.writes).toEqual([]);
    expect(b.transport.closes).toBe(1);
  });

  it('delivers nothing more of a chunk once a handler has closed the channel', () => {
    const transport = new RecordingTransport();
    const received: unknown[] = [];
    const codec = new Codec();
    const channel: Channel<Msg, Msg> = new Channel<Msg, Msg>({
      codec,
      transport,
      accept: isMsg,
      onMessage: (message) => {
        received.push(message.body);
        if (message.body === 'close') channel.close();
      },
      onProtocolError: () => {},
    });
    const chunk = new Uint8Array(
      ['a', 'close', 'b'].flatMap((body) => [...frame(codec.encode({ t: 'msg', body }))]),
    );
    channel.receive(chunk);
    expect(received).toEqual(['a', 'close']);
    expect(transport.closes).toBe(1);
  });
});
