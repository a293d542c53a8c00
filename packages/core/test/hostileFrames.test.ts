/**
 * Property-based tests of what the root does with bytes from a buggy or hostile worker: the
 * frame decoder, the codec and the protocol check, fed as the root feeds them (a `Channel`
 * accepting `isFromWorker`).
 */

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Channel } from '../src/Channel.js';
import { Codec } from '../src/Codec.js';
import { ProtocolError, RemoteError } from '../src/errors.js';
import { FRAME_HEADER_BYTES, FrameDecoder, frame } from '../src/framing.js';
import { type FromWorker, isFromWorker, isToWorker, type ToWorker } from '../src/protocol.js';
import { concat } from './support/bytes.js';

/**
 * JSON-like values as they travel. Two losses are documented ("What can travel"): -0 arrives as 0
 * (JSON.stringify already writes it as 0), and an own `__proto__` key arrives renamed `__proto_`,
 * so generated objects use neither.
 */
const jsonish = fc
  .jsonValue({ maxDepth: 2 })
  .map(
    (value) =>
      JSON.parse(JSON.stringify(value), (key, v) => (key === '__proto__' ? undefined : v)) as unknown,
  );

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The frame limit the properties use: small, so that random headers often fall on both sides of it. */
const LIMIT = 1024;
/** A channel's frames may exceed its messages' limit by the envelope's headroom. */
const FRAME_LIMIT = new Codec({ maxMessageBytes: LIMIT }).maxFrameBytes;

/** Every tag a worker may send. */
const FROM_WORKER_TAGS = [
  'ready',
  'reply',
  'fail',
  'crash',
  'done',
  'stopped',
  'route',
  'routeAsk',
  'routeStop',
  'qcall',
  'pipe',
  'pong',
  'exiting',
  'report',
] as const;

/** Tags only the root may send, and names an unguarded lookup would find on `Object.prototype`. */
const NOT_FROM_WORKER_TAGS = [
  'init',
  'send',
  'ask',
  'stop',
  'ping',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  'READY',
  'ready ',
] as const;

function header(length: number): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES);
  new DataView(out.buffer).setUint32(0, length);
  return out;
}

/** `bytes` cut at `cuts` (any numbers, taken modulo the length; empty chunks included). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (bytes.byteLength + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of points) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/**
 * Records every `Uint8Array` allocation of more than `overBytes` made inside `during` (not those
 * of the test's own generators) while the stub is in place.
 */
function watchAllocations(overBytes: number) {
  const sizes: number[] = [];
  let recording = false;
  vi.stubGlobal(
    'Uint8Array',
    new Proxy(Uint8Array, {
      construct(target, args, newTarget) {
        if (recording && typeof args[0] === 'number' && args[0] > overBytes) sizes.push(args[0]);
        return Reflect.construct(target, args, newTarget);
      },
    }),
  );
  return {
    sizes,
    during(run: () => void): void {
      recording = true;
      try {
        run();
      } finally {
        recording = false;
      }
    },
  };
}

/** The root's side of a worker channel, as `WorkerCell` wires it, recording what comes out of it. */
function rootChannel(limit = LIMIT) {
  const messages: FromWorker[] = [];
  const errors: unknown[] = [];
  let closes = 0;
  const channel = new Channel<FromWorker, ToWorker>({
    codec: new Codec({ maxMessageBytes: limit, revive: (portable) => ({ revived: portable }) }),
    transport: {
      write: () => {},
      close: () => {
        closes++;
      },
    },
    accept: isFromWorker,
    onMessage: (message) => messages.push(message),
    onProtocolError: (error) => errors.push(error),
  });
  return {
    channel,
    messages,
    errors,
    get closes() {
      return closes;
    },
  };
}

/**
 * What a frame decoder must make of `stream`, read in one go: the payloads before the first
 * header over the limit, whether there was one, and whether a frame is left incomplete.
 */
function referenceFrames(stream: Uint8Array, limit: number) {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const frames: Uint8Array[] = [];
  let at = 0;
  while (stream.byteLength - at >= FRAME_HEADER_BYTES) {
    const length = view.getUint32(at);
    if (length > limit) return { frames, refused: length, pending: false };
    if (stream.byteLength - at - FRAME_HEADER_BYTES < length)
      return { frames, refused: undefined, pending: true };
    frames.push(stream.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
    at += FRAME_HEADER_BYTES + length;
  }
  return { frames, refused: undefined, pending: at < stream.byteLength };
}

const encoder = new Codec({ maxMessageBytes: 1 << 20 });

/** Values a worker might put in a frame: well-formed frames, near misses and anything at all. */
const frameValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ t: fc.constantFrom(...FROM_WORKER_TAGS), id: fc.nat(), value: jsonish }),
  fc.record({ t: fc.constantFrom(...NOT_FROM_WORKER_TAGS), body: jsonish }),
  fc.anything({
    maxDepth: 3,
    maxKeys: 4,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
);

/** The encoded bytes of a frame value (or of `null` for a value the codec refuses). */
const encodedValue = frameValue.map((value) => {
  try {
    return encoder.encode(value);
  } catch {
    return encoder.encode(null);
  }
});

/** Encoded bytes with some bytes overwritten and some cut off. */
const mutatedValue = fc
  .tuple(
    encodedValue,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.nat(),
  )
  .map(([bytes, edits, cut]) => {
    const out = bytes.slice();
    for (const [at, byte] of edits) if (out.byteLength > 0) out[at % out.byteLength] = byte;
    return out.subarray(0, out.byteLength - (cut % 3 === 0 ? cut % (out.byteLength + 1) : 0));
  });

/** A well-formed worker frame. */
const workerFrame = fc
  .record({ t: fc.constantFrom(...FROM_WORKER_TAGS), id: fc.nat(), value: jsonish })
  .map((value) => frame(encoder.encode(value)));

/** One piece of a hostile stream. */
const segment: fc.Arbitrary<Uint8Array> = fc.oneof(
  // A well-formed worker frame, so that streams often get far before anything goes wrong.
  { weight: 6, arbitrary: workerFrame },
  // A well-framed message of any kind, possibly garbled inside its frame.
  { weight: 3, arbitrary: fc.oneof(encodedValue, mutatedValue).map((bytes) => frame(bytes)) },
  // A well-framed payload of random bytes.
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => frame(bytes)) },
  // A frame close to the limit.
  {
    weight: 1,
    arbitrary: fc.integer({ min: FRAME_LIMIT - 2, max: FRAME_LIMIT }).map((n) => frame(new Uint8Array(n))),
  },
  // A header announcing anything from 0 to 2^32 - 1, with no promise of a payload.
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }).map(header) },
  // Noise.
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }) },
);

const stream = fc.array(segment, { maxLength: 8 }).map(concat);
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('hostile byte streams into the root', () => {
  it('a channel fed arbitrary bytes in arbitrary chunks never throws, reports at most one ProtocolError and passes on only worker frames', () => {
    const watch = watchAllocations(FRAME_LIMIT);
    fc.assert(
      fc.property(stream, cuts, (bytes, at) => {
        const root = rootChannel();
        const chunks = split(bytes, at);
        watch.during(() => {
          for (const chunk of chunks) root.channel.receive(chunk);
        });
        expect(root.errors.length).toBeLessThanOrEqual(1);
        for (const error of root.errors) expect(error).toBeInstanceOf(ProtocolError);
        for (const message of root.messages) expect(isFromWorker(message)).toBe(true);
        expect(root.closes).toBe(root.errors.length);
        expect(root.channel.closed).toBe(root.errors.length === 1);
      }),
      { numRuns: 2500 },
    );
    vi.unstubAllGlobals();
    expect(watch.sizes, 'Uint8Array allocations over the frame limit').toEqual([]);
  });

  it('a channel delivers exactly the messages a one-piece read delivers, however the stream is split', () => {
    fc.assert(
      fc.property(stream, cuts, (bytes, at) => {
        const whole = rootChannel();
        whole.channel.receive(bytes);
        const pieces = rootChannel();
        for (const chunk of split(bytes, at)) pieces.channel.receive(chunk);
        expect(pieces.messages).toEqual(whole.messages);
        expect(pieces.errors.map((e) => (e as Error).message)).toEqual(
          whole.errors.map((e) => (e as Error).message),
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('a frame decoder yields the payloads a reference parser finds, refusing at the first oversized header', () => {
    fc.assert(
      fc.property(stream, cuts, (bytes, at) => {
        const expected = referenceFrames(bytes, LIMIT);
        const frames: Uint8Array[] = [];
        const decoder = new FrameDecoder(LIMIT, (f) => frames.push(f.slice()));
        let refused: unknown;
        for (const chunk of split(bytes, at)) {
          try {
            decoder.push(chunk);
          } catch (error) {
            refused = error;
            break;
          }
        }
        expect(frames).toEqual(expected.frames);
        if (expected.refused === undefined) {
          expect(refused).toBeUndefined();
          expect(decoder.pending).toBe(expected.pending);
        } else {
          expect(refused).toBeInstanceOf(ProtocolError);
          expect((refused as Error).message).toContain(`announces ${expected.refused} bytes`);
          expect(() => decoder.push(new Uint8Array([0, 0, 0, 0]))).toThrow(ProtocolError);
          expect(frames).toEqual(expected.frames);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('the codec decodes arbitrary bytes or throws ProtocolError, and keeps decoding good messages afterwards', () => {
    const codec = new Codec({ maxMessageBytes: LIMIT });
    const good = encoder.encode({ t: 'reply', id: 7, value: new Map([['k', [1n, new Date(0)]]]) });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }), mutatedValue), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
        expect(codec.decode(good)).toEqual({ t: 'reply', id: 7, value: new Map([['k', [1n, new Date(0)]]]) });
      }),
      { numRuns: 2500 },
    );
  });

  it('a message handler that throws closes the channel with a ProtocolError rather than escaping receive', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FROM_WORKER_TAGS), cuts, (t, at) => {
        const errors: unknown[] = [];
        const channel = new Channel<FromWorker, ToWorker>({
          codec: new Codec({ maxMessageBytes: LIMIT }),
          transport: { write: () => {}, close: () => {} },
          accept: isFromWorker,
          onMessage: () => {
            throw new TypeError('cannot read properties of null');
          },
          onProtocolError: (error) => errors.push(error),
        });
        const bytes = concat([frame(encoder.encode({ t })), frame(encoder.encode({ t }))]);
        for (const chunk of split(bytes, at)) channel.receive(chunk);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toBeInstanceOf(ProtocolError);
        expect((errors[0] as Error).cause).toBeInstanceOf(TypeError);
        expect(channel.closed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('truncated frames', () => {
  const message = fc.record({
    t: fc.constantFrom(...FROM_WORKER_TAGS),
    id: fc.nat(),
    value: jsonish,
  });

  it('valid frames cut at every position yield only the frames wholly before the cut, no error, and the rest once the bytes come', () => {
    let cases = 0;
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.nat(), (values, inner) => {
        const frames = values.map((v) => frame(encoder.encode(v)));
        const bytes = concat(frames);
        const ends: number[] = [];
        for (const f of frames) ends.push((ends.at(-1) ?? 0) + f.byteLength);
        for (let cut = 0; cut <= bytes.byteLength; cut++) {
          cases++;
          const whole = ends.filter((end) => end <= cut).length;
          const root = rootChannel(1 << 20);
          const decoder = new FrameDecoder(1 << 20, () => {});
          // The part before the cut arrives in two pieces, split somewhere inside it.
          const first = bytes.subarray(0, cut);
          for (const chunk of split(first, [inner])) {
            root.channel.receive(chunk);
            decoder.push(chunk);
          }
          expect(root.messages).toEqual(values.slice(0, whole));
          expect(root.errors).toEqual([]);
          expect(root.channel.closed).toBe(false);
          expect(decoder.pending).toBe(cut > 0 && !ends.includes(cut));
          root.channel.receive(bytes.subarray(cut));
          expect(root.messages).toEqual(values);
          expect(root.errors).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
    expect(cases).toBeGreaterThan(150);
  });
});

describe('huge length headers', () => {
  it('a header announcing more than the limit, up to 2^32 - 1, is refused before any payload is buffered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 32 }), { maxLength: 3 }),
        fc.integer({ min: LIMIT + 1, max: 0xffff_ffff }),
        fc.uint8Array({ maxLength: 64 }),
        cuts,
        (before, length, after, at) => {
          const delivered: Uint8Array[] = [];
          const decoder = new FrameDecoder(LIMIT, (f) => delivered.push(f.slice()));
          const chunks = split(concat([...before.map(frame), header(length), after]), at);
          let refused: unknown;
          let bufferedAfterHeader = false;
          const watch = watchAllocations(LIMIT);
          watch.during(() => {
            for (const chunk of chunks) {
              try {
                decoder.push(chunk);
              } catch (error) {
                refused = error;
                bufferedAfterHeader = decoder.pending;
                return;
              }
            }
          });
          vi.unstubAllGlobals();
          expect(refused).toBeInstanceOf(ProtocolError);
          expect((refused as Error).message).toContain(`announces ${length} bytes`);
          expect(bufferedAfterHeader).toBe(false);
          expect(delivered).toEqual(before);
          expect(watch.sizes).toEqual([]);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it.each([FRAME_LIMIT + 1, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff])(
    'the root channel refuses a header announcing %d bytes and closes its transport once',
    (length) => {
      const root = rootChannel();
      const rest = concat([header(length).subarray(2), new Uint8Array(100)]);
      const ready = frame(encoder.encode({ t: 'ready' }));
      const watch = watchAllocations(FRAME_LIMIT);
      watch.during(() => root.channel.receive(header(length).subarray(0, 2)));
      expect(root.errors).toEqual([]);
      watch.during(() => {
        root.channel.receive(rest);
        root.channel.receive(ready);
      });
      vi.unstubAllGlobals();
      expect(root.errors).toHaveLength(1);
      expect(root.errors[0]).toBeInstanceOf(ProtocolError);
      expect((root.errors[0] as Error).message).toContain(`announces ${length} bytes`);
      expect(root.messages).toEqual([]);
      expect(root.closes).toBe(1);
      expect(watch.sizes).toEqual([]);
    },
  );

  it('a header announcing exactly the limit is accepted, and its buffer is the limit and no more', () => {
    const frames: Uint8Array[] = [];
    const decoder = new FrameDecoder(LIMIT, (f) => frames.push(f));
    const payload = new Uint8Array(LIMIT);
    const watch = watchAllocations(LIMIT - 1);
    watch.during(() => {
      decoder.push(header(LIMIT));
      decoder.push(payload);
    });
    vi.unstubAllGlobals();
    expect(frames.map((f) => f.byteLength)).toEqual([LIMIT]);
    expect(watch.sizes).toEqual([LIMIT]);
  });
});

/** `depth` nested containers around a nil, each opened by `open` (a container of one element). */
function nested(depth: number, open: readonly number[], close: readonly number[] = []): Uint8Array {
  const out = new Uint8Array(depth * (open.length + close.length) + 1);
  for (let i = 0; i < depth; i++) out.set(open, i * open.length);
  out[depth * open.length] = 0xc0;
  for (let i = 0; i < depth; i++) out.set(close, depth * open.length + 1 + i * close.length);
  return out;
}

/** msgpack bytes of a short string. */
function str(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  if (bytes.length < 32) return [0xa0 + bytes.length, ...bytes];
  return [0xd9, bytes.length, ...bytes];
}

/** Ways to open one level of nesting, as raw msgpack. */
const OPENERS: Record<string, readonly number[]> = {
  fixarray: [0x91],
  array16: [0xdc, 0x00, 0x01],
  array32: [0xdd, 0x00, 0x00, 0x00, 0x01],
  fixmap: [0x81, ...str('a')],
  map16: [0xde, 0x00, 0x01, ...str('a')],
  // A msgpackr record (a structure of one key `a`) nested in itself.
  record: [0xd4, 0x72, 0x40, 0x91, ...str('a')],
  // An error (the codec's extension 'T' followed by [name, message, stack, code, cause, extra])
  // whose cause is the next level.
  errorCause: [0xd4, 0x54, 0x00, 0x96, ...str('Error'), ...str('m'), 0xc0, 0xc0],
};

function deepBytes(kind: string, depth: number): Uint8Array {
  // A record structure is defined once; each further level refers to it by its id.
  if (kind === 'record') return concat([new Uint8Array(OPENERS.record!), nested(depth - 1, [0x40])]);
  // Each error closes with its `extra` field after its cause.
  if (kind === 'errorCause') return nested(depth, OPENERS.errorCause!, [0xc0]);
  return nested(depth, OPENERS[kind]!);
}

describe('deeply nested messages', () => {
  const kinds = Object.keys(OPENERS).filter((k) => k !== 'errorCause');

  it('decoding nesting of any depth returns a value or throws ProtocolError, never an untyped RangeError', () => {
    const codec = new Codec({ maxMessageBytes: 1 << 24 });
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 120_000 }), (kind, depth) => {
        try {
          codec.decode(deepBytes(kind, depth));
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
        expect(codec.decode(encoder.encode({ t: 'ready' }))).toEqual({ t: 'ready' });
      }),
      { numRuns: 300 },
    );
  });

  it.each(kinds.flatMap((kind) => [10_000, 100_000, 1_000_000].map((depth) => [kind, depth] as const)))(
    '%s nested %d deep, framed to the root, closes the channel with a ProtocolError or arrives as data',
    (kind, depth) => {
      const bytes = deepBytes(kind, depth);
      const root = rootChannel(bytes.byteLength);
      expect(() => root.channel.receive(frame(bytes))).not.toThrow();
      // Not a worker frame either way: a nesting the codec manages is still refused by the protocol check.
      expect(root.messages).toEqual([]);
      expect(root.errors).toHaveLength(1);
      expect(root.errors[0]).toBeInstanceOf(ProtocolError);
      if (depth >= 100_000) {
        expect((root.errors[0] as Error).message).toMatch(/Undecodable message/);
        expect((root.errors[0] as Error).cause).toBeInstanceOf(RangeError);
      }
    },
  );

  it('an error whose cause chain is 100,000 deep is refused with a ProtocolError', () => {
    const codec = new Codec({ maxMessageBytes: 1 << 24 });
    expect(() => codec.decode(deepBytes('errorCause', 100_000))).toThrow(ProtocolError);
    const shallow = codec.decode(deepBytes('errorCause', 3)) as Error;
    expect(shallow).toBeInstanceOf(Error);
    expect((shallow.cause as Error).cause).toBeInstanceOf(Error);
  });
});

/** Keys that would reach a prototype if a decoder assigned them naively. */
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const PROTOTYPES = [
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Error.prototype,
  Function.prototype,
];

/** A shape of crafted msgpack: objects (msgpackr records), maps, arrays and errors, with dangerous keys. */
type Crafted =
  | { readonly kind: 'leaf'; readonly value: 'polluted' | true | 1 }
  | { readonly kind: 'record' | 'map'; readonly keys: readonly string[]; readonly values: readonly Crafted[] }
  | { readonly kind: 'array'; readonly items: readonly Crafted[] }
  | { readonly kind: 'error'; readonly extraKeys: readonly string[]; readonly values: readonly Crafted[] };

const key = fc.constantFrom(...DANGEROUS_KEYS, 'polluted', 'toString', 'valueOf', 'hasOwnProperty', 'a');

const crafted: fc.Arbitrary<Crafted> = fc.letrec<{ node: Crafted }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('leaf' as const),
      value: fc.constantFrom('polluted' as const, true as const, 1 as const),
    }),
    fc.array(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 3 }).chain((entries) =>
      fc.constantFrom('record' as const, 'map' as const).map((kind) => ({
        kind,
        keys: entries.map(([k]) => k),
        values: entries.map(([, v]) => v),
      })),
    ),
    fc.record({ kind: fc.constant('array' as const), items: fc.array(tie('node'), { maxLength: 5 }) }),
    fc.array(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 2 }).map((entries) => ({
      kind: 'error' as const,
      extraKeys: entries.map(([k]) => k),
      values: entries.map(([, v]) => v),
    })),
  ),
})).node;

/**
 * Encodes a crafted shape as raw msgpack the way msgpackr writes objects: a record structure is
 * defined (`d4 72 id [keys]`) the first time its key list appears and referred to by its id
 * afterwards, so repeated shapes go through msgpackr's compiled record reader too.
 */
function craft(node: Crafted): Uint8Array {
  const structures = new Map<string, number>();
  const out: number[] = [];
  const write = (n: Crafted): void => {
    switch (n.kind) {
      case 'leaf':
        if (n.value === true) out.push(0xc3);
        else if (n.value === 1) out.push(0x01);
        else out.push(...str(n.value));
        return;
      case 'array':
        out.push(0x90 + n.items.length);
        for (const item of n.items) write(item);
        return;
      case 'map':
        out.push(0x80 + n.keys.length);
        n.keys.forEach((k, i) => {
          out.push(...str(k));
          write(n.values[i]!);
        });
        return;
      case 'record': {
        const signature = JSON.stringify(n.keys);
        const id = structures.get(signature);
        if (id !== undefined) out.push(id);
        else {
          const fresh = 0x40 + structures.size;
          structures.set(signature, fresh);
          out.push(0xd4, 0x72, fresh, 0x90 + n.keys.length);
          for (const k of n.keys) out.push(...str(k));
        }
        for (const v of n.values) write(v);
        return;
      }
      case 'error':
        // The codec's error extension: [name, message, stack, code, cause, extra], `extra` a map.
        out.push(0xd4, 0x54, 0x00, 0x96, ...str('Error'), ...str('crafted'), 0xc0, 0xc0, 0xc0);
        out.push(0x80 + n.extraKeys.length);
        n.extraKeys.forEach((k, i) => {
          out.push(...str(k));
          write(n.values[i]!);
        });
        return;
    }
  };
  write(node);
  return new Uint8Array(out);
}

function ownNames(target: object): string[] {
  return Reflect.ownKeys(target).map(String).sort();
}

/** Every object in a decoded value keeps the prototype its kind should have, and none inherits `polluted`. */
function checkPrototypes(value: unknown, seen = new Set<unknown>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (value instanceof Map) expect(proto).toBe(Map.prototype);
  else if (Array.isArray(value)) expect(proto).toBe(Array.prototype);
  else if (value instanceof Error) expect([Error.prototype, RemoteError.prototype]).toContain(proto);
  else expect(proto).toBe(Object.prototype);
  if ('polluted' in value) expect(Object.hasOwn(value, 'polluted')).toBe(true);
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : Object.values(value as Record<string, unknown>);
  for (const child of children) checkPrototypes(child, seen);
}

describe('prototype pollution', () => {
  const before = PROTOTYPES.map(ownNames);

  function expectPrototypesUntouched(): void {
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(([] as unknown as { polluted?: unknown }).polluted).toBeUndefined();
    expect(PROTOTYPES.map(ownNames)).toEqual(before);
  }

  it('crafted objects, maps and errors keyed __proto__, constructor or prototype never reach a prototype', () => {
    const codec = new Codec();
    fc.assert(
      fc.property(crafted, fc.integer({ min: 1, max: 5 }), (node, copies) => {
        // Several copies in one message: msgpackr compiles a reader for a structure it sees often.
        const bytes = craft({ kind: 'array', items: Array.from({ length: copies }, () => node) });
        let decoded: unknown;
        try {
          decoded = codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
        expectPrototypesUntouched();
        checkPrototypes(decoded);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [
      'a JSON-parsed object with its own __proto__ key',
      () => JSON.parse('{"__proto__": {"polluted": true}}'),
    ],
    ['a nested one', () => JSON.parse('{"a": {"b": {"__proto__": {"polluted": true}}}}')],
    ['constructor.prototype', () => ({ constructor: { prototype: { polluted: true } } })],
    ['a Map keyed __proto__', () => new Map([['__proto__', { polluted: true }]])],
  ])('%s, encoded by a worker and decoded by the root, keeps prototypes untouched', (_what, make) => {
    const codec = new Codec();
    for (let i = 0; i < 5; i++) {
      const decoded = codec.decode(encoder.encode(make())) as Record<string, unknown>;
      expectPrototypesUntouched();
      checkPrototypes(decoded);
    }
  });

  it('a record key __proto__ comes back as data (msgpackr renames it __proto_), never as the prototype', () => {
    const codec = new Codec();
    const value = [0x81, ...str('polluted'), 0xc3];
    const defined = [0xd4, 0x72, 0x40, 0x91, ...str('__proto__'), ...value];
    const again = [0x40, ...value];
    const bytes = new Uint8Array([0x95, ...defined, ...again, ...again, ...again, ...again]);
    const decoded = codec.decode(bytes) as Record<string, unknown>[];
    expect(decoded).toHaveLength(5);
    for (const object of decoded) {
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(object.polluted).toBeUndefined();
      const kept = Object.hasOwn(object, '__proto_') || Object.hasOwn(object, '__proto__');
      const dropped = Object.keys(object).length === 0;
      expect(kept || dropped).toBe(true);
    }
    expectPrototypesUntouched();
  });
});

describe('the protocol check', () => {
  it('isFromWorker rejects arbitrary values that carry no worker tag, including root-only tags and prototype names', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({
            withMap: true,
            withSet: true,
            withNullPrototype: true,
            withTypedArray: true,
            withBigInt: true,
          }),
          fc.record({ t: fc.oneof(fc.string(), fc.constantFrom(...NOT_FROM_WORKER_TAGS)), id: fc.nat() }),
          fc.record({
            t: fc.oneof(
              fc.integer(),
              fc.boolean(),
              fc.constant(null),
              fc.array(fc.constantFrom(...FROM_WORKER_TAGS), { maxLength: 1 }),
            ),
          }),
          fc.constantFrom(...FROM_WORKER_TAGS).map((t) => new Map([['t', t]])),
          fc.constantFrom(...FROM_WORKER_TAGS),
        ),
        (value) => {
          const t = (value as { t?: unknown } | null | undefined)?.t;
          fc.pre(!(typeof t === 'string' && (FROM_WORKER_TAGS as readonly string[]).includes(t)));
          expect(isFromWorker(value)).toBe(false);
          // And the same value as the root would see it, after the wire.
          let decoded: unknown;
          try {
            decoded = new Codec().decode(encoder.encode(value));
          } catch {
            return;
          }
          expect(isFromWorker(decoded)).toBe(false);
        },
      ),
      { numRuns: 2500 },
    );
  });

  it('isFromWorker accepts every worker tag and isToWorker none of the worker-only ones', () => {
    for (const t of FROM_WORKER_TAGS) {
      expect(isFromWorker({ t })).toBe(true);
      expect(isToWorker({ t })).toBe(['reply', 'fail', 'pipe'].includes(t));
    }
  });
});
