/**
 * A fake ChildRuntime for supervision tests: each start returns an instance whose exit the test
 * controls (`crash`), and every start, stop and retire is written to `log`, so one list shows
 * the order of everything.
 */

import { SimulatedClock } from '../../src/Clock.js';
import { defineActor } from '../../src/definitions.js';
import type { ExitInfo, ExitReason } from '../../src/exit.js';
import { type Deferred, deferred } from '../../src/internal/deferred.js';
import type { SupervisionEvent } from '../../src/supervision/SupervisionEvent.js';
import { Supervisor } from '../../src/supervision/Supervisor.js';
import type {
  ChildInstance,
  ChildRuntime,
  ChildSpec,
  RestartType,
  ShutdownValue,
  SupervisorOptions,
  WorkerChildSpec,
} from '../../src/supervision/types.js';

/** A do-nothing actor: the fake runtime never runs it. */
export const Noop = defineActor(import.meta.url, 'Noop', {
  init: (args: { n: number }) => args.n,
  receive: (state: number) => state,
});

/** A worker child spec for `Noop`. */
export function worker(
  id: string,
  extra: { restart?: RestartType; shutdown?: ShutdownValue } = {},
): ChildSpec {
  return { id, actor: Noop, args: { n: 0 }, ...extra };
}

/** Lets every queued microtask (and those they queue) run; no timers involved. */
export async function flush(rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
}

/** An exit with this reason. */
export function exitOf(reason: ExitReason): ExitInfo {
  switch (reason) {
    case 'normal':
      return { reason, code: 0, signal: null };
    case 'signal':
      return { reason, code: null, signal: 'SIGKILL' };
    case 'error':
      return { reason, code: 1, signal: null, error: new Error('boom') };
    default:
      return { reason, code: null, signal: null };
  }
}

interface FakeInstance extends ChildInstance {
  readonly id: string;
  readonly exit: Deferred<ExitInfo>;
}

export class FakeRuntime implements ChildRuntime {
  /** `start a#1`, `stop a 5000`, `retire a`, in order. */
  readonly log: string[] = [];
  /** The options each start got, by `id#incarnation`. */
  readonly startOptions = new Map<string, { readonly heartbeatMs?: number }>();
  /** Ids whose next start(s) fail: the error to throw, once per entry. */
  readonly failNext = new Map<string, Error[]>();
  /** What `stop` reports, by id (default `shutdown`). */
  readonly stopExit = new Map<string, ExitInfo>();
  readonly #current = new Map<string, FakeInstance>();
  #pid = 100;

  async start(
    spec: WorkerChildSpec,
    incarnation: number,
    options: { readonly heartbeatMs?: number },
  ): Promise<ChildInstance> {
    this.log.push(`start ${spec.id}#${incarnation}`);
    this.startOptions.set(`${spec.id}#${incarnation}`, options);
    const failure = this.failNext.get(spec.id)?.shift();
    if (failure !== undefined) throw failure;
    const exit = deferred<ExitInfo>();
    const instance: FakeInstance = { id: spec.id, pid: this.#pid++, exited: exit.promise, exit };
    this.#current.set(spec.id, instance);
    return instance;
  }

  async stop(spec: WorkerChildSpec, instance: ChildInstance, shutdown: ShutdownValue): Promise<ExitInfo> {
    this.log.push(`stop ${spec.id} ${shutdown}`);
    (instance as FakeInstance).exit.resolve(this.stopExit.get(spec.id) ?? exitOf('shutdown'));
    return instance.exited;
  }

  retire(spec: WorkerChildSpec): void {
    this.log.push(`retire ${spec.id}`);
  }

  /** Ends the current incarnation of `id` by itself, with `reason`. */
  crash(id: string, reason: ExitReason = 'error'): void {
    const instance = this.#current.get(id);
    if (instance === undefined) throw new Error(`no instance of ${id}`);
    instance.exit.resolve(exitOf(reason));
  }

  /** The pid of the current incarnation of `id`. */
  pid(id: string): number | undefined {
    return this.#current.get(id)?.pid;
  }

  /** Empties the log. */
  clear(): void {
    this.log.length = 0;
  }
}

const made: Supervisor[] = [];

/** Stops every supervisor `setup` made (for `afterEach`). */
export async function disposeAll(): Promise<void> {
  await Promise.all(made.splice(0).map((sup) => sup.stop()));
}

/** A supervisor on a fake runtime and a simulated clock, recording its events. */
export function setup(
  options: SupervisorOptions,
  deps: { readonly random?: () => number; readonly name?: string } = {},
): { sup: Supervisor; runtime: FakeRuntime; clock: SimulatedClock; events: SupervisionEvent[] } {
  const runtime = new FakeRuntime();
  const clock = new SimulatedClock();
  const events: SupervisionEvent[] = [];
  const sup = new Supervisor(options, runtime, {
    clock,
    name: deps.name ?? 'root',
    onEvent: (event) => events.push(event),
    ...(deps.random === undefined ? {} : { random: deps.random }),
  });
  made.push(sup);
  return { sup, runtime, clock, events };
}

/** `id: state` for each child, in order. */
export function states(sup: Supervisor): string[] {
  return sup.children().map((c) => `${c.id}: ${c.state}`);
}
