/**
 * The inspection stream of supervision: what a {@link Supervisor} reports through
 * `deps.onEvent`. Nested supervisors report through the same callback under their own name
 * (`root/db`), so one listener sees the whole tree.
 *
 * @module
 */

import type { EscalationError } from '../errors.js';
import type { ExitInfo } from '../exit.js';
import { rethrowUncaught } from './rethrowUncaught.js';
import type { ChildState } from './types.js';

/**
 * One thing that happened under a supervisor; `supervisor` is its name.
 *
 * | type             | when                                                                  |
 * |------------------|-----------------------------------------------------------------------|
 * | `childStarted`   | an incarnation of a child is up (the first, and every restart)         |
 * | `childExited`    | an incarnation ended, by itself or because the supervisor stopped it  |
 * | `childRestarted` | a child was restarted (after `childStarted`), after `delayMs` of backoff |
 * | `childState`     | a child's lifecycle changed state (see `childLifecycle`)               |
 * | `escalated`      | the supervisor exceeded its restart intensity and gave up              |
 *
 * @example
 * ```ts
 * const supervisor = new Supervisor(options, runtime, {
 *   clock: realClock,
 *   onEvent: (event: SupervisionEvent) => {
 *     if (event.type === 'childExited') console.log(event.supervisor, event.id, event.exit.reason);
 *   },
 * });
 * ```
 */
export type SupervisionEvent =
  | {
      readonly type: 'childStarted';
      readonly supervisor: string;
      readonly id: string;
      readonly pid: number | undefined;
      readonly incarnation: number;
    }
  | {
      readonly type: 'childExited';
      readonly supervisor: string;
      readonly id: string;
      readonly pid: number | undefined;
      readonly exit: ExitInfo;
    }
  | {
      readonly type: 'childRestarted';
      readonly supervisor: string;
      readonly id: string;
      readonly pid: number | undefined;
      readonly restarts: number;
      readonly delayMs: number;
    }
  | {
      readonly type: 'childState';
      readonly supervisor: string;
      readonly id: string;
      readonly state: ChildState;
    }
  | { readonly type: 'escalated'; readonly supervisor: string; readonly error: EscalationError };

/**
 * Wraps an event listener so that a throwing listener cannot break the supervisor mid-step: its
 * error is rethrown on a fresh microtask (an uncaught error, never swallowed).
 *
 * @example
 * ```ts
 * const emit = eventReporter((event) => console.log(event.type));
 * emit({ type: 'childState', supervisor: 'root', id: 'a', state: 'running' });
 * ```
 */
export function eventReporter(
  onEvent: ((event: SupervisionEvent) => void) | undefined,
): (event: SupervisionEvent) => void {
  if (onEvent === undefined) return () => {};
  return (event) => {
    try {
      onEvent(event);
    } catch (error) {
      rethrowUncaught(error);
    }
  };
}
