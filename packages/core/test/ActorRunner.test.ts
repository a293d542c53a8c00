import { beforeEach, describe, expect, it } from 'vitest';
import { ActorRunner, type RunnerPort } from '../src/ActorRunner.js';
import { SimulatedClock } from '../src/Clock.js';
import { Codec, DEFAULT_MAX_MESSAGE_BYTES } from '../src/Codec.js';
import type { ActorDefinition, TaskDefinition } from '../src/definitions.js';
import {
  AskTimeoutError,
  DefinitionError,
  InvalidArgumentError,
  NoReplyError,
  ProtocolError,
  SerializationError,
  TroupeError,
} from '../src/errors.js';
import type { ExitInfo } from '../src/exit.js';
import type { CrashMessage, FromWorker, InitMessage, ToWorker } from '../src/protocol.js';
import { RoutedActorRef } from '../src/RoutedActorRef.js';
import {
  add,
  asyncTask,
  BadTerminate,
  Caller,
  Counter,
  Crasher,
  FailingInit,
  failingTask,
  journal,
  LateReplier,
  Serial,
  SlowInit,
  unserializableResult,
} from './fixtures/runnerActors.js';

/**
 * The root's end of a host, in memory. Every frame goes through a codec as on a real channel
 * (so `send` throws `SerializationError` as the real port does) and is kept as the root would
 * decode it. Frames and exits are also written to the fixtures' journal, beside what the actors
 * note there.
 */
class FakePort implements RunnerPort {
  readonly #codec = new Codec();
  readonly sent: FromWorker[] = [];
  readonly exits: number[] = [];
  #waiters: (() => void)[] = [];

  send(message: FromWorker): void {
    const decoded = this.#codec.decode(this.#codec.encode(message)) as FromWorker;
    journal.push(`sent ${decoded.t}`);
    this.sent.push(decoded);
    this.#wake();
  }

  exit(code: number): void {
    journal.push(`exit ${code}`);
    this.exits.push(code);
    this.#wake();
  }

  /** Resolves once `condition` holds, checked now and after every frame and exit. */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  /** The first frame with tag `t`, once sent. */
  async frame<T extends FromWorker['t']>(t: T): Promise<Extract<FromWorker, { t: T }>> {
    await this.until(() => this.sent.some((m) => m.t === t));
    return this.sent.find((m) => m.t === t) as Extract<FromWorker, { t: T }>;
  }

  /** The reply or fail frame for ask `id`, once sent. */
  async answer(id: number): Promise<FromWorker> {
    const isAnswer = (m: FromWorker) => (m.t === 'reply' || m.t === 'fail') && m.id === id;
    await this.until(() => this.sent.some(isAnswer));
    return this.sent.find(isAnswer)!;
  }

  /** The first exit code, once the host has exited. */
  async exited(): Promise<number> {
    await this.until(() => this.exits.length > 0);
    return this.exits[0]!;
  }

  tags(): string[] {
    return this.sent.map((m) => m.t);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

function initFor(
  definition: ActorDefinition<never, never, never> | TaskDefinition<never, unknown>,
  args: unknown,
  name = definition.name,
): InitMessage {
  return {
    t: 'init',
    kind: definition.kind,
    module: definition.module,
    name,
    args,
    self: { id: 'a1', name: 'counter' },
  };
}

/** A host with a fake port on a simulated clock, already sent `init`. */
function startHost(init: InitMessage) {
  const port = new FakePort();
  const clock = new SimulatedClock();
  const host = new ActorRunner(port, {
    clock,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    schedule: (fn) => queueMicrotask(fn),
  });
  host.handle(init);
  return { host, port, clock, handle: (message: ToWorker) => host.handle(message) };
}

/** A host running `definition`, once it has reported ready. */
async function runningHost(definition: ActorDefinition<never, never, never>, args: unknown) {
  const started = startHost(initFor(definition, args));
  await started.port.frame('ready');
  journal.length = 0;
  return started;
}

beforeEach(() => {
  journal.length = 0;
});

describe('ActorRunner running an actor', () => {
  it('imports the module, runs init with the arguments and self, then reports ready', async () => {
    const { port } = startHost(initFor(Counter, { start: 5 }));
    expect(port.sent).toEqual([]);
    await port.frame('ready');
    // The journal the actor wrote to is the test's own: the host reached this module instance.
    expect(journal).toEqual(['init Counter 5 as counter', 'sent ready']);
    expect(port.exits).toEqual([]);
  });

  it('answers an ask through ctx.reply, under the ask id, with the state so far', async () => {
    const { port, handle } = await runningHost(Counter, { start: 5 });
    handle({ t: 'send', body: { type: 'inc' } });
    handle({ t: 'send', body: { type: 'inc' } });
    handle({ t: 'ask', id: 7, body: { type: 'get' } });
    expect(await port.answer(7)).toEqual({ t: 'reply', id: 7, value: 7 });
  });

  it('refuses a reply made after its message was handled, so it cannot answer a later ask', async () => {
    const { port, handle } = await runningHost(LateReplier, undefined);
    handle({ t: 'ask', id: 1, body: 'defer' });
    expect(await port.answer(1)).toMatchObject({ t: 'fail', id: 1 });
    handle({ t: 'send', body: 'fire' });
    handle({ t: 'ask', id: 2, body: 'answer' });
    expect(await port.answer(2)).toEqual({ t: 'reply', id: 2, value: 'on time' });
    expect(journal).toContain('late reply refused: ctx.reply() called after its message was handled');
  });

  it('handles a thousand messages in order', async () => {
    const { port, handle } = await runningHost(Counter, { start: 0 });
    for (let i = 0; i < 1000; i++) handle({ t: 'send', body: { type: 'inc' } });
    handle({ t: 'ask', id: 1, body: { type: 'get' } });
    expect(await port.answer(1)).toMatchObject({ value: 1000 });
  });

  it('queues messages that arrive while init runs, and handles them after ready', async () => {
    const { port, handle } = startHost(initFor(SlowInit, { ticks: 5 }));
    handle({ t: 'send', body: 'a' });
    handle({ t: 'send', body: 'b' });
    handle({ t: 'ask', id: 1, body: 'dump' });
    expect(await port.answer(1)).toEqual({ t: 'reply', id: 1, value: ['a', 'b'] });
    expect(journal).toEqual(['init done', 'sent ready', 'sent reply']);
  });

  it('fails an ask handled without a reply with NoReplyError, and carries on', async () => {
    const { port, handle } = await runningHost(Counter, { start: 1 });
    handle({ t: 'ask', id: 3, body: { type: 'silent' } });
    const answer = await port.answer(3);
    expect(answer).toMatchObject({ t: 'fail', id: 3 });
    const error = (answer as { error: Error }).error;
    expect(error).toBeInstanceOf(NoReplyError);
    expect(error.message).toContain('counter');
    handle({ t: 'ask', id: 4, body: { type: 'get' } });
    expect(await port.answer(4)).toMatchObject({ t: 'reply', value: 1 });
  });

  it('sends nothing for ctx.reply during a plain send, and tells receive whether it handles an ask', async () => {
    const { port, handle } = await runningHost(Counter, { start: 0 });
    handle({ t: 'send', body: { type: 'isAsk' } });
    handle({ t: 'ask', id: 2, body: { type: 'isAsk' } });
    expect(await port.answer(2)).toEqual({ t: 'reply', id: 2, value: true });
    expect(journal).toEqual(['isAsk false', 'isAsk true', 'sent reply']);
  });

  it('gives ctx.self the address from init', async () => {
    const { port, handle } = await runningHost(Counter, { start: 0 });
    handle({ t: 'ask', id: 1, body: { type: 'self' } });
    expect(await port.answer(1)).toMatchObject({ value: { id: 'a1', name: 'counter' } });
  });

  it('handles messages one at a time, in arrival order, when receive is async', async () => {
    const { port, handle } = await runningHost(Serial, null);
    handle({ t: 'send', body: { type: 'work', tag: 'A', ticks: 5 } });
    handle({ t: 'send', body: { type: 'work', tag: 'B', ticks: 0 } });
    await Promise.resolve();
    // C arrives while A is still being handled.
    handle({ t: 'send', body: { type: 'work', tag: 'C', ticks: 2 } });
    handle({ t: 'stop' });
    expect(await port.exited()).toBe(0);
    expect(journal).toEqual([
      'start A',
      'end A',
      'start B',
      'end B',
      'start C',
      'end C',
      'terminate shutdown',
      'sent stopped',
      'exit 0',
    ]);
  });

  it('on stop, handles what came before, runs terminate, sends stopped, exits 0, then ignores messages', async () => {
    const { port, handle } = await runningHost(Counter, { start: 5 });
    handle({ t: 'send', body: { type: 'inc' } });
    handle({ t: 'stop' });
    handle({ t: 'send', body: { type: 'inc' } });
    handle({ t: 'ask', id: 9, body: { type: 'get' } });
    expect(await port.exited()).toBe(0);
    expect(journal).toEqual(['terminate shutdown at 6', 'sent stopped', 'exit 0']);
    expect(port.sent.at(-1)).toEqual({ t: 'stopped', self: false });
    await Promise.resolve();
    expect(port.tags()).toEqual(['ready', 'stopped']);
    expect(port.exits).toEqual([0]);
  });

  it('on ctx.stop(), finishes the message, runs terminate, sends stopped {self: true}, exits 0', async () => {
    const { port, handle } = await runningHost(Counter, { start: 5 });
    handle({ t: 'ask', id: 4, body: { type: 'stopSelf' } });
    handle({ t: 'send', body: { type: 'inc' } });
    expect(await port.exited()).toBe(0);
    expect(journal).toEqual(['sent reply', 'terminate normal at 6', 'sent stopped', 'exit 0']);
    expect(port.sent.slice(1)).toEqual([
      { t: 'reply', id: 4, value: 'stopping' },
      { t: 'stopped', self: true },
    ]);
  });

  it.each([
    ['throws', 'throw', 'terminate threw'],
    ['rejects', 'reject', 'terminate rejected'],
  ])('crashes when terminate %s, and sends no stopped', async (_what, how, message) => {
    const { port, handle } = await runningHost(BadTerminate, { how });
    handle({ t: 'stop' });
    expect(await port.exited()).toBe(1);
    expect(port.tags()).toEqual(['ready', 'crash']);
    expect((port.sent[1] as CrashMessage).error.message).toBe(message);
    expect(port.exits).toEqual([1]);
  });
});

describe('ActorRunner crashes', () => {
  it('reports a throw from receive as a crash, exits 1, and handles nothing more', async () => {
    const { port, handle } = await runningHost(Crasher, null);
    handle({ t: 'send', body: { type: 'throw' } });
    handle({ t: 'send', body: { type: 'ok' } });
    handle({ t: 'ask', id: 1, body: { type: 'ok' } });
    expect(await port.exited()).toBe(1);
    expect(journal).toEqual(['handle throw', 'sent crash', 'exit 1']);
    const { error } = port.sent.at(-1) as CrashMessage;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('kaboom');
    expect((error as Error & { code: string }).code).toBe('E_KABOOM');
    expect((error.cause as Error).message).toBe('root cause');
    handle({ t: 'send', body: { type: 'ok' } });
    await Promise.resolve();
    expect(port.exits).toEqual([1]);
    expect(port.tags()).toEqual(['ready', 'crash']);
  });

  it('reports a rejection from an async receive as a crash', async () => {
    const { port, handle } = await runningHost(Crasher, null);
    handle({ t: 'send', body: { type: 'reject' } });
    handle({ t: 'send', body: { type: 'ok' } });
    expect(await port.exited()).toBe(1);
    const { error } = port.sent.at(-1) as CrashMessage;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('async kaboom');
    expect(journal).toEqual(['handle reject', 'sent crash', 'exit 1']);
  });

  it('reports a thrown non-error as an Error describing it', async () => {
    const { port, handle } = await runningHost(Crasher, null);
    handle({ t: 'send', body: { type: 'throwString' } });
    expect(await port.exited()).toBe(1);
    const { error } = port.sent.at(-1) as CrashMessage;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Non-error thrown: a plain string');
  });

  it('reports an error that cannot be sent as a plain copy with its name, message, code and stack', async () => {
    const { port, handle } = await runningHost(Crasher, null);
    handle({ t: 'send', body: { type: 'throwUnserializable' } });
    expect(await port.exited()).toBe(1);
    const { error } = port.sent.at(-1) as CrashMessage;
    expect(error.name).toBe('SyntaxError');
    expect(error.message).toBe('cannot travel');
    expect((error as Error & { code: string }).code).toBe('E_FN');
    expect(error.stack).toContain('cannot travel');
    expect('handler' in error).toBe(false);
    expect(port.tags()).toEqual(['ready', 'crash']);
  });

  it('crashes when an ask is answered twice, after sending the first answer', async () => {
    const { port, handle } = await runningHost(Counter, { start: 0 });
    handle({ t: 'ask', id: 5, body: { type: 'twice' } });
    expect(await port.exited()).toBe(1);
    expect(port.sent.slice(1, 2)).toEqual([{ t: 'reply', id: 5, value: 'first' }]);
    const { error } = port.sent.at(-1) as CrashMessage;
    expect(error).toBeInstanceOf(TroupeError);
    expect(error.message).toContain('ctx.reply() called twice');
  });

  it('reports a throw from init as a crash, without ready', async () => {
    const { port } = startHost(initFor(FailingInit, undefined));
    expect(await port.exited()).toBe(1);
    expect(port.tags()).toEqual(['crash']);
    const { error } = port.sent[0] as CrashMessage;
    expect(error.message).toBe('init refused');
    expect((error as Error & { code: string }).code).toBe('E_INIT');
  });

  it('reports an unknown definition as a crash with DefinitionError', async () => {
    const { port } = startHost(initFor(Counter, { start: 0 }, 'Nobody'));
    expect(await port.exited()).toBe(1);
    const { error } = port.sent[0] as CrashMessage;
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.message).toContain("defines no actor named 'Nobody'");
  });

  it('refuses a second init frame with ProtocolError', async () => {
    const { port, handle } = startHost(initFor(Counter, { start: 0 }));
    expect(() => handle(initFor(Counter, { start: 1 }))).toThrow(ProtocolError);
    await port.frame('ready');
    expect(journal).toEqual(['init Counter 0 as counter', 'sent ready']);
  });

  it('crash() from outside (an uncaught exception) reports once and exits once', async () => {
    const { host, port } = await runningHost(Counter, { start: 0 });
    host.crash(new Error('uncaught'));
    host.crash(new Error('again'));
    expect(port.tags()).toEqual(['ready', 'crash']);
    expect((port.sent[1] as CrashMessage).error.message).toBe('uncaught');
    expect(port.exits).toEqual([1]);
  });

  it('crash() after a clean stop does nothing', async () => {
    const { host, port, handle } = await runningHost(Counter, { start: 0 });
    handle({ t: 'stop' });
    await port.exited();
    host.crash(new Error('too late'));
    expect(port.tags()).toEqual(['ready', 'stopped']);
    expect(port.exits).toEqual([0]);
  });
});

describe('ActorRunner calls from inside an actor', () => {
  const other = { kind: 'actor', data: { id: 'b2', name: 'other' } };

  it('revives an actor handle as a reference routed through the root, and leaves others alone', async () => {
    const { host } = await runningHost(Caller, null);
    const ref = host.revive(other);
    expect(ref).toBeInstanceOf(RoutedActorRef);
    expect(ref).toMatchObject({ id: 'b2', name: 'other' });
    const queue = { kind: 'queue', data: { id: 'q' } };
    expect(host.revive(queue)).toBe(queue);
    const malformed = { kind: 'actor', data: { id: 1 } };
    expect(host.revive(malformed)).toBe(malformed);
  });

  it('routes a send through the root', async () => {
    const { host, port, handle } = await runningHost(Caller, null);
    handle({ t: 'send', body: { type: 'tell', to: host.revive(other), body: { hello: 1 } } });
    await port.frame('route');
    // The name travels too: a dead letter for an actor the root no longer knows is addressed by it.
    expect(port.sent.at(-1)).toEqual({ t: 'route', to: 'b2', name: 'other', body: { hello: 1 } });
  });

  it("routes an ask and resolves it with the root's reply", async () => {
    const { host, port, handle } = await runningHost(Caller, null);
    handle({ t: 'ask', id: 1, body: { type: 'ask', to: host.revive(other), body: 'ping' } });
    const routed = await port.frame('routeAsk');
    expect(routed).toMatchObject({ to: 'b2', body: 'ping', timeoutMs: undefined });
    handle({ t: 'reply', id: routed.id, value: 'pong' });
    expect(await port.answer(1)).toEqual({ t: 'reply', id: 1, value: { value: 'pong' } });
  });

  it.each([
    [{ timeoutMs: -1 }, /timeoutMs must be a finite number of milliseconds ≥ 0, got -1/],
    [{ timeoutMs: Number.NaN }, /timeoutMs.*NaN/],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs.*Infinity/],
    [{ signal: 'soon' }, /signal must be an AbortSignal/],
  ])('refuses a routed ask with options %o at the call, sending nothing', async (options, message) => {
    const { host, port } = await runningHost(Caller, null);
    const ref = host.revive(other) as RoutedActorRef;
    const before = port.sent.length;
    expect(() => ref.ask('ping', options as never)).toThrow(InvalidArgumentError);
    expect(() => ref.ask('ping', options as never)).toThrow(message);
    expect(port.sent.length).toBe(before);
  });

  it('rejects a routed ask with the error of a fail frame', async () => {
    const { host, port, handle } = await runningHost(Caller, null);
    handle({ t: 'ask', id: 1, body: { type: 'ask', to: host.revive(other), body: 'ping' } });
    const routed = await port.frame('routeAsk');
    handle({ t: 'fail', id: routed.id, error: new NoReplyError('other') });
    const answer = (await port.answer(1)) as { value: { error: Error } };
    expect(answer.value.error).toBeInstanceOf(NoReplyError);
  });

  it('times a routed ask out on the clock, and ignores the late reply', async () => {
    const { host, port, clock, handle } = await runningHost(Caller, null);
    handle({ t: 'ask', id: 1, body: { type: 'ask', to: host.revive(other), body: 'ping', timeoutMs: 100 } });
    const routed = await port.frame('routeAsk');
    expect(routed.timeoutMs).toBe(100);
    clock.advance(99);
    await Promise.resolve();
    expect(port.tags()).toEqual(['ready', 'routeAsk']);
    clock.advance(1);
    const answer = (await port.answer(1)) as { value: { error: AskTimeoutError } };
    expect(answer.value.error).toBeInstanceOf(AskTimeoutError);
    expect(answer.value.error.timeoutMs).toBe(100);
    expect(answer.value.error.message).toContain('other');
    handle({ t: 'reply', id: routed.id, value: 'too late' });
    await Promise.resolve();
    expect(port.tags()).toEqual(['ready', 'routeAsk', 'reply']);
  });

  it('throws SerializationError in the actor for a routed ask that cannot be sent', async () => {
    const { host, port, handle } = await runningHost(Caller, null);
    handle({ t: 'ask', id: 1, body: { type: 'ask', to: host.revive(other), body: { fn: () => 1 } } });
    const answer = (await port.answer(1)) as { value: { error: Error } };
    expect(answer.value.error).toBeInstanceOf(SerializationError);
    expect(port.tags()).toEqual(['ready', 'reply']);
  });

  it('routes a stop and resolves with the exit information the root sends back', async () => {
    const { host, port, handle } = await runningHost(Caller, null);
    handle({ t: 'ask', id: 1, body: { type: 'stop', to: host.revive(other) } });
    const routed = await port.frame('routeStop');
    expect(routed).toMatchObject({ to: 'b2' });
    const exit: ExitInfo = { reason: 'shutdown', code: 0, signal: null };
    handle({ t: 'reply', id: routed.id, value: exit });
    expect(await port.answer(1)).toEqual({ t: 'reply', id: 1, value: exit });
  });
});

describe('ActorRunner running a task', () => {
  it('reports ready, runs the function with the arguments, sends done, exits 0', async () => {
    const { port } = startHost(initFor(add, [2, 3]));
    expect(await port.exited()).toBe(0);
    expect(journal).toEqual(['sent ready', 'add 2 3', 'sent done', 'exit 0']);
    expect(port.sent.at(-1)).toEqual({ t: 'done', value: 5 });
  });

  it('awaits an async task', async () => {
    const { port } = startHost(initFor(asyncTask, ['quiet']));
    expect(await port.exited()).toBe(0);
    expect(port.sent).toEqual([{ t: 'ready' }, { t: 'done', value: 'QUIET' }]);
  });

  it('reports a throwing task as a crash, exit 1', async () => {
    const { port } = startHost(initFor(failingTask, []));
    expect(await port.exited()).toBe(1);
    expect(port.tags()).toEqual(['ready', 'crash']);
    expect((port.sent[1] as CrashMessage).error).toBeInstanceOf(EvalError);
  });

  it('reports a result that cannot be sent as a crash with SerializationError, exit 1', async () => {
    const { port } = startHost(initFor(unserializableResult, []));
    expect(await port.exited()).toBe(1);
    expect(port.tags()).toEqual(['ready', 'crash']);
    const { error } = port.sent[1] as CrashMessage;
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('msg.value.handler');
    expect(port.exits).toEqual([1]);
  });

  it('reports arguments that are not a list as a crash with ProtocolError', async () => {
    const { port } = startHost(initFor(add, { a: 1 }));
    expect(await port.exited()).toBe(1);
    expect((port.sent.at(-1) as CrashMessage).error).toBeInstanceOf(ProtocolError);
  });
});
