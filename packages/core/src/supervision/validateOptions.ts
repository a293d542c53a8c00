/**
 * Validation of supervisor options and child specs, at the edge and in one place: each check
 * throws {@link InvalidArgumentError} naming the option by its path (`maxRestarts`,
 * `children[2].shutdown`, `children[0].supervisor.strategy`), and the defaults of
 * {@link SUPERVISOR_DEFAULTS} are applied here.
 *
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import { MAX_WORKERS } from '../limits.js';
import { isMachineDefinition } from '../machine/fromMachine.js';
import { describeValue } from '../validate.js';
import { SUPERVISOR_DEFAULTS } from './defaults.js';
import type { ChildSpec, RestartType, ShutdownValue, Strategy, SupervisorOptions } from './types.js';

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

/** Backoff with its defaults applied. */
export interface ResolvedBackoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly randomFactor: number;
  readonly resetAfterMs: number;
}

/** A child spec with its defaults applied; `spec` is the caller's own object. */
export interface ResolvedChild {
  readonly spec: ChildSpec;
  readonly id: string;
  readonly type: 'worker' | 'supervisor';
  readonly restart: RestartType;
  readonly shutdown: ShutdownValue;
}

/** Supervisor options with their defaults applied. */
export interface ResolvedOptions {
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly backoff: ResolvedBackoff | undefined;
  readonly heartbeatMs: number | undefined;
  readonly maxChildren: number;
  readonly children: readonly ResolvedChild[];
}

/**
 * Supervisor options keep the wording their messages have always had (`Invalid supervisor option
 * children[2].shutdown: expected …, got …`); the value is described as everywhere else.
 */
function fail(path: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(
    `Invalid supervisor option ${path}: expected ${expected}, got ${describeValue(value)}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, path: string, min: number, inclusive: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (inclusive ? value >= min : value > min);
  if (!ok) fail(path, `a finite number ${inclusive ? '≥' : '>'} ${min}`, value);
  return value;
}

function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(path, `an integer ≥ ${min}`, value);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T)) fail(path, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as T;
}

function resolveBackoff(value: unknown, path: string): ResolvedBackoff {
  if (!isRecord(value)) fail(path, 'an object { minMs, maxMs, randomFactor?, resetAfterMs? }', value);
  const minMs = finite(value.minMs, `${path}.minMs`, 0, false);
  const maxMs = finite(value.maxMs, `${path}.maxMs`, minMs, true);
  const randomFactor =
    value.randomFactor === undefined
      ? SUPERVISOR_DEFAULTS.randomFactor
      : finite(value.randomFactor, `${path}.randomFactor`, 0, true);
  const resetAfterMs =
    value.resetAfterMs === undefined ? maxMs : finite(value.resetAfterMs, `${path}.resetAfterMs`, 0, true);
  return { minMs, maxMs, randomFactor, resetAfterMs };
}

function resolveShutdown(value: unknown, type: 'worker' | 'supervisor', path: string): ShutdownValue {
  if (value === undefined) {
    return type === 'worker' ? SUPERVISOR_DEFAULTS.workerShutdownMs : SUPERVISOR_DEFAULTS.supervisorShutdown;
  }
  if (value === 'brutal_kill' || value === 'infinity') return value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  return fail(path, "a number of ms ≥ 0, 'brutal_kill' or 'infinity'", value);
}

/**
 * Checks one child spec and applies its defaults. `path` names it in errors (`children[2]`).
 *
 * @example
 * ```ts
 * const child = resolveChildSpec({ id: 'cache', actor: Cache, args: {} }, 'spec');
 * child.restart;  // 'permanent'
 * child.shutdown; // 5000
 * ```
 */
export function resolveChildSpec(value: unknown, path: string): ResolvedChild {
  if (!isRecord(value)) fail(path, 'a child spec object', value);
  const { id } = value;
  if (typeof id !== 'string' || id.length === 0) fail(`${path}.id`, 'a non-empty string', id);
  const type =
    value.type === undefined ? 'worker' : oneOf(value.type, ['worker', 'supervisor'], `${path}.type`);
  if (type === 'worker') {
    const { actor } = value;
    if (!isRecord(actor) || actor.kind !== 'actor') {
      fail(`${path}.actor`, 'an actor definition (from defineActor)', actor);
    }
    if (value.restartFrom !== undefined) {
      const from = oneOf(value.restartFrom, ['fresh', 'lastSnapshot'], `${path}.restartFrom`);
      const persists = isMachineDefinition(actor) && actor.machineOptions.persist;
      if (from === 'lastSnapshot' && !persists) {
        fail(
          `${path}.restartFrom`,
          "'fresh' for this actor ('lastSnapshot' needs fromMachine(..., { persist: true }))",
          from,
        );
      }
    }
  } else {
    resolveSupervisorOptions(value.supervisor, `${path}.supervisor`);
  }
  const restart =
    value.restart === undefined
      ? SUPERVISOR_DEFAULTS.restart
      : oneOf(value.restart, RESTART_TYPES, `${path}.restart`);
  const shutdown = resolveShutdown(value.shutdown, type, `${path}.shutdown`);
  return { spec: value as unknown as ChildSpec, id, type, restart, shutdown };
}

/**
 * Checks supervisor options (nested supervisors' too) and applies the defaults. `path` prefixes
 * the option names in errors; it is empty at the top.
 *
 * @example
 * ```ts
 * const options = resolveSupervisorOptions({ strategy: 'one_for_one', children: [] });
 * options.maxRestarts; // 3
 * options.withinMs;    // 5000
 * ```
 */
export function resolveSupervisorOptions(value: unknown, path = ''): ResolvedOptions {
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  if (!isRecord(value)) fail(path === '' ? 'options' : path, 'an object of supervisor options', value);
  const options = value as Partial<Record<keyof SupervisorOptions, unknown>>;
  const { name } = options;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    fail(at('name'), 'a non-empty string', name);
  }
  const strategy = oneOf(options.strategy, STRATEGIES, at('strategy'));
  const maxRestarts =
    options.maxRestarts === undefined
      ? SUPERVISOR_DEFAULTS.maxRestarts
      : integer(options.maxRestarts, at('maxRestarts'), 0);
  const withinMs =
    options.withinMs === undefined
      ? SUPERVISOR_DEFAULTS.withinMs
      : finite(options.withinMs, at('withinMs'), 0, false);
  const backoff = options.backoff === undefined ? undefined : resolveBackoff(options.backoff, at('backoff'));
  const heartbeatMs =
    options.heartbeatMs === undefined ? undefined : finite(options.heartbeatMs, at('heartbeatMs'), 0, false);
  const maxChildren =
    options.maxChildren === undefined ? MAX_WORKERS : integer(options.maxChildren, at('maxChildren'), 0);
  if (maxChildren > MAX_WORKERS) {
    fail(at('maxChildren'), `at most ${MAX_WORKERS} (MAX_WORKERS; nest supervisors for more)`, maxChildren);
  }
  if (!Array.isArray(options.children)) fail(at('children'), 'an array of child specs', options.children);
  if (options.children.length > MAX_WORKERS) {
    const expected = `at most ${MAX_WORKERS} child specs (MAX_WORKERS; nest supervisors for more)`;
    fail(at('children'), expected, options.children.length);
  }
  const children = options.children.map((child, i) => resolveChildSpec(child, `${at('children')}[${i}]`));
  const seen = new Set<string>();
  for (const [i, child] of children.entries()) {
    if (seen.has(child.id)) fail(`${at('children')}[${i}].id`, 'an id unique among the children', child.id);
    seen.add(child.id);
  }
  if (children.length > maxChildren) {
    fail(at('maxChildren'), `at least the ${children.length} children given`, maxChildren);
  }
  return { strategy, maxRestarts, withinMs, backoff, heartbeatMs, maxChildren, children };
}
