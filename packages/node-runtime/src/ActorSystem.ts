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
import { inspect } from 'node:util';
import {
  type ActorDefinition,
  ActorStoppedError,
  type Clock,
  Codec,
  type Connection,
  DefinitionError,
  describeExit,
  EventStream,
  type ExitInfo,
  type ExitReason,
  InvalidArgumentError,
  type MachineDefinition,
  type Placement,
  Queue,
  QueueClosedError,
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
  EmbeddedQueueBackend,
  type InitMessage,
  isPipeEndInfo,
  isRegisteredDefinition,
  PendingCalls,
  type PortableData,
  QueueClient,
  type QueueInfo,
  refuseWhileLoadingDefinitions,
  unpackItem,
} from '@troupe/core/spi';
import { nanoid } from 'nanoid';
import type { AnyStateMachine, InputFrom } from 'xstate';
import { type ActorHandle, adoptIncarnation } from './ActorHandle.js';
import { NameTakenError } from './errors.js';
import { Machines } from './internal/Machines.js';
import { PipeRegistry } from './internal/PipeRegistry.js';
import { QueueHub, ROOT_CONSUMER } from './internal/QueueHub.js';
import { QueueMailbox } from './internal/QueueMailbox.js';
import { Standby } from './internal/Standby.js';
import { type ChildHost, SupervisedChildren } from './internal/SupervisedChildren.js';
import { startWorker } from './internal/startWorker.js';
import { systemEventOf } from './internal/supervisionEvents.js';
import { WorkerCell as Cell, type CellOwner } from './internal/WorkerCell.js';
import type { WorkerLaunch, WorkerLink } from './internal/WorkerLink.js';
import { isTroupeWorker } from './internal/workerRole.js';
import type { MachineHandle } from './MachineHandle.js';
import {
  type ActorSystemOptions,
  type CrashReport,
  checkPipeOptions,
  checkPoolOptions,
  checkSpawnOptions,
  childSpawnOptions,
  type ResolvedSystemOptions,
  resolveSystemOptions,
  type SpawnOptions,
  type WorkerSettings,
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
  /** Live workers in start order (shutdown walks it backwards). */
  readonly #cells = new Map<string, Cell>();
  /** Workers only the runtime may address (pool workers): routes to them are refused. */
  readonly #internal = new Set<string>();
  readonly #handles = new Map<string, ActorHandle>();
  readonly #machines = new Machines((event) => this.events.emit(event));
  readonly #names = new Map<string, string>();
  readonly #owner: CellOwner;
  /** What shutdown stops, newest first: unsupervised workers and top-level supervisors. */
  readonly #topLevel = new Set<{ stop(): Promise<unknown> }>();
  /** Queue mailboxes by actor id (a supervised actor's outlives its incarnations). */
  readonly #mailboxes = new Map<string, QueueMailbox>();
  #supervisors = 0;
  readonly #hub: QueueHub;
  readonly #rootQueues: QueueClient;
  readonly #pipes: PipeRegistry;
  #socketDir: string | undefined;
  readonly #itemCodec: Codec;
  /** Asks made through queue mailboxes, answered by whichever actor takes them. */
  readonly #mailboxAsks: PendingCalls;
  /** Idle workers that spawns and restarts adopt (the `standby` option). */
  readonly #standby: Standby;
  /** The worker whose exit is being processed (to route its poisoned mailbox item). */
  #exiting: { cell: Cell; exit: ExitInfo } | undefined;
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
    this.#itemCodec = itemCodec;
    const backend = new EmbeddedQueueBackend({
      clock: options.clock,
      // A take's items travel in one frame: no more of them than one message may hold.
      maxTakeBytes: options.maxMessageBytes,
      // A consumer waits on an empty queue: the others give back what they fetched ahead.
      onStarving: (queue, holders) => {
        for (const holder of holders) {
          if (holder === ROOT_CONSUMER) this.#rootQueues.reclaim(queue);
          else this.#cells.get(holder)?.reclaimQueue(queue);
        }
      },
      onFailed: (failed) => {
        // A mailbox item that crashed its actor (or outlived every delivery) fails like a message.
        const exiting = this.#exiting;
        if (exiting?.cell.mailbox?.info.id === failed.queue) {
          exiting.cell.mailbox.fail(exiting.cell.address, failed.item, failed.reason, exiting.exit);
          return;
        }
        this.#deadLetter(
          { id: failed.queue, name: `queue ${failed.queue}` },
          unpackItem(failed.item, (bytes) => itemCodec.decode(bytes)),
          failed.reason,
        );
      },
    });
    this.#hub = new QueueHub(backend, (queue, item, reason) =>
      this.#deadLetter(
        { id: queue, name: `queue ${queue}` },
        unpackItem(item, (bytes) => itemCodec.decode(bytes)),
        reason,
      ),
    );
    this.#rootQueues = new QueueClient(this.#hub.rootOps(), itemCodec);
    this.#pipes = new PipeRegistry({
      clock: options.clock,
      codec: itemCodec,
      cell: (id) => this.#cells.get(id),
      socketDir: () => {
        this.#socketDir ??= mkdtempSync(join(tmpdir(), 'troupe-'));
        return this.#socketDir;
      },
      onLinked: (pipe) => this.events.emit({ type: 'pipeLinked', pipe, time: Date.now() }),
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
      workers: this.#cells.size,
      mailboxes: this.#mailboxes.size,
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
  #makeOwner(options: ResolvedSystemOptions): CellOwner {
    return {
      clock: options.clock,
      shutdownMs: options.shutdownMs,
      maxMessageBytes: options.maxMessageBytes,
      revive: (portable) => {
        if (portable.kind === 'actor') {
          const { id } = (portable.data ?? {}) as Partial<ActorAddress>;
          if (typeof id === 'string') return this.#handles.get(id) ?? portable;
        }
        return portable;
      },
      route: (to, body) => {
        const cell = this.#internal.has(to) ? undefined : this.#cells.get(to);
        if (cell === undefined)
          this.#deadLetter({ id: to, name: to }, body, 'no such actor (it may have exited)');
        else cell.send(body);
      },
      routeAsk: (to, body, timeoutMs) => {
        const cell = this.#internal.has(to) ? undefined : this.#cells.get(to);
        if (cell === undefined) return Promise.reject(new ActorStoppedError(to));
        return cell.ask(body, timeoutMs === undefined ? undefined : { timeoutMs });
      },
      routeStop: (to) => {
        const cell = this.#internal.has(to) ? undefined : this.#cells.get(to);
        if (cell === undefined) return Promise.reject(new ActorStoppedError(to));
        return cell.stop();
      },
      deadLetter: (to, message, reason) => this.#deadLetter(to, message, reason),
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
        this.#exiting = { cell, exit };
        this.#hub.consumerGone(cell.id, cell.crashedDuringMessage ? cell.mailbox?.info.id : undefined);
        this.#exiting = undefined;
        this.#pipes.cellGone(cell.id);
        if (this.#cells.get(cell.id) === cell) this.#cells.delete(cell.id);
        this.#topLevel.delete(cell);
        // A supervised actor keeps its handle and mailbox until its supervisor retires it.
        if (!cell.supervised) {
          this.#mailboxes.delete(cell.id);
          if (cell.mailbox?.private) cell.mailbox.close(cell.address, exit);
          this.#handles.delete(cell.id);
          this.#machines.forget(cell.id);
          if (this.#names.get(cell.name) === cell.id) this.#names.delete(cell.name);
        }
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
        if (!watched) this.#reportCrash(cell, exit);
      },
    };
  }

  /**
   * Reports a crash that nothing watches (see ActorSystemOptions.logger), after the code that
   * spawned it has had its turn to await its end.
   */
  #reportCrash(cell: Cell, exit: ExitInfo): void {
    const { logger } = this.#options;
    if (logger === false || !CRASHES.has(exit.reason) || cell.supervised || cell.watched) return;
    setImmediate(() => {
      if (cell.watched) return;
      const where = [`id ${cell.id}`, ...(cell.pid === undefined ? [] : [`pid ${cell.pid}`]), cell.placement];
      const detail = exit.error === undefined ? '' : `${inspect(exit.error)}\n`;
      const text =
        `Troupe crash report: ${cell.kind} ${cell.label} (${where.join(', ')}) ended: ${describeExit(exit)}\n` +
        detail;
      const report: CrashReport = {
        kind: cell.kind,
        name: cell.name,
        id: cell.id,
        pid: cell.pid,
        placement: cell.placement,
        exit,
        text,
      };
      try {
        logger(report);
      } catch {
        // A logger that throws must not take the system down with the actor.
      }
    });
  }

  #revive(portable: PortableData): unknown {
    switch (portable.kind) {
      case 'actor': {
        const { id } = (portable.data ?? {}) as Partial<ActorAddress>;
        if (typeof id === 'string') return this.#handles.get(id) ?? portable;
        break;
      }
      case 'pipe':
        if (isPipeEndInfo(portable.data)) return this.#pipes.revive(portable.data) ?? portable;
        break;
      case 'queue': {
        const { id } = (portable.data ?? {}) as { id?: unknown };
        const info = typeof id === 'string' ? this.#hub.backend.info(id) : undefined;
        if (info !== undefined) return new Queue(info, this.#rootQueues);
        break;
      }
    }
    return portable;
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
    this.#checkDefinition(definition, 'actor', 'spawn');
    const checked = checkSpawnOptions(options, this.#options);
    const { placement, name, worker } = checked;
    if (name !== undefined && this.#names.has(name)) throw new NameTakenError(name);
    const mailbox = this.#mailboxFor(checked.mailbox, checked.mailboxCapacity);
    const id = nanoid(10);
    const init = initFor(definition, args, { id, name: name ?? id }, mailbox?.info);
    const cell = this.#launch(init, placement, worker, mailbox);
    if (name !== undefined) this.#names.set(name, id);
    const handle = this.#machines.handleFor(definition, cell, false) as ActorHandle<Msg, Reply>;
    this.#handles.set(id, handle as ActorHandle);
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
    this.#checkDefinition(task, 'task', 'process');
    const id = nanoid(10);
    const cell = this.#launch(initFor(task, args, { id, name: `${task.name}#${id}` }), 'process', {});
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
    if (typeof listener !== 'function') throw new InvalidArgumentError('inspect() takes a function');
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
      throw new InvalidArgumentError(`lookup() takes a name (a string), got ${describe(name)}`);
    const id = this.#names.get(name);
    return id === undefined ? undefined : (this.#handles.get(id) as ActorHandle<Msg, Reply> | undefined);
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
    const children = new SupervisedChildren(this.#childHost);
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
          this.#internal.add(handle.id);
          void handle.exited.then(() => this.#internal.delete(handle.id));
          const cell = this.#cells.get(handle.id);
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

  #checkDefinition(definition: unknown, kind: 'actor' | 'task', call: string): void {
    if (!isRegisteredDefinition(definition) || definition.kind !== kind) {
      throw new DefinitionError(
        `${call}() needs a${kind === 'actor' ? 'n actor' : ' task'} definition made with ` +
          `${kind === 'actor' ? 'defineActor' : 'defineTask'}(import.meta.url, name, ...), got ${describe(definition)}`,
      );
    }
  }

  #mailboxFor(
    mailbox: 'queue' | 'pipe' | Queue<unknown>,
    capacity: number | undefined,
  ): QueueMailbox | undefined {
    if (mailbox === 'pipe') return undefined;
    const shared = mailbox instanceof Queue;
    const info = shared
      ? this.#hub.backend.info(mailbox.id)
      : this.#hub.backend.create({ ...(capacity ? { capacity } : {}) });
    if (info === undefined) throw new InvalidArgumentError('mailbox must be a queue of this actor system');
    if (shared && this.#hub.backend.isClosed(info.id)) {
      throw new QueueClosedError('mailbox is a closed queue: the actor could never receive a message');
    }
    return new QueueMailbox({
      hub: this.#hub,
      info,
      private: !shared,
      codec: this.#itemCodec,
      asks: this.#mailboxAsks,
      deadLetter: (to, message, reason) => this.#deadLetter(to, message, reason),
      onDepth: (to, depth) =>
        this.events.emit({
          type: 'mailboxDepth',
          id: to.id,
          name: to.name,
          pid: this.#cells.get(to.id)?.pid,
          depth,
          time: Date.now(),
        }),
    });
  }

  #launch(
    init: InitMessage,
    placement: Placement,
    worker: WorkerSettings,
    mailbox?: QueueMailbox,
    supervised = false,
  ): Cell {
    const { maxHeapMb } = worker;
    const own = [
      ...(worker.execArgv ?? []),
      ...(maxHeapMb === undefined || placement !== 'process' ? [] : [`--max-old-space-size=${maxHeapMb}`]),
    ];
    const launch: WorkerLaunch = {
      // The system's flags themselves when there are none of its own: a standby may take it.
      execArgv: own.length === 0 ? this.#options.execArgv : [...this.#options.execArgv, ...own],
      maxMessageBytes: this.#options.maxMessageBytes,
      env: worker.env,
      cwd: worker.cwd,
      prefixOutput: this.#options.prefixOutput,
    };
    // Each incarnation of a supervised actor is launched anew, so restarts adopt standbys too.
    const start = (): WorkerLink =>
      this.#standby.take(placement, launch, maxHeapMb) ?? startWorker(placement, launch, maxHeapMb);
    let cell: Cell;
    try {
      cell = new Cell(this.#owner, init, placement, start, { mailbox, supervised });
    } catch (error) {
      // Nothing started (arguments that cannot be sent): a mailbox made for this launch goes too.
      if (mailbox?.private && this.#mailboxes.get(init.self.id) !== mailbox)
        this.#hub.delete(mailbox.info.id);
      throw error;
    }
    if (mailbox !== undefined) this.#mailboxes.set(init.self.id, mailbox);
    this.#cells.set(cell.id, cell);
    if (!supervised) this.#topLevel.add(cell);
    return cell;
  }

  /** Supervised children: each incarnation under the same id, handle and standing mailbox. */
  readonly #childHost: ChildHost = {
    startIncarnation: (spec, previous) => {
      this.#checkOpen();
      this.#checkDefinition(spec.actor, 'actor', 'supervise');
      const { placement, worker } = checkSpawnOptions(childSpawnOptions(spec), this.#options);
      const mailbox =
        previous === undefined ? this.#mailboxFor('queue', undefined) : this.#mailboxOf(previous);
      const id = previous?.id ?? nanoid(10);
      const self = { id, name: previous?.name ?? spec.id };
      const restore = this.#machines.restoreFor(spec, previous);
      const init = initFor(spec.actor, spec.args, self, mailbox?.info, restore);
      const cell = this.#launch(init, placement, worker, mailbox, true);
      const handle = previous ?? this.#machines.handleFor(spec.actor, cell, true);
      if (previous !== undefined) adoptIncarnation(previous, cell);
      this.#handles.set(id, handle);
      return { cell, handle };
    },
    retire: (handle) => {
      this.#handles.delete(handle.id);
      this.#machines.forget(handle.id);
      const cell = this.#cells.get(handle.id);
      const mailbox = this.#mailboxOf(handle);
      this.#mailboxes.delete(handle.id);
      const exit = cell?.exitInfo ?? handle.exitInfo ?? { reason: 'shutdown', code: null, signal: null };
      mailbox?.close({ id: handle.id, name: handle.name }, exit);
    },
  };

  #mailboxOf(handle: ActorHandle): QueueMailbox | undefined {
    return this.#mailboxes.get(handle.id);
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

/** The exit reasons that are crashes, reported when nothing watches them. */
const CRASHES: ReadonlySet<ExitReason> = new Set(['error', 'oom', 'timeout']);

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return typeof value;
}

/** The first frame a worker gets: what to run, with what, as whom. */
function initFor(
  definition: { readonly kind: 'actor' | 'task'; readonly module: string; readonly name: string },
  args: unknown,
  self: ActorAddress,
  mailbox?: QueueInfo,
  restore?: unknown,
): InitMessage {
  const init: InitMessage = {
    t: 'init',
    kind: definition.kind,
    module: definition.module,
    name: definition.name,
    args,
    self,
  };
  return {
    ...init,
    ...(mailbox === undefined ? {} : { mailbox }),
    ...(restore === undefined ? {} : { restore }),
  };
}
