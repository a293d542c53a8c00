/**
 * Bad input at the API: every public call given wrong types, negative or NaN sizes, unknown
 * names, closed handles or values that cannot be sent throws (or rejects with) a typed Troupe
 * error that names the problem, at the call site, and leaves nothing half-done: no worker left
 * running, no mailbox or queue half-made, no item lost, and the system keeps working.
 *
 * One table per API area; each case is a call, the error class it must fail with and a pattern
 * its message must match (naming the option or argument at fault).
 */

import {
  type ActorHandle,
  ActorStoppedError,
  ActorSystem,
  BrokenPipeError,
  Codec,
  type Connection,
  DefinitionError,
  defineActor,
  defineTask,
  fromMachine,
  InvalidArgumentError,
  MAX_WORKERS,
  NameTakenError,
  PipeClosedError,
  type Pool,
  PoolTerminatedError,
  type Queue,
  QueueClosedError,
  SerializationError,
  SimulatedClock,
  SupervisorStartError,
  SystemShutdownError,
  TaskDoneError,
  TroupeError,
} from '@troupe/node-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, Counter, type CounterMsg, Echo, hello } from './fixtures/actors.js';
import { lightMachine } from './fixtures/machines.js';
import { square } from './fixtures/pool.js';
import { workerChildren } from './support/processes.js';
import { startSystem, tsxExecArgv } from './support/system.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** One bad call: what it is, the call, the error class and what its message must name. */
interface Case<Ctx> {
  readonly what: string;
  readonly call: (ctx: Ctx) => unknown;
  readonly error: ErrorClass;
  readonly message: RegExp;
}

/** Longer than any refusal may take: a call still pending by then has hung. */
const HANG_MS = 5000;

/**
 * Runs `call`, which must fail: by throwing, or by rejecting before `HANG_MS`. Resolves with
 * the error (a resolved or hung call fails the test, saying so).
 */
async function refusal(call: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return error;
  }
  const hung = Symbol('hung');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    Promise.resolve(result).then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error }),
    ),
    new Promise<typeof hung>((resolve) => (timer = setTimeout(() => resolve(hung), HANG_MS))),
  ]);
  clearTimeout(timer);
  if (outcome === hung) throw new Error(`the call neither threw nor rejected within ${HANG_MS} ms`);
  if ('resolved' in outcome) throw new Error(`the call succeeded (with ${String(outcome.resolved)})`);
  return outcome.rejected;
}

/** `call` fails with a Troupe error of class `error` whose message matches `message`. */
async function expectRefused(call: () => unknown, error: ErrorClass, message: RegExp): Promise<Error> {
  const thrown = await refusal(call);
  expect(thrown).toBeInstanceOf(error);
  expect(thrown).toBeInstanceOf(TroupeError);
  expect((thrown as Error).message).toMatch(message);
  return thrown as Error;
}

/** What a system runs: its worker processes, and its workers and mailboxes by its own count. */
function footprint(system: ActorSystem) {
  const { workers, mailboxes } = system.stats();
  return { processes: workerChildren(), workers, mailboxes };
}

/** The system still spawns, and the new actor answers. */
async function expectWorking(system: ActorSystem): Promise<void> {
  const counter = await system.spawn(Counter, { start: 41 });
  counter.send({ type: 'inc' });
  await expect(counter.ask({ type: 'get' }, { timeoutMs: 20_000 })).resolves.toBe(42);
  await counter.stop();
}

const fn = () => 1;

describe('ActorSystem.start', () => {
  it.each<Case<void>>([
    {
      what: 'options null',
      call: () => ActorSystem.start(null as never),
      error: InvalidArgumentError,
      message: /ActorSystem\.start\(options\) must be an object, got null/,
    },
    {
      what: 'options a number',
      call: () => ActorSystem.start(5 as never),
      error: InvalidArgumentError,
      message: /must be an object, got 5/,
    },
    {
      what: 'placement a number',
      call: () => startSystem({ placement: 1 as never }),
      error: InvalidArgumentError,
      message: /placement must be one of/,
    },
    {
      what: 'maxMessageBytes 0',
      call: () => startSystem({ maxMessageBytes: 0 }),
      error: InvalidArgumentError,
      message: /maxMessageBytes must be a positive integer, got 0/,
    },
    {
      what: 'maxMessageBytes NaN',
      call: () => startSystem({ maxMessageBytes: Number.NaN }),
      error: InvalidArgumentError,
      message: /maxMessageBytes.*NaN/,
    },
    {
      what: 'maxMessageBytes 1.5',
      call: () => startSystem({ maxMessageBytes: 1.5 }),
      error: InvalidArgumentError,
      message: /maxMessageBytes.*1\.5/,
    },
    {
      what: "maxMessageBytes '1024'",
      call: () => startSystem({ maxMessageBytes: '1024' as never }),
      error: InvalidArgumentError,
      message: /maxMessageBytes.*"1024"/,
    },
    {
      what: 'shutdownMs -1',
      call: () => startSystem({ shutdownMs: -1 }),
      error: InvalidArgumentError,
      message: /shutdownMs.*-1/,
    },
    {
      what: 'shutdownMs NaN',
      call: () => startSystem({ shutdownMs: Number.NaN }),
      error: InvalidArgumentError,
      message: /shutdownMs.*NaN/,
    },
    {
      what: 'shutdownMs Infinity',
      call: () => startSystem({ shutdownMs: Number.POSITIVE_INFINITY }),
      error: InvalidArgumentError,
      message: /shutdownMs.*Infinity/,
    },
    {
      what: 'execArgv a string',
      call: () => startSystem({ execArgv: '--import tsx' as never }),
      error: InvalidArgumentError,
      message: /execArgv must be an array of strings/,
    },
    {
      what: 'execArgv with a number',
      call: () => startSystem({ execArgv: ['--import', 1] as never }),
      error: InvalidArgumentError,
      message: /execArgv/,
    },
    {
      what: 'execArgv null',
      call: () => startSystem({ execArgv: null as never }),
      error: InvalidArgumentError,
      message: /execArgv.*null/,
    },
    {
      what: 'clock without timers',
      call: () => startSystem({ clock: { now: () => 0 } as never }),
      error: InvalidArgumentError,
      message: /clock must be a Clock/,
    },
    {
      what: 'clock null',
      call: () => startSystem({ clock: null as never }),
      error: InvalidArgumentError,
      message: /clock.*null/,
    },
    {
      what: 'standby null',
      call: () => startSystem({ standby: null as never }),
      error: InvalidArgumentError,
      message: /standby must be an object, got null/,
    },
    {
      what: 'standby a number',
      call: () => startSystem({ standby: 2 as never }),
      error: InvalidArgumentError,
      message: /standby must be an object, got 2/,
    },
    {
      what: 'standby.process -1',
      call: () => startSystem({ standby: { process: -1 } }),
      error: InvalidArgumentError,
      message: /standby\.process must be an integer ≥ 0, got -1/,
    },
    {
      what: 'standby.process 1.5',
      call: () => startSystem({ standby: { process: 1.5 } }),
      error: InvalidArgumentError,
      message: /standby\.process.*1\.5/,
    },
    {
      what: 'standby.process NaN',
      call: () => startSystem({ standby: { process: Number.NaN } }),
      error: InvalidArgumentError,
      message: /standby\.process.*NaN/,
    },
    {
      what: 'standby.process 1e6 (over MAX_WORKERS)',
      call: () => startSystem({ standby: { process: 1e6 } }),
      error: InvalidArgumentError,
      message: /standby\.process must be at most 1024 \(MAX_WORKERS\), got 1000000/,
    },
    {
      what: 'standby.thread Infinity',
      call: () => startSystem({ standby: { thread: Number.POSITIVE_INFINITY } }),
      error: InvalidArgumentError,
      message: /standby\.thread.*Infinity/,
    },
    {
      what: "standby.thread '1'",
      call: () => startSystem({ standby: { thread: '1' as never } }),
      error: InvalidArgumentError,
      message: /standby\.thread must be an integer ≥ 0, got "1"/,
    },
    {
      what: 'standby.process null',
      call: () => startSystem({ standby: { process: null as never } }),
      error: InvalidArgumentError,
      message: /standby\.process.*null/,
    },
    {
      what: 'standby for placement local',
      call: () => startSystem({ standby: { local: 1 } as never }),
      error: InvalidArgumentError,
      message: /standby takes counts for 'process' and 'thread' only, got "local".*runs in the root/,
    },
    {
      what: 'standby with a misspelt placement',
      call: () => startSystem({ standby: { processes: 1 } as never }),
      error: InvalidArgumentError,
      message: /standby takes counts for 'process' and 'thread' only, got "processes"/,
    },
  ])('$what', async ({ call, error, message }) => {
    await expectRefused(call, error, message);
  });
});

describe('spawn', () => {
  it.each<Case<{ system: ActorSystem; other: Queue<unknown> }>>([
    {
      what: 'not a definition',
      call: ({ system }) => system.spawn({} as never, {}),
      error: DefinitionError,
      message: /spawn\(\) needs an actor definition.*defineActor/,
    },
    {
      what: 'undefined for a definition',
      call: ({ system }) => system.spawn(undefined as never, {}),
      error: DefinitionError,
      message: /spawn\(\) needs an actor definition.*got undefined/,
    },
    {
      what: 'a task instead of an actor',
      call: ({ system }) => system.spawn(hello as never, {}),
      error: DefinitionError,
      message: /spawn\(\) needs an actor definition.*keys kind, module, name, fn/,
    },
    {
      what: 'options a number',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, 5 as never),
      error: InvalidArgumentError,
      message: /spawn options must be an object/,
    },
    {
      what: 'placement unknown',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { placement: 'cluster' as never }),
      error: InvalidArgumentError,
      message: /placement must be one of process, thread, local, got "cluster"/,
    },
    {
      what: 'placement null',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { placement: null as never }),
      error: InvalidArgumentError,
      message: /placement.*null/,
    },
    {
      what: 'name empty',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { name: '' }),
      error: InvalidArgumentError,
      message: /name must be a non-empty string, got ""/,
    },
    {
      what: 'name a number',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { name: 7 as never }),
      error: InvalidArgumentError,
      message: /name must be a non-empty string, got 7/,
    },
    {
      what: 'name taken',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { name: 'taken' }),
      error: NameTakenError,
      message: /named 'taken' is already running/,
    },
    {
      what: 'mailbox unknown',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailbox: 'inbox' as never }),
      error: InvalidArgumentError,
      message: /mailbox must be 'queue', 'pipe' or a Queue/,
    },
    {
      what: "mailbox another system's queue",
      call: ({ system, other }) => system.spawn(Counter, { start: 0 }, { mailbox: other }),
      error: InvalidArgumentError,
      message: /mailbox must be a queue of this actor system/,
    },
    {
      what: 'mailboxCapacity 0',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailboxCapacity: 0 }),
      error: InvalidArgumentError,
      message: /mailboxCapacity must be a positive integer, got 0/,
    },
    {
      what: 'mailboxCapacity -1',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailboxCapacity: -1 }),
      error: InvalidArgumentError,
      message: /mailboxCapacity.*-1/,
    },
    {
      what: 'mailboxCapacity NaN',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailboxCapacity: Number.NaN }),
      error: InvalidArgumentError,
      message: /mailboxCapacity.*NaN/,
    },
    {
      what: 'mailboxCapacity 2.5',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailboxCapacity: 2.5 }),
      error: InvalidArgumentError,
      message: /mailboxCapacity.*2\.5/,
    },
    {
      what: "mailboxCapacity '8'",
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailboxCapacity: '8' as never }),
      error: InvalidArgumentError,
      message: /mailboxCapacity.*"8"/,
    },
    {
      what: "mailboxCapacity with mailbox 'pipe'",
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { mailbox: 'pipe', mailboxCapacity: 8 }),
      error: InvalidArgumentError,
      message: /mailboxCapacity applies only to mailbox 'queue'/,
    },
    {
      what: 'maxHeapMb 0',
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { maxHeapMb: 0 }),
      error: InvalidArgumentError,
      message: /maxHeapMb must be a positive integer, got 0/,
    },
    {
      what: "maxHeapMb on placement 'local'",
      call: ({ system }) => system.spawn(Counter, { start: 0 }, { placement: 'local', maxHeapMb: 64 }),
      error: InvalidArgumentError,
      message: /maxHeapMb cannot apply to placement 'local'/,
    },
    {
      what: 'args with a function deep inside',
      call: ({ system }) =>
        system.spawn(Counter, { start: 0, deep: { list: [1, { handler: fn }] } } as never),
      error: SerializationError,
      message: /Cannot serialize args\.deep\.list\[1\]\.handler: a function/,
    },
    {
      what: 'args a symbol',
      call: ({ system }) => system.spawn(Counter, Symbol('start') as never),
      error: SerializationError,
      message: /Cannot serialize args: a symbol/,
    },
    {
      what: 'args holding a WeakMap',
      call: ({ system }) => system.spawn(Counter, { start: 0, cache: new WeakMap() } as never),
      error: SerializationError,
      message: /Cannot serialize args\.cache: a WeakMap/,
    },
    {
      what: 'args holding a Promise',
      call: ({ system }) => system.spawn(Counter, { start: Promise.resolve(0) } as never),
      error: SerializationError,
      message: /Cannot serialize args\.start: a Promise/,
    },
  ])('$what', async ({ call, error, message }) => {
    const system = await startSystem();
    const other = (await startSystem()).queue();
    await system.spawn(Counter, { start: 0 }, { name: 'taken', placement: 'local' });
    const before = footprint(system);
    await expectRefused(() => call({ system, other }), error, message);
    // Nothing started, no mailbox made, the name not taken by the failed spawn.
    expect(footprint(system)).toEqual(before);
    expect(system.lookup('taken')).toBeDefined();
  });

  it('a failed spawn takes no worker, mailbox or name: the same name then spawns, in a process, and answers', async () => {
    const system = await startSystem();
    await expectWorking(system);
    const before = footprint(system);
    await expectRefused(
      () => system.spawn(Echo, { handler: fn } as never, { name: 'echo' }),
      SerializationError,
      /args\.handler/,
    );
    await expectRefused(
      () => system.spawn(Echo, null, { name: 'echo', placement: 'nowhere' as never }),
      InvalidArgumentError,
      /placement/,
    );
    expect(footprint(system)).toEqual(before);
    expect(system.lookup('echo')).toBeUndefined();
    const echo = await system.spawn(Echo, null, { name: 'echo' });
    expect(system.lookup('echo')).toBe(echo);
    await expect(echo.ask('still here', { timeoutMs: 20_000 })).resolves.toBe('still here');
  });
});

describe('process', () => {
  it.each<Case<ActorSystem>>([
    {
      what: 'an actor instead of a task',
      call: (system) => system.process(Counter as never),
      error: DefinitionError,
      message: /process\(\) needs a task definition.*defineTask/,
    },
    {
      what: 'not a definition',
      call: (system) => system.process('hello' as never),
      error: DefinitionError,
      message: /process\(\) needs a task definition.*got string/,
    },
    {
      what: 'args with a function deep inside',
      call: (system) => system.process(add, 1, { nested: [fn] } as never),
      error: SerializationError,
      message: /Cannot serialize args\[1\]\.nested\[0\]: a function/,
    },
    {
      what: 'args a symbol',
      call: (system) => system.process(hello, Symbol('who') as never),
      error: SerializationError,
      message: /Cannot serialize args\[0\]: a symbol/,
    },
  ])('$what', async ({ call, error, message }) => {
    const system = await startSystem();
    const before = footprint(system);
    await expectRefused(() => call(system), error, message);
    expect(footprint(system)).toEqual(before);
  });

  it('after failed calls, processes still run', async () => {
    const system = await startSystem();
    await expectRefused(() => system.process(add, 1, fn as never), SerializationError, /args\[1\]/);
    const p = await system.process(add, 1, 2);
    await expect(p.result()).resolves.toBe(3);
  });
});

describe('queues', () => {
  it.each<Case<ActorSystem>>([
    {
      what: 'options null',
      call: (system) => system.queue(null as never),
      error: InvalidArgumentError,
      message: /queue options must be an object/,
    },
    {
      what: 'capacity 0',
      call: (system) => system.queue({ capacity: 0 }),
      error: InvalidArgumentError,
      message: /capacity must be a positive integer, got 0/,
    },
    {
      what: 'capacity -1',
      call: (system) => system.queue({ capacity: -1 }),
      error: InvalidArgumentError,
      message: /capacity.*-1/,
    },
    {
      what: 'capacity NaN',
      call: (system) => system.queue({ capacity: Number.NaN }),
      error: InvalidArgumentError,
      message: /capacity.*NaN/,
    },
    {
      what: 'capacity 1.5',
      call: (system) => system.queue({ capacity: 1.5 }),
      error: InvalidArgumentError,
      message: /capacity.*1\.5/,
    },
    {
      what: "capacity '3'",
      call: (system) => system.queue({ capacity: '3' as never }),
      error: InvalidArgumentError,
      message: /capacity must be a positive integer/,
    },
    {
      what: 'maxDeliveries 0',
      call: (system) => system.queue({ maxDeliveries: 0 }),
      error: InvalidArgumentError,
      message: /maxDeliveries must be a positive integer, got 0/,
    },
    {
      what: 'maxDeliveries -1',
      call: (system) => system.queue({ maxDeliveries: -1 }),
      error: InvalidArgumentError,
      message: /maxDeliveries.*-1/,
    },
    {
      what: 'maxDeliveries 2.5',
      call: (system) => system.queue({ maxDeliveries: 2.5 }),
      error: InvalidArgumentError,
      message: /maxDeliveries.*2\.5/,
    },
    {
      what: "onConsumerDeath 'retry'",
      call: (system) => system.queue({ onConsumerDeath: 'retry' as never }),
      error: InvalidArgumentError,
      message: /onConsumerDeath must be 'redeliver' or 'fail', got retry/,
    },
    {
      what: "joinable 'yes'",
      call: (system) => system.queue({ joinable: 'yes' as never }),
      error: InvalidArgumentError,
      message: /joinable must be a boolean/,
    },
  ])('system.queue: $what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'local' });
    await expectRefused(() => call(system), error, message);
  });

  interface Queues {
    readonly plain: Queue<unknown>;
    readonly full: Queue<unknown>;
    readonly joinable: Queue<unknown>;
    readonly closed: Queue<unknown>;
  }

  it.each<Case<Queues>>([
    {
      what: 'put of a function',
      call: ({ plain }) => plain.put(fn),
      error: SerializationError,
      message: /Cannot serialize item: a function/,
    },
    {
      what: 'put of a function deep inside',
      call: ({ plain }) => plain.put({ jobs: [{ run: fn }] }),
      error: SerializationError,
      message: /Cannot serialize item\.jobs\[0\]\.run: a function/,
    },
    {
      what: 'tryPut of a symbol',
      call: ({ plain }) => plain.tryPut(Symbol('s')),
      error: SerializationError,
      message: /Cannot serialize item: a symbol/,
    },
    {
      what: 'put timeoutMs -1',
      call: ({ full }) => full.put('late', { timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs must be a finite number of milliseconds ≥ 0, got -1/,
    },
    {
      what: 'put timeoutMs NaN',
      call: ({ full }) => full.put('late', { timeoutMs: Number.NaN }),
      error: InvalidArgumentError,
      message: /timeoutMs.*NaN/,
    },
    {
      what: 'put timeoutMs -1 on a queue with room',
      call: ({ plain }) => plain.put('item', { timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs.*-1/,
    },
    {
      what: 'put options a number',
      call: ({ plain }) => plain.put('item', 100 as never),
      error: InvalidArgumentError,
      message: /put options must be an object, got 100/,
    },
    {
      what: 'get timeoutMs -1',
      call: ({ plain }) => plain.get({ timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs.*-1/,
    },
    {
      what: 'get timeoutMs NaN',
      call: ({ plain }) => plain.get({ timeoutMs: Number.NaN }),
      error: InvalidArgumentError,
      message: /timeoutMs.*NaN/,
    },
    {
      what: 'get timeoutMs Infinity',
      call: ({ plain }) => plain.get({ timeoutMs: Number.POSITIVE_INFINITY }),
      error: InvalidArgumentError,
      message: /timeoutMs.*Infinity/,
    },
    {
      what: "get timeoutMs '10'",
      call: ({ plain }) => plain.get({ timeoutMs: '10' as never }),
      error: InvalidArgumentError,
      message: /timeoutMs.*"10"/,
    },
    {
      what: 'get options a number',
      call: ({ plain }) => plain.get(10 as never),
      error: InvalidArgumentError,
      message: /get options must be an object, got 10/,
    },
    {
      what: 'get signal not an AbortSignal',
      call: ({ plain }) => plain.get({ signal: {} as never }),
      error: InvalidArgumentError,
      message: /signal must be an AbortSignal/,
    },
    {
      what: 'join timeoutMs -1',
      call: ({ joinable }) => joinable.join({ timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs.*-1/,
    },
    {
      what: 'taskDone on a queue that is not joinable',
      call: ({ plain }) => plain.taskDone(),
      error: TaskDoneError,
      message: /taskDone\(\) needs a joinable queue/,
    },
    {
      what: 'join on a queue that is not joinable',
      call: ({ plain }) => plain.join(),
      error: TaskDoneError,
      message: /join\(\) needs a joinable queue/,
    },
    {
      what: 'taskDone more times than items taken',
      call: ({ joinable }) => joinable.taskDone(),
      error: TaskDoneError,
      message: /more times than items were taken/,
    },
    {
      what: "a closed queue's put",
      call: ({ closed }) => closed.put('late'),
      error: QueueClosedError,
      message: /is closed/,
    },
    {
      what: "a closed queue's tryPut",
      call: ({ closed }) => closed.tryPut('late'),
      error: QueueClosedError,
      message: /is closed/,
    },
    {
      what: "a closed, drained queue's get",
      call: ({ closed }) => closed.get(),
      error: QueueClosedError,
      message: /closed and drained/,
    },
  ])('queue calls: $what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'local' });
    const plain = system.queue<unknown>();
    const full = system.queue<unknown>({ capacity: 1 });
    await full.put('first');
    const joinable = system.queue<unknown>({ joinable: true });
    const closed = system.queue<unknown>();
    await closed.close();
    await expectRefused(() => call({ plain, full, joinable, closed }), error, message);
    // Nothing was queued or taken, and every queue still works.
    await expect(plain.size()).resolves.toBe(0);
    await expect(full.size()).resolves.toBe(1);
    await expect(full.get({ timeoutMs: 1000 })).resolves.toBe('first');
    await plain.put({ ok: true });
    await expect(plain.get({ timeoutMs: 1000 })).resolves.toEqual({ ok: true });
    await joinable.put('job');
    await expect(joinable.get({ timeoutMs: 1000 })).resolves.toBe('job');
    joinable.taskDone();
    await expect(joinable.join({ timeoutMs: 1000 })).resolves.toBeUndefined();
  });

  it('a get with a bad signal leaves no waiter behind to take the next item', async () => {
    const system = await startSystem({ placement: 'local' });
    const q = system.queue<string>();
    await expectRefused(() => q.get({ signal: 'stop' as never }), InvalidArgumentError, /signal/);
    await expectRefused(() => q.get(5 as never), InvalidArgumentError, /get options/);
    await q.put('mine');
    await expect(q.get({ timeoutMs: 1000 })).resolves.toBe('mine');
  });
});

describe('pipes', () => {
  it.each<Case<ActorSystem>>([
    {
      what: 'options null',
      call: (system) => system.pipe(null as never),
      error: InvalidArgumentError,
      message: /pipe options must be an object, got null/,
    },
    {
      what: 'options a number',
      call: (system) => system.pipe(2 as never),
      error: InvalidArgumentError,
      message: /pipe options must be an object, got 2/,
    },
    {
      what: "duplex 'yes'",
      call: (system) => system.pipe({ duplex: 'yes' as never }),
      error: InvalidArgumentError,
      message: /duplex must be a boolean, got "yes"/,
    },
  ])('system.pipe: $what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'local' });
    await expectRefused(() => call(system), error, message);
  });

  interface Ends {
    readonly left: Connection<unknown, unknown>;
    readonly right: Connection<unknown, unknown>;
    readonly closedHere: Connection<unknown, unknown>;
    readonly peerClosed: Connection<unknown, unknown>;
  }

  it.each<Case<Ends>>([
    {
      what: 'send of a function deep inside',
      call: ({ left }) => left.send({ reply: { to: fn } }),
      error: SerializationError,
      message: /Cannot serialize msg\.reply\.to: a function/,
    },
    {
      what: 'recv timeoutMs -1',
      call: ({ right }) => right.recv({ timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs.*-1/,
    },
    {
      what: 'recv timeoutMs NaN',
      call: ({ right }) => right.recv({ timeoutMs: Number.NaN }),
      error: InvalidArgumentError,
      message: /timeoutMs.*NaN/,
    },
    {
      what: 'recv options a number',
      call: ({ right }) => right.recv(100 as never),
      error: InvalidArgumentError,
      message: /recv options must be an object, got 100/,
    },
    {
      what: 'recv signal not an AbortSignal',
      call: ({ right }) => right.recv({ signal: 'abort' as never }),
      error: InvalidArgumentError,
      message: /signal must be an AbortSignal/,
    },
    {
      what: 'poll(-1)',
      call: ({ right }) => right.poll(-1),
      error: InvalidArgumentError,
      message: /poll\(timeoutMs\).*-1/,
    },
    {
      what: 'poll(NaN)',
      call: ({ right }) => right.poll(Number.NaN),
      error: InvalidArgumentError,
      message: /poll\(timeoutMs\).*NaN/,
    },
    {
      what: "poll('10')",
      call: ({ right }) => right.poll('10' as never),
      error: InvalidArgumentError,
      message: /poll\(timeoutMs\).*"10"/,
    },
    {
      what: 'send on an end closed here',
      call: ({ closedHere }) => closedHere.send('x'),
      error: BrokenPipeError,
      message: /This end of the pipe is closed/,
    },
    {
      what: 'recv on an end closed here',
      call: ({ closedHere }) => closedHere.recv(),
      error: PipeClosedError,
      message: /This end of the pipe is closed/,
    },
    {
      what: 'send once the other end closed',
      call: ({ peerClosed }) => peerClosed.send('x'),
      error: BrokenPipeError,
      message: /other end of the pipe has closed/,
    },
    {
      what: 'recv once the other end closed',
      call: ({ peerClosed }) => peerClosed.recv(),
      error: PipeClosedError,
      message: /other end of the pipe has closed/,
    },
  ])('connection calls: $what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'local' });
    const [left, right] = system.pipe<unknown>();
    const [closedHere, peerClosed] = system.pipe<unknown>();
    closedHere.close();
    await expectRefused(() => call({ left, right, closedHere, peerClosed }), error, message);
    // The open pipe still carries values both ways, and nothing stray arrived.
    await expect(right.poll()).resolves.toBe(false);
    await left.send('ping');
    await expect(right.recv({ timeoutMs: 1000 })).resolves.toBe('ping');
    await right.send('pong');
    await expect(left.recv({ timeoutMs: 1000 })).resolves.toBe('pong');
  });
});

describe('actor handles', () => {
  it.each<Case<ActorHandle<CounterMsg, number>>>([
    {
      what: 'ask timeoutMs -1',
      call: (c) => c.ask({ type: 'get' }, { timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs must be a finite number of milliseconds ≥ 0, got -1/,
    },
    {
      what: 'ask timeoutMs Infinity',
      call: (c) => c.ask({ type: 'get' }, { timeoutMs: Number.POSITIVE_INFINITY }),
      error: InvalidArgumentError,
      message: /timeoutMs.*Infinity/,
    },
    {
      what: "ask timeoutMs '100'",
      call: (c) => c.ask({ type: 'get' }, { timeoutMs: '100' as never }),
      error: InvalidArgumentError,
      message: /timeoutMs.*"100"/,
    },
    {
      what: 'ask options a number',
      call: (c) => c.ask({ type: 'get' }, 100 as never),
      error: InvalidArgumentError,
      message: /ask options must be an object, got 100/,
    },
    {
      what: 'ask signal not an AbortSignal',
      call: (c) => c.ask({ type: 'get' }, { signal: true as never }),
      error: InvalidArgumentError,
      message: /signal must be an AbortSignal, got true/,
    },
    {
      what: 'ask of a function deep inside',
      call: (c) => c.ask({ type: 'get', after: [fn] } as never),
      error: SerializationError,
      message: /Cannot serialize msg\.after\[0\]: a function/,
    },
    {
      what: 'send of a symbol',
      call: (c) => c.send(Symbol('inc') as never),
      error: SerializationError,
      message: /Cannot serialize msg: a symbol/,
    },
    {
      what: 'sendAsync timeoutMs -1',
      call: (c) => c.sendAsync({ type: 'inc' }, { timeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /timeoutMs.*-1/,
    },
    {
      what: 'sendAsync timeoutMs NaN',
      call: (c) => c.sendAsync({ type: 'inc' }, { timeoutMs: Number.NaN }),
      error: InvalidArgumentError,
      message: /timeoutMs.*NaN/,
    },
    {
      what: 'sendAsync options a string',
      call: (c) => c.sendAsync({ type: 'inc' }, 'now' as never),
      error: InvalidArgumentError,
      message: /sendAsync options must be an object/,
    },
    {
      what: 'kill with an unknown signal',
      call: (c) => c.kill('SIGNOPE' as never),
      error: InvalidArgumentError,
      message: /signal must be a signal name.*"SIGNOPE"/,
    },
    {
      what: 'kill with a signal number',
      call: (c) => c.kill(9 as never),
      error: InvalidArgumentError,
      message: /signal must be a signal name.*9/,
    },
  ])('$what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'thread' });
    const counter = await system.spawn(Counter, { start: 0 }, { mailboxCapacity: 4 });
    await expectRefused(() => call(counter), error, message);
    // No message went in, and the actor still runs and answers.
    expect(counter.isAlive).toBe(true);
    await expect(counter.ask({ type: 'get' }, { timeoutMs: 20_000 })).resolves.toBe(0);
  });

  it('a stopped actor refuses asks with ActorStoppedError; lookup takes a string name', async () => {
    const system = await startSystem({ placement: 'local' });
    const counter = await system.spawn(Counter, { start: 0 }, { name: 'counter' });
    await expectRefused(
      () => system.lookup(42 as never),
      InvalidArgumentError,
      /lookup\(\) takes a name \(a string\), got number/,
    );
    expect(system.lookup('nobody')).toBeUndefined();
    await counter.stop();
    await expectRefused(() => counter.ask({ type: 'get' }), ActorStoppedError, /has stopped/);
    expect(system.lookup('counter')).toBeUndefined();
  });
});

describe('pools', () => {
  it.each<Case<ActorSystem>>([
    {
      what: 'options null',
      call: (system) => system.pool(null as never),
      error: InvalidArgumentError,
      message: /pool options must be an object, got null/,
    },
    {
      what: 'size 0',
      call: (system) => system.pool({ size: 0 }),
      error: InvalidArgumentError,
      message: /size must be a positive integer, got 0/,
    },
    {
      what: 'size 1e6 (over MAX_WORKERS)',
      call: (system) => system.pool({ size: 1e6 }),
      error: InvalidArgumentError,
      message: /size must be at most 1024 \(MAX_WORKERS\), got 1000000/,
    },
    {
      what: 'size MAX_WORKERS + 1',
      call: (system) => system.pool({ size: MAX_WORKERS + 1 }),
      error: InvalidArgumentError,
      message: /size must be at most 1024 \(MAX_WORKERS\), got 1025/,
    },
    {
      what: 'size -1',
      call: (system) => system.pool({ size: -1 }),
      error: InvalidArgumentError,
      message: /size.*-1/,
    },
    {
      what: 'size NaN',
      call: (system) => system.pool({ size: Number.NaN }),
      error: InvalidArgumentError,
      message: /size.*NaN/,
    },
    {
      what: "size '2'",
      call: (system) => system.pool({ size: '2' as never }),
      error: InvalidArgumentError,
      message: /size.*"2"/,
    },
    {
      what: "placement 'local'",
      call: (system) => system.pool({ size: 1, placement: 'local' as never }),
      error: InvalidArgumentError,
      message: /placement must be 'process' or 'thread'/,
    },
    {
      what: 'maxRetries -1',
      call: (system) => system.pool({ size: 1, maxRetries: -1 }),
      error: InvalidArgumentError,
      message: /maxRetries must be an integer ≥ 0, got -1/,
    },
    {
      what: 'maxRetries 0.5',
      call: (system) => system.pool({ size: 1, maxRetries: 0.5 }),
      error: InvalidArgumentError,
      message: /maxRetries.*0\.5/,
    },
    {
      what: 'maxTasksPerWorker 0',
      call: (system) => system.pool({ size: 1, maxTasksPerWorker: 0 }),
      error: InvalidArgumentError,
      message: /maxTasksPerWorker must be a positive integer, got 0/,
    },
    {
      what: 'maxStartFailures 0',
      call: (system) => system.pool({ size: 1, maxStartFailures: 0 }),
      error: InvalidArgumentError,
      message: /maxStartFailures.*0/,
    },
    {
      what: 'taskTimeoutMs 0',
      call: (system) => system.pool({ size: 1, taskTimeoutMs: 0 }),
      error: InvalidArgumentError,
      message: /taskTimeoutMs must be a finite number of milliseconds > 0, got 0/,
    },
    {
      what: 'taskTimeoutMs -1',
      call: (system) => system.pool({ size: 1, taskTimeoutMs: -1 }),
      error: InvalidArgumentError,
      message: /taskTimeoutMs.*-1/,
    },
    {
      what: 'initializer an actor',
      call: (system) => system.pool({ size: 1, initializer: { task: Counter as never } }),
      error: InvalidArgumentError,
      message: /initializer must be an object \{ task, args\? \} with a task made by defineTask/,
    },
    {
      what: 'initializer args not a list',
      call: (system) => system.pool({ size: 1, initializer: { task: hello as never, args: 'x' as never } }),
      error: InvalidArgumentError,
      message: /initializer\.args must be an array of arguments, got "x"/,
    },
    {
      what: 'initializer args with a function inside',
      call: (system) =>
        system.pool({ size: 1, initializer: { task: hello as never, args: [{ greet: fn }] } }),
      error: SerializationError,
      message: /Cannot serialize initializer\.args\[0\]\.greet: a function/,
    },
  ])('system.pool: $what', async ({ call, error, message }) => {
    const system = await startSystem();
    const before = footprint(system);
    await expectRefused(() => call(system), error, message);
    // No worker was started for the refused pool.
    expect(footprint(system)).toEqual(before);
  });

  const unregistered = { kind: 'task', module: 'file:///nowhere/tasks.js', name: 'square', fn: square.fn };

  describe('calls (on one pool, which must stay whole throughout)', () => {
    let system: ActorSystem;
    let pool: Pool;
    let baseline: ReturnType<typeof footprint>;

    beforeAll(async () => {
      system = await ActorSystem.start({ execArgv: tsxExecArgv, shutdownMs: 2000 });
      pool = await system.pool({ size: 2 });
      baseline = footprint(system);
    });
    afterAll(() => system.shutdown());

    it.each<Case<Pool>>([
      {
        what: 'map chunkSize 0',
        call: (p) => p.map(square, [1, 2], { chunkSize: 0 }),
        error: InvalidArgumentError,
        message: /chunkSize must be a positive integer, got 0/,
      },
      {
        what: 'map chunkSize 1.5',
        call: (p) => p.map(square, [1, 2], { chunkSize: 1.5 }),
        error: InvalidArgumentError,
        message: /chunkSize.*1\.5/,
      },
      {
        what: 'map chunkSize NaN',
        call: (p) => p.map(square, [1, 2], { chunkSize: Number.NaN }),
        error: InvalidArgumentError,
        message: /chunkSize.*NaN/,
      },
      {
        what: 'map timeoutMs -1',
        call: (p) => p.map(square, [1, 2], { timeoutMs: -1 }),
        error: InvalidArgumentError,
        message: /timeoutMs must be a finite number of milliseconds > 0, got -1/,
      },
      {
        what: 'map timeoutMs 0',
        call: (p) => p.map(square, [1, 2], { timeoutMs: 0 }),
        error: InvalidArgumentError,
        message: /timeoutMs.*got 0/,
      },
      {
        what: 'map options a number',
        call: (p) => p.map(square, [1, 2], 3 as never),
        error: InvalidArgumentError,
        message: /map options must be an object, got 3/,
      },
      {
        what: 'map signal not an AbortSignal',
        call: (p) => p.map(square, [1, 2], { signal: 'stop' as never }),
        error: InvalidArgumentError,
        message: /signal must be an AbortSignal/,
      },
      {
        what: 'map onProgress not a function',
        call: (p) => p.map(square, [1, 2], { onProgress: 'bar' as never }),
        error: InvalidArgumentError,
        message: /onProgress must be a function/,
      },
      {
        what: 'map items a number',
        call: (p) => p.map(square, 5 as never),
        error: InvalidArgumentError,
        message: /items must be an iterable.*got 5/,
      },
      {
        what: 'map items null',
        call: (p) => p.map(square, null as never),
        error: InvalidArgumentError,
        message: /items must be an iterable.*got null/,
      },
      {
        what: 'map items a plain object',
        call: (p) => p.map(square, { 0: 1, length: 1 } as never),
        error: InvalidArgumentError,
        message: /items must be an iterable/,
      },
      {
        what: 'map of an actor instead of a task',
        call: (p) => p.map(Counter as never, [1]),
        error: DefinitionError,
        message: /map\(\) needs a task definition made with defineTask/,
      },
      {
        what: 'map of a task not registered here',
        call: (p) => p.map(unregistered as never, [1]),
        error: DefinitionError,
        message: /map\(\) needs a task definition/,
      },
      {
        what: 'map of undefined',
        call: (p) => p.map(undefined as never, [1]),
        error: DefinitionError,
        message: /map\(\) needs a task definition.*got undefined/,
      },
      {
        what: 'map of an item with a function inside',
        call: (p) => p.map(square, [1, 2, { x: fn }] as never, { chunkSize: 1 }),
        error: SerializationError,
        message: /Cannot serialize items\[2\]\.x: a function/,
      },
      {
        what: 'starmap of an item that is not a list',
        call: (p) => p.starmap(add as never, [[1, 2], 3] as never),
        error: InvalidArgumentError,
        message: /items\[1\] must be an argument list \(an array\), got 3/,
      },
      {
        what: 'starmap chunkSize -1',
        call: (p) => p.starmap(add as never, [[1, 2]] as never, { chunkSize: -1 }),
        error: InvalidArgumentError,
        message: /chunkSize.*-1/,
      },
      {
        what: 'apply of an actor',
        call: (p) => p.apply(Echo as never, 1),
        error: DefinitionError,
        message: /apply\(\) needs a task definition/,
      },
      {
        what: 'apply of a function argument',
        call: (p) => p.apply(square, fn as never),
        error: SerializationError,
        message: /Cannot serialize items\[0\]: a function/,
      },
      {
        what: 'mapSettled chunkSize 0',
        call: (p) => p.mapSettled(square, [1], { chunkSize: 0 }),
        error: InvalidArgumentError,
        message: /chunkSize.*0/,
      },
      {
        what: 'mapSettled items undefined',
        call: (p) => p.mapSettled(square, undefined as never),
        error: InvalidArgumentError,
        message: /items must be an iterable/,
      },
      {
        what: 'imap items a number',
        call: (p) => p.imap(square, 5 as never),
        error: InvalidArgumentError,
        message: /items must be an iterable or an async iterable, got 5/,
      },
      {
        what: 'imap chunkSize 0, at the call',
        call: (p) => p.imap(square, [1], { chunkSize: 0 }),
        error: InvalidArgumentError,
        message: /chunkSize.*0/,
      },
      {
        what: 'imap timeoutMs NaN, at the call',
        call: (p) => p.imap(square, [1], { timeoutMs: Number.NaN }),
        error: InvalidArgumentError,
        message: /timeoutMs.*NaN/,
      },
      {
        what: 'imapUnordered of an actor',
        call: (p) => p.imapUnordered(Counter as never, [1]),
        error: DefinitionError,
        message: /imapUnordered\(\) needs a task definition/,
      },
      {
        what: 'imapUnordered items null',
        call: (p) => p.imapUnordered(square, null as never),
        error: InvalidArgumentError,
        message: /items must be an iterable/,
      },
    ])('$what', async ({ call, error, message }) => {
      await expectRefused(() => call(pool), error, message);
      // The pool keeps its workers, and still maps.
      await expect(pool.map(square, [1, 2, 3], { chunkSize: 1 })).resolves.toEqual([1, 4, 9]);
      expect(footprint(system)).toEqual(baseline);
    });
  });

  it('an item that cannot be sent fails only its chunk, a throwing onProgress only its call; the pool goes on, and close + join end', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1 });
    const settled = await pool.mapSettled(square, [1, { bad: fn }, 3] as never, { chunkSize: 1 });
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 9 });
    const reason = (settled[1] as { reason: Error }).reason;
    expect(reason).toBeInstanceOf(SerializationError);
    expect((reason as SerializationError).path).toBe('items[1].bad');
    const streamed: number[] = [];
    const stream = pool.imap(square, [2, fn, 4] as never);
    await expect(
      (async () => {
        for await (const value of stream) streamed.push(value);
      })(),
    ).rejects.toThrow(/items\[1\]/);
    expect(streamed).toEqual([4]);
    await expect(pool.apply(square, 12)).resolves.toBe(144);
    const onProgress = () => {
      throw new Error('progress bar is gone');
    };
    await expect(pool.map(square, [1, 2, 3], { chunkSize: 1, onProgress })).rejects.toThrow(/progress bar/);
    await expect(pool.map(square, [5, 6])).resolves.toEqual([25, 36]);
    // A source that throws when opened fails its stream, and leaves nothing for join to wait on.
    const broken = {
      [Symbol.iterator](): Iterator<number> {
        throw new Error('source broke');
      },
    };
    await expect(pool.imap(square, broken)[Symbol.asyncIterator]().next()).rejects.toThrow('source broke');
    const early = pool.imap(square, [7]);
    pool.close();
    await expectRefused(() => pool.map(square, [1]), PoolTerminatedError, /closed: it takes no new work/);
    await expectRefused(() => pool.imap(square, [1]), PoolTerminatedError, /closed/);
    await expect(pool.join()).resolves.toBeUndefined();
    await expectRefused(() => pool.apply(square, 1), PoolTerminatedError, /it takes no new work/);
    // A stream made before close but not yet started is refused when it starts, not left hanging.
    await expectRefused(() => early[Symbol.asyncIterator]().next(), PoolTerminatedError, /terminated/);
  });

  it('a pool refuses work once terminated', async () => {
    const system = await startSystem({ placement: 'thread' });
    const pool = await system.pool({ size: 1, placement: 'thread' });
    await pool.terminate();
    await expectRefused(() => pool.map(square, [1]), PoolTerminatedError, /terminated: it takes no new work/);
    await expectRefused(() => pool.imapUnordered(square, [1]), PoolTerminatedError, /terminated/);
    expect(system.stats().workers).toBe(0);
  });
});

describe('supervise', () => {
  const child = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    actor: Counter,
    args: { start: 0 },
    ...extra,
  });

  it.each<Case<ActorSystem>>([
    {
      what: 'options null',
      call: (system) => system.supervise(null as never),
      error: InvalidArgumentError,
      message: /Invalid supervisor option options: expected an object/,
    },
    {
      what: 'strategy unknown',
      call: (system) => system.supervise({ strategy: 'all_for_one' as never, children: [] }),
      error: InvalidArgumentError,
      message: /option strategy: expected one of 'one_for_one'.*got "all_for_one"/,
    },
    {
      what: 'strategy missing',
      call: (system) => system.supervise({ children: [] } as never),
      error: InvalidArgumentError,
      message: /option strategy/,
    },
    {
      what: 'maxRestarts -1',
      call: (system) => system.supervise({ strategy: 'one_for_one', maxRestarts: -1, children: [] }),
      error: InvalidArgumentError,
      message: /option maxRestarts: expected an integer ≥ 0, got -1/,
    },
    {
      what: 'maxRestarts NaN',
      call: (system) => system.supervise({ strategy: 'one_for_one', maxRestarts: Number.NaN, children: [] }),
      error: InvalidArgumentError,
      message: /option maxRestarts.*NaN/,
    },
    {
      what: 'withinMs 0',
      call: (system) => system.supervise({ strategy: 'one_for_one', withinMs: 0, children: [] }),
      error: InvalidArgumentError,
      message: /option withinMs: expected a finite number > 0, got 0/,
    },
    {
      what: 'withinMs Infinity',
      call: (system) =>
        system.supervise({ strategy: 'one_for_one', withinMs: Number.POSITIVE_INFINITY, children: [] }),
      error: InvalidArgumentError,
      message: /option withinMs.*Infinity/,
    },
    {
      what: 'backoff not an object',
      call: (system) => system.supervise({ strategy: 'one_for_one', backoff: 100 as never, children: [] }),
      error: InvalidArgumentError,
      message: /option backoff: expected an object/,
    },
    {
      what: 'backoff minMs 0',
      call: (system) =>
        system.supervise({ strategy: 'one_for_one', backoff: { minMs: 0, maxMs: 10 }, children: [] }),
      error: InvalidArgumentError,
      message: /option backoff\.minMs/,
    },
    {
      what: 'backoff maxMs below minMs',
      call: (system) =>
        system.supervise({ strategy: 'one_for_one', backoff: { minMs: 100, maxMs: 10 }, children: [] }),
      error: InvalidArgumentError,
      message: /option backoff\.maxMs/,
    },
    {
      what: 'heartbeatMs -5',
      call: (system) => system.supervise({ strategy: 'one_for_one', heartbeatMs: -5, children: [] }),
      error: InvalidArgumentError,
      message: /option heartbeatMs/,
    },
    {
      what: 'children not a list',
      call: (system) => system.supervise({ strategy: 'one_for_one', children: child('a') as never }),
      error: InvalidArgumentError,
      message: /option children: expected an array/,
    },
    {
      what: 'a child without an id',
      call: (system) =>
        system.supervise({
          strategy: 'one_for_one',
          children: [child('a'), { actor: Counter, args: { start: 0 } } as never],
        }),
      error: InvalidArgumentError,
      message: /option children\[1\]\.id: expected a non-empty string/,
    },
    {
      what: 'a child without an actor',
      call: (system) =>
        system.supervise({ strategy: 'one_for_one', children: [{ id: 'a', args: {} } as never] }),
      error: InvalidArgumentError,
      message: /option children\[0\]\.actor: expected an actor definition/,
    },
    {
      what: 'a child whose actor is a task',
      call: (system) =>
        system.supervise({ strategy: 'one_for_one', children: [child('a', { actor: hello })] as never }),
      error: InvalidArgumentError,
      message: /option children\[0\]\.actor/,
    },
    {
      what: 'maxChildren 1e6 (over MAX_WORKERS)',
      call: (system) => system.supervise({ strategy: 'one_for_one', maxChildren: 1e6, children: [] }),
      error: InvalidArgumentError,
      message:
        /option maxChildren: expected at most 1024 \(MAX_WORKERS; nest supervisors for more\), got 1000000/,
    },
    {
      what: 'duplicate child ids',
      call: (system) => system.supervise({ strategy: 'one_for_one', children: [child('a'), child('a')] }),
      error: InvalidArgumentError,
      message: /option children\[1\]\.id: expected an id unique among the children, got "a"/,
    },
    {
      what: 'a child restart unknown',
      call: (system) =>
        system.supervise({
          strategy: 'one_for_one',
          children: [child('a', { restart: 'sometimes' })] as never,
        }),
      error: InvalidArgumentError,
      message: /option children\[0\]\.restart/,
    },
    {
      what: 'name empty',
      call: (system) => system.supervise({ strategy: 'one_for_one', children: [], name: '' }),
      error: InvalidArgumentError,
      message: /option name: expected a non-empty string, got ""/,
    },
    {
      what: 'name a number',
      call: (system) => system.supervise({ strategy: 'one_for_one', children: [], name: 3 as never }),
      error: InvalidArgumentError,
      message: /option name: expected a non-empty string, got 3/,
    },
    {
      what: "a nested supervisor's name empty",
      call: (system) =>
        system.supervise({
          strategy: 'one_for_one',
          children: [
            {
              id: 'jobs',
              type: 'supervisor',
              supervisor: { name: '', strategy: 'one_for_one', children: [] },
            },
          ],
        }),
      error: InvalidArgumentError,
      message: /option children\[0\]\.supervisor\.name: expected a non-empty string, got ""/,
    },
    {
      what: 'a child (after a good one) whose args cannot be sent',
      call: (system) =>
        system.supervise({
          strategy: 'one_for_one',
          children: [child('good'), child('bad', { args: { start: 0, onTick: fn } })],
        }),
      error: SupervisorStartError,
      message: /could not start child 'bad': Cannot serialize args\.onTick: a function/,
    },
    {
      what: 'a child (after a good one) with an unknown placement',
      call: (system) =>
        system.supervise({
          strategy: 'one_for_one',
          children: [child('good'), child('bad', { placement: 'moon' })],
        }),
      error: SupervisorStartError,
      message: /could not start child 'bad': placement must be one of/,
    },
  ])('$what', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'thread' });
    const before = footprint(system);
    const thrown = await expectRefused(() => call(system), error, message);
    if (thrown instanceof SupervisorStartError) expect(thrown.cause).toBeInstanceOf(TroupeError);
    // Whatever was started was stopped: no worker, no mailbox left; the system still supervises.
    expect(footprint(system)).toEqual(before);
    const sup = await system.supervise({ strategy: 'one_for_one', children: [child('ok')] });
    await expect(
      sup.child<CounterMsg, number>('ok')?.ask({ type: 'get' }, { timeoutMs: 20_000 }),
    ).resolves.toBe(0);
  });

  it('a running supervisor names bad child calls; a failed startChild leaves nothing behind', async () => {
    const system = await startSystem({ placement: 'thread' });
    const sup = await system.supervise({ strategy: 'one_for_one', children: [child('a')] });
    const before = footprint(system);
    await expectRefused(
      () => sup.child(1 as never),
      InvalidArgumentError,
      /child id is a string, got number/,
    );
    await expectRefused(() => sup.machine(null as never), InvalidArgumentError, /child id is a string/);
    await expectRefused(() => sup.startChild(child('a')), InvalidArgumentError, /already has a child 'a'/);
    const thrown = await expectRefused(
      () => sup.startChild(child('b', { args: { start: 0, log: [fn] } })),
      SupervisorStartError,
      /could not start child 'b': Cannot serialize args\.log\[0\]/,
    );
    expect(thrown.cause).toBeInstanceOf(SerializationError);
    expect(footprint(system)).toEqual(before);
    expect(sup.children().map((c) => c.id)).toEqual(['a']);
    await sup.startChild(child('b'));
    await expect(
      sup.child<CounterMsg, number>('b')?.ask({ type: 'get' }, { timeoutMs: 20_000 }),
    ).resolves.toBe(0);
  });
});

describe('after shutdown', () => {
  it.each<Case<ActorSystem>>([
    {
      what: 'spawn',
      call: (system) => system.spawn(Counter, { start: 0 }),
      error: SystemShutdownError,
      message: /shut down/,
    },
    {
      what: 'process',
      call: (system) => system.process(hello, 'nobody'),
      error: SystemShutdownError,
      message: /shut down/,
    },
    { what: 'queue', call: (system) => system.queue(), error: SystemShutdownError, message: /shut down/ },
    { what: 'pipe', call: (system) => system.pipe(), error: SystemShutdownError, message: /shut down/ },
    {
      what: 'pool',
      call: (system) => system.pool({ size: 1 }),
      error: SystemShutdownError,
      message: /shut down/,
    },
    {
      what: 'supervise',
      call: (system) => system.supervise({ strategy: 'one_for_one', children: [] }),
      error: SystemShutdownError,
      message: /shut down/,
    },
  ])('$what throws SystemShutdownError', async ({ call, error, message }) => {
    const system = await startSystem({ placement: 'thread' });
    await system.shutdown();
    await expectRefused(() => call(system), error, message);
    expect(system.stats().workers).toBe(0);
  });
});

describe('definitions', () => {
  let modules = 0;
  const url = () => `test://badInput/${++modules}.js`;
  const spec = { init: () => 0, receive: (n: number) => n };

  it.each<Case<string>>([
    {
      what: 'defineActor with a path for a URL',
      call: () => defineActor('./counter.js', 'Counter', spec),
      error: DefinitionError,
      message: /defineActor: the first argument must be the module URL \(pass import\.meta\.url\)/,
    },
    {
      what: 'defineActor with a number for a name',
      call: (u) => defineActor(u, 42 as never, spec),
      error: DefinitionError,
      message: /defineActor: the name must be a non-empty string, got 42/,
    },
    {
      what: 'defineActor with a function for a spec',
      call: (u) => defineActor(u, 'Fn', (() => 0) as never),
      error: DefinitionError,
      message: /defineActor 'Fn': the spec must be an object with init and receive/,
    },
    {
      what: 'defineTask with no URL',
      call: () => defineTask(undefined as never, 'task', () => 1),
      error: DefinitionError,
      message: /defineTask: the first argument must be the module URL/,
    },
    {
      what: 'defineTask with an empty name',
      call: (u) => defineTask(u, '', () => 1),
      error: DefinitionError,
      message: /defineTask: the name must be a non-empty string/,
    },
    {
      what: 'defineTask with an object for a function',
      call: (u) => defineTask(u, 'task', { run: () => 1 } as never),
      error: DefinitionError,
      message: /defineTask 'task': the third argument must be a function/,
    },
    {
      what: 'fromMachine with a path for a URL',
      call: () => fromMachine('machines.ts', 'Light', lightMachine),
      error: DefinitionError,
      message: /fromMachine: the first argument must be the module URL/,
    },
    {
      what: 'fromMachine with an empty name',
      call: (u) => fromMachine(u, '', lightMachine),
      error: DefinitionError,
      message: /fromMachine: the name must be a non-empty string/,
    },
    {
      what: 'fromMachine with a config instead of a machine',
      call: (u) => fromMachine(u, 'Light', { initial: 'green' } as never),
      error: DefinitionError,
      message: /fromMachine 'Light': the third argument must be an xstate v5 machine/,
    },
    {
      what: 'fromMachine with options a string',
      call: (u) => fromMachine(u, 'Light', lightMachine, 'persist' as never),
      error: DefinitionError,
      message: /fromMachine 'Light': options must be an object/,
    },
    {
      what: "fromMachine with persist: 'yes'",
      call: (u) => fromMachine(u, 'Light', lightMachine, { persist: 'yes' as never }),
      error: DefinitionError,
      message: /fromMachine 'Light': options.persist must be a boolean, got yes/,
    },
    {
      what: 'fromMachine with inspect: 1',
      call: (u) => fromMachine(u, 'Light', lightMachine, { inspect: 1 as never }),
      error: DefinitionError,
      message: /fromMachine 'Light': options.inspect must be a boolean, got 1/,
    },
  ])('$what', async ({ call, error, message }) => {
    const u = url();
    await expectRefused(() => call(u), error, message);
    // Nothing was registered: the names are still free in that module.
    expect(() => defineActor(u, 'Fn', spec)).not.toThrow();
    expect(() => defineTask(u, 'task', () => 1)).not.toThrow();
    expect(() => fromMachine(u, 'Light', lightMachine)).not.toThrow();
  });
});

describe('bad input: the codec and the simulated clock', () => {
  it.each<Case<SimulatedClock>>([
    ...[0, -1, 1.5, Number.NaN, '1024' as never].map((maxMessageBytes) => ({
      what: `new Codec({ maxMessageBytes: ${String(maxMessageBytes)} })`,
      call: () => new Codec({ maxMessageBytes }),
      error: InvalidArgumentError,
      message: /Codec maxMessageBytes must be a positive integer \(bytes\)/,
    })),
    ...[-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as never].map((ms) => ({
      what: `SimulatedClock.advance(${String(ms)})`,
      call: (clock: SimulatedClock) => clock.advance(ms),
      error: InvalidArgumentError,
      message: /SimulatedClock.advance\(ms\): ms must be a finite number ≥ 0/,
    })),
  ])('$what', async ({ call, error, message }) => {
    const clock = new SimulatedClock();
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 10);
    await expectRefused(() => call(clock), error, message);
    // The clock did not move: its timer fires on time, not before.
    expect(clock.now()).toBe(0);
    clock.advance(9);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });
});
