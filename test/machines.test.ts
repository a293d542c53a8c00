/** Machine actors: xstate v5 machines in real child processes (and threads), under supervision. */

import {
  type DeadLetterEvent,
  type InspectEvent,
  InvalidArgumentError,
  type MachineHandle,
  type MachineSnapshot,
  type Placement,
  type SystemEvent,
} from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { Counter, type counterMachine, Guarded, Light, PlainCounter } from './fixtures/machines.js';
import { startSystem } from './support/system.js';

/** Resolves with the first snapshot (from now on) that `matches`. */
function snapshotWhere<M extends AnyStateMachine>(
  handle: MachineHandle<M>,
  matches: (snapshot: MachineSnapshot<M>) => boolean,
): Promise<MachineSnapshot<M>> {
  return new Promise((resolve) => {
    const stop = handle.subscribe((snapshot) => {
      if (!matches(snapshot)) return;
      stop();
      resolve(snapshot);
    });
  });
}

/** Resolves with the first system event (from now on) that `matches`. */
function eventWhere<E extends SystemEvent>(
  events: { subscribe(listener: (e: SystemEvent) => void): () => void },
  matches: (event: SystemEvent) => event is E,
): Promise<E> {
  return new Promise((resolve) => {
    const stop = events.subscribe((event) => {
      if (!matches(event)) return;
      stop();
      resolve(event);
    });
  });
}

describe('machine actors', () => {
  it('a traffic light in a child process steps through its states by events', async () => {
    const system = await startSystem();
    const light = await system.spawn(Light, { label: 'main street' });
    expect(light.pid).toBeGreaterThan(0);
    expect(light.pid).not.toBe(process.pid);
    // The initial snapshot is in the root before spawn resolves.
    expect(light.snapshot()).toMatchObject({
      value: 'green',
      status: 'active',
      context: { label: 'main street' },
    });
    const seen: unknown[] = [];
    light.subscribe((s) => seen.push(s.value));
    const red = snapshotWhere(light, (s) => s.value === 'red');
    light.send({ type: 'NEXT' });
    light.send({ type: 'NEXT' });
    expect((await red).context.changes).toBe(2);
    expect(seen).toEqual(['yellow', 'red']);
    light.send({ type: 'NEXT' });
    await snapshotWhere(light, (s) => s.value === 'green');
    expect(light.snapshot().context.changes).toBe(3);
  });

  it.each<Exclude<Placement, 'process'>>(['thread', 'local'])(
    'runs unchanged on the %s placement',
    async (placement) => {
      const system = await startSystem();
      const light = await system.spawn(Light, undefined, { placement });
      const yellow = snapshotWhere(light, (s) => s.value === 'yellow');
      light.send({ type: 'NEXT' });
      expect((await yellow).context).toEqual({ label: 'light', changes: 1 });
    },
  );

  it('reaching a final state stops the actor with reason normal, and keeps the last snapshot', async () => {
    const system = await startSystem();
    const light = await system.spawn(Light, undefined);
    light.send({ type: 'OFF' });
    const exit = await light.exited;
    expect(exit.reason).toBe('normal');
    expect(light.snapshot()).toMatchObject({ value: 'off', status: 'done' });
  });

  it('ask resolves with the event the machine emits, after the snapshot is current', async () => {
    const system = await startSystem();
    const counter = await system.spawn(PlainCounter, undefined);
    counter.send({ type: 'INC' });
    counter.send({ type: 'INC' });
    await expect(counter.ask({ type: 'GET' })).resolves.toEqual({ type: 'count', value: 2 });
    expect(counter.snapshot().context.count).toBe(2);
    // An event the machine emits nothing for: the ask says so instead of hanging.
    await expect(counter.ask({ type: 'INC' })).rejects.toMatchObject({ code: 'ERR_TROUPE_NO_REPLY' });
  });

  it('rejects a value that is not an event at the call site', async () => {
    const system = await startSystem();
    const light = await system.spawn(Light, undefined);
    expect(() => light.send('NEXT' as never)).toThrow(InvalidArgumentError);
    expect(() => light.send({ kind: 'NEXT' } as never)).toThrow(/string type/);
    expect(() => light.subscribe(42 as never)).toThrow(InvalidArgumentError);
    expect(light.isAlive).toBe(true);
  });

  it('an action that throws crashes the actor with the remote error and stack', async () => {
    const system = await startSystem();
    const counter = await system.spawn(PlainCounter, undefined);
    for (let i = 0; i < 6; i++) counter.send({ type: 'INC' });
    const exit = await counter.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error?.message).toBe('counter overflow at 5');
    expect(exit.error?.stack).toContain('fixtures/machines.ts');
  });

  it('a guard that throws crashes the actor too', async () => {
    const system = await startSystem();
    const guarded = await system.spawn(Guarded, undefined);
    guarded.send({ type: 'GO' });
    const exit = await guarded.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error?.message).toContain('guard exploded');
  });

  it("restartFrom 'lastSnapshot': the crashed counter comes back at 5, and the crashing event is a dead letter", async () => {
    const system = await startSystem();
    const deadLetters: DeadLetterEvent[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'deadLetter') deadLetters.push(e);
    });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'counter', actor: Counter, args: undefined, restartFrom: 'lastSnapshot' }],
    });
    const counter = sup.machine<typeof counterMachine>('counter');
    if (counter === undefined) throw new Error('no counter child');
    const firstPid = counter.pid;
    for (let i = 0; i < 5; i++) counter.send({ type: 'INC' });
    await expect(counter.ask({ type: 'GET' })).resolves.toEqual({ type: 'count', value: 5 });
    const restarted = eventWhere(system.events, (e) => e.type === 'restarted');
    counter.send({ type: 'INC' }); // the sixth: crashes
    await restarted;
    expect(counter.pid).not.toBe(firstPid);
    await expect(counter.ask({ type: 'GET' })).resolves.toEqual({ type: 'count', value: 5 });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.message).toEqual({ type: 'INC' });
    expect(deadLetters[0]?.to.name).toBe('counter');
  });

  it('without restartFrom, the restarted counter starts fresh', async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'counter', actor: Counter, args: undefined }],
    });
    const counter = sup.machine<typeof counterMachine>('counter');
    if (counter === undefined) throw new Error('no counter child');
    for (let i = 0; i < 5; i++) counter.send({ type: 'INC' });
    await expect(counter.ask({ type: 'GET' })).resolves.toMatchObject({ value: 5 });
    const restarted = eventWhere(system.events, (e) => e.type === 'restarted');
    counter.send({ type: 'INC' });
    await restarted;
    await expect(counter.ask({ type: 'GET' })).resolves.toEqual({ type: 'count', value: 0 });
  });

  it("refuses restartFrom 'lastSnapshot' for an actor that does not persist, naming the option", async () => {
    const system = await startSystem();
    await expect(
      system.supervise({
        strategy: 'one_for_one',
        children: [{ id: 'counter', actor: PlainCounter, args: undefined, restartFrom: 'lastSnapshot' }],
      }),
    ).rejects.toThrow(/children\[0\]\.restartFrom/);
    await expect(
      system.supervise({
        strategy: 'one_for_one',
        children: [{ id: 'counter', actor: Counter, args: undefined, restartFrom: 'yesterday' as never }],
      }),
    ).rejects.toThrow(/restartFrom/);
  });

  it('the inspection stream carries xstate events from two child processes, tagged with actor and pid', async () => {
    const system = await startSystem();
    const seen: InspectEvent[] = [];
    system.inspect((e) => seen.push(e));
    const a = await system.spawn(Light, { label: 'a' });
    const b = await system.spawn(Light, { label: 'b' });
    const aYellow = snapshotWhere(a, (s) => s.value === 'yellow');
    const bYellow = snapshotWhere(b, (s) => s.value === 'yellow');
    a.send({ type: 'NEXT' });
    b.send({ type: 'NEXT' });
    await Promise.all([aYellow, bYellow]);
    await b.stop();
    const inspections = seen.filter((e) => e.type === 'inspection');
    const pids = new Set(inspections.map((e) => e.pid));
    expect(pids).toEqual(new Set([a.pid, b.pid]));
    const nextEvents = inspections.filter(
      (e) =>
        e.inspection.type === '@xstate.event' && (e.inspection.event as { type?: string }).type === 'NEXT',
    );
    expect(nextEvents.map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    // Troupe's own lifecycle events come through the same stream.
    expect(seen.some((e) => e.type === 'spawned' && e.id === a.id && e.pid === a.pid)).toBe(true);
    expect(seen.some((e) => e.type === 'exited' && e.id === b.id && e.exit.reason === 'shutdown')).toBe(true);
  });
});
