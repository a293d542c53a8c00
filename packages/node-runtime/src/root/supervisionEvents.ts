/** Supervisors' own events, as they appear on `system.events`. */

import type { SupervisionEvent, SystemEvent } from '@troupe/core';

/**
 * The system event for a supervision event, or undefined for those the stream does not carry.
 * `actorOf` finds a worker child's actor id (the `id` of its `spawned` and `exited` events).
 */
export function systemEventOf(
  event: SupervisionEvent,
  time: number,
  actorOf: (child: string) => string | undefined,
): SystemEvent | undefined {
  switch (event.type) {
    case 'childRestarted':
      return {
        type: 'restarted',
        supervisor: event.supervisor,
        child: event.id,
        id: actorOf(event.id),
        pid: event.pid,
        restarts: event.restarts,
        delayMs: event.delayMs,
        time,
      };
    case 'escalated':
      return { type: 'escalated', supervisor: event.supervisor, error: event.error, time };
    case 'childState':
      return { type: 'childState', supervisor: event.supervisor, child: event.id, state: event.state, time };
    default:
      return undefined;
  }
}
