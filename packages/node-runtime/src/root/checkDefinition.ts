/** The check every call that starts a worker makes of the definition it is given. */

import { DefinitionError } from '@troupe/core';
import { describeKind, isRegisteredDefinition } from '@troupe/core/spi';

/**
 * Throws `DefinitionError` unless `definition` is an actor (or task) definition made with
 * `defineActor` (or `defineTask`); `call` names the call for the message.
 */
export function checkDefinition(definition: unknown, kind: 'actor' | 'task', call: string): void {
  if (!isRegisteredDefinition(definition) || definition.kind !== kind) {
    throw new DefinitionError(
      `${call}() needs a${kind === 'actor' ? 'n actor' : ' task'} definition made with ` +
        `${kind === 'actor' ? 'defineActor' : 'defineTask'}(import.meta.url, name, ...), got ${describeKind(definition)}`,
    );
  }
}
