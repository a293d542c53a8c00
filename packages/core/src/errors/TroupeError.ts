/**
 * The base class of every Troupe error. Re-exported by `errors.ts`, the index of every Troupe
 * error.
 *
 * @module
 */

/**
 * Options accepted by every Troupe error constructor.
 *
 * @example
 * ```ts
 * try {
 *   await loadSettings();
 * } catch (cause) {
 *   throw new TroupeError('Cannot start: the settings did not load', { cause });
 * }
 * ```
 */
export interface TroupeErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * The base class of every Troupe error.
 *
 * @example
 * ```ts
 * import { TroupeError } from '@troupe/core';
 * try {
 *   await ref.ask({ type: 'get' }, { timeoutMs: 10 });
 * } catch (err) {
 *   if (err instanceof TroupeError) console.log(err.code);
 * }
 * ```
 */
export class TroupeError extends Error {
  /** The code of this class's errors, the key it is rebuilt by after crossing a process boundary. */
  static readonly code: string = 'ERR_TROUPE';
  /** A stable, machine-readable code such as `ERR_TROUPE_ASK_TIMEOUT`: its class's `code`. */
  readonly code: string;

  constructor(message: string, options?: TroupeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as { readonly code?: unknown }).code as string;
  }
}
