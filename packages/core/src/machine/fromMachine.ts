/**
 * Machine actors: an xstate v5 state machine run as a Troupe actor, in a worker of its own, under
 * supervision like any actor. Events go in as messages; the root keeps the machine's latest
 * snapshot without asking for it; a persisted snapshot lets a supervisor restart the machine
 * where it was.
 *
 * @module
 */

import type {
  Actor,
  AnyStateMachine,
  ContextFrom,
  EmittedFrom,
  EventFromLogic,
  InputFrom,
  InspectionEvent,
  OutputFrom,
  StateValueFrom,
} from 'xstate';
import { type ActorContext, type ActorDefinition, checkLocation, registerActor } from '../definitions.js';
import { DefinitionError } from '../errors.js';
import { type RunnerLink, runnerLinkOf } from '../internal/runnerLink.js';
import type { InspectionRecord, SnapshotView } from '../protocol.js';

/**
 * Options of {@link fromMachine}.
 *
 * @example
 * ```ts
 * const options: MachineOptions = { persist: true };
 * ```
 */
export interface MachineOptions {
  /**
   * After each event that leaves the machine active, send its persisted snapshot to the root,
   * so a supervisor can restart it from there (`restartFrom: 'lastSnapshot'`). Default false.
   */
  readonly persist?: boolean;
  /** Send xstate's inspection events to `system.events` (type `inspection`). Default true. */
  readonly inspect?: boolean;
}

/**
 * A machine's snapshot as the root keeps it: plain data, current as of the machine's last change.
 *
 * @example
 * ```ts
 * const { value, context, status } = light.snapshot(); // 'green', { ... }, 'active'
 * ```
 */
export interface MachineSnapshot<TMachine extends AnyStateMachine> {
  readonly value: StateValueFrom<TMachine>;
  readonly context: ContextFrom<TMachine>;
  /** `active`, then `done` once a final state is reached (the actor stops, reason `normal`). */
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  /** The machine's output, once `done`. */
  readonly output?: OutputFrom<TMachine>;
}

/**
 * A machine actor's definition. Spawn it with the machine's input; its messages are the
 * machine's events; an ask resolves with the first event the machine emits (xstate's `emit`
 * action) while handling the asked event.
 *
 * @example
 * ```ts
 * const light = await system.spawn(Light, { cycles: 3 }); // Light: MachineDefinition<typeof machine>
 * ```
 */
export interface MachineDefinition<TMachine extends AnyStateMachine = AnyStateMachine>
  extends ActorDefinition<InputFrom<TMachine>, EventFromLogic<TMachine>, EmittedFrom<TMachine>> {
  /** The machine the workers run. */
  readonly machine: TMachine;
  readonly machineOptions: Required<MachineOptions>;
}

/**
 * True when `definition` was made by {@link fromMachine}.
 *
 * @example
 * ```ts
 * function describe(definition: ActorDefinition): string {
 *   return isMachineDefinition(definition) ? `machine ${definition.machine.id}` : `actor ${definition.name}`;
 * }
 * ```
 */
export function isMachineDefinition(definition: unknown): definition is MachineDefinition {
  return typeof definition === 'object' && definition !== null && 'machineOptions' in definition;
}

interface MachineState {
  readonly actor: Actor<AnyStateMachine>;
}

/** The plain-data view of an xstate snapshot (refs and functions left behind). */
function viewOf(snapshot: unknown): SnapshotView {
  const s = snapshot as Partial<SnapshotView>;
  return {
    value: s.value,
    context: s.context,
    status: s.status ?? 'active',
    ...(s.status === 'done' ? { output: s.output } : {}),
  };
}

function inspectionRecord(event: InspectionEvent): InspectionRecord {
  const base = { type: event.type, rootId: event.rootId, actorId: event.actorRef.sessionId };
  switch (event.type) {
    case '@xstate.event':
      return {
        ...base,
        event: event.event,
        ...(event.sourceRef === undefined ? {} : { sourceId: event.sourceRef.sessionId }),
      };
    case '@xstate.snapshot':
    case '@xstate.microstep':
    case '@xstate.transition':
      return { ...base, event: event.event, snapshot: viewOf(event.snapshot) };
    case '@xstate.action':
      return { ...base, action: { type: event.action.type, params: event.action.params } };
    default:
      return base;
  }
}

/** Reports what can be sent: a report that will not encode is sent without the part that will not. */
function report(
  link: RunnerLink | undefined,
  make: () => Parameters<RunnerLink['report']>[0],
  fallback: () => Parameters<RunnerLink['report']>[0],
): void {
  if (link === undefined) return;
  try {
    link.report(make());
  } catch {
    link.report(fallback());
  }
}

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(`Machine error: ${String(error)}`);
}

/** True for a value a machine accepts as an event: an object with a string `type`. */
export function isMachineEvent(value: unknown): value is { readonly type: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

function checkEvent(event: unknown, name: string): void {
  if (!isMachineEvent(event)) {
    throw new TypeError(
      `Machine actor '${name}' was sent ${String(event)}: events are objects with a string type`,
    );
  }
}

/**
 * Turns an xstate v5 machine (made with `setup(...).createMachine(...)`) into an actor definition
 * that runs unchanged on every placement. Call it at the top level of the machine's module and
 * export the result, as with `defineActor`.
 *
 * In the worker the machine runs as an xstate actor. An action or guard that throws crashes the
 * actor with that error (its stack is the worker's); reaching a final state stops it with reason
 * `normal`. The root keeps the latest snapshot (`handle.snapshot()`, `handle.subscribe()`).
 *
 * @example
 * ```ts
 * import { setup } from 'xstate';
 * import { fromMachine } from '@troupe/core';
 *
 * const light = setup({ types: { events: {} as { type: 'NEXT' } } }).createMachine({
 *   initial: 'green',
 *   states: { green: { on: { NEXT: 'yellow' } }, yellow: { on: { NEXT: 'red' } }, red: { on: { NEXT: 'green' } } },
 * });
 * export const Light = fromMachine(import.meta.url, 'Light', light);
 * ```
 */
export function fromMachine<TMachine extends AnyStateMachine>(
  moduleUrl: string,
  name: string,
  machine: TMachine,
  options: MachineOptions = {},
): MachineDefinition<TMachine> {
  checkLocation(moduleUrl, name, 'fromMachine');
  const looksLikeMachine =
    typeof machine === 'object' &&
    machine !== null &&
    typeof (machine as { transition?: unknown }).transition === 'function' &&
    typeof (machine as { getInitialSnapshot?: unknown }).getInitialSnapshot === 'function';
  if (!looksLikeMachine) {
    throw new DefinitionError(
      `fromMachine '${name}': the third argument must be an xstate v5 machine (setup(...).createMachine(...))`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new DefinitionError(`fromMachine '${name}': options must be an object`);
  }
  for (const key of ['persist', 'inspect'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new DefinitionError(
        `fromMachine '${name}': options.${key} must be a boolean, got ${String(options[key])}`,
      );
    }
  }
  const machineOptions = { persist: options.persist === true, inspect: options.inspect !== false };

  const logic: AnyStateMachine = machine;
  const start = (
    createActor: typeof import('xstate').createActor,
    input: unknown,
    link: RunnerLink | undefined,
    restore: unknown,
  ): MachineState['actor'] => {
    const actor = createActor(logic, {
      input,
      ...(restore === undefined ? {} : { snapshot: restore as never }),
      ...(machineOptions.inspect && link !== undefined
        ? {
            inspect: (event: InspectionEvent) =>
              report(
                link,
                () => ({ kind: 'inspect', inspection: inspectionRecord(event) }),
                () => ({
                  kind: 'inspect',
                  inspection: { type: event.type, rootId: event.rootId, actorId: event.actorRef.sessionId },
                }),
              ),
          }
        : {}),
    });
    const snapshotReport = () => {
      const snapshot = actor.getSnapshot();
      const persisted =
        machineOptions.persist && snapshot.status === 'active'
          ? { persisted: actor.getPersistedSnapshot() }
          : {};
      report(
        link,
        () => ({ kind: 'snapshot', snapshot: viewOf(snapshot), ...persisted }),
        () => ({ kind: 'snapshot', snapshot: { ...viewOf(snapshot), context: undefined } }),
      );
    };
    let starting = true;
    actor.subscribe({
      next: snapshotReport,
      // An error outside a message (an invoked actor failing, say) crashes the actor too; one
      // while starting fails the start instead (a restore then falls back to a fresh start).
      error: (error: unknown) => {
        if (!starting) link?.crash(errorOf(error));
      },
    });
    actor.start();
    starting = false;
    const started = actor.getSnapshot();
    if (started.status === 'error') {
      actor.stop();
      throw errorOf(started.error);
    }
    return actor;
  };

  return registerActor(
    moduleUrl,
    name,
    {
      init: async (input: InputFrom<TMachine>, ctx): Promise<MachineState> => {
        // xstate loads here, in the worker that runs a machine, not in every worker.
        const { createActor } = await import('xstate');
        const link = runnerLinkOf(ctx);
        if (link?.restore !== undefined) {
          try {
            return { actor: start(createActor, input, link, link.restore) };
          } catch (error) {
            // The restore itself failed: start fresh, and say so.
            report(
              link,
              () => ({ kind: 'restoreFailed', error: errorOf(error) }),
              () => ({ kind: 'restoreFailed', error: new Error(errorOf(error).message) }),
            );
          }
        }
        return { actor: start(createActor, input, link, undefined) };
      },
      receive: (
        state: MachineState,
        event: EventFromLogic<TMachine>,
        ctx: ActorContext<unknown, unknown>,
      ) => {
        checkEvent(event, name);
        const { actor } = state;
        let reply: { readonly value: unknown } | undefined;
        const listener = ctx.isAsk
          ? actor.on('*', (emitted: unknown) => {
              reply ??= { value: emitted };
            })
          : undefined;
        try {
          actor.send(event);
        } finally {
          listener?.unsubscribe();
        }
        const snapshot = actor.getSnapshot() as { status: string; error?: unknown };
        if (snapshot.status === 'error') throw errorOf(snapshot.error);
        // Answered after the snapshot went out: once an ask resolves, the root's snapshot is current.
        if (reply !== undefined) ctx.reply(reply.value);
        if (snapshot.status === 'done') ctx.stop();
        return state;
      },
      terminate: (state: MachineState) => {
        state.actor.stop();
      },
    },
    { machine, machineOptions },
  ) as unknown as MachineDefinition<TMachine>;
}
