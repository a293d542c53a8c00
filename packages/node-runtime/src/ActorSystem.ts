/**
 * The actor system: the root of every Troupe program. It spawns actors and processes on their
 * placements, routes messages between them, publishes one event stream for all of them, and
 * shuts them down in reverse start order.
 *
 * @module
 */

import {
  type ActorDefinition,
  type Clock,
  type Connection,
  EventStream,
  InvalidArgumentError,
  type MachineDefinition,
  Queue,
  type QueueOptions,
  type SupervisorOptions,
  type SystemEvent,
  SystemShutdownError,
  type TaskDefinition,
} from '@troupe/core';
import { checkFunction, describeKind, refuseWhileLoadingDefinitions } from '@troupe/core/spi';
import { nanoid } from 'nanoid';
import type { AnyStateMachine, InputFrom } from 'xstate';
import { NameTakenError } from './errors.js';
import { type InspectEvent, isInspected } from './inspectEvents.js';
import {
  type ActorSystemOptions,
  checkPipeOptions,
  type ResolvedSystemOptions,
  resolveSystemOptions,
} from './options.js';
import { Pool } from './pool/Pool.js';
import type { PoolOptions } from './pool/PoolOptions.js';
import { checkPoolOptions } from './pool/poolChecks.js';
import { poolSystem, startPool } from './pool/poolSystem.js';
import type { ActorHandle } from './root/ActorHandle.js';
import { checkDefinition } from './root/checkDefinition.js';
import type { MachineHandle } from './root/MachineHandle.js';
import { type OpenedBackend, openBackend } from './root/openBackend.js';
import { type OpenedCluster, openCluster } from './root/openCluster.js';
import { ProcessHandle } from './root/ProcessHandle.js';
import { Root } from './root/Root.js';
import type { SupervisorHandle } from './root/SupervisorHandle.js';
import { startSupervisor } from './root/startSupervisor.js';
import type { HostInfo } from './shared/cluster.js';
import { checkSpawnOptions, type SpawnOptions } from './spawnOptions.js';
import { isTroupeWorker } from './worker/workerRole.js';

export type { InspectEvent } from './inspectEvents.js';

/**
 * The root of a Troupe program.
 *
 * @example
 * ```ts
 * import { ActorSystem } from '@troupe/node-runtime';
 * import { Counter } from './counter.js';
 *
 * await using system = await ActorSystem.start();
 * const counter = await system.spawn(Counter, { start: 0 });
 * counter.send({ type: 'inc' });
 * console.log(await counter.ask({ type: 'get' }, { timeoutMs: 1000 })); // 1
 * ```
 */
export class ActorSystem implements AsyncDisposable {
  /** Every spawn, exit and dead letter of this system, from every worker. */
  readonly events = new EventStream<SystemEvent>();
  readonly #options: ResolvedSystemOptions;
  /** What shutdown stops, newest first: unsupervised workers and top-level supervisors. */
  readonly #topLevel = new Set<{ stop(): Promise<unknown> }>();
  /** Everything the root keeps: registry, router, queues, pipes, workers. */
  readonly #root: Root;
  #supervisors = 0;
  #shutdown: Promise<void> | undefined;

  private constructor(
    options: ResolvedSystemOptions,
    backend: OpenedBackend | undefined,
    cluster: OpenedCluster | undefined,
  ) {
    this.#options = options;
    this.#root = new Root(options, this.events, this.#topLevel as Set<unknown>, backend, cluster);
  }

  /**
   * Creates a pipe and returns its two ends: the first sends `A` and receives `B`, the second
   * sends `B` and receives `A`. With `{ duplex: false }` the first end only receives and the
   * second only sends (Python's `Pipe(duplex=False)`). Hand an end to an actor in a message or
   * spawn arguments; between two child processes the ends then talk over a direct OS connection.
   * Throws `InvalidArgumentError` naming a bad option.
   *
   * @example
   * ```ts
   * const [client, server] = system.pipe<Request, Response>();
   * await system.spawn(Server, { conn: server });
   * await client.send({ path: '/' });
   * const response = await client.recv({ timeoutMs: 1000 });
   * ```
   */
  pipe<A, B = A>(options: { readonly duplex?: boolean } = {}): [Connection<B, A>, Connection<A, B>] {
    this.#checkOpen();
    return this.#root.pipes.create(checkPipeOptions(options)) as [Connection<B, A>, Connection<A, B>];
  }

  /**
   * Counters for operators and tests: `relayedPipeFrames` counts pipe data frames the root passed
   * between two workers (zero for pipes running over a direct link); `workers` the workers
   * running (or starting, or stopping), pool workers included; `mailboxes` the queue mailboxes
   * the system keeps for its actors (a supervised actor's between its incarnations too);
   * `standby` the idle standby workers (see the `standby` start option), processes and threads
   * together, some perhaps still booting. A standby counts in `workers` once it is adopted.
   * `droppedClusterMessages` counts messages from the `cluster` that were malformed or not signed
   * by its secret, and were dropped (zero without a cluster).
   */
  stats(): {
    readonly relayedPipeFrames: number;
    readonly workers: number;
    readonly mailboxes: number;
    readonly standby: number;
    readonly droppedClusterMessages: number;
  } {
    return {
      relayedPipeFrames: this.#root.pipes.relayed,
      workers: this.#root.registry.workers,
      mailboxes: this.#root.registry.mailboxCount,
      standby: this.#root.standby.size,
      droppedClusterMessages: this.#root.clusterDropped,
    };
  }

  /**
   * Creates a queue: multi-producer, multi-consumer, FIFO for each producer. Its handle can be
   * passed to any actor in spawn arguments or messages. Throws `InvalidArgumentError` naming a
   * bad option.
   *
   * @example
   * ```ts
   * const jobs = system.queue<Job>({ capacity: 100 });
   * await system.spawn(Worker, { jobs });
   * await jobs.put({ id: 1 });
   * ```
   */
  queue<T>(options: QueueOptions = {}): Queue<T> {
    this.#checkOpen();
    return new Queue<T>(this.#root.hub.backend.create(options), this.#root.rootQueues);
  }

  /**
   * Starts an actor system. Throws `InvalidArgumentError` naming any bad option; rejects with
   * `BackendError` when its `backend` cannot be opened.
   *
   * @example
   * ```ts
   * const system = await ActorSystem.start({ placement: 'process', shutdownMs: 2000 });
   * ```
   */
  static async start(options: ActorSystemOptions = {}): Promise<ActorSystem> {
    if (isTroupeWorker()) refuseWhileLoadingDefinitions('ActorSystem.start()');
    const resolved = resolveSystemOptions(options);
    const backend = await openBackend(resolved);
    let cluster: OpenedCluster | undefined;
    try {
      cluster = await openCluster(resolved);
    } catch (error) {
      await backend?.backend.shutdown?.();
      throw error;
    }
    const system = new ActorSystem(resolved, backend, cluster);
    system.#root.standby.fill();
    return system;
  }

  /**
   * The hosts of the system's `cluster`, up or down, with their last heartbeat and this system's
   * workers on each; empty without a cluster.
   *
   * @example
   * ```ts
   * const up = system.hosts().filter((h) => h.up).map((h) => h.name); // ['a', 'b']
   * ```
   */
  hosts(): readonly HostInfo[] {
    return this.#root.hosts();
  }

  /** The clock behind every root-side timer. */
  get clock(): Clock {
    return this.#options.clock;
  }

  /** How long a stopping worker may take before it is killed, in ms. */
  get shutdownMs(): number {
    return this.#options.shutdownMs;
  }

  /** The largest encoded message, in bytes. */
  get maxMessageBytes(): number {
    return this.#options.maxMessageBytes;
  }

  /** True once `shutdown()` has begun. */
  get isShutDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Spawns an actor and resolves once its `init` has run. Rejects with `SpawnError` (the remote
   * error as cause) if `init` throws or the worker dies first; and before anything starts, with
   * `SerializationError` for arguments that cannot be sent, `NameTakenError` for a name in use,
   * `DefinitionError` for a definition not made by `defineActor` (or `fromMachine`), and
   * `InvalidArgumentError` naming a bad option.
   *
   * @example
   * ```ts
   * const c = await system.spawn(Counter, { start: 0 }, { placement: 'thread', name: 'counter' });
   * ```
   */
  spawn<TMachine extends AnyStateMachine>(
    definition: MachineDefinition<TMachine>,
    input: InputFrom<TMachine>,
    options?: SpawnOptions,
  ): Promise<MachineHandle<TMachine>>;
  spawn<Args, Msg, Reply>(
    definition: ActorDefinition<Args, Msg, Reply>,
    args: Args,
    options?: SpawnOptions,
  ): Promise<ActorHandle<Msg, Reply>>;
  async spawn<Args, Msg, Reply>(
    definition: ActorDefinition<Args, Msg, Reply>,
    args: Args,
    options?: SpawnOptions,
  ): Promise<ActorHandle<Msg, Reply>> {
    this.#checkOpen();
    checkDefinition(definition, 'actor', 'spawn');
    const checked = checkSpawnOptions(options, this.#options);
    const { placement, name, worker, host } = checked;
    if (name !== undefined && this.#root.registry.hasName(name)) throw new NameTakenError(name);
    const mailbox = this.#root.launcher.mailboxFor(checked.mailbox, checked.mailboxCapacity);
    const id = nanoid(10);
    const self = { id, name: name ?? id };
    const cell = this.#root.launcher.launch({ definition, args, self, placement, worker, mailbox, host });
    this.#topLevel.add(cell);
    if (name !== undefined) this.#root.registry.setName(name, id);
    const handle = this.#root.machines.handleFor(definition, cell, false) as ActorHandle<Msg, Reply>;
    this.#root.registry.setHandle(id, handle as ActorHandle);
    await cell.ready;
    return handle;
  }

  /**
   * Runs a task in a new child process, like `multiprocessing.Process(target=...).start()`, and
   * resolves once the process has loaded the task. Its output goes to this process's stdout.
   * Rejects, before any process starts, with `DefinitionError` for a task not made by
   * `defineTask` and `SerializationError` for arguments that cannot be sent.
   *
   * @example
   * ```ts
   * const p = await system.process(greet, 'child');
   * await p.join();
   * ```
   */
  async process<Args extends unknown[], Result>(
    task: TaskDefinition<Args, Result>,
    ...args: Args
  ): Promise<ProcessHandle<Result>> {
    this.#checkOpen();
    checkDefinition(task, 'task', 'process');
    const id = nanoid(10);
    const self = { id, name: `${task.name}#${id}` };
    const cell = this.#root.launcher.launch({
      definition: task,
      args,
      self,
      placement: 'process',
      worker: {},
    });
    this.#topLevel.add(cell);
    await cell.ready;
    return new ProcessHandle<Result>(cell, this.#options.clock);
  }

  /**
   * One inspection stream for the whole system: xstate inspection events of every machine actor,
   * from whatever process it runs in, with Troupe's lifecycle events (spawned, exited with its
   * reason, restarted, dead letters, failed restores, mailbox backlogs), each tagged with the
   * actor's id and pid where it has one. Returns the unsubscribe function.
   *
   * @example
   * ```ts
   * const stop = system.inspect((e) => console.log(e.type, 'pid' in e ? e.pid : ''));
   * ```
   */
  inspect(listener: (event: InspectEvent) => void): () => void {
    checkFunction(listener, 'inspect(listener)');
    return this.events.subscribe((event) => {
      if (isInspected(event)) listener(event);
    });
  }

  /**
   * The running actor registered under `name`, if any. Throws `InvalidArgumentError` for a name
   * that is not a string.
   *
   * @example
   * ```ts
   * await system.spawn(Counter, { start: 0 }, { name: 'counter' });
   * system.lookup<CounterMsg, number>('counter')?.send({ type: 'inc' });
   * ```
   */
  lookup<Msg = unknown, Reply = unknown>(name: string): ActorHandle<Msg, Reply> | undefined {
    if (typeof name !== 'string')
      throw new InvalidArgumentError(`lookup() takes a name (a string), got ${describeKind(name)}`);
    return this.#root.registry.named(name) as ActorHandle<Msg, Reply> | undefined;
  }

  /**
   * Stops every worker, newest first: each is asked to stop, given `shutdownMs`, then killed.
   * Idle standby workers are killed at once. Idempotent; later spawns reject with
   * `SystemShutdownError`.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      const standby = this.#root.standby.close();
      for (const entry of [...this.#topLevel].reverse()) await entry.stop();
      await standby;
      await this.#root.close();
    })();
    return this.#shutdown;
  }

  /**
   * Starts a supervisor and its children, in order, under Erlang/OTP's rules (see
   * {@link Supervisor}). Resolves once every child is running; if one fails to start, the started
   * ones are stopped in reverse order and this rejects with `SupervisorStartError` (the child's
   * own error, such as a `SerializationError` for its arguments, as cause). Bad options, and a
   * `name` that is not a non-empty string, throw `InvalidArgumentError` naming them before
   * anything starts. Child specs may also name a `placement`, `maxHeapMb`, `env`, `cwd` and
   * `execArgv`, as spawn options do. The supervisor is named by `options.name`, or `supervisor-1`,
   * `supervisor-2`, ... in call order (`sup.name`, and the `supervisor` of its events).
   *
   * @example
   * ```ts
   * const sup = await system.supervise({
   *   name: 'app',
   *   strategy: 'one_for_one',
   *   maxRestarts: 3,
   *   withinMs: 5000,
   *   children: [{ id: 'counter', actor: Counter, args: { start: 0 }, restart: 'permanent' }],
   * });
   * sup.child<CounterMsg, number>('counter')?.send({ type: 'inc' });
   * ```
   */
  async supervise(options: SupervisorOptions): Promise<SupervisorHandle> {
    this.#checkOpen();
    // A bad name is refused by the Supervisor's checks, before the name is used.
    const name = (options as Partial<SupervisorOptions> | null)?.name ?? `supervisor-${++this.#supervisors}`;
    return startSupervisor(options, name, {
      system: this.#options,
      root: this.#root,
      events: this.events,
      topLevel: this.#topLevel,
      checkOpen: () => this.#checkOpen(),
    });
  }

  /**
   * Starts a pool of workers for parallel map and resolves once they are ready. Rejects with
   * `PoolBrokenError` if the workers cannot start (an initializer that keeps failing); and before
   * any worker starts, with `InvalidArgumentError` naming a bad option (`SerializationError` for
   * initializer arguments that cannot be sent).
   *
   * @example
   * ```ts
   * const pool = await system.pool({ size: 2 });
   * console.log(await pool.map(square, [1, 2, 3, 4, 5])); // [1, 4, 9, 16, 25]
   * ```
   */
  async pool(options: PoolOptions = {}): Promise<Pool> {
    this.#checkOpen();
    const size = checkPoolOptions(options, this.#options.cluster === undefined ? undefined : this.hosts());
    return startPool(new Pool(poolSystem(this, this.#root.registry), options, size), this.#topLevel);
  }

  /** `await using system = ...` shuts the system down at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #checkOpen(): void {
    if (this.#shutdown !== undefined) throw new SystemShutdownError('The actor system has shut down');
  }
}
