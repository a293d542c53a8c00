/**
 * The actor system: the root of every Troupe program. It spawns actors and processes on their
 * placements, routes messages between them, publishes one event stream for all of them, and
 * shuts them down in reverse start order.
 *
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActorDefinition,
  type Clock,
  Codec,
  type Connection,
  EventStream,
  InvalidArgumentError,
  type MachineDefinition,
  Queue,
  type QueueOptions,
  type SupervisionEvent,
  Supervisor,
  type SupervisorOptions,
  type SystemEvent,
  SystemShutdownError,
  type TaskDefinition,
} from '@troupe/core';
import {
  type ActorAddress,
  checkFunction,
  describeKind,
  EmbeddedQueueBackend,
  PendingCalls,
  type PortableData,
  QueueClient,
  type QueueItem,
  refuseWhileLoadingDefinitions,
  unpackItem,
} from '@troupe/core/spi';
import { nanoid } from 'nanoid';
import type { AnyStateMachine, InputFrom } from 'xstate';
import type { ActorHandle } from './ActorHandle.js';
import { NameTakenError } from './errors.js';
import type { CellOwner } from './internal/CellOwner.js';
import { checkDefinition } from './internal/checkDefinition.js';
import { reportCrash } from './internal/crashReport.js';
import { Launcher } from './internal/Launcher.js';
import { Machines } from './internal/Machines.js';
import { PipeRegistry } from './internal/PipeRegistry.js';
import { type PortableSources, revivePortable } from './internal/Portables.js';
import { checkPoolOptions } from './internal/poolChecks.js';
import { QueueHub, ROOT_CONSUMER } from './internal/QueueHub.js';
import { Registry } from './internal/Registry.js';
import { Router } from './internal/Router.js';
import { Standby } from './internal/Standby.js';
import { childHost, SupervisedChildren } from './internal/SupervisedChildren.js';
import { startWorker } from './internal/startWorker.js';
import { systemEventOf } from './internal/supervisionEvents.js';
import type { WorkerCell } from './internal/WorkerCell.js';
import { isTroupeWorker } from './internal/workerRole.js';
import type { MachineHandle } from './MachineHandle.js';
import {
  type ActorSystemOptions,
  checkPipeOptions,
  checkSpawnOptions,
  type ResolvedSystemOptions,
  resolveSystemOptions,
  type SpawnOptions,
} from './options.js';
import { ProcessHandle } from './ProcessHandle.js';
import { Pool } from './pool/Pool.js';
import { PoolActor } from './pool/PoolActor.js';
import type { PoolOptions } from './pool/PoolOptions.js';
import { PoolWorker } from './pool/PoolWorker.js';
import { SupervisorHandle } from './SupervisorHandle.js';

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
  /** Workers, handles, names and queue mailboxes. */
  readonly #registry = new Registry<ActorHandle>();
  /** Where every message for an actor goes. */
  readonly #router = new Router(this.#registry, (to, message, reason) =>
    this.#deadLetter(to, message, reason),
  );
  readonly #machines = new Machines((event) => this.events.emit(event), this.#router);
  readonly #owner: CellOwner<WorkerCell>;
  /** What shutdown stops, newest first: unsupervised workers and top-level supervisors. */
  readonly #topLevel = new Set<{ stop(): Promise<unknown> }>();
  #supervisors = 0;
  readonly #hub: QueueHub;
  readonly #rootQueues: QueueClient;
  readonly #pipes: PipeRegistry;
  /** What the one `revive` rebuilds portables from. */
  readonly #portables: PortableSources;
  #socketDir: string | undefined;
  /** Asks made through queue mailboxes, answered by whichever actor takes them. */
  readonly #mailboxAsks: PendingCalls;
  /** Idle workers that spawns and restarts adopt (the `standby` option). */
  readonly #standby: Standby;
  /** Starts workers: spawns, processes, pool workers and supervised incarnations. */
  readonly #launcher: Launcher;
  #shutdown: Promise<void> | undefined;

  private constructor(options: ResolvedSystemOptions) {
    this.#options = options;
    this.#owner = this.#makeOwner(options);
    this.#mailboxAsks = new PendingCalls(options.clock);
    this.#standby = new Standby({
      counts: options.standby,
      launch: {
        execArgv: options.execArgv,
        maxMessageBytes: options.maxMessageBytes,
        env: undefined,
        prefixOutput: options.prefixOutput,
      },
      clock: options.clock,
      start: (placement, launch) => startWorker(placement, launch, undefined),
    });
    const itemCodec = new Codec({ maxMessageBytes: options.maxMessageBytes, revive: (p) => this.#revive(p) });
    /** A queue item nobody will take: a dead letter addressed to its queue. */
    const deadItem = (queue: string, item: QueueItem, reason: string) =>
      this.#deadLetter(
        { id: queue, name: `queue ${queue}` },
        unpackItem(item, (bytes) => itemCodec.decode(bytes)),
        reason,
      );
    const backend = new EmbeddedQueueBackend({
      clock: options.clock,
      // A take's items travel in one frame: no more of them than one message may hold.
      maxTakeBytes: options.maxMessageBytes,
      // A consumer waits on an empty queue: the others give back what they fetched ahead.
      onStarving: (queue, holders) => {
        for (const holder of holders) {
          if (holder === ROOT_CONSUMER) this.#rootQueues.reclaim(queue);
          else this.#registry.cell(holder)?.reclaimQueue(queue);
        }
      },
      onFailed: (failed) => {
        // A mailbox item that crashed its actor (or outlived every delivery) fails like a message.
        const mailbox = this.#registry.mailbox(failed.consumer);
        const cell = this.#registry.cell(failed.consumer);
        if (mailbox?.info.id === failed.queue && cell !== undefined) {
          mailbox.fail(cell.address, failed.item, failed.reason, cell.exitInfo);
          return;
        }
        deadItem(failed.queue, failed.item, failed.reason);
      },
    });
    this.#hub = new QueueHub(backend, deadItem);
    this.#rootQueues = new QueueClient(this.#hub.rootOps(), itemCodec);
    this.#pipes = new PipeRegistry({
      clock: options.clock,
      codec: itemCodec,
      cell: (id) => this.#registry.cell(id),
      socketDir: () => {
        this.#socketDir ??= mkdtempSync(join(tmpdir(), 'troupe-'));
        return this.#socketDir;
      },
      onLinked: (pipe) => this.events.emit({ type: 'pipeLinked', pipe, time: Date.now() }),
      onRefused: (cellId, reason) => {
        const cell = this.#registry.cell(cellId);
        this.events.emit({
          type: 'security',
          what: 'pipe',
          id: cellId,
          name: cell?.name ?? cellId,
          pid: cell?.pid,
          reason,
          time: Date.now(),
        });
      },
    });
    this.#portables = {
      handle: (id) => this.#registry.handle(id),
      pipes: this.#pipes,
      queues: backend,
      rootQueues: this.#rootQueues,
    };
    this.#launcher = new Launcher({
      system: options,
      owner: this.#owner,
      registry: this.#registry,
      hub: this.#hub,
      itemCodec,
      mailboxAsks: this.#mailboxAsks,
      standby: this.#standby,
      deadLetter: (to, message, reason) => this.#deadLetter(to, message, reason),
      onDepth: (to, depth) =>
        this.events.emit({
          type: 'mailboxDepth',
          id: to.id,
          name: to.name,
          pid: this.#registry.cell(to.id)?.pid,
          depth,
          time: Date.now(),
        }),
    });
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
    return this.#pipes.create(checkPipeOptions(options)) as [Connection<B, A>, Connection<A, B>];
  }

  /**
   * Counters for operators and tests: `relayedPipeFrames` counts pipe data frames the root passed
   * between two workers (zero for pipes running over a direct link); `workers` the workers
   * running (or starting, or stopping), pool workers included; `mailboxes` the queue mailboxes
   * the system keeps for its actors (a supervised actor's between its incarnations too);
   * `standby` the idle standby workers (see the `standby` start option), processes and threads
   * together, some perhaps still booting. A standby counts in `workers` once it is adopted.
   */
  stats(): {
    readonly relayedPipeFrames: number;
    readonly workers: number;
    readonly mailboxes: number;
    readonly standby: number;
  } {
    return {
      relayedPipeFrames: this.#pipes.relayed,
      workers: this.#registry.workers,
      mailboxes: this.#registry.mailboxCount,
      standby: this.#standby.size,
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
    return new Queue<T>(this.#hub.backend.create(options), this.#rootQueues);
  }

  /** What workers ask of the system: kept off the public surface. */
  #makeOwner(options: ResolvedSystemOptions): CellOwner<WorkerCell> {
    return {
      clock: options.clock,
      shutdownMs: options.shutdownMs,
      maxMessageBytes: options.maxMessageBytes,
      revive: (portable) => this.#revive(portable),
      route: (message) => this.#router.fromWorker(message),
      queueCall: (consumer, message) => this.#hub.call(consumer, message),
      pipeFrame: (cellId, message) => this.#pipes.fromWorker(cellId, message),
      mailboxAnswer: (id, outcome) => {
        if ('value' in outcome) this.#mailboxAsks.resolve(id, outcome.value);
        else this.#mailboxAsks.reject(id, outcome.error);
      },
      cellReady: (cell) => {
        this.events.emit({
          type: 'spawned',
          id: cell.id,
          name: cell.name,
          placement: cell.placement,
          pid: cell.pid,
          time: Date.now(),
        });
      },
      report: (cell, report) => this.#machines.report(cell, report),
      cellExited: (cell, exit) => {
        const mailbox = this.#registry.mailbox(cell.id);
        this.#hub.consumerGone(cell.id, cell.crashedDuringMessage ? mailbox?.info.id : undefined);
        this.#pipes.cellGone(cell.id);
        this.#topLevel.delete(cell);
        // A supervised actor keeps its handle and mailbox until its supervisor retires it.
        if (this.#registry.cellGone(cell)?.private) mailbox?.close(cell.address, exit);
        if (!cell.supervised) this.#machines.forget(cell.id);
        const watched = this.events.hasSubscribers;
        this.events.emit({
          type: 'exited',
          id: cell.id,
          name: cell.name,
          placement: cell.placement,
          pid: cell.pid,
          exit,
          time: Date.now(),
        });
        if (!watched) reportCrash(cell, exit, this.#options.logger);
      },
    };
  }

  #revive(portable: PortableData): unknown {
    return revivePortable(portable, this.#portables);
  }

  #deadLetter(to: ActorAddress, message: unknown, reason: string): void {
    this.events.emit({ type: 'deadLetter', to, message, reason, time: Date.now() });
  }

  /**
   * Starts an actor system. Throws `InvalidArgumentError` naming any bad option.
   *
   * @example
   * ```ts
   * const system = await ActorSystem.start({ placement: 'process', shutdownMs: 2000 });
   * ```
   */
  static async start(options: ActorSystemOptions = {}): Promise<ActorSystem> {
    if (isTroupeWorker()) refuseWhileLoadingDefinitions('ActorSystem.start()');
    const system = new ActorSystem(resolveSystemOptions(options));
    system.#standby.fill();
    return system;
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
    const { placement, name, worker } = checked;
    if (name !== undefined && this.#registry.hasName(name)) throw new NameTakenError(name);
    const mailbox = this.#launcher.mailboxFor(checked.mailbox, checked.mailboxCapacity);
    const id = nanoid(10);
    const self = { id, name: name ?? id };
    const cell = this.#launcher.launch({ definition, args, self, placement, worker, mailbox });
    this.#topLevel.add(cell);
    if (name !== undefined) this.#registry.setName(name, id);
    const handle = this.#machines.handleFor(definition, cell, false) as ActorHandle<Msg, Reply>;
    this.#registry.setHandle(id, handle as ActorHandle);
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
    const cell = this.#launcher.launch({ definition: task, args, self, placement: 'process', worker: {} });
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
      if (INSPECTED.has(event.type)) listener(event as InspectEvent);
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
    return this.#registry.named(name) as ActorHandle<Msg, Reply> | undefined;
  }

  /**
   * Stops every worker, newest first: each is asked to stop, given `shutdownMs`, then killed.
   * Idle standby workers are killed at once. Idempotent; later spawns reject with
   * `SystemShutdownError`.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      const standby = this.#standby.close();
      for (const entry of [...this.#topLevel].reverse()) await entry.stop();
      await standby;
      if (this.#socketDir !== undefined) rmSync(this.#socketDir, { recursive: true, force: true });
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
    const children = new SupervisedChildren(
      childHost({
        system: this.#options,
        launcher: this.#launcher,
        registry: this.#registry,
        machines: this.#machines,
        checkOpen: () => this.#checkOpen(),
      }),
    );
    const supervisor = new Supervisor(options, children, {
      clock: this.#options.clock,
      name,
      onEvent: (event) => this.#onSupervision(event, children),
    });
    const entry = { stop: () => supervisor.stop() };
    this.#topLevel.add(entry);
    void supervisor.exited.then(() => this.#topLevel.delete(entry));
    try {
      await supervisor.start();
    } catch (error) {
      this.#topLevel.delete(entry);
      throw error;
    }
    return new SupervisorHandle(name, supervisor, children);
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
    const size = checkPoolOptions(options);
    const pool = new Pool(
      {
        clock: this.#options.clock,
        get shuttingDown() {
          return system.isShutDown;
        },
        spawnWorker: async (args, placement) => {
          const handle = (await this.spawn(PoolWorker, args, {
            placement,
            mailbox: 'pipe',
          })) as ActorHandle<never, unknown>;
          this.#registry.markInternal(handle.id);
          void handle.exited.then(() => this.#registry.unmarkInternal(handle.id));
          const cell = this.#registry.cell(handle.id);
          return {
            handle,
            send: (frame) => cell?.sendPool(frame),
            listen: (listener) => {
              if (cell !== undefined) cell.onPoolFrame = listener;
            },
          };
        },
        spawnActor: (id) => this.spawn(PoolActor, { pool: id }, { placement: 'local' }),
      },
      options,
      size,
    );
    const system = this;
    const entry = { stop: () => pool.terminate() };
    this.#topLevel.add(entry);
    try {
      await pool.start();
    } catch (error) {
      this.#topLevel.delete(entry);
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  #onSupervision(event: SupervisionEvent, children: SupervisedChildren): void {
    const systemEvent = systemEventOf(event, Date.now(), (child) => children.handle(child)?.id);
    if (systemEvent !== undefined) this.events.emit(systemEvent);
  }

  /** `await using system = ...` shuts the system down at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #checkOpen(): void {
    if (this.#shutdown !== undefined) throw new SystemShutdownError('The actor system has shut down');
  }
}

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
