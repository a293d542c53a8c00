/**
 * The one codec used on every channel: msgpackr with structured-clone support.
 *
 * - Round-trips plain objects, arrays, `Map`, `Set`, `Date`, `RegExp`, `BigInt`, typed arrays,
 *   `undefined`, cycles and shared references.
 * - Errors keep name, message, stack, `code`, `cause` and their own enumerable fields. Built-in
 *   ECMAScript error classes come back as themselves, Troupe errors as their class, any other
 *   class as a {@link RemoteError} carrying the original name.
 * - A value that would not arrive faithfully (a function, a symbol, a `WeakMap`, `WeakSet`,
 *   `WeakRef`, `Promise`, `SharedArrayBuffer`, `MessagePort`, `MessageChannel` or
 *   `BroadcastChannel`) throws {@link SerializationError} naming its path; nothing is sent.
 * - Memory is never shared: a typed array or `DataView` over a `SharedArrayBuffer` arrives as a
 *   copy of its bytes over an ordinary `ArrayBuffer`, and later writes on either side are not seen
 *   by the other.
 *   Class instances arrive as plain objects of their own enumerable fields, as with
 *   `structuredClone`.
 * - An encoded value over `maxMessageBytes` throws {@link MessageTooLargeError}.
 * - Handles ({@link Portable} values such as actor refs) are written as a kind and data, and
 *   rebuilt on the other side by the channel's `revive` hook.
 *
 * @module
 */

import { addExtension, Packr } from 'msgpackr';
import { MessageTooLargeError, ProtocolError, SerializationError } from './errors.js';
import { readError, writeError } from './internal/errorWire.js';
import { findUnserializable, unserializableClasses } from './internal/findUnserializable.js';
import { fail } from './validate.js';

/**
 * The default `maxMessageBytes`: 64 MiB.
 *
 * @example
 * ```ts
 * import { ActorSystem, DEFAULT_MAX_MESSAGE_BYTES } from '@troupe/node-runtime';
 * const system = await ActorSystem.start({ maxMessageBytes: 2 * DEFAULT_MAX_MESSAGE_BYTES });
 * ```
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Bytes a frame may carry beyond `maxMessageBytes`: room for the envelope the runtime wraps
 * around a message it has already accepted (a mailbox item handed to its actor, a pipe frame
 * relayed, an answer forwarded). A message is checked once, at its sender's call, against
 * `maxMessageBytes`; what the runtime builds from it afterwards is checked against this larger
 * frame limit, which every receiver accepts, so it never fails on the way.
 *
 * @example
 * ```ts
 * import { Codec, FRAME_HEADROOM_BYTES } from '@troupe/core';
 * const codec = new Codec({ maxMessageBytes: 4096 });
 * codec.maxFrameBytes === 4096 + FRAME_HEADROOM_BYTES; // true
 * ```
 */
export const FRAME_HEADROOM_BYTES = 1024;

/**
 * What a portable handle (an actor reference, ...) is written as when it travels in a message.
 *
 * @example
 * ```ts
 * const jobs = system.queue<number>({ capacity: 10 });
 * const portable: PortableData = jobs.toPortable(); // { kind: 'queue', data: { id, capacity: 10, ... } }
 * ```
 */
export interface PortableData {
  /** Which kind of handle (`'actor'`, `'queue'`, ...). */
  readonly kind: string;
  /** The handle's identity, plain data. */
  readonly data: unknown;
}

/**
 * A handle that may travel inside messages: it is written as {@link PortableData} and rebuilt on
 * the other side by the receiving channel.
 */
export abstract class Portable {
  /** The data that identifies this handle on the other side. Has no side effects. */
  abstract toPortable(): PortableData;

  /**
   * Called once a message holding this handle has been encoded whole: the handle is on its way.
   * A handle that moves (a pipe end) gives itself up here, so a message that fails to encode
   * takes nothing with it.
   */
  sent?(): void;
}

/**
 * Options for a {@link Codec}.
 *
 * @example
 * ```ts
 * const options: CodecOptions = { maxMessageBytes: 1024 * 1024, revive: (portable) => portable.data };
 * const codec = new Codec(options);
 * ```
 */
export interface CodecOptions {
  /** The largest encoded message accepted, in bytes. Default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  readonly maxMessageBytes?: number;
  /** Rebuilds a handle that arrived in a message. Without it, handles arrive as plain data. */
  readonly revive?: (portable: PortableData) => unknown;
}

/** Thrown inside msgpackr to abort an encoding; turned into a SerializationError. */
class Refused extends Error {}

const ERROR_EXT = 0x54; // 'T'
const PORTABLE_EXT = 0x55; // 'U'
const REFUSED_EXT = 0x56; // never written: its write always throws

/** The codec whose `decode` is running, so the portable extension can reach its `revive`. */
let decoding: Codec | undefined;
/** The handles written by the `encode` running now, told they were sent once it succeeds. */
let encodingHandles: Portable[] | undefined;

/**
 * The shapes (keys, in order) of the objects Troupe sends most: frame envelopes, queue calls,
 * mailbox items, pipe data and pool chunks. Every codec knows them in advance, so msgpackr writes
 * such an object as a one-byte record id and its values, without key names or a record definition
 * in the message: a small frame is a third of the size and takes about half the time to encode
 * and decode. Every process runs this same table, from this code. Any other shape travels as
 * before, defined in the message that uses it.
 */
const SHARED_SHAPES: readonly (readonly string[])[] = [
  ['t', 'id', 'value'],
  ['t', 'id', 'value', 'viaMailbox'],
  ['t', 'body'],
  ['t', 'id', 'body'],
  ['t', 'op', 'id', 'q', 'arg', 'timeoutMs'],
  ['$troupe', 'id', 'body'],
  ['$troupe', 'body'],
  ['t', 'op', 'pipe', 'side', 'body'],
  ['chunk', 'task', 'first', 'args', 'unary'],
  ['module', 'name'],
  ['chunk', 'from', 'values', 'failures'],
];

let extensionsInstalled = false;
function installExtensions(): void {
  if (extensionsInstalled) return;
  extensionsInstalled = true;
  addExtension({ Class: Error, type: ERROR_EXT, write: writeError, read: readError });
  addExtension({
    Class: Portable,
    type: PORTABLE_EXT,
    write: (handle: Portable) => {
      const { kind, data } = handle.toPortable();
      if (handle.sent !== undefined) encodingHandles?.push(handle);
      return [kind, data];
    },
    read: (wire: unknown) => {
      if (!Array.isArray(wire) || typeof wire[0] !== 'string') {
        throw new ProtocolError('Malformed handle');
      }
      const portable: PortableData = { kind: wire[0], data: wire[1] };
      return decoding?.revive(portable) ?? portable;
    },
  });
  for (const Class of unserializableClasses) {
    addExtension({
      Class,
      type: REFUSED_EXT,
      write: () => {
        throw new Refused();
      },
      read: () => {
        throw new ProtocolError('Unexpected extension');
      },
    });
  }
}

/**
 * {@link findUnserializable}, or undefined when the search itself fails: a value nested deeper
 * than the search can recurse (the encoder's own RangeError then says so) or a throwing getter.
 */
function locateUnserializable(value: unknown, path: string): ReturnType<typeof findUnserializable> {
  try {
    return findUnserializable(value, path);
  } catch {
    return undefined;
  }
}

/**
 * Encodes and decodes messages for one channel. Keep one per channel: its msgpackr instance and
 * buffers are reused for every message.
 *
 * @example
 * ```ts
 * import { Codec } from '@troupe/core';
 * const codec = new Codec({ maxMessageBytes: 1024 });
 * const bytes = codec.encode({ at: new Date(), tags: new Set(['a']) });
 * const value = codec.decode(bytes);
 * ```
 */
export class Codec {
  /** The largest encoded message this codec accepts, in bytes. */
  readonly maxMessageBytes: number;
  /**
   * The largest frame: `maxMessageBytes` plus {@link FRAME_HEADROOM_BYTES} for the envelope the
   * runtime adds to a message it has already accepted.
   */
  readonly maxFrameBytes: number;
  readonly #packr: Packr;
  /** This codec's copy of the shared shapes, as handed to msgpackr, and its original entries. */
  readonly #shapes: string[][] & { restoreStructures?: unknown };
  readonly #originalShapes: readonly string[][];
  readonly #revive: ((portable: PortableData) => unknown) | undefined;

  constructor(options: CodecOptions = {}) {
    installExtensions();
    const { maxMessageBytes } = options;
    if (maxMessageBytes !== undefined && !(Number.isSafeInteger(maxMessageBytes) && maxMessageBytes > 0)) {
      fail('Codec maxMessageBytes', 'a positive integer (bytes)', maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxFrameBytes = this.maxMessageBytes + FRAME_HEADROOM_BYTES;
    this.#revive = options.revive;
    this.#shapes = SHARED_SHAPES.map((shape) => [...shape]);
    this.#originalShapes = [...this.#shapes];
    this.#packr = new Packr({
      structuredClone: true,
      moreTypes: true,
      // A copy each: msgpackr keeps its lookup tables on the array.
      structures: this.#shapes,
      maxSharedStructures: SHARED_SHAPES.length,
      writeFunction: () => {
        throw new Refused();
      },
    });
  }

  /**
   * Encodes `value`. Throws {@link SerializationError} for a value that cannot arrive
   * faithfully, {@link MessageTooLargeError} past `maxMessageBytes`. The returned bytes stay
   * valid: later encodings do not overwrite them.
   *
   * @param label - how the error names the value (`msg`, `args`, `result`)
   * @param focus - the part of `value` the caller handed in (an envelope's body), searched first
   *   so the error's path starts at what the caller knows
   */
  encode(value: unknown, label = 'msg', focus: unknown = value): Uint8Array {
    return this.#encode(value, label, focus, this.maxMessageBytes);
  }

  /**
   * Encodes a frame the runtime builds around a message already accepted (checked by
   * {@link encode} at its sender): as {@link encode}, with the limit {@link maxFrameBytes}.
   */
  encodeFrame(value: unknown, label = 'msg', focus: unknown = value): Uint8Array {
    return this.#encode(value, label, focus, this.maxFrameBytes);
  }

  #encode(value: unknown, label: string, focus: unknown, limit: number): Uint8Array {
    const { bytes, handles } = this.#pack(value, label, focus);
    if (bytes.byteLength > limit) throw new MessageTooLargeError(bytes.byteLength, this.maxMessageBytes);
    // Encoded whole: only now do the handles in it leave (a failed encode takes none with it).
    for (const handle of handles) handle.sent?.();
    return bytes;
  }

  /**
   * Throws as {@link encode} would for `value`, but sends nothing anywhere: the handles in it
   * stay where they are. For finding which part of a message will not encode.
   */
  check(value: unknown, label = 'msg'): void {
    const { bytes } = this.#pack(value, label, value);
    if (bytes.byteLength > this.maxMessageBytes)
      throw new MessageTooLargeError(bytes.byteLength, this.maxMessageBytes);
  }

  #pack(value: unknown, label: string, focus: unknown): { bytes: Uint8Array; handles: Portable[] } {
    let bytes: Uint8Array;
    const outer = encodingHandles;
    const handles: Portable[] = [];
    encodingHandles = handles;
    try {
      bytes = this.#packr.pack(value);
    } catch (error) {
      const found = locateUnserializable(focus, label) ?? locateUnserializable(value, 'envelope');
      if (found !== undefined) throw new SerializationError(found.path, found.what, { cause: error });
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        throw new SerializationError(label, 'a value nested too deeply', { cause: error });
      }
      throw new SerializationError(label, `a value msgpackr refused (${String(error)})`, { cause: error });
    } finally {
      encodingHandles = outer;
    }
    return { bytes, handles };
  }

  /** Decodes one message. Throws {@link ProtocolError} for bytes that do not decode. */
  decode(bytes: Uint8Array): unknown {
    const previous = decoding;
    decoding = this;
    try {
      return this.#packr.unpack(bytes);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(`Undecodable message of ${bytes.byteLength} bytes`, { cause: error });
    } finally {
      decoding = previous;
      this.#keepShapes();
    }
  }

  /**
   * Decodes messages laid end to end in `bytes`, message `i` ending at `ends[i]` (a run of queue
   * items), in one call: about half the cost of decoding them one by one. Throws
   * {@link ProtocolError} if any does not decode, or a message's bytes do not end where `ends`
   * says (a broken message would otherwise read on into the next).
   */
  decodeAll(bytes: Uint8Array, ends: ArrayLike<number>): unknown[] {
    if (ends.length === 0) return [];
    const previous = decoding;
    decoding = this;
    const values: unknown[] = [];
    let aligned = true;
    try {
      this.#packr.unpackMultiple(bytes.subarray(0, ends[ends.length - 1]), (value, _start, end) => {
        if (end !== ends[values.length]) return (aligned = false);
        values.push(value);
        return true;
      });
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(`Undecodable run of messages of ${bytes.byteLength} bytes`, { cause: error });
    } finally {
      decoding = previous;
      this.#keepShapes();
    }
    if (!aligned || values.length !== ends.length)
      throw new ProtocolError(`A run of ${ends.length} messages does not decode as ${ends.length} messages`);
    return values;
  }

  /**
   * A message may define a record under a shared shape's id; msgpackr puts the shape back after
   * the message, but not on every path out of a failed one. Whatever the bytes were, the next
   * message is read with the shared shapes as they were.
   */
  #keepShapes(): void {
    const shapes = this.#shapes;
    const originals = this.#originalShapes;
    for (let i = 0; i < originals.length; i++)
      if (shapes[i] !== originals[i]) shapes[i] = originals[i] as string[];
    if (shapes.length > originals.length) shapes.length = originals.length;
    shapes.restoreStructures = null;
  }

  /** Rebuilds a handle through this codec's `revive` hook. */
  revive(portable: PortableData): unknown {
    return this.#revive === undefined ? portable : this.#revive(portable);
  }
}
