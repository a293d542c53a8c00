/**
 * Checks the options of a call that may wait (a queue's `put`, `get` and `join`, a pipe's `recv`
 * and `poll`) at the call site, so a bad value throws `InvalidArgumentError` naming it instead of
 * being taken as a wait that ends at once (a negative or NaN timeout) or never (options that are
 * not an object).
 */

import { InvalidArgumentError } from '../errors.js';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

/** Throws unless `value` is a timeout in milliseconds: a finite number ≥ 0. */
export function checkWaitMs(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `${option} must be a finite number of milliseconds ≥ 0, got ${show(value)}`,
    );
  }
  return value;
}

/** Throws unless `options` is undefined or an object whose `timeoutMs` and `signal` are valid. */
export function checkWaitOptions(options: unknown, call: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`${call} options must be an object, got ${show(options)}`);
  }
  const { timeoutMs, signal } = options as { timeoutMs?: unknown; signal?: unknown };
  if (timeoutMs !== undefined) checkWaitMs(timeoutMs, 'timeoutMs');
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`signal must be an AbortSignal, got ${show(signal)}`);
  }
}
