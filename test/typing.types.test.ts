/**
 * Type-level tests: the compiler must accept every message and reply an actor declares, and
 * reject everything else. Only type-checked (`vitest --typecheck`); nothing here starts a system:
 * each check lives in a function that is never called.
 */

import {
  type ActorContext,
  type ActorDefinition,
  type ActorHandle,
  type ActorRef,
  type ActorSystem,
  defineActor,
  defineTask,
  type ExitInfo,
  type MachineHandle,
  type ProcessHandle,
  type TaskDefinition,
} from '@troupe/node-runtime';
import { describe, expectTypeOf, it } from 'vitest';
import {
  add,
  Counter,
  type CounterMsg,
  Echo,
  Forwarder,
  hello,
  Recorder,
  type RecorderMsg,
  Stopper,
} from './fixtures/actors.js';
import { Light, type lightMachine, PlainCounter } from './fixtures/machines.js';

/** Registers `check` with the compiler only: its body is type-checked and never run. */
function typeOnly(check: (system: ActorSystem) => Promise<void>): void {
  expectTypeOf(check).toBeFunction();
}

describe('definitions', () => {
  it('infers arguments, messages and replies from defineActor', () => {
    expectTypeOf(Counter).toEqualTypeOf<ActorDefinition<{ start: number }, CounterMsg, number>>();
    expectTypeOf(Recorder).toEqualTypeOf<ActorDefinition<unknown, RecorderMsg, unknown[]>>();
  });

  it('infers the argument list and the awaited result from defineTask', () => {
    expectTypeOf(add).toEqualTypeOf<TaskDefinition<[a: number, b: number], number>>();
    expectTypeOf(hello).toEqualTypeOf<TaskDefinition<[who: string], void>>();
    const later = (): void => {
      const slow = defineTask(import.meta.url, 'slow', async (n: number) => String(n));
      expectTypeOf(slow).toEqualTypeOf<TaskDefinition<[n: number], string>>();
    };
    expectTypeOf(later).toBeFunction();
  });

  it('holds receive to the reply type its context declares', () => {
    const later = (): void => {
      defineActor(import.meta.url, 'Typed', {
        init: () => 0,
        receive: (n, msg: 'get', ctx: ActorContext<'get', number>) => {
          ctx.reply(n);
          // @ts-expect-error: the reply type is number
          ctx.reply('a string');
          expectTypeOf(msg).toEqualTypeOf<'get'>();
          return n;
        },
      });
      defineActor(import.meta.url, 'WrongState', {
        init: () => 0,
        // @ts-expect-error: receive must return the state type that init returns
        receive: (n: number) => String(n),
      });
    };
    expectTypeOf(later).toBeFunction();
  });
});

describe('ActorSystem.spawn', () => {
  it('returns a handle typed by the definition', () => {
    typeOnly(async (system) => {
      const counter = await system.spawn(Counter, { start: 0 });
      expectTypeOf(counter).toEqualTypeOf<ActorHandle<CounterMsg, number>>();
      expectTypeOf(counter).toMatchTypeOf<ActorRef<CounterMsg, number>>();
    });
  });

  it('rejects wrong spawn arguments', () => {
    typeOnly(async (system) => {
      // @ts-expect-error: start must be a number
      await system.spawn(Counter, { start: 'zero' });
      // @ts-expect-error: start is required
      await system.spawn(Counter, {});
      // @ts-expect-error: the arguments are required
      await system.spawn(Counter);
      // @ts-expect-error: the definition must be an actor, not a task
      await system.spawn(add, [1, 2]);
      await system.spawn(Counter, { start: 1 }, { placement: 'thread', name: 'c' });
      // @ts-expect-error: not a placement
      await system.spawn(Counter, { start: 1 }, { placement: 'cloud' });
    });
  });

  it('accepts only the messages the actor declares', () => {
    typeOnly(async (system) => {
      const ref = await system.spawn(Counter, { start: 0 });
      ref.send({ type: 'inc' });
      ref.send({ type: 'get' });
      // @ts-expect-error: not a CounterMsg
      ref.send({ type: 'nope' });
      // @ts-expect-error: not a message at all
      ref.send('inc');
      // @ts-expect-error: a message is required
      ref.send();
      // @ts-expect-error: not a CounterMsg
      await ref.ask({ type: 'nope' });
    });
  });

  it('resolves an ask with the reply type', () => {
    typeOnly(async (system) => {
      const ref = await system.spawn(Counter, { start: 0 });
      expectTypeOf(ref.ask({ type: 'get' })).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.ask({ type: 'get' }, { timeoutMs: 100 })).toEqualTypeOf<Promise<number>>();
      const n = await ref.ask({ type: 'get' });
      // @ts-expect-error: the reply is a number, not a string
      n.toUpperCase();
      // @ts-expect-error: timeoutMs is a number
      await ref.ask({ type: 'get' }, { timeoutMs: '100' });
      const recorder = await system.spawn(Recorder, undefined);
      expectTypeOf(recorder.ask({ type: 'dump' })).toEqualTypeOf<Promise<unknown[]>>();
      const echo = await system.spawn(Echo, undefined);
      expectTypeOf(echo.ask('anything')).toEqualTypeOf<Promise<unknown>>();
      expectTypeOf(ref.stop()).toEqualTypeOf<Promise<ExitInfo>>();
    });
  });

  it('checks references passed in spawn arguments against what the actor expects', () => {
    typeOnly(async (system) => {
      const counter = await system.spawn(Counter, { start: 0 });
      const recorder = await system.spawn(Recorder, undefined);
      const forwarder = await system.spawn(Forwarder, { to: counter });
      forwarder.send({ type: 'bump' });
      expectTypeOf(forwarder.ask({ type: 'read' })).toEqualTypeOf<Promise<number>>();
      // @ts-expect-error: a Recorder takes other messages and replies otherwise than a Counter
      await system.spawn(Forwarder, { to: recorder });
      await system.spawn(Stopper, { label: 'a', log: recorder });
      // @ts-expect-error: the log must take Recorder messages
      await system.spawn(Stopper, { label: 'a', log: counter });
    });
  });

  it('types lookup by the messages and reply the caller names', () => {
    typeOnly(async (system) => {
      const found = system.lookup<CounterMsg, number>('counter');
      expectTypeOf(found).toEqualTypeOf<ActorHandle<CounterMsg, number> | undefined>();
      // @ts-expect-error: not a CounterMsg
      found?.send({ type: 'nope' });
    });
  });
});

describe('ActorSystem.process', () => {
  it('returns a handle typed by the task result', () => {
    typeOnly(async (system) => {
      const sum = await system.process(add, 1, 2);
      expectTypeOf(sum).toEqualTypeOf<ProcessHandle<number>>();
      expectTypeOf(sum.result()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(await system.process(hello, 'world')).toEqualTypeOf<ProcessHandle<void>>();
    });
  });

  it('rejects arguments that do not fit the task', () => {
    typeOnly(async (system) => {
      // @ts-expect-error: a is a number
      await system.process(add, 'x', 2);
      // @ts-expect-error: b is missing
      await system.process(add, 1);
      // @ts-expect-error: one argument too many
      await system.process(add, 1, 2, 3);
      // @ts-expect-error: the definition must be a task, not an actor
      await system.process(Counter, { start: 0 });
    });
  });

  it('types machine actors by their machine: events, input, emitted replies and snapshots', () => {
    typeOnly(async (system) => {
      const light = await system.spawn(Light, { label: 'x' });
      expectTypeOf(light).toEqualTypeOf<MachineHandle<typeof lightMachine>>();
      light.send({ type: 'NEXT' });
      light.send({ type: 'OFF' });
      // @ts-expect-error: not an event of the light machine
      light.send({ type: 'JUMP' });
      // @ts-expect-error: events are objects
      light.send('NEXT');
      // @ts-expect-error: the input is { label: string } or undefined
      await system.spawn(Light, { label: 3 });
      expectTypeOf(light.snapshot().context).toEqualTypeOf<{ label: string; changes: number }>();
      const counter = await system.spawn(PlainCounter, undefined);
      expectTypeOf(counter.ask({ type: 'GET' })).toEqualTypeOf<Promise<{ type: 'count'; value: number }>>();
      // @ts-expect-error: not a counter event
      await counter.ask({ type: 'NEXT' });
    });
  });
});
