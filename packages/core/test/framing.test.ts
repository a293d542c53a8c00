import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../src/errors.js';
import { FRAME_HEADER_BYTES, FrameDecoder, FrameWriter, frame } from '../src/framing.js';
import { concat } from './support/bytes.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A payload of `length` bytes whose content says where it came from. */
function payload(length: number, seed = length): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

/** Frames payloads the way the wire format says: a 4-byte big-endian length, then the bytes. */
function wire(...payloads: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(payloads.reduce((n, p) => n + 4 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of payloads) {
    view.setUint32(at, p.byteLength);
    out.set(p, at + 4);
    at += 4 + p.byteLength;
  }
  return out;
}

function header(length: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, length);
  return out;
}

/** The index of the first byte where `a` and `b` differ (their shorter length if one is a prefix), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}

/** Large byte arrays compared quickly (a deep `toEqual` over 100 KiB is slow). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(firstDifference(actual, expected)).toBe(-1);
}

/** A decoder that collects copies of its frames. */
function collector(maxFrameBytes = 1 << 20): { decoder: FrameDecoder; frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const decoder = new FrameDecoder(maxFrameBytes, (f) => frames.push(f.slice()));
  return { decoder, frames };
}

/** Every `Uint8Array` allocation of at least `minBytes` made while the stub is in place. */
function watchAllocations(minBytes: number): number[] {
  const sizes: number[] = [];
  vi.stubGlobal(
    'Uint8Array',
    new Proxy(Uint8Array, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number' && args[0] >= minBytes) sizes.push(args[0]);
        return Reflect.construct(target, args, newTarget);
      },
    }),
  );
  return sizes;
}

describe('frame', () => {
  it('writes a 4-byte big-endian length before the payload', () => {
    const body = payload(258);
    const framed = frame(body);
    expect(FRAME_HEADER_BYTES).toBe(4);
    expect(framed.byteLength).toBe(262);
    expect([...framed.subarray(0, 4)]).toEqual([0, 0, 1, 2]);
    expect(framed.subarray(4)).toEqual(body);
    expect(framed).toEqual(wire(body));
  });

  it('frames an empty payload as a bare header', () => {
    expect([...frame(new Uint8Array(0))]).toEqual([0, 0, 0, 0]);
  });
});

describe('FrameDecoder', () => {
  const stream = [payload(5), payload(0), payload(300), payload(1), payload(70)];
  const bytes = wire(...stream);

  it('decodes one frame that arrives whole, as a view into the chunk', () => {
    const views: Uint8Array[] = [];
    const decoder = new FrameDecoder(1024, (f) => views.push(f));
    const chunk = wire(payload(10));
    decoder.push(chunk);
    expect(views).toHaveLength(1);
    expect(views[0]).toEqual(payload(10));
    expect(views[0]!.buffer).toBe(chunk.buffer);
    expect(views[0]!.byteOffset).toBe(4);
    expect(decoder.pending).toBe(false);
  });

  it('decodes many frames from one chunk, in order', () => {
    const many = Array.from({ length: 200 }, (_, i) => payload(i % 17, i));
    const { decoder, frames } = collector();
    decoder.push(wire(...many));
    expect(frames).toEqual(many);
  });

  it('copes with the stream split in two at every byte offset', () => {
    for (let cut = 0; cut <= bytes.byteLength; cut++) {
      const { decoder, frames } = collector();
      decoder.push(bytes.subarray(0, cut));
      decoder.push(bytes.subarray(cut));
      expect(frames, `split at ${cut}`).toEqual(stream);
      expect(decoder.pending).toBe(false);
    }
  });

  it('copes with a header split over three chunks at every pair of offsets', () => {
    const two = wire(payload(3), payload(6));
    for (let a = 0; a <= two.byteLength; a++) {
      for (let b = a; b <= two.byteLength; b++) {
        const { decoder, frames } = collector();
        decoder.push(two.subarray(0, a));
        decoder.push(two.subarray(a, b));
        decoder.push(two.subarray(b));
        expect(frames, `splits at ${a} and ${b}`).toEqual([payload(3), payload(6)]);
      }
    }
  });

  it('copes with the stream fed one byte at a time', () => {
    const { decoder, frames } = collector();
    for (let i = 0; i < bytes.byteLength; i++) decoder.push(bytes.subarray(i, i + 1));
    expect(frames).toEqual(stream);
  });

  it('assembles a payload split over many chunks, and reports it pending meanwhile', () => {
    const big = payload(10_000);
    const framed = wire(big);
    const { decoder, frames } = collector();
    expect(decoder.pending).toBe(false);
    for (let at = 0; at < framed.byteLength; at += 7) {
      decoder.push(framed.subarray(at, Math.min(at + 7, framed.byteLength)));
      if (at + 7 < framed.byteLength) expect(decoder.pending).toBe(true);
    }
    expect(frames).toHaveLength(1);
    expectSameBytes(frames[0]!, big);
    expect(decoder.pending).toBe(false);
  });

  it('reports a partial header as pending', () => {
    const { decoder, frames } = collector();
    decoder.push(new Uint8Array([0, 0]));
    expect(decoder.pending).toBe(true);
    decoder.push(new Uint8Array([0, 1, 9]));
    expect(decoder.pending).toBe(false);
    expect(frames).toEqual([new Uint8Array([9])]);
  });

  it('delivers a zero-length frame, whole or with its header split', () => {
    const { decoder, frames } = collector();
    decoder.push(wire(new Uint8Array(0)));
    expect(frames).toEqual([new Uint8Array(0)]);
    decoder.push(new Uint8Array([0, 0, 0]));
    expect(frames).toHaveLength(1);
    decoder.push(new Uint8Array([0]));
    expect(frames).toEqual([new Uint8Array(0), new Uint8Array(0)]);
    expect(decoder.pending).toBe(false);
  });

  it('accepts a frame of exactly the limit', () => {
    const { decoder, frames } = collector(100);
    decoder.push(wire(payload(100)));
    expect(frames).toEqual([payload(100)]);
  });

  it('throws ProtocolError for a header over the limit before allocating, naming both sizes', () => {
    const sizes = watchAllocations(1000);
    const { decoder, frames } = collector(1000);
    let error: unknown;
    try {
      decoder.push(header(50_000_000));
    } catch (e) {
      error = e;
    }
    vi.unstubAllGlobals();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain('50000000');
    expect((error as Error).message).toContain('1000');
    expect(sizes).toEqual([]);
    expect(frames).toEqual([]);
  });

  it('checks a header split across chunks against the limit too', () => {
    const sizes = watchAllocations(1000);
    const { decoder } = collector(1000);
    decoder.push(new Uint8Array([0, 0x10]));
    expect(() => decoder.push(new Uint8Array([0, 0]))).toThrow(ProtocolError);
    vi.unstubAllGlobals();
    expect(sizes).toEqual([]);
  });

  it('reads the length as unsigned: a header of 2 GiB and more is over the limit, not negative', () => {
    const { decoder } = collector(1024);
    expect(() => decoder.push(new Uint8Array([0x80, 0, 0, 1]))).toThrow(/2147483649 bytes/);
    const other = collector(1024);
    expect(() => other.decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(/4294967295 bytes/);
  });

  it('delivers the frames before a bad header, then refuses all further input', () => {
    const { decoder, frames } = collector(100);
    const chunk = concat([wire(payload(3), payload(4)), header(101), payload(101)]);
    expect(() => decoder.push(chunk)).toThrow(ProtocolError);
    expect(frames).toEqual([payload(3), payload(4)]);
    expect(() => decoder.push(wire(payload(1)))).toThrow(/already failed/);
    expect(() => decoder.push(new Uint8Array(0))).toThrow(ProtocolError);
    expect(frames).toHaveLength(2);
  });

  it('copies a payload that was split, so the caller may reuse its chunks', () => {
    const views: Uint8Array[] = [];
    const decoder = new FrameDecoder(1024, (f) => views.push(f));
    const first = wire(payload(8)).slice(0, 6);
    const second = wire(payload(8)).slice(6);
    decoder.push(first);
    decoder.push(second);
    first.fill(0);
    second.fill(0);
    expect(views).toEqual([payload(8)]);
  });
});

describe('FrameWriter', () => {
  /** A writer whose sink calls are recorded. */
  function recorder(): { writer: FrameWriter; calls: Uint8Array[][] } {
    const calls: Uint8Array[][] = [];
    return { writer: new FrameWriter((chunks) => calls.push(chunks)), calls };
  }

  it('coalesces the writes of one tick into one sink call, framed in order', async () => {
    const { writer, calls } = recorder();
    const payloads = [payload(3), payload(0), payload(1000), payload(7)];
    for (const p of payloads) writer.write(p);
    expect(calls).toHaveLength(0);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(concat(calls[0]!)).toEqual(wire(...payloads));
  });

  it('sends the writes of a later tick in a later sink call', async () => {
    const { writer, calls } = recorder();
    writer.write(payload(1));
    await Promise.resolve();
    writer.write(payload(2));
    writer.write(payload(3));
    await Promise.resolve();
    expect(calls.map((chunks) => concat(chunks))).toEqual([wire(payload(1)), wire(payload(2), payload(3))]);
  });

  it('copies small payloads, so the caller may reuse them once they are sent', async () => {
    const { writer, calls } = recorder();
    const reused = payload(16);
    writer.write(reused);
    await Promise.resolve();
    reused.fill(0);
    expect(calls[0]).not.toContain(reused);
    expect(concat(calls[0]!)).toEqual(wire(payload(16)));
  });

  it('hands payloads of 64 KiB and more to the sink uncopied, each after its own header', async () => {
    const { writer, calls } = recorder();
    const small1 = payload(10);
    const large1 = payload(64 * 1024);
    const small2 = payload(20);
    const large2 = payload(200_000);
    const justUnder = payload(64 * 1024 - 1);
    for (const p of [small1, large1, small2, large2, justUnder]) writer.write(p);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    const chunks = calls[0]!;
    expect(chunks.filter((c) => c === large1 || c === large2)).toHaveLength(2);
    expect(chunks.indexOf(large2)).toBeGreaterThan(chunks.indexOf(large1));
    expect(chunks[chunks.indexOf(large1) - 1]).toEqual(header(64 * 1024));
    expect(chunks[chunks.indexOf(large2) - 1]).toEqual(header(200_000));
    expect(chunks).not.toContain(justUnder);
    expectSameBytes(concat(chunks), wire(small1, large1, small2, large2, justUnder));
  });

  it('frames any mix of sizes into bytes that decode to the same payloads', async () => {
    const { writer, calls } = recorder();
    const sizes = [0, 1, 40_000, 40_000, 70_000, 3, 65_535, 65_536, 65_532, 2, 100_000, 0, 30_000];
    const payloads = sizes.map((n, i) => payload(n, i));
    for (const p of payloads) writer.write(p);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    const { decoder, frames } = collector();
    for (const chunk of calls[0]!) decoder.push(chunk);
    expect(frames.map((f) => f.byteLength)).toEqual(sizes);
    for (const [i, f] of frames.entries()) expect(firstDifference(f, payloads[i]!), `frame ${i}`).toBe(-1);
    expect(decoder.pending).toBe(false);
  });

  it('flush() sends what is queued at once, and the end of the tick sends nothing more', async () => {
    const { writer, calls } = recorder();
    writer.write(payload(1));
    writer.flush();
    expect(calls).toHaveLength(1);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    writer.flush();
    expect(calls).toHaveLength(1);
  });

  it('sends a write made after flush() in the same tick at the end of that tick', async () => {
    const { writer, calls } = recorder();
    writer.write(payload(1));
    writer.flush();
    writer.write(payload(2));
    await Promise.resolve();
    await Promise.resolve();
    expect(calls.map((chunks) => concat(chunks))).toEqual([wire(payload(1)), wire(payload(2))]);
  });

  it('close() drops what is queued and ignores later writes', async () => {
    const { writer, calls } = recorder();
    writer.write(payload(1));
    writer.close();
    writer.write(payload(2));
    writer.flush();
    await Promise.resolve();
    expect(calls).toEqual([]);
  });
});
