/** The events `system.inspect()` passes on, out of everything on `system.events`. */

import type { SystemEvent } from '@troupe/core';

/**
 * What `system.inspect()` passes on.
 *
 * @example
 * ```ts
 * const seen: InspectEvent[] = [];
 * const stop = system.inspect((e) => seen.push(e));
 * const light = await system.spawn(Light, { cycles: 3 });
 * await light.stop();
 * stop();
 * console.log(seen.map((e) => e.type)); // 'spawned', several 'inspection' and 'exited'
 * ```
 */
export type InspectEvent = Extract<
  SystemEvent,
  {
    type: 'inspection' | 'spawned' | 'exited' | 'restarted' | 'deadLetter' | 'restoreFailed' | 'mailboxDepth';
  }
>;

const INSPECTED = new Set<SystemEvent['type']>([
  'inspection',
  'spawned',
  'exited',
  'restarted',
  'deadLetter',
  'restoreFailed',
  'mailboxDepth',
]);

/** Whether `system.inspect()` passes `event` on. */
export function isInspected(event: SystemEvent): event is InspectEvent {
  return INSPECTED.has(event.type);
}
