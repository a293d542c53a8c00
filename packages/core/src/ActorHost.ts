/**
 * The worker side of a channel: loads a definition, runs an actor's message loop or a task, and
 * answers the root. Runtime-agnostic: a runtime (child process, worker thread, in-process) feeds
 * it decoded frames and gives it a {@link HostPort} to answer through.
 *
 * @module
 */

import type { AskOptions } from './ActorRef.js';
import type { Clock } from './Clock.js';
import { Codec, type PortableData } from './Codec.js';
import {
  type ActorContext,
  type ActorDefinition,
  type InitContext,
  loadDefinition,
  type TaskDefinition,
} from './definitions.js';
import { AskTimeoutError, NoReplyError, ProtocolError, TroupeError } from './errors.js';
import type { ExitInfo, ExitReason } from './exit.js';
import { Deque } from './internal/Deque.js';
import { PendingCalls } from './internal/PendingCalls.js';
import { isPipeEndInfo } from './pipe/Connection.js';
import { type DirectConnector, WorkerPipes } from './pipe/WorkerPipes.js';
import {
  type ActorAddress,
  type AskMessage,
  assertNever,
  type FromWorker,
  type InitMessage,
  type SendMessage,
  type ToWorker,
} from './protocol.js';
import { Queue } from './queue/Queue.js';
import { isQueueInfo } from './queue/QueueBackend.js';
import { QueueClient } from './queue/QueueClient.js';
import { RemoteQueueOps } from './queue/RemoteQueueOps.js';
import { RoutedActorRef, type Router } from './RoutedActorRef.js';

/** What an {@link ActorHost} needs from its runtime. */
export interface ActorHostOptions {
  readonly clock: Clock;
  /** The largest encoded message (items included), in bytes. */
  readonly maxMessageBytes: number;
  /** Runs a function soon after the current task (Node: `setImmediate`); batches queue puts. */
  readonly schedule: (fn: () => void) => void;
  /** Sets up direct links between workers for pipes; without it, pipes are relayed by the root. */
  readonly directPipes?: DirectConnector | undefined;
}

/** How a host talks back to the root and ends its worker. */
export interface HostPort {
  /** Encodes and sends one frame; throws `SerializationError` synchronously. */
  send(message: FromWorker): void;
  /** The worker is done: flush what was sent, then exit with `code`. */
  exit(code: number): void;
}

type Work = SendMessage | AskMessage | { readonly t: 'stop' };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
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
 * const host = new ActorHost(port, realClock);
 * channel.onMessage((frame) => host.handle(frame));
 * ```
 */
export class ActorHost implements Router {
  readonly #port: HostPort;
  readonly #pending: PendingCalls;
  readonly #mailbox = new Deque<Work>();
  #self: RoutedActorRef | undefined;
  #definition: ActorDefinition | undefined;
  #state: unknown;
  #phase: 'new' | 'starting' | 'running' | 'done' = 'new';
  #busy = false;
  #stopSelf = false;
  // The reply state of the message being handled.
  #current: AskMessage | undefined;
  #replied = false;
  readonly #context: ActorContext<unknown, unknown>;
  readonly #queueOps: RemoteQueueOps;
  readonly #queues: QueueClient;
  readonly #pipes: WorkerPipes;

  constructor(port: HostPort, options: ActorHostOptions) {
    this.#port = port;
    this.#pending = new PendingCalls(options.clock);
    this.#queueOps = new RemoteQueueOps((m) => this.#port.send(m), this.#pending, options.schedule);
    this.#queues = new QueueClient(
      this.#queueOps,
      new Codec({ maxMessageBytes: options.maxMessageBytes, revive: this.revive }),
    );
    this.#pipes = new WorkerPipes((m) => this.#send(m), options.directPipes, options.clock);
    const host = this;
    this.#context = {
      get self() {
        return host.#self as RoutedActorRef;
      },
      get isAsk() {
        return host.#current !== undefined;
      },
      reply(value: unknown) {
        host.#reply(value);
      },
      stop() {
        host.#stopSelf = true;
      },
    };
  }

  #reply(value: unknown): void {
    const ask = this.#current;
    if (ask === undefined) return;
    if (this.#replied) throw new TroupeError('ctx.reply() called twice for one ask');
    this.#send({ t: 'reply', id: ask.id, value });
    this.#replied = true;
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
        if (isPipeEndInfo(portable.data)) return this.#pipes.revive(portable.data);
        break;
    }
    return portable;
  };

  /** Sends a frame to the root, after any queue puts gathered before it. */
  #send(message: FromWorker): void {
    this.#queueOps.flush();
    this.#port.send(message);
  }

  /** Handles one frame from the root. */
  handle(message: ToWorker): void {
    switch (message.t) {
      case 'init':
        if (this.#phase !== 'new') throw new ProtocolError('Second init frame');
        this.#phase = 'starting';
        this.#start(message).catch((error: unknown) => this.crash(error));
        return;
      case 'send':
      case 'ask':
      case 'stop':
        this.#mailbox.push(message);
        this.#drain();
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
      default:
        assertNever(message);
    }
  }

  /** Reports `error` to the root as this worker's crash and ends the worker with code 1. */
  crash(error: unknown): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    try {
      this.#send({ t: 'crash', error: error instanceof Error ? error : plainError(error) });
    } catch {
      this.#send({ t: 'crash', error: plainError(error) });
    }
    this.#port.exit(1);
  }

  async #start(init: InitMessage): Promise<void> {
    const definition = await loadDefinition(init.module, init.name, init.kind);
    if (definition.kind === 'task') {
      await this.#runTask(definition, init.args);
      return;
    }
    this.#definition = definition;
    this.#self = new RoutedActorRef(init.self.id, init.self.name, this);
    const initContext: InitContext = { self: this.#self };
    this.#state = await definition.spec.init(init.args, initContext);
    if (this.#phase === 'done') return;
    this.#phase = 'running';
    this.#send({ t: 'ready' });
    this.#drain();
  }

  async #runTask(task: TaskDefinition, args: unknown): Promise<void> {
    if (!Array.isArray(args)) throw new ProtocolError('Task arguments must be an array');
    this.#phase = 'running';
    this.#send({ t: 'ready' });
    const value = await task.fn(...args);
    this.#send({ t: 'done', value });
    this.#phase = 'done';
    this.#port.exit(0);
  }

  #drain(): void {
    if (this.#busy || this.#phase !== 'running') return;
    this.#busy = true;
    for (;;) {
      const work = this.#mailbox.shift();
      if (work === undefined) break;
      if (work.t === 'stop') {
        this.#finish('shutdown');
        return;
      }
      let next: unknown;
      try {
        next = this.#deliver(work);
      } catch (error) {
        this.crash(error);
        return;
      }
      if (isThenable(next)) {
        next.then(
          (state) => {
            this.#afterMessage(work, state);
            this.#busy = false;
            this.#drain();
          },
          (error: unknown) => this.crash(error),
        );
        return;
      }
      if (!this.#afterMessage(work, next)) return;
    }
    this.#busy = false;
  }

  #deliver(work: SendMessage | AskMessage): unknown {
    this.#current = work.t === 'ask' ? work : undefined;
    this.#replied = false;
    return this.#definition!.spec.receive(this.#state, work.body as never, this.#context);
  }

  /** Records the new state and settles the ask; false when the actor is finishing. */
  #afterMessage(work: SendMessage | AskMessage, state: unknown): boolean {
    this.#state = state;
    if (work.t === 'ask' && !this.#replied) {
      this.#send({ t: 'fail', id: work.id, error: new NoReplyError(this.#self?.name ?? '?') });
    }
    this.#current = undefined;
    if (this.#stopSelf) {
      this.#finish('normal');
      return false;
    }
    return true;
  }

  #finish(reason: ExitReason): void {
    this.#phase = 'done';
    const terminate = this.#definition?.spec.terminate;
    const done = () => {
      this.#send({ t: 'stopped', self: reason === 'normal' });
      this.#port.exit(0);
    };
    let result: unknown;
    try {
      result = terminate?.(this.#state, reason);
    } catch (error) {
      this.#phase = 'running';
      this.crash(error);
      return;
    }
    if (isThenable(result)) {
      result.then(done, (error: unknown) => {
        this.#phase = 'running';
        this.crash(error);
      });
    } else {
      done();
    }
  }

  // Router: calls made through RoutedActorRef inside this worker.

  route(to: string, body: unknown): void {
    this.#send({ t: 'route', to, body });
  }

  routeAsk(to: string, body: unknown, options: AskOptions | undefined, name: string): Promise<unknown> {
    const { id, promise } = this.#pending.create<unknown>({
      timeoutMs: options?.timeoutMs,
      signal: options?.signal,
      onTimeout: (ms) => new AskTimeoutError(name, ms),
    });
    try {
      this.#send({ t: 'routeAsk', to, id, body, timeoutMs: options?.timeoutMs });
    } catch (error) {
      promise.catch(() => {});
      this.#pending.reject(id, error);
      throw error;
    }
    return promise;
  }

  routeStop(to: string): Promise<ExitInfo> {
    const { id, promise } = this.#pending.create<ExitInfo>({ onTimeout: () => new Error('unreachable') });
    this.#send({ t: 'routeStop', to, id });
    return promise;
  }
}
