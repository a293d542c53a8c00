/**
 * The lifecycle of one supervised child, as an xstate machine. The {@link Supervisor} runs one
 * actor of this machine per child, sends it an event for everything that happens to the child,
 * and reports every change of state as a `childState` {@link SupervisionEvent}; the machine is the
 * record of where the child is, and refuses the events that make no sense where it is.
 *
 * | from                               | event          | to           |
 * |------------------------------------|----------------|--------------|
 * | `starting`                         | `STARTED`      | `running`    |
 * | `starting`                         | `START_FAILED` | `failed`     |
 * | `running`                          | `EXITED`       | `stopped` after a normal exit, `failed` otherwise |
 * | `running`                          | `STOP`         | `stopping`   |
 * | `stopping`                         | `STOPPED`      | `stopped`    |
 * | `stopped`, `failed`                | `BACKOFF`      | `backingOff` |
 * | `stopped`, `failed`, `backingOff`  | `RESTART`      | `starting`   |
 * | `backingOff`                       | `STOP`         | `stopped`    |
 *
 * `stopped` and `failed` are not final: a later restart (its own, or a sibling's under
 * `one_for_all` / `rest_for_one`) takes the child back to `starting`, one incarnation further.
 *
 * @module
 */

import { type ActorRefFrom, assign, setup } from 'xstate';
import { type ExitInfo, isNormalExit } from '../exit.js';
import type { ChildState } from './types.js';

/** What the machine remembers about its child. */
export interface ChildLifecycleContext {
  /** The child's id. */
  readonly id: string;
  /** The pid of the running incarnation, if it is a process. */
  readonly pid: number | undefined;
  /** The current (or next) incarnation: 1 for the first start, one more per restart. */
  readonly incarnation: number;
  /** Restarts so far. */
  readonly restarts: number;
  /** How the last incarnation ended, once one has. */
  readonly lastExit: ExitInfo | undefined;
}

/**
 * The events the {@link Supervisor} sends a child's lifecycle.
 *
 * @example
 * ```ts
 * const event: ChildLifecycleEvent = { type: 'STARTED', pid: 4242 };
 * ```
 */
export type ChildLifecycleEvent =
  /** The runtime started the incarnation. */
  | { readonly type: 'STARTED'; readonly pid: number | undefined }
  /** The runtime could not start it. */
  | { readonly type: 'START_FAILED'; readonly error: unknown }
  /** It ended by itself (crashed, returned, was killed from outside, hung past its heartbeat). */
  | { readonly type: 'EXITED'; readonly exit: ExitInfo }
  /** The supervisor is stopping it (or cancelling its pending restart). */
  | { readonly type: 'STOP' }
  /** It ended because the supervisor stopped it. */
  | { readonly type: 'STOPPED'; readonly exit: ExitInfo }
  /** It will be restarted after a delay. */
  | { readonly type: 'BACKOFF'; readonly delayMs: number }
  /** It is being started again. */
  | { readonly type: 'RESTART' };

/**
 * The machine of one child's lifecycle. It starts in `starting`, at incarnation 1.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const child = createActor(childLifecycle, { input: { id: 'worker-1' } }).start();
 * child.send({ type: 'STARTED', pid: 4242 });
 * child.getSnapshot().value; // 'running'
 * child.send({ type: 'EXITED', exit: { reason: 'error', code: 1, signal: null } });
 * child.getSnapshot().value; // 'failed'
 * child.send({ type: 'RESTART' });
 * child.getSnapshot().context.incarnation; // 2
 * ```
 */
export const childLifecycle = setup({
  types: {
    context: {} as ChildLifecycleContext,
    events: {} as ChildLifecycleEvent,
    input: {} as { readonly id: string },
  },
  guards: {
    normalExit: ({ event }) => event.type === 'EXITED' && isNormalExit(event.exit),
  },
  actions: {
    started: assign({ pid: ({ event }) => (event.type === 'STARTED' ? event.pid : undefined) }),
    ended: assign({
      pid: undefined,
      lastExit: ({ context, event }) =>
        event.type === 'EXITED' || event.type === 'STOPPED' ? event.exit : context.lastExit,
    }),
    restarted: assign({
      incarnation: ({ context }) => context.incarnation + 1,
      restarts: ({ context }) => context.restarts + 1,
    }),
  },
}).createMachine({
  id: 'childLifecycle',
  initial: 'starting',
  context: ({ input }) => ({
    id: input.id,
    pid: undefined,
    incarnation: 1,
    restarts: 0,
    lastExit: undefined,
  }),
  states: {
    starting: {
      on: {
        STARTED: { target: 'running', actions: 'started' },
        START_FAILED: { target: 'failed' },
      },
    },
    running: {
      on: {
        EXITED: [
          { guard: 'normalExit', target: 'stopped', actions: 'ended' },
          { target: 'failed', actions: 'ended' },
        ],
        STOP: { target: 'stopping' },
      },
    },
    stopping: {
      on: { STOPPED: { target: 'stopped', actions: 'ended' } },
    },
    backingOff: {
      on: { RESTART: { target: 'starting', actions: 'restarted' }, STOP: { target: 'stopped' } },
    },
    stopped: {
      on: { RESTART: { target: 'starting', actions: 'restarted' }, BACKOFF: { target: 'backingOff' } },
    },
    failed: {
      on: { RESTART: { target: 'starting', actions: 'restarted' }, BACKOFF: { target: 'backingOff' } },
    },
  },
});

/**
 * A running child lifecycle actor.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const actor: ChildLifecycleActor = createActor(childLifecycle, { input: { id: 'a' } }).start();
 * ```
 */
export type ChildLifecycleActor = ActorRefFrom<typeof childLifecycle>;

/**
 * The state a child lifecycle actor is in.
 *
 * @example
 * ```ts
 * if (childState(actor) === 'running') console.log('up');
 * ```
 */
export function childState(actor: ChildLifecycleActor): ChildState {
  return actor.getSnapshot().value;
}

/**
 * Sends `event` to a child's lifecycle, and throws if the machine would ignore it in its current
 * state: the supervisor never sends an event out of place, so that would be a bug, not a case.
 *
 * @example
 * ```ts
 * sendChecked(actor, { type: 'STOP' }); // running → stopping
 * ```
 */
export function sendChecked(actor: ChildLifecycleActor, event: ChildLifecycleEvent): void {
  const snapshot = actor.getSnapshot();
  if (!snapshot.can(event)) {
    throw new Error(`Child '${snapshot.context.id}' cannot take ${event.type} in state ${snapshot.value}`);
  }
  actor.send(event);
}
