import { afterEach, describe, expect, it } from 'vitest';
import { Codec, DEFAULT_MAX_MESSAGE_BYTES, Portable, type PortableData } from '../src/Codec.js';
import {
  ActorCrashedError,
  ActorStoppedError,
  AskTimeoutError,
  DefinitionError,
  InvalidArgumentError,
  MessageTooLargeError,
  NoReplyError,
  ProcessExitError,
  ProtocolError,
  RemoteError,
  SerializationError,
  SpawnError,
  SystemShutdownError,
  TroupeError,
} from '../src/errors.js';

/** Encodes with one codec and decodes with another, as two ends of a channel do. */
function roundTrip<T>(value: T): T {
  return new Codec().decode(new Codec().encode(value)) as T;
}

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('Codec round trips', () => {
  it.each([
    ['null', null],
    ['true', true],
    ['a small integer', 42],
    ['a negative integer', -7],
    ['a large safe integer', Number.MAX_SAFE_INTEGER],
    ['a float', 3.25],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', 'héllo, wörld ✓'],
    ['an empty string', ''],
    ['a plain object', { a: 1, b: 'two', c: [3, { d: null }] }],
  ])('keeps %s', (_what, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('keeps undefined at the top level, as a field and in an array', () => {
    expect(roundTrip(undefined)).toBeUndefined();
    const back = roundTrip({ a: undefined, b: [1, undefined, 3] });
    expect(Object.keys(back)).toEqual(['a', 'b']);
    expect(back.a).toBeUndefined();
    expect(back.b).toHaveLength(3);
    expect(back.b[1]).toBeUndefined();
  });

  it('keeps a Map with keys of any type, in insertion order', () => {
    const objectKey = { k: 1 };
    const map = new Map<unknown, unknown>([
      ['s', 1],
      [2, 'two'],
      [objectKey, new Map([['inner', true]])],
      [null, undefined],
    ]);
    const back = roundTrip(map);
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual(['s', 2, { k: 1 }, null]);
    expect(back.get('s')).toBe(1);
    expect(back.get(2)).toBe('two');
    expect(back).toEqual(map);
  });

  it('keeps a Set', () => {
    const back = roundTrip(new Set(['x', 1, { y: 2 }]));
    expect(back).toBeInstanceOf(Set);
    expect(back).toEqual(new Set(['x', 1, { y: 2 }]));
  });

  it('keeps a Date to the millisecond, and an invalid Date', () => {
    const date = new Date('2026-11-28T12:34:56.789Z');
    const back = roundTrip(date);
    expect(back).toBeInstanceOf(Date);
    expect(back.getTime()).toBe(date.getTime());
    expect(Number.isNaN(roundTrip(new Date(Number.NaN)).getTime())).toBe(true);
  });

  it.each([
    0n,
    1n,
    -1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
    2n ** 64n,
    2n ** 70n,
    -(2n ** 100n),
    12345678901234567890123456789n,
  ])('keeps the BigInt %s', (value) => {
    const back = roundTrip(value);
    expect(typeof back).toBe('bigint');
    expect(back).toBe(value);
  });

  it('keeps every typed array type with its contents', () => {
    const arrays = [
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([1, 254]),
      new Int8Array([-128, 127]),
      new Uint16Array([65535]),
      new Int16Array([-32768, 2]),
      new Uint32Array([4294967295]),
      new Int32Array([-2147483648]),
      new Float32Array([0.5, -1.25]),
      new Float64Array([Math.PI, -0.1]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
    ];
    const back = roundTrip(arrays);
    for (const [i, original] of arrays.entries()) {
      expect(back[i]!.constructor).toBe(original.constructor);
      expect(back[i]).toEqual(original);
    }
  });

  it('keeps only the viewed part of a typed array over a larger buffer', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const back = roundTrip(whole.subarray(2, 4));
    expect(back).toEqual(new Uint8Array([3, 4]));
    expect(back.byteLength).toBe(2);
  });

  it('keeps an ArrayBuffer and a DataView', () => {
    const buffer = new Uint8Array([9, 8, 7]).buffer;
    const back = roundTrip({ buffer, view: new DataView(new Uint8Array([1, 2]).buffer) });
    expect(back.buffer).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array([9, 8, 7]));
    expect(back.view).toBeInstanceOf(DataView);
    expect(back.view.getUint8(1)).toBe(2);
  });

  it('copies a typed array or DataView over shared memory into memory of its own', () => {
    const shared = new SharedArrayBuffer(16);
    const ints = new Int32Array(shared, 4, 2);
    ints.set([7, 8]);
    const bytes = new Codec().encode({ ints, view: new DataView(shared, 4, 4) });
    ints[0] = 99; // after encoding: the copy already taken is not affected
    const back = new Codec().decode(bytes) as { ints: Int32Array; view: DataView };
    expect(back.ints).toEqual(Int32Array.of(7, 8));
    expect(back.ints.buffer).toBeInstanceOf(ArrayBuffer);
    expect(back.view.buffer).toBeInstanceOf(ArrayBuffer);
    expect(back.view.getInt32(0, true)).toBe(7);
    back.ints[1] = -1;
    expect(ints[1]).toBe(8);
  });

  it('keeps a RegExp with its flags', () => {
    const back = roundTrip(/^a+(b|c)$/gimsu);
    expect(back).toBeInstanceOf(RegExp);
    expect(back.source).toBe('^a+(b|c)$');
    expect(back.flags).toBe('gimsu');
  });

  it('keeps cycles and shared references, nested in objects, arrays, Maps and Sets', () => {
    const root: Record<string, unknown> = { name: 'root' };
    const shared = { shared: true };
    const list: unknown[] = [root, shared];
    const map = new Map<string, unknown>([
      ['back', root],
      ['list', list],
    ]);
    const set = new Set<unknown>([shared, root]);
    Object.assign(root, { self: root, list, map, set, again: shared });
    list.push(list);

    const back = roundTrip(root) as typeof root & {
      self: unknown;
      list: unknown[];
      map: Map<string, unknown>;
      set: Set<unknown>;
      again: unknown;
    };
    expect(back.self).toBe(back);
    expect(back.list[0]).toBe(back);
    expect(back.list[2]).toBe(back.list);
    expect(back.map.get('back')).toBe(back);
    expect(back.map.get('list')).toBe(back.list);
    expect([...back.set]).toEqual([back.again, back]);
    expect([...back.set][0]).toBe(back.again);
    expect(back.list[1]).toBe(back.again);
  });

  it('sends a class instance as a plain object of its own enumerable fields', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get length() {
        return Math.hypot(this.x, this.y);
      }
    }
    const back = roundTrip(new Point(3, 4));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toEqual({ x: 3, y: 4 });
  });

  it('returns bytes that later encodings do not overwrite', () => {
    const codec = new Codec();
    const encoded = Array.from({ length: 2000 }, (_, i) => codec.encode({ i, text: `message ${i}` }));
    const reader = new Codec();
    expect(encoded.map((bytes) => reader.decode(bytes))).toEqual(
      Array.from({ length: 2000 }, (_, i) => ({ i, text: `message ${i}` })),
    );
  });

  it('writes each message so that any codec can read it alone, in any order', () => {
    const writer = new Codec();
    const messages = Array.from({ length: 20 }, (_, i) => ({ t: 'send', body: { n: i, tags: [`t${i}`] } }));
    const encoded = messages.map((m) => writer.encode(m));
    // Shapes repeat, yet no message may depend on one decoded before it.
    expect(encoded.map((bytes) => new Codec().decode(bytes))).toEqual(messages);
    const reader = new Codec();
    expect([...encoded].reverse().map((bytes) => reader.decode(bytes))).toEqual([...messages].reverse());
  });
});

describe('Codec errors', () => {
  it.each([
    ['Error', Error],
    ['EvalError', EvalError],
    ['RangeError', RangeError],
    ['ReferenceError', ReferenceError],
    ['SyntaxError', SyntaxError],
    ['TypeError', TypeError],
    ['URIError', URIError],
  ] as const)('rebuilds a %s as its own class', (name, Class) => {
    const error = new Class('went wrong');
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(Class);
    expect(back.constructor).toBe(Class);
    expect(back.name).toBe(name);
    expect(back.message).toBe('went wrong');
    expect(back.stack).toBe(error.stack);
  });

  it('keeps code, cause and extra fields of a built-in error', () => {
    const error = Object.assign(new TypeError('bad input', { cause: new Error('deeper') }), {
      code: 'E_BAD',
      field: 'email',
    });
    const back = roundTrip(error) as TypeError & { code: string; field: string };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.code).toBe('E_BAD');
    expect(back.field).toBe('email');
    expect(back.cause).toBeInstanceOf(Error);
    expect((back.cause as Error).message).toBe('deeper');
    expect((back.cause as Error).stack).toBe((error.cause as Error).stack);
  });

  it('rebuilds an error of an unknown class as a RemoteError keeping everything', () => {
    class DatabaseError extends Error {
      override name = 'DatabaseError';
      code = 'E_DB_DOWN';
      host = 'db-1';
      retries = { done: 3, max: 5 };
    }
    const error = new DatabaseError('connection refused', { cause: new RangeError('port') });
    const back = roundTrip(error) as RemoteError & { host: string; retries: unknown };
    expect(back).toBeInstanceOf(RemoteError);
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('DatabaseError');
    expect(back.message).toBe('connection refused');
    expect(back.code).toBe('E_DB_DOWN');
    expect(back.stack).toBe(error.stack);
    expect(back.cause).toBeInstanceOf(RangeError);
    expect((back.cause as Error).message).toBe('port');
    expect(back.host).toBe('db-1');
    expect(back.retries).toEqual({ done: 3, max: 5 });
    expect(Object.keys(back)).toEqual(expect.arrayContaining(['code', 'host', 'retries']));
    expect(String(back)).toBe('DatabaseError: connection refused');
  });

  it('rebuilds a cause chain of mixed classes', () => {
    class Outer extends Error {
      override name = 'Outer';
    }
    const error = new Outer('outer', { cause: new TypeError('middle', { cause: 'just a string' }) });
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(RemoteError);
    const middle = back.cause as Error;
    expect(middle).toBeInstanceOf(TypeError);
    expect(middle.cause).toBe('just a string');
  });

  it('keeps a code that is not a string', () => {
    const back = roundTrip(Object.assign(new Error('numbered'), { code: 5 }));
    expect((back as Error & { code: unknown }).code).toBe(5);
  });

  it('drops a cause that is the error itself', () => {
    const error = new Error('loop');
    error.cause = error;
    const back = roundTrip(error);
    expect(back.message).toBe('loop');
    expect('cause' in back).toBe(false);
  });

  it('gives an error that had no stack a one-line stack', () => {
    const error = new SyntaxError('no trace');
    Object.defineProperty(error, 'stack', { value: undefined });
    expect(roundTrip(error).stack).toBe('SyntaxError: no trace');
  });

  it('keeps errors nested inside messages', () => {
    const back = roundTrip({ t: 'fail', id: 3, error: new RangeError('out of range') });
    expect(back.error).toBeInstanceOf(RangeError);
    expect(back.error.message).toBe('out of range');
  });

  it.each([
    ['TroupeError', () => new TroupeError('generic'), TroupeError, {}],
    [
      'SerializationError',
      () => new SerializationError('msg.fn', 'a function'),
      SerializationError,
      { path: 'msg.fn' },
    ],
    [
      'MessageTooLargeError',
      () => new MessageTooLargeError(2000, 1000),
      MessageTooLargeError,
      { size: 2000, limit: 1000 },
    ],
    ['ProtocolError', () => new ProtocolError('bad frame'), ProtocolError, {}],
    ['AskTimeoutError', () => new AskTimeoutError('counter', 250), AskTimeoutError, { timeoutMs: 250 }],
    ['NoReplyError', () => new NoReplyError('counter'), NoReplyError, {}],
    ['DefinitionError', () => new DefinitionError('no such actor'), DefinitionError, {}],
    ['SpawnError', () => new SpawnError('init threw', { cause: new Error('init') }), SpawnError, {}],
    ['InvalidArgumentError', () => new InvalidArgumentError('bad option'), InvalidArgumentError, {}],
    ['SystemShutdownError', () => new SystemShutdownError('shut down'), SystemShutdownError, {}],
    ['ProcessExitError', () => new ProcessExitError(3, 'exit(3)'), ProcessExitError, { exitCode: 3 }],
  ] as const)('rebuilds a %s as its class, with its fields', (name, make, Class, fields) => {
    const error = make();
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(Class);
    expect(back).toBeInstanceOf(TroupeError);
    expect(back.name).toBe(name);
    expect(back.code).toBe(error.code);
    expect(back.message).toBe(error.message);
    expect(back.stack).toBe(error.stack);
    expect(back).toMatchObject(fields);
    if (error.cause !== undefined) expect((back.cause as Error).message).toBe((error.cause as Error).message);
  });

  it('rebuilds the exit information of actor errors, with the error inside it', () => {
    const exit = { reason: 'error', code: 1, signal: null, error: new TypeError('crashed') } as const;
    const crashed = roundTrip(new ActorCrashedError('worker', exit));
    expect(crashed).toBeInstanceOf(ActorCrashedError);
    expect(crashed.exit).toMatchObject({ reason: 'error', code: 1, signal: null });
    expect(crashed.exit.error).toBeInstanceOf(TypeError);
    expect(crashed.cause).toBeInstanceOf(TypeError);
    const stopped = roundTrip(new ActorStoppedError('worker', { reason: 'shutdown', code: 0, signal: null }));
    expect(stopped).toBeInstanceOf(ActorStoppedError);
    expect(stopped.exit).toEqual({ reason: 'shutdown', code: 0, signal: null });
  });
});

describe('Codec refusals', () => {
  it.each([
    [
      'a function nested in objects and arrays',
      { a: { b: [1, { handler() {} }] } },
      'msg.a.b[1].handler',
      'a function (handler)',
    ],
    ['a function as a Map value', { m: new Map([['key', () => 1]]) }, 'msg.m.get("key")', 'a function'],
    ['a function as a Map key', new Map([[() => 1, 'v']]), 'msg.<key 0>', 'a function'],
    [
      'a function in a Set',
      { s: new Set([1, 2, function named() {}]) },
      'msg.s.<element 2>',
      'a function (named)',
    ],
    [
      'a function under a key that is not an identifier',
      { 'odd key': [() => 1] },
      'msg["odd key"][0]',
      'a function',
    ],
    ['a top-level function', () => 1, 'msg', 'a function'],
    ['a symbol', { tag: Symbol('secret') }, 'msg.tag', 'a symbol (secret)'],
    ['a WeakMap', { cache: new WeakMap() }, 'msg.cache', 'a WeakMap'],
    ['a WeakSet', [new WeakSet()], 'msg[0]', 'a WeakSet'],
    ['a WeakRef', { ref: new WeakRef({}) }, 'msg.ref', 'a WeakRef'],
    ['a Promise', { later: Promise.resolve(1) }, 'msg.later', 'a Promise'],
    [
      'a SharedArrayBuffer',
      { buf: new SharedArrayBuffer(16) },
      'msg.buf',
      'a SharedArrayBuffer (workers share no memory; a typed array over it travels as a copy)',
    ],
    [
      'a SharedArrayBuffer in a Map',
      new Map([['k', new SharedArrayBuffer(4)]]),
      'msg.get("k")',
      'a SharedArrayBuffer (workers share no memory; a typed array over it travels as a copy)',
    ],
    [
      'a function in an error cause',
      { e: new Error('x', { cause: { fn: () => 1 } }) },
      'msg.e.cause.fn',
      'a function (fn)',
    ],
    [
      'a function in an error field',
      { e: Object.assign(new Error('x'), { onRetry: () => 1 }) },
      'msg.e.onRetry',
      'a function (onRetry)',
    ],
  ])('throws SerializationError naming the path of %s', (_what, value, path, what) => {
    const error = thrown(() => new Codec().encode(value));
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe(path);
    expect(error.message).toContain(`Cannot serialize ${path}: ${what} cannot cross a process boundary`);
    expect((error as SerializationError).code).toBe('ERR_TROUPE_SERIALIZATION');
    expect(error.cause).toBeDefined();
  });

  it('names the first offending value even past a cycle', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    loop.later = { fn: () => 1 };
    expect(() => new Codec().encode(loop)).toThrow(expect.objectContaining({ path: 'msg.later.fn' }));
  });

  it('starts the path at the label it is given', () => {
    const error = thrown(() => new Codec().encode([1, () => 2], 'args'));
    expect((error as SerializationError).path).toBe('args[1]');
  });

  it('looks in the focus first, so the path starts at what the caller handed in', () => {
    const body = { items: [{ run: () => 1 }] };
    const envelope = { t: 'send', body };
    const error = thrown(() => new Codec().encode(envelope, 'msg', body));
    expect((error as SerializationError).path).toBe('msg.items[0].run');
  });

  it('names the envelope when the offending value is outside the focus', () => {
    const envelope = { t: 'send', body: { ok: true }, extra: Symbol('stray') };
    const error = thrown(() => new Codec().encode(envelope, 'msg', envelope.body));
    expect((error as SerializationError).path).toBe('envelope.extra');
  });

  it.each([2_000, 100_000])('throws SerializationError for a value nested %i levels deep', (depth) => {
    const root: { next?: unknown } = {};
    let node = root;
    for (let i = 0; i < depth; i++) {
      const next = {};
      node.next = next;
      node = next;
    }
    const error = thrown(() => new Codec().encode(root));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toContain('nested too deeply');
  });

  it('leaves the codec usable after a refusal', () => {
    const codec = new Codec();
    expect(() => codec.encode({ fn: () => 1 })).toThrow(SerializationError);
    expect(codec.decode(codec.encode({ fine: [1, 2] }))).toEqual({ fine: [1, 2] });
  });
});

describe('Codec size limit', () => {
  const value = { data: new Uint8Array(1000).fill(7) };
  const size = new Codec().encode(value).byteLength;

  it('defaults to 64 MiB', () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(64 * 1024 * 1024);
    expect(new Codec().maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it('accepts a message of exactly maxMessageBytes', () => {
    const codec = new Codec({ maxMessageBytes: size });
    expect(codec.encode(value).byteLength).toBe(size);
  });

  it('throws MessageTooLargeError one byte over, with the size and the limit', () => {
    const error = thrown(() => new Codec({ maxMessageBytes: size - 1 }).encode(value));
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).size).toBe(size);
    expect((error as MessageTooLargeError).limit).toBe(size - 1);
    expect(error.message).toContain(`${size} bytes exceeds maxMessageBytes (${size - 1})`);
  });
});

describe('Codec decoding untrusted bytes', () => {
  const valid = new Codec().encode({ hello: 'world', n: [1, 2, 3] });

  it.each([
    ['no bytes', new Uint8Array(0)],
    ['a truncated message', valid.subarray(0, valid.byteLength - 3)],
    ['a valid message with trailing bytes', new Uint8Array([...valid, 0x01])],
    ['an array header announcing 4 G elements', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])],
    ['a string header announcing 4 GB', new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x41])],
    ['the extension no encoder writes', new Uint8Array([0xd4, 0x56, 0x00, 0xc0])],
    ['a malformed error', new Uint8Array([0xd4, 0x54, 0x00, 0x01])],
    ['a malformed handle', new Uint8Array([0xd4, 0x55, 0x00, 0x01])],
  ])('throws ProtocolError for %s', (_what, bytes) => {
    const error = thrown(() => new Codec().decode(bytes));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('ERR_TROUPE_PROTOCOL');
  });

  it('names the byte count of an undecodable message and keeps the decoder error as cause', () => {
    const error = thrown(() => new Codec().decode(valid.subarray(0, 5)));
    expect(error.message).toBe('Undecodable message of 5 bytes');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('stays usable after undecodable bytes', () => {
    const codec = new Codec();
    expect(() => codec.decode(valid.subarray(0, 4))).toThrow(ProtocolError);
    expect(codec.decode(valid)).toEqual({ hello: 'world', n: [1, 2, 3] });
  });
});

describe('Codec and __proto__', () => {
  afterEach(() => {
    // A failing test must not leave the prototype polluted for the others.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  const hostile = () =>
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "x": 1}');

  it('never lets a __proto__ key reach Object.prototype or the decoded object', () => {
    const back = roundTrip(hostile()) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.polluted).toBeUndefined();
    expect(back.x).toBe(1);
  });

  it('never lets it through when objects of one shape repeat (records) or nest', () => {
    const back = roundTrip({
      many: Array.from({ length: 50 }, hostile),
      nested: { deeper: [hostile()] },
      inMap: new Map([['k', hostile()]]),
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const item of [...back.many, back.nested.deeper[0], back.inMap.get('k')]) {
      expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
      expect((item as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('never lets it through the extra fields of an error', () => {
    const codec = new Codec();
    const wire = codec.encode(['Error', 'hostile', undefined, undefined, undefined, hostile()]);
    // An error extension header followed by a hand-made error record.
    const back = codec.decode(new Uint8Array([0xd4, 0x54, 0x00, ...wire])) as Error & Record<string, unknown>;
    expect(back).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(back)).toBe(Error.prototype);
    expect(back.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(back.x).toBe(1);
  });

  it('keeps __proto__ as an ordinary Map key', () => {
    const back = roundTrip(new Map([['__proto__', { polluted: true }]]));
    expect(back.get('__proto__')).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Codec handles', () => {
  class QueueHandle extends Portable {
    constructor(readonly queueId: string) {
      super();
    }
    toPortable(): PortableData {
      return { kind: 'queue', data: { id: this.queueId } };
    }
  }

  it('tells a handle it was sent only when the whole message encoded; check() tells it nothing', () => {
    class Moving extends QueueHandle {
      sends = 0;
      override sent(): void {
        this.sends++;
      }
    }
    const codec = new Codec({ maxMessageBytes: 1024 });
    const end = new Moving('p1');
    expect(() => codec.encode({ end, handler: () => 1 })).toThrow(SerializationError);
    expect(() => codec.encode({ end, big: 'x'.repeat(4096) })).toThrow(MessageTooLargeError);
    codec.check({ end });
    expect(end.sends).toBe(0);
    codec.encode({ end, again: [end] });
    expect(end.sends).toBe(1); // a second reference to it travels as a reference
  });

  it('rebuilds a handle through the revive hook, wherever it sits', () => {
    const seen: PortableData[] = [];
    const reader = new Codec({
      revive: (portable) => {
        seen.push(portable);
        return { revived: portable.kind, id: (portable.data as { id: string }).id };
      },
    });
    const bytes = new Codec().encode({
      direct: new QueueHandle('q1'),
      list: [new QueueHandle('q2')],
      map: new Map([['h', new QueueHandle('q3')]]),
    });
    const back = reader.decode(bytes) as Record<string, unknown>;
    expect(back.direct).toEqual({ revived: 'queue', id: 'q1' });
    expect(back.list).toEqual([{ revived: 'queue', id: 'q2' }]);
    expect((back.map as Map<string, unknown>).get('h')).toEqual({ revived: 'queue', id: 'q3' });
    expect(seen).toEqual([
      { kind: 'queue', data: { id: 'q1' } },
      { kind: 'queue', data: { id: 'q2' } },
      { kind: 'queue', data: { id: 'q3' } },
    ]);
  });

  it('hands the handle over as its kind and data without a revive hook', () => {
    const back = roundTrip({ h: new QueueHandle('q9') });
    expect(back.h).toEqual({ kind: 'queue', data: { id: 'q9' } });
    expect(back.h).not.toBeInstanceOf(QueueHandle);
  });

  it('revive() applies the hook, or returns the data without one', () => {
    const portable = { kind: 'queue', data: 1 };
    expect(new Codec({ revive: () => 'rebuilt' }).revive(portable)).toBe('rebuilt');
    expect(new Codec().revive(portable)).toBe(portable);
  });

  it('uses the hook of the codec decoding, also when a hook decodes with another codec', () => {
    const inner = new Codec({ revive: (p) => `inner:${(p.data as { id: string }).id}` });
    const innerBytes = new Codec().encode(new QueueHandle('nested'));
    const outer = new Codec({
      revive: (p) => {
        const id = (p.data as { id: string }).id;
        return id === 'first' ? [`outer:${id}`, inner.decode(innerBytes)] : `outer:${id}`;
      },
    });
    const back = outer.decode(new Codec().encode([new QueueHandle('first'), new QueueHandle('second')]));
    expect(back).toEqual([['outer:first', 'inner:nested'], 'outer:second']);
  });

  it('turns a revive hook that throws into a ProtocolError with the cause', () => {
    const failure = new Error('unknown handle');
    const reader = new Codec({
      revive: () => {
        throw failure;
      },
    });
    const error = thrown(() => reader.decode(new Codec().encode(new QueueHandle('x'))));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.cause).toBe(failure);
  });
});
