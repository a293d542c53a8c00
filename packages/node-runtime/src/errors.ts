/**
 * Errors raised by the Node runtime, beside those of `@troupe/core` (re-exported from this
 * package's index).
 *
 * @module
 */

import { registerErrorClass, TroupeError } from '@troupe/core';

/**
 * A spawn asked for a `name` that a running actor already has.
 *
 * @example
 * ```ts
 * import { NameTakenError } from '@troupe/node-runtime';
 * await system.spawn(Counter, { start: 0 }, { name: 'c' });
 * await system.spawn(Counter, { start: 0 }, { name: 'c' }).catch((e) => e instanceof NameTakenError);
 * ```
 */
export class NameTakenError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_NAME_TAKEN';
  declare readonly code: typeof NameTakenError.code;
  /** The name asked for. */
  readonly actorName: string;

  constructor(name: string) {
    super(`An actor named '${name}' is already running; names are unique within a system`);
    this.actorName = name;
  }
}

registerErrorClass(NameTakenError);
