/**
 * Errors of the wire: values that cannot be encoded, messages too large, frames that make no
 * sense, and errors rebuilt from another process. Re-exported by `errors.ts`, the index of every
 * Troupe error.
 *
 * @module
 */

import { TroupeError, type TroupeErrorOptions } from './TroupeError.js';

/**
 * A value cannot be encoded faithfully (a function, a symbol, a `WeakMap`, ...). Thrown
 * synchronously at the call site; nothing is sent.
 *
 * @example
 * ```ts
 * import { SerializationError } from '@troupe/core';
 * try {
 *   ref.send({ handler: () => 1 });
 * } catch (err) {
 *   if (err instanceof SerializationError) console.log(err.path); // 'msg.handler'
 * }
 * ```
 */
export class SerializationError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SERIALIZATION';
  declare readonly code: typeof SerializationError.code;
  /** Where the offending value sits, e.g. `msg.items[2].handler`. */
  readonly path: string;

  constructor(path: string, what: string, options?: TroupeErrorOptions) {
    super(
      `Cannot serialize ${path}: ${what} cannot cross a process boundary. ` +
        'Send plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Error) instead.',
      options,
    );
    this.path = path;
  }
}

/**
 * An encoded message is larger than `maxMessageBytes`. Thrown at the sender; nothing is sent.
 *
 * @example
 * ```ts
 * import { MessageTooLargeError } from '@troupe/core';
 * try {
 *   ref.send(new Uint8Array(100 * 1024 * 1024));
 * } catch (err) {
 *   if (err instanceof MessageTooLargeError) console.log(err.size, err.limit);
 * }
 * ```
 */
export class MessageTooLargeError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_MESSAGE_TOO_LARGE';
  declare readonly code: typeof MessageTooLargeError.code;
  /** The encoded size in bytes. */
  readonly size: number;
  /** The configured `maxMessageBytes`. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      `Message of ${size} bytes exceeds maxMessageBytes (${limit}). ` +
        'Split it, or raise maxMessageBytes in ActorSystem.start().',
    );
    this.size = size;
    this.limit = limit;
  }
}

/**
 * The peer broke the wire protocol (a frame header announcing more than `maxMessageBytes`,
 * bytes that do not decode, an unknown message tag). The connection is closed and the peer is
 * treated as crashed.
 *
 * @example
 * ```ts
 * import { ProtocolError } from '@troupe/core';
 * const exit = await ref.exited;
 * if (exit.error instanceof ProtocolError) console.log('peer sent a bad frame');
 * ```
 */
export class ProtocolError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_PROTOCOL';
  declare readonly code: typeof ProtocolError.code;
}

/**
 * An error raised in another worker whose class is not known here. It keeps the remote
 * `name`, `message`, `stack`, `code` and `cause`.
 *
 * @example
 * ```ts
 * import { RemoteError } from '@troupe/core';
 * const exit = await ref.exited;
 * if (exit.error instanceof RemoteError) console.log(exit.error.name, exit.error.stack);
 * ```
 */
export class RemoteError extends Error {
  /** The remote error's `code`, when it had one. */
  readonly code: string | undefined;

  constructor(name: string, message: string, code?: string, options?: TroupeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.code = code;
  }
}
