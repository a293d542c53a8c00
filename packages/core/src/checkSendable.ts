/**
 * Checks ahead of sending that a value can cross a process boundary, for values that are sent
 * later or many times (a pool's initializer arguments, each item of a chunk, each result of a
 * task), so the one at fault is named as its caller knows it.
 *
 * @module
 */

import { Codec } from './Codec.js';

/** Encodes values only to find those that cannot be sent: the size limit is checked on sending. */
let probe: Codec | undefined;

/**
 * Throws `SerializationError` naming the path (under `label`) of the first part of `value` that
 * cannot be sent faithfully; returns nothing otherwise. Sizes are not checked here.
 *
 * @example
 * ```ts
 * checkSendable(options.initializer.args, 'initializer.args');
 * // SerializationError: Cannot serialize initializer.args[0]: a function ...
 * ```
 */
export function checkSendable(value: unknown, label: string): void {
  probe ??= new Codec({ maxMessageBytes: Number.MAX_SAFE_INTEGER });
  probe.check(value, label);
}
