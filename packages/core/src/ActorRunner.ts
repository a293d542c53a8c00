/**
 * The worker side of a channel: loads a definition, runs an actor's message loop or a task, and
 * answers the root. Runtime-agnostic: a runtime (child process, worker thread, in-process) feeds
 * it decoded frames and gives it a {@link RunnerPort} to answer through.
 *
 * @module
 */

import type { AskOptions } from './ActorRef.js';
import type { Clock } from './Clock.js';
import { Codec, type PortableData } from './Codec.js';
import type { InitContext, TaskDefinition } from './definitions.js';
import { AskTimeoutError, ProtocolError, QueueClosedError } from './errors.js';
import type { ExitInfo } from './exit.js';
import { type LoopEvents, MessageLoop, type Work } from './internal/MessageLoop.js';
import { PendingCalls } from './internal/PendingCalls.js';
import { RUNNER_LINK, type RunnerLink } from './internal/runnerLink.js';
import { loadDefinition } from './loadDefinition.js';
import { isPipeEnd } from './pipe/Connection.js';
import { type DirectConnector, WorkerPipes } from './pipe/WorkerPipes.js';
import type { PoolLink } from './pool/PoolLink.js';
import {
  type ActorAddress,
  assertNever,
  type FromWorker,
  type InitMessage,
  readMailboxItem,
  type ToWorker,
} from './protocol.js';
import { takenItems } from './queue/itemRun.js';
import { Queue } from './queue/Queue.js';
import { isQueueInfo, type QueueInfo, type QueueItem, unpackItem } from './queue/QueueBackend.js';
import { QueueClient } from './queue/QueueClient.js';
import { RemoteQueueOps } from './queue/RemoteQueueOps.js';
import { RoutedActorRef, type Router } from './RoutedActorRef.js';

/** The most mailbox messages a worker takes ahead of handling them. */
const MAILBOX_PREFETCH = 64;

/** What an {@link ActorRunner} needs from its runtime. */
export interface ActorRunnerOptions {
  readonly clock: Clock;
  /** The largest encoded message (items included), in bytes. */
  readonly maxMessageBytes: number;
  /** Runs a function soon after the current task (Node: `setImmediate`); batches queue puts. */
  readonly schedule: (fn: () => void) => void;
  /** Sets up direct links between workers for pipes; without it, pipes are relayed by the root. */
  readonly directPipes?: DirectConnector | undefined;
  /** An actor's message loop has started (its `init` has run). */
  readonly onActorRunning?: (() => void) | undefined;
  /** The worker has been told what to run, before it loads it (Node: names the process after it). */
  readonly onInit?: ((init: InitMessage) => void) | undefined;
}

/** How a runner talks back to the root and ends its worker. */
export interface RunnerPort {
  /** Encodes and sends one frame; throws `SerializationError` synchronously. */
  send(message: FromWorker): void;
  /** The worker is done: flush what was sent, then exit with `code`. */
  exit(code: number): void;
  /** Writes what was sent synchronously, if the runtime can (the process is exiting). */
  flushSync?(): void;
  /**
   * Hands what was sent to the transport now, instead of at the end of the tick: called before
   * actor code runs, so a frame sent before it (`ready`, a reply) is not held back by code that
   * runs for long without yielding.
   */
  flush?(): void;
}

/** Strips an error down to what always encodes (for a crash whose error will not serialize). */
function plainError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`Non-error thrown: ${String(error)}`);
  const plain = new Error(error.message);
  plain.name = error.name;
  plain.stack = error.stack ?? `${error.name}: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(plain, { code });
  return plain;
}

/**
 * Runs one actor or task inside a worker.
 *
 * @example
 * ```ts
 * const runner = new ActorRunner(port, { clock: realClock, maxMessageBytes, schedule: setImmediate });
 * channel.onMessage((frame) => runner.handle(frame));
 * ```
 */
export class ActorRunner implements Router {
  readonly #port: RunnerPort;
  readonly #pending: PendingCalls;
  readonly #queueOps: RemoteQueueOps;
  readonly #itemCodec: Codec;
  readonly #queues: QueueClient;
  readonly #pipes: WorkerPipes;
  #phase: 'new' | 'starting' | 'running' | 'done' = 'new';
  #loop: MessageLoop | undefined;
  /** Work that arrived before the loop existed. */
  readonly #early: Work[] = [];
  #mailbox: QueueInfo | undefined;
  #fetching = false;
  #fetchSize = 1;
  readonly #onActorRunning: (() => void) | undefined;
  readonly #onInit: ((init: InitMessage) => void) | undefined;
  /** Where pool frames from the root go (a pool worker's listener). */
  #poolListener: ((body: unknown) => void) | undefined;
  /** A pool worker's link to its pool: `pool` frames on this channel. */
  readonly #poolLink: PoolLink = {
    send: (body) => this.#send({ t: 'pool', body }),
    flush: () => {
      this.#queueOps.flush();
      this.#port.flush?.();
    },
    listen: (listener) => {
      this.#poolListener = listener;
    },
  };

  constructor(port: RunnerPort, options: ActorRunnerOptions) {
    this.#port = port;
    this.#onActorRunning = options.onActorRunning;
    this.#onInit = options.onInit;
    this.#pending = new PendingCalls(options.clock);
    this.#queueOps = new RemoteQueueOps(
      (m) => this.#port.send(m),
      this.#pending,
      options.schedule,
      options.maxMessageBytes,
    );
    this.#itemCodec = new Codec({ maxMessageBytes: options.maxMessageBytes, revive: this.revive });
    this.#queues = new QueueClient(this.#queueOps, this.#itemCodec);
    this.#pipes = new WorkerPipes((m) => this.#send(m), options.directPipes, options.clock);
  }

  /** Rebuilds handles that arrive in messages (the codec's `revive` hook). */
  readonly revive = (portable: PortableData): unknown => {
    switch (portable.kind) {
      case 'actor': {
        const { id, name } = (portable.data ?? {}) as Partial<ActorAddress>;
        if (typeof id === 'string' && typeof name === 'string') return new RoutedActorRef(id, name, this);
        break;
      }
      case 'queue':
        if (isQueueInfo(portable.data)) return new Queue(portable.data, this.#queues);
        break;
      case 'pipe':
        if (isPipeEnd(portable.data)) return this.#pipes.revive(portable.data);
        break;
    }
    return portable;
  };

  /** Handles one frame from the root. */
  handle(message: ToWorker): void {
    switch (message.t) {
      case 'init':
        if (this.#phase !== 'new') throw new ProtocolError('Second init frame');
        this.#phase = 'starting';
        this.#start(message).catch((error: unknown) => this.crash(error));
        return;
      case 'send':
        this.#push({ kind: 'send', body: message.body, viaMailbox: false });
        return;
      case 'ask':
        this.#push({ kind: 'ask', id: message.id, body: message.body, viaMailbox: false });
        return;
      case 'stop':
        this.#push({ kind: 'stop', viaMailbox: false });
        return;
      case 'reply':
        this.#pending.resolve(message.id, message.value);
        return;
      case 'fail':
        this.#pending.reject(message.id, message.error);
        return;
      case 'pipe':
        this.#pipes.handle(message);
        return;
      case 'ping':
        this.#send({ t: 'pong', id: message.id });
        return;
      case 'qreclaim':
        this.#queues.reclaim(message.q);
        return;
      case 'pool':
        this.#poolListener?.(message.body);
        return;
      default:
        assertNever(message);
    }
  }

  /**
   * The process is exiting under the actor (it called `process.exit`): sends its last words —
   * gathered acks, and whether a mailbox message was in hand — through the port's synchronous
   * flush, so the root does not redeliver a message that made the actor exit.
   */
  exiting(code: number): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#send({ t: 'exiting', code, during: this.#loop?.handlingMailboxMessage === true });
    this.#port.flushSync?.();
  }

  /** Stops a running actor after its current message; false when there is no actor loop. */
  stopPolitely(): boolean {
    if (this.#loop === undefined || this.#phase !== 'running') return false;
    this.#loop.push({ kind: 'stop', viaMailbox: false });
    return true;
  }

  /** Reports `error` to the root as this worker's crash and ends the worker with code 1. */
  crash(error: unknown): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    const during = this.#loop?.handlingMailboxMessage === true ? { during: true } : {};
    try {
      this.#send({ t: 'crash', error: error instanceof Error ? error : plainError(error), ...during });
    } catch {
      this.#send({ t: 'crash', error: plainError(error), ...during });
    }
    this.#port.exit(1);
  }

  /** Sends a frame to the root, after any queue puts gathered before it. */
  #send(message: FromWorker): void {
    this.#queueOps.flush();
    this.#port.send(message);
  }

  #push(work: Work): void {
    if (this.#loop === undefined) this.#early.push(work);
    else this.#loop.push(work);
  }

  async #start(init: InitMessage): Promise<void> {
    this.#onInit?.(init);
    const definition = await loadDefinition(init.module, init.name, init.kind);
    if (definition.kind === 'task') {
      await this.#runTask(definition, init.args);
      return;
    }
    const self = new RoutedActorRef(init.self.id, init.self.name, this);
    const link: RunnerLink = {
      restore: init.restore,
      report: (report) => this.#send({ t: 'report', report }),
      crash: (error) => this.crash(error),
      pool: this.#poolLink,
    };
    const initContext: InitContext = Object.assign({ self }, { [RUNNER_LINK]: link });
    const state = await definition.spec.init(init.args, initContext);
    if (this.#phase === 'done') return;
    this.#phase = 'running';
    this.#mailbox = init.mailbox;
    this.#loop = new MessageLoop(definition, self, state, this.#loopEvents);
    // Before `ready` leaves: whoever sees it may SIGTERM the worker at once, and a worker descheduled
    // between the two would die of the signal's default action instead of stopping politely.
    this.#onActorRunning?.();
    this.#send({ t: 'ready' });
    this.#port.flush?.();
    for (const work of this.#early.splice(0)) this.#loop.push(work);
    if (this.#mailbox !== undefined) this.#fetch();
  }

  async #runTask(task: TaskDefinition, args: unknown): Promise<void> {
    if (!Array.isArray(args)) throw new ProtocolError('Task arguments must be an array');
    this.#phase = 'running';
    this.#send({ t: 'ready' });
    // Out before the task runs: a task that never yields must still be seen to have started.
    this.#port.flush?.();
    const value = await task.fn(...args);
    this.#send({ t: 'done', value });
    this.#phase = 'done';
    this.#port.exit(0);
  }

  /** Takes the next batch from the queue mailbox (the root answers when there is one). */
  #fetch(): void {
    const mailbox = this.#mailbox;
    if (mailbox === undefined || this.#fetching || this.#phase !== 'running') return;
    this.#fetching = true;
    const max = this.#fetchSize;
    this.#queueOps.take(mailbox.id, max, undefined).then(
      (taken) => {
        const items = takenItems(taken);
        this.#fetching = false;
        this.#fetchSize =
          items.length >= max ? Math.min(MAILBOX_PREFETCH, max * 2) : Math.max(1, items.length);
        for (const item of items) this.#loop?.push(this.#mailboxWork(item));
      },
      (error: unknown) => {
        this.#fetching = false;
        // A mailbox closed under a running actor: nothing more will come.
        if (!(error instanceof QueueClosedError)) this.crash(error);
      },
    );
  }

  #mailboxWork(queued: QueueItem): Work {
    const item = readMailboxItem(unpackItem(queued, (bytes) => this.#itemCodec.decode(bytes)));
    switch (item.$troupe) {
      case 'send':
        return { kind: 'send', body: item.body, viaMailbox: true };
      case 'ask':
        return { kind: 'ask', id: item.id, body: item.body, viaMailbox: true };
      case 'stop':
        return { kind: 'stop', viaMailbox: true };
    }
  }

  readonly #loopEvents: LoopEvents = {
    beforeMessage: () => this.#port.flush?.(),
    reply: (id, value, viaMailbox) =>
      this.#send({ t: 'reply', id, value, ...(viaMailbox ? { viaMailbox } : {}) }),
    fail: (id, error, viaMailbox) =>
      this.#send({ t: 'fail', id, error, ...(viaMailbox ? { viaMailbox } : {}) }),
    handled: (work) => {
      if (work.viaMailbox && this.#mailbox !== undefined) this.#queueOps.ack(this.#mailbox.id, 1);
    },
    idle: () => this.#fetch(),
    stopped: (reason) => {
      if (this.#phase === 'done') return;
      this.#phase = 'done';
      this.#send({ t: 'stopped', self: reason === 'normal' });
      this.#port.exit(0);
    },
    crashed: (error) => this.crash(error),
  };

  // Router: calls made through RoutedActorRef inside this worker.

  route(to: ActorAddress, body: unknown): void {
    this.#send({ t: 'route', to: to.id, name: to.name, body });
  }

  routeAsk(to: ActorAddress, body: unknown, options: AskOptions | undefined): Promise<unknown> {
    const { id, promise } = this.#pending.create<unknown>({
      timeoutMs: options?.timeoutMs,
      signal: options?.signal,
      onTimeout: (ms) => new AskTimeoutError(to.name, ms),
    });
    try {
      this.#send({ t: 'routeAsk', to: to.id, name: to.name, id, body, timeoutMs: options?.timeoutMs });
    } catch (error) {
      promise.catch(() => {});
      this.#pending.reject(id, error);
      throw error;
    }
    return promise;
  }

  routeStop(to: ActorAddress): Promise<ExitInfo> {
    const { id, promise } = this.#pending.create<ExitInfo>({ onTimeout: () => new Error('unreachable') });
    this.#send({ t: 'routeStop', to: to.id, name: to.name, id });
    return promise;
  }
}
