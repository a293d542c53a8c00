/**
 * Validation at the edge, in one place: one describer of the value found, one message format
 * (`<option> must be <expected>, got <found>`), and the checks every package runs on what a
 * caller hands in. Each check returns the value, typed, or throws {@link InvalidArgumentError}
 * naming the option.
 *
 * @example
 * ```ts
 * import { checkPositiveInt } from '@troupe/core/spi';
 * checkPositiveInt(0, 'capacity'); // throws: capacity must be a positive integer, got 0
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from './errors.js';
import type { WaitOptions } from './queue/QueueBackend.js';

/** Object keys named in a description, at most. */
const MAX_KEYS = 6;
/** Characters of a string quoted in a description, at most. */
const MAX_STRING = 60;

/**
 * A short description of a value for an error message: strings quoted, numbers and other
 * primitives as written, `a function (name)`, `an array`, `an object with keys a, b`, `a Map`.
 *
 * @example
 * ```ts
 * describeValue('1');          // '"1"'
 * describeValue(null);         // 'null'
 * describeValue({ a: 1 });     // 'an object with keys a'
 * describeValue(new Map());    // 'a Map'
 * ```
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return value.name === '' ? 'a function' : `a function (${value.name})`;
    case 'object':
      return value === null ? 'null' : describeObject(value);
    default:
      return String(value);
  }
}

/**
 * What kind of value this is, for a message where its content does not matter (a definition, a
 * name or an id of the wrong type): `string`, `number`, `undefined`, `null`, `a function`;
 * objects as {@link describeValue} describes them.
 *
 * @example
 * ```ts
 * describeKind('hello');     // 'string'
 * describeKind({ kind: 1 }); // 'an object with keys kind'
 * ```
 */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' || typeof value === 'function' ? describeValue(value) : typeof value;
}

function describeObject(value: object): string {
  if (Array.isArray(value)) return 'an array';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an object with no keys';
    const more = keys.length > MAX_KEYS ? ', …' : '';
    return `an object with keys ${keys.slice(0, MAX_KEYS).join(', ')}${more}`;
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string' || name === '') return 'an object';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * The one message format: `<option> must be <expected>, got <found>`.
 *
 * @example
 * ```ts
 * mustBe('capacity', 'a positive integer', 0); // 'capacity must be a positive integer, got 0'
 * ```
 */
export function mustBe(option: string, expected: string, got: unknown): string {
  return `${option} must be ${expected}, got ${describeValue(got)}`;
}

/**
 * The error for a bad option: `<option> must be <expected>, got <found>`.
 *
 * @example
 * ```ts
 * throw invalidOption('duplex', 'a boolean', 'yes'); // duplex must be a boolean, got "yes"
 * ```
 */
export function invalidOption(option: string, expected: string, got: unknown): InvalidArgumentError {
  return new InvalidArgumentError(mustBe(option, expected, got));
}

/** A function on the stack: the check the caller called, where a refusal's stack starts. */
type Boundary = (...args: never[]) => unknown;

/**
 * Throws {@link invalidOption} with a stack that starts at the caller of `at` (where V8 can say
 * so): the frames of these checks tell nothing about where the bad value came from.
 */
function raise(at: Boundary, option: string, expected: string, got: unknown): never {
  const error = invalidOption(option, expected, got);
  (Error as { captureStackTrace?: (target: object, at: Boundary) => void }).captureStackTrace?.(error, at);
  throw error;
}

/**
 * Throws {@link invalidOption}.
 *
 * @example
 * ```ts
 * if (typeof listener !== 'function') fail('listener', 'a function', listener);
 * ```
 */
export function fail(option: string, expected: string, got: unknown): never {
  raise(fail, option, expected, got);
}

function object(value: unknown, option: string, at: Boundary): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) raise(at, option, 'an object', value);
  return value as Record<string, unknown>;
}

/** The bound of {@link checkFinite}: `≥ min` (default 0), or `> min` when `above`, in `unit`. */
export interface Bound {
  readonly min?: number;
  readonly above?: boolean;
  readonly unit?: string;
}

function finite(value: unknown, option: string, bound: Bound, at: Boundary): number {
  const { min = 0, above = false, unit } = bound;
  if (typeof value !== 'number' || !Number.isFinite(value) || (above ? value <= min : value < min)) {
    const of = unit === undefined ? '' : ` of ${unit}`;
    raise(at, option, `a finite number${of} ${above ? '>' : '≥'} ${min}`, value);
  }
  return value;
}

function abortSignal(value: unknown, option: string, at: Boundary): AbortSignal {
  if (!(value instanceof AbortSignal)) raise(at, option, 'an AbortSignal', value);
  return value;
}

/**
 * An options object: undefined counts as `{}` (no options given), anything but an object is refused.
 *
 * @example
 * ```ts
 * const { duplex = true } = checkObject(options, 'pipe options');
 * ```
 */
export function checkObject(value: unknown, option: string): Record<string, unknown> {
  return object(value, option, checkObject);
}

/**
 * A positive safe integer (a size, a count, a capacity).
 *
 * @example
 * ```ts
 * const capacity = checkPositiveInt(options.capacity, 'capacity');
 * ```
 */
export function checkPositiveInt(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    raise(checkPositiveInt, option, 'a positive integer', value);
  }
  return value;
}

/**
 * A safe integer ≥ 0 (a count that may be zero).
 *
 * @example
 * ```ts
 * const retries = checkCount(options.maxRetries, 'maxRetries');
 * ```
 */
export function checkCount(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    raise(checkCount, option, 'an integer ≥ 0', value);
  }
  return value;
}

/**
 * A finite number ≥ `min` (default 0), in the unit `unit` when one is given.
 *
 * @example
 * ```ts
 * checkFinite(ms, 'ms');                                   // ms must be a finite number ≥ 0
 * checkFinite(ms, 'timeoutMs', { unit: 'milliseconds' });  // … a finite number of milliseconds ≥ 0
 * checkFinite(ms, 'taskTimeoutMs', { unit: 'milliseconds', above: true }); // … > 0
 * ```
 */
export function checkFinite(value: unknown, option: string, bound: Bound = {}): number {
  return finite(value, option, bound, checkFinite);
}

/**
 * A timeout in milliseconds: a finite number ≥ 0 (0: do not wait).
 *
 * @example
 * ```ts
 * const ms = checkTimeout(options.timeoutMs, 'timeoutMs');
 * ```
 */
export function checkTimeout(value: unknown, option: string): number {
  return finite(value, option, { unit: 'milliseconds' }, checkTimeout);
}

/**
 * A timeout in milliseconds that must let something happen: a finite number > 0.
 *
 * @example
 * ```ts
 * const ms = checkPositiveTimeout(options.taskTimeoutMs, 'taskTimeoutMs');
 * ```
 */
export function checkPositiveTimeout(value: unknown, option: string): number {
  return finite(value, option, { unit: 'milliseconds', above: true }, checkPositiveTimeout);
}

/**
 * A boolean.
 *
 * @example
 * ```ts
 * const joinable = checkBoolean(options.joinable, 'joinable');
 * ```
 */
export function checkBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') raise(checkBoolean, option, 'a boolean', value);
  return value;
}

/**
 * A non-empty string (a name, a path).
 *
 * @example
 * ```ts
 * const name = checkName(options.name, 'name');
 * ```
 */
export function checkName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) raise(checkName, option, 'a non-empty string', value);
  return value;
}

/**
 * One of `allowed`, listed in the message as `one of a, b, c` unless `expected` says otherwise.
 *
 * @example
 * ```ts
 * const placement = checkOneOf(options.placement, PLACEMENTS, 'placement');
 * ```
 */
export function checkOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  option: string,
  expected = `one of ${allowed.join(', ')}`,
): T {
  if (!allowed.includes(value as T)) raise(checkOneOf, option, expected, value);
  return value as T;
}

/**
 * A function (a listener, a callback).
 *
 * @example
 * ```ts
 * checkFunction(listener, 'listener');
 * ```
 */
export function checkFunction(value: unknown, option: string): void {
  if (typeof value !== 'function') raise(checkFunction, option, 'a function', value);
}

/**
 * An array of strings (Node flags, arguments).
 *
 * @example
 * ```ts
 * const flags = checkStrings(options.execArgv, 'execArgv');
 * ```
 */
export function checkStrings(value: unknown, option: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    raise(checkStrings, option, 'an array of strings', value);
  }
  return value as string[];
}

/**
 * An `AbortSignal`.
 *
 * @example
 * ```ts
 * if (options.signal !== undefined) checkAbortSignal(options.signal, 'signal');
 * ```
 */
export function checkAbortSignal(value: unknown, option: string): AbortSignal {
  return abortSignal(value, option, checkAbortSignal);
}

/**
 * The options of a call that may wait (`ask`, `sendAsync`, a queue's `put`, `get` and `join`, a
 * pipe's `recv`): undefined, or an object whose `timeoutMs` and `signal` are valid. Checked at
 * the call, so a bad value throws instead of being taken as a wait that ends at once (a negative
 * or NaN timeout) or never.
 *
 * @example
 * ```ts
 * checkWaitOptions({ timeoutMs: -1 }, 'put'); // throws: timeoutMs must be a finite number of milliseconds ≥ 0, got -1
 * ```
 */
export function checkWaitOptions(options: WaitOptions | undefined, call: string): void {
  if (options === undefined) return;
  const { timeoutMs, signal } = object(options, `${call} options`, checkWaitOptions);
  if (timeoutMs !== undefined) finite(timeoutMs, 'timeoutMs', { unit: 'milliseconds' }, checkWaitOptions);
  if (signal !== undefined) abortSignal(signal, 'signal', checkWaitOptions);
}
