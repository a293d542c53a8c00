/**
 * Definitions: actors and tasks, found by module URL and name.
 *
 * Code never travels. A worker imports the module URL a definition was made in and looks the
 * name up in the registry, much as pickle finds a function by module and qualified name. So a
 * definition must be made at the top level of its module, under a name unique in that module.
 *
 * @module
 */

import type { ActorRef } from './ActorRef.js';
import { DefinitionError } from './errors.js';
import type { ExitReason } from './exit.js';
import { describeValue } from './validate.js';

/**
 * What an actor's `receive` may do besides returning its next state.
 *
 * @typeParam Msg - the messages the actor accepts
 * @typeParam Reply - what its asks resolve with; annotate `ctx` to set it
 *
 * @example
 * ```ts
 * defineActor(import.meta.url, 'Echo', {
 *   init: () => null,
 *   receive: (state, msg: string, ctx: ActorContext<string, string>) => {
 *     ctx.reply(msg);
 *     return state;
 *   },
 * });
 * ```
 */
export interface ActorContext<Msg = unknown, Reply = unknown> {
  /** This actor's own reference, to hand to others. */
  readonly self: ActorRef<Msg, Reply>;
  /** True while handling an `ask` (a reply is expected). */
  readonly isAsk: boolean;
  /**
   * Answers the ask being handled. Throws `SerializationError` for a value that cannot be
   * sent. Does nothing while handling a plain `send`; a second reply throws.
   */
  reply(value: Reply): void;
  /** Stops this actor (reason `normal`) once the current message is handled. */
  stop(): void;
}

/**
 * What `init` receives besides the spawn arguments.
 *
 * @example
 * ```ts
 * export const Greeter = defineActor(import.meta.url, 'Greeter', {
 *   init: (args: { greeting: string }, ctx: InitContext<string>) => {
 *     console.log(`${ctx.self.name} is ready`);
 *     return args.greeting;
 *   },
 *   receive: (greeting, name: string) => {
 *     console.log(`${greeting}, ${name}!`);
 *     return greeting;
 *   },
 * });
 * ```
 */
export interface InitContext<Msg = unknown, Reply = unknown> {
  /** This actor's own reference. */
  readonly self: ActorRef<Msg, Reply>;
}

/**
 * The behaviour of an actor.
 *
 * @example
 * ```ts
 * const spec: ActorSpec<{ start: number }, number, 'inc', never> = {
 *   init: (args) => args.start,
 *   receive: (n) => n + 1,
 * };
 * ```
 */
export interface ActorSpec<Args, State, Msg, Reply> {
  /** Builds the initial state from the spawn arguments. May be async; a throw fails the spawn. */
  init(args: Args, ctx: InitContext<Msg, Reply>): State | Promise<State>;
  /**
   * Handles one message and returns the next state. Messages are handled one at a time, each
   * to completion (an async `receive` is awaited before the next message). A throw crashes the
   * actor: its worker exits with reason `error`.
   */
  receive(state: State, msg: Msg, ctx: ActorContext<Msg, Reply>): State | Promise<State>;
  /** Runs when the actor stops on request or by itself, not when it crashes. */
  terminate?(state: State, reason: ExitReason): void | Promise<void>;
}

/**
 * A registered actor, ready to spawn.
 *
 * @example
 * ```ts
 * const ref = await system.spawn(Counter, { start: 0 }); // Counter: ActorDefinition<...>
 * ```
 */
export interface ActorDefinition<Args = unknown, Msg = unknown, Reply = unknown> {
  readonly kind: 'actor';
  /** The module URL it was defined in (`import.meta.url`). */
  readonly module: string;
  /** Its name within that module. */
  readonly name: string;
  /** The behaviour. */
  readonly spec: ActorSpec<Args, unknown, Msg, Reply>;
}

/**
 * A registered task: a function run in a worker.
 *
 * @example
 * ```ts
 * const p = await system.process(square, 7); // square: TaskDefinition<[number], number>
 * ```
 */
export interface TaskDefinition<Args extends unknown[] = unknown[], Result = unknown> {
  readonly kind: 'task';
  /** The module URL it was defined in (`import.meta.url`). */
  readonly module: string;
  /** Its name within that module. */
  readonly name: string;
  /** The function. */
  readonly fn: (...args: Args) => Result | Promise<Result>;
}

/**
 * Either kind of definition.
 *
 * @example
 * ```ts
 * const describe = (d: Definition) => `${d.kind} ${d.name} (${d.module})`;
 * describe(Counter); // 'actor Counter (file:///app/counter.js)'
 * describe(square); // 'task square (file:///app/tasks.js)'
 * ```
 */
export type Definition = ActorDefinition<never, never, never> | TaskDefinition<never, unknown>;

type Registry = Map<string, Map<string, ActorDefinition | TaskDefinition>>;

/** Definitions by module URL, then name. One per copy of this module, like a module cache. */
const definitions: Registry = new Map();

function registry(): Registry {
  return definitions;
}

/** Throws `DefinitionError` unless `moduleUrl` is a URL and `name` a non-empty string. */
export function checkLocation(moduleUrl: unknown, name: unknown, what: string): void {
  if (typeof moduleUrl !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl)) {
    throw new DefinitionError(
      `${what}: the first argument must be the module URL (pass import.meta.url), got ${describeValue(moduleUrl)}`,
    );
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new DefinitionError(`${what}: the name must be a non-empty string, got ${describeValue(name)}`);
  }
}

function register<D extends ActorDefinition | TaskDefinition>(definition: D): D {
  const all = registry();
  let inModule = all.get(definition.module);
  if (inModule === undefined) {
    inModule = new Map();
    all.set(definition.module, inModule);
  }
  if (inModule.has(definition.name)) {
    throw new DefinitionError(
      `Duplicate definition name '${definition.name}' in ${definition.module}: names must be unique ` +
        'within a module, and each definition is made once, at the top level of its module (one made ' +
        'inside a function is made again at each call)',
    );
  }
  inModule.set(definition.name, definition);
  return Object.freeze(definition);
}

/**
 * Defines an actor: state built by `init`, changed one message at a time by `receive`.
 *
 * Call it at the top level of a module and export the result; workers re-import the module to
 * find it. Throws {@link DefinitionError} for a duplicate name in the same module.
 *
 * @example
 * ```ts
 * import { defineActor, type ActorContext } from '@troupe/core';
 *
 * export const Counter = defineActor(import.meta.url, 'Counter', {
 *   init: (args: { start: number }) => args.start,
 *   receive: (n, msg: { type: 'inc' } | { type: 'get' }, ctx: ActorContext<unknown, number>) => {
 *     if (msg.type === 'get') ctx.reply(n);
 *     return msg.type === 'inc' ? n + 1 : n;
 *   },
 * });
 * ```
 */
export function defineActor<Args, State, Msg, Reply = unknown>(
  moduleUrl: string,
  name: string,
  spec: ActorSpec<Args, State, Msg, Reply>,
): ActorDefinition<Args, Msg, Reply> {
  checkLocation(moduleUrl, name, 'defineActor');
  if (typeof spec !== 'object' || spec === null) {
    throw new DefinitionError(`defineActor '${name}': the spec must be an object with init and receive`);
  }
  for (const key of ['init', 'receive'] as const) {
    if (typeof spec[key] !== 'function') {
      throw new DefinitionError(`defineActor '${name}': spec.${key} must be a function`);
    }
  }
  if (spec.terminate !== undefined && typeof spec.terminate !== 'function') {
    throw new DefinitionError(`defineActor '${name}': spec.terminate must be a function when given`);
  }
  return registerActor(moduleUrl, name, spec, {});
}

/**
 * Registers an actor definition carrying `extra` fields (a machine actor's machine). Internal:
 * `defineActor` and `fromMachine` check their arguments first.
 */
export function registerActor<Args, State, Msg, Reply, Extra extends object>(
  moduleUrl: string,
  name: string,
  spec: ActorSpec<Args, State, Msg, Reply>,
  extra: Extra,
): ActorDefinition<Args, Msg, Reply> & Extra {
  return register({
    ...extra,
    kind: 'actor',
    module: moduleUrl,
    name,
    spec: spec as unknown as ActorSpec<Args, unknown, Msg, Reply>,
  }) as ActorDefinition<Args, Msg, Reply> & Extra;
}

/**
 * Defines a task: a function run in a worker by `system.process(...)` or a pool.
 *
 * Call it at the top level of a module and export the result. Throws {@link DefinitionError}
 * for a duplicate name in the same module.
 *
 * @example
 * ```ts
 * import { defineTask } from '@troupe/core';
 * export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);
 * ```
 */
export function defineTask<Args extends unknown[], Result>(
  moduleUrl: string,
  name: string,
  fn: (...args: Args) => Result | Promise<Result>,
): TaskDefinition<Args, Awaited<Result>> {
  checkLocation(moduleUrl, name, 'defineTask');
  if (typeof fn !== 'function') {
    throw new DefinitionError(`defineTask '${name}': the third argument must be a function`);
  }
  return register({
    kind: 'task',
    module: moduleUrl,
    name,
    fn: fn as TaskDefinition['fn'],
  }) as unknown as TaskDefinition<Args, Awaited<Result>>;
}

/** True when `value` is a definition registered in this process. */
export function isRegisteredDefinition(value: unknown): value is ActorDefinition | TaskDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const { module, name } = value as { module?: unknown; name?: unknown };
  if (typeof module !== 'string' || typeof name !== 'string') return false;
  return registry().get(module)?.get(name) === value;
}

/**
 * The definition registered in this process under `moduleUrl` and `name`, if it is of `kind`.
 * Imports nothing: for a process that must not load a module on a message's say-so.
 */
export function findDefinition(
  moduleUrl: unknown,
  name: unknown,
  kind: 'actor' | 'task',
): ActorDefinition | TaskDefinition | undefined {
  if (typeof moduleUrl !== 'string' || typeof name !== 'string') return undefined;
  const found = registry().get(moduleUrl)?.get(name);
  return found?.kind === kind ? found : undefined;
}

/** The definitions registered by the module at `moduleUrl`, by name. */
export function definitionsOf(
  moduleUrl: string,
): ReadonlyMap<string, ActorDefinition | TaskDefinition> | undefined {
  return registry().get(moduleUrl);
}
