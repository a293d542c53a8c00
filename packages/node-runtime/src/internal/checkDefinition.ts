/** The check every call that starts a worker makes of the definition it is given. */

import { DefinitionError } from '@troupe/core';
import { isRegisteredDefinition } from '@troupe/core/spi';

/**
 * Throws `DefinitionError` unless `definition` is an actor (or task) definition made with
 * `defineActor` (or `defineTask`); `call` names the call for the message.
 */
export function checkDefinition(definition: unknown, kind: 'actor' | 'task', call: string): void {
  if (!isRegisteredDefinition(definition) || definition.kind !== kind) {
    throw new DefinitionError(
      `${call}() needs a${kind === 'actor' ? 'n actor' : ' task'} definition made with ` +
        `${kind === 'actor' ? 'defineActor' : 'defineTask'}(import.meta.url, name, ...), got ${describeValue(definition)}`,
    );
  }
}

/** A value as error messages name it: its type, or an object's keys. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return typeof value;
}
