/**
 * The root's side of one worker: its channel, its pending asks, its lifecycle from starting to
 * exited, and the typed exit it ends with. Every pending call is settled when the worker ends.
 */

import {
  ActorCrashedError,
  ActorStoppedError,
  type AskOptions,
  AskTimeoutError,
  Codec,
  DefinitionError,
  describeExit,
  type ExitInfo,
  isNormalExit,
  type Placement,
  ProtocolError,
  type ShutdownValue,
  SpawnError,
  type TimerHandle,
} from '@troupe/core';
import {
  type ActorAddress,
  assertNever,
  Channel,
  type Deferred,
  deferred,
  type FromWorker,
  type InitMessage,
  isFromWorker,
  PendingCalls,
  type PipeToWorker,
  type ToWorker,
} from '@troupe/core/spi';
import type { WorkerLink } from '../shared/WorkerLink.js';
import { workerLabel } from '../shared/workerLabel.js';
import type { CellOwner } from './CellOwner.js';
import { classifyExit, type ExitFacts } from './classifyExit.js';
import { Heartbeat } from './Heartbeat.js';

/** `call()`, with a synchronous throw turned into a rejection. */
function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (error) {
    return Promise.reject(error);
  }
}

export type CellPhase = 'starting' | 'running' | 'stopping' | 'exited';

export class WorkerCell {
  readonly id: string;
  readonly name: string;
  readonly placement: Placement;
  readonly kind: InitMessage['kind'];
  /** One incarnation of a supervised actor: its handle and mailbox outlive it. */
  readonly supervised: boolean;
  readonly #owner: CellOwner<WorkerCell>;
  readonly #link: WorkerLink;
  readonly #channel: Channel<FromWorker, ToWorker>;
  readonly #pending: PendingCalls;
  readonly #ready = deferred<void>();
  readonly #exited = deferred<ExitInfo>();
  readonly #result: Deferred<unknown> = deferred<unknown>();
  readonly #facts: ExitFacts = {
    crash: undefined,
    stopped: undefined,
    stopRequested: false,
    killedForTimeout: false,
    killedOnPurpose: false,
    protocolError: undefined,
  };
  #phase: CellPhase = 'starting';
  #watched = false;
  /** The name of its definition. */
  readonly #definition: string;
  #exitInfo: ExitInfo | undefined;
  #graceTimer: TimerHandle | undefined;
  #crashedDuringMessage = false;
  #heartbeat: Heartbeat | undefined;
  /** Puts the stop behind the messages queued before it (an unsupervised actor's private mailbox). */
  readonly #stopInTurn: (() => void) | undefined;
  /** Where a pool worker's `pool` frames go; from any other worker such a frame is a protocol error. */
  onPoolFrame: ((body: unknown) => void) | undefined;

  /**
   * Encodes `init` (so bad arguments fail before anything starts), then starts the worker with
   * `launch` and sends it `init` as its first frame.
   */
  constructor(
    owner: CellOwner<WorkerCell>,
    init: InitMessage,
    placement: Placement,
    launch: () => WorkerLink,
    extras: { readonly stopInTurn?: (() => void) | undefined; readonly supervised?: boolean } = {},
  ) {
    this.#owner = owner;
    this.#stopInTurn = extras.stopInTurn;
    this.supervised = extras.supervised ?? false;
    this.id = init.self.id;
    this.name = init.self.name;
    this.kind = init.kind;
    this.#definition = init.name;
    this.placement = placement;
    this.#pending = new PendingCalls(owner.clock);
    const codec = new Codec({ maxMessageBytes: owner.maxMessageBytes, revive: (p) => owner.revive(p) });
    const initBytes = codec.encode(init, 'args', init.args);
    this.#link = launch();
    this.#link.label?.(this.label);
    this.#channel = new Channel<FromWorker, ToWorker>({
      codec,
      transport: this.#link.transport,
      accept: isFromWorker,
      onMessage: (message) => {
        // Nothing a worker sends may throw in the root: a frame the root cannot act on is the
        // worker's protocol error, and ends that worker alone.
        try {
          this.#onMessage(message);
        } catch (error) {
          this.#protocolError(
            new ProtocolError(`The root could not handle a '${message.t}' frame from ${this.name}`, {
              cause: error,
            }),
          );
        }
      },
      onProtocolError: (error) => this.#protocolError(error),
    });
    this.#channel.sendBytes(initBytes);
    this.#link.attach((chunk) => this.#channel.receive(chunk));
    void this.#link.exited.then((raw) => this.#onExit(classifyExit(raw, this.#facts)));
    // Nobody may await these (a fire-and-forget process); their failures are reported elsewhere.
    this.#ready.promise.catch(() => {});
    this.#result.promise.catch(() => {});
  }

  /** How its output and its process are labelled (see workerLabel). */
  get label(): string {
    return workerLabel(this.#definition, this);
  }

  /**
   * Someone will see how it ends: its `exited`, `join()` or `result()` is awaited. A crash nothing
   * watches gets a crash report.
   */
  get watched(): boolean {
    return this.#watched;
  }

  /** Marks it {@link watched}. */
  watch(): void {
    this.#watched = true;
  }

  /** It crashed while handling a message from its queue mailbox (that message is poison). */
  get crashedDuringMessage(): boolean {
    return this.#crashedDuringMessage;
  }

  get pid(): number | undefined {
    return this.#link.pid;
  }

  /** The host a remote worker runs on; undefined on this host. */
  get host(): string | undefined {
    return this.#link.host;
  }

  get phase(): CellPhase {
    return this.#phase;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  get address(): ActorAddress {
    return { id: this.id, name: this.name };
  }

  /** Settles once the worker is ready; rejects with SpawnError if it ends first. */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Settles when the worker has ended. */
  get exited(): Promise<ExitInfo> {
    return this.#exited.promise;
  }

  /** A task's return value; rejects if the task did not complete. */
  get result(): Promise<unknown> {
    return this.#result.promise;
  }

  /** Sends a message down the channel (a pipe mailbox); the Router decides it goes here. */
  send(body: unknown): void {
    this.#channel.send({ t: 'send', body }, 'msg', body);
  }

  /** Asks down the channel (a pipe mailbox); the Router decides it goes here. */
  ask(body: unknown, options: AskOptions | undefined): Promise<unknown> {
    const { id, promise } = this.#pending.create<unknown>({
      timeoutMs: options?.timeoutMs,
      signal: options?.signal,
      onTimeout: (ms) => new AskTimeoutError(this.name, ms),
    });
    try {
      this.#channel.send({ t: 'ask', id, body }, 'msg', body);
    } catch (error) {
      promise.catch(() => {});
      this.#pending.reject(id, error);
      throw error;
    }
    return promise;
  }

  /**
   * Stops the worker: an actor gets a `stop` frame (it finishes the messages before it), a task
   * gets SIGTERM. After the system's `shutdownMs` it is killed (reason `timeout`).
   */
  stop(grace: ShutdownValue = this.#owner.shutdownMs): Promise<ExitInfo> {
    if (this.#phase === 'exited') return this.exited;
    if (grace === 'brutal_kill') {
      this.#phase = 'stopping';
      this.#facts.stopRequested = true;
      this.#facts.killedOnPurpose = true;
      this.#link.kill('SIGKILL');
      return this.exited;
    }
    if (this.#phase === 'stopping') return this.exited;
    this.#phase = 'stopping';
    this.#facts.stopRequested = true;
    if (this.kind !== 'actor') this.#link.kill('SIGTERM');
    // A private mailbox gets the stop in turn, after what was sent before it; a supervised actor's
    // mailbox outlives it, so its stop goes out of band and the queued messages wait for the next one.
    else if (this.#stopInTurn !== undefined) this.#stopInTurn();
    else this.#channel.send({ t: 'stop' });
    if (grace !== 'infinity') {
      this.#graceTimer = this.#owner.clock.setTimeout(() => {
        this.#facts.killedForTimeout = true;
        this.#link.kill('SIGKILL');
      }, grace);
    }
    return this.exited;
  }

  /**
   * Pings the worker every `intervalMs`; a worker that has not answered the previous ping by
   * then (a busy loop, a hung event loop) is killed, and exits with reason `timeout`.
   */
  heartbeat(intervalMs: number): void {
    this.#heartbeat = new Heartbeat(
      this.#owner.clock,
      intervalMs,
      (id) => this.#channel.send({ t: 'ping', id }),
      () => {
        // Hung on the message it was handling: that message is the poison, not redelivered.
        this.#facts.killedForTimeout = true;
        this.#crashedDuringMessage = true;
        this.#link.kill('SIGKILL');
      },
    );
  }

  /** Sends a pipe frame to the worker; dropped once it has exited. */
  sendPipe(message: PipeToWorker, relayed = false): void {
    if (this.#phase === 'exited') return;
    const body = message.op === 'data' ? message.body : undefined;
    if (relayed) this.#channel.forward(message, 'msg', body);
    else this.#channel.send(message, 'msg', body);
  }

  /** Sends a pool worker a `pool` frame (see pool/wire.ts); dropped once it has exited. */
  sendPool(body: unknown): void {
    if (this.#phase !== 'exited') this.#channel.send({ t: 'pool', body }, 'msg', body);
  }

  /** Asks the worker for the items of `queue` it fetched ahead and has not handed out. */
  reclaimQueue(queue: string): void {
    if (this.#phase !== 'exited') this.#channel.send({ t: 'qreclaim', q: queue });
  }

  /** Sends a signal to the worker now. */
  kill(signal: NodeJS.Signals): void {
    if (this.#phase !== 'exited') this.#link.kill(signal);
  }

  #onMessage(message: FromWorker): void {
    switch (message.t) {
      case 'ready':
        if (this.#phase === 'starting') this.#phase = 'running';
        this.#ready.resolve();
        this.#owner.cellReady(this);
        return;
      case 'reply':
        if (message.viaMailbox) this.#owner.mailboxAnswer(message.id, { value: message.value });
        else this.#pending.resolve(message.id, message.value);
        return;
      case 'fail':
        if (message.viaMailbox) this.#owner.mailboxAnswer(message.id, { error: message.error });
        else this.#pending.reject(message.id, message.error);
        return;
      case 'crash':
        this.#facts.crash = message.error;
        this.#crashedDuringMessage = message.during === true;
        return;
      case 'done':
        this.#result.resolve(message.value);
        return;
      case 'stopped':
        this.#facts.stopped = { self: message.self };
        return;
      case 'route':
        this.#owner.route(message);
        return;
      case 'routeAsk':
      case 'routeStop':
        this.#answer(
          message.id,
          attempt(() => this.#owner.route(message) ?? Promise.resolve()),
        );
        return;
      case 'pipe':
        this.#owner.pipeFrame(this.id, message);
        return;
      case 'pong':
        this.#heartbeat?.pong(message.id);
        return;
      case 'exiting':
        this.#crashedDuringMessage = message.during;
        return;
      case 'report':
        this.#owner.report(this, message.report);
        return;
      case 'pool':
        if (this.onPoolFrame === undefined) throw new Error('Only a pool worker may send pool frames');
        this.onPoolFrame(message.body);
        return;
      case 'qcall': {
        const answer = this.#owner.queueCall(this.id, message);
        if (answer !== undefined && message.id !== 0) this.#answer(message.id, answer);
        return;
      }
      default:
        assertNever(message);
    }
  }

  #protocolError(error: ProtocolError): void {
    this.#facts.protocolError ??= error;
    this.#link.kill('SIGKILL');
  }

  /**
   * Answers a call the worker made (a queue call, an ask or stop it routed). The answer carries
   * what others already had accepted (items, a reply), so it is checked against the frame limit;
   * an answer that still cannot be sent fails the call with the reason, never the root.
   */
  #answer(id: number, answer: Promise<unknown>): void {
    const fail = (error: unknown) =>
      this.#channel.send({ t: 'fail', id, error: error instanceof Error ? error : new Error(String(error)) });
    answer.then((value) => {
      try {
        this.#channel.forward({ t: 'reply', id, value }, 'reply', value);
      } catch (error) {
        fail(error);
      }
    }, fail);
  }

  #onExit(exit: ExitInfo): void {
    // Ended before it was ready: the spawn (or system.process) call rejects with how it ended.
    if (this.#phase === 'starting') this.#watched = true;
    this.#phase = 'exited';
    this.#exitInfo = exit;
    if (this.#graceTimer !== undefined) this.#owner.clock.clearTimeout(this.#graceTimer);
    this.#heartbeat?.stop();
    this.#channel.close();
    // An actor on a host that went down is unreachable, not known to have crashed.
    this.#pending.rejectAll(() =>
      isNormalExit(exit) || exit.reason === 'hostDown'
        ? new ActorStoppedError(this.name, exit)
        : new ActorCrashedError(this.name, exit),
    );
    this.#ready.reject(
      // A definition the worker could not find or load: that is the whole story.
      exit.error instanceof DefinitionError
        ? exit.error
        : new SpawnError(
            `${this.kind === 'actor' ? 'Actor' : 'Task'} ${this.name} ended before it was ready (${describeExit(exit)})`,
            exit.error === undefined ? undefined : { cause: exit.error },
          ),
    );
    this.#result.reject(new ActorCrashedError(this.name, exit));
    this.#owner.cellExited(this, exit);
    this.#exited.resolve(exit);
  }
}
