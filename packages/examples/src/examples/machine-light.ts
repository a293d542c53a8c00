/**
 * machine-light — an xstate v5 machine as an actor: a traffic light in its own child process,
 * stepped by events, with its snapshot mirrored in the main process; then a persisted counter
 * machine that crashes under a supervisor and comes back from its last snapshot.
 */

import { ActorSystem, fromMachine, isMainModule } from '@troupe/node-runtime';
import { assign, emit, setup } from 'xstate';

const light = setup({
  types: { events: {} as { type: 'NEXT' }, context: {} as { cycles: number } },
}).createMachine({
  initial: 'green',
  context: { cycles: 0 },
  states: {
    green: { on: { NEXT: 'yellow' } },
    yellow: { on: { NEXT: 'red' } },
    red: {
      on: { NEXT: { target: 'green', actions: assign({ cycles: ({ context }) => context.cycles + 1 }) } },
    },
  },
});

/** The light, runnable in any worker: workers find it by this module's URL and its name. */
export const Light = fromMachine(import.meta.url, 'Light', light);

const counter = setup({
  types: {
    events: {} as { type: 'ADD'; amount: number } | { type: 'TOTAL' },
    context: {} as { total: number },
    emitted: {} as { type: 'total'; total: number },
  },
  actions: {
    add: assign({
      total: ({ context, event }) => {
        if (event.type !== 'ADD') return context.total;
        if (event.amount < 0) throw new Error(`cannot add ${event.amount}`);
        return context.total + event.amount;
      },
    }),
    tell: emit(({ context }) => ({ type: 'total' as const, total: context.total })),
  },
}).createMachine({
  context: { total: 0 },
  on: { ADD: { actions: 'add' }, TOTAL: { actions: 'tell' } },
});

/** A running total that persists its snapshot after every event. */
export const Total = fromMachine(import.meta.url, 'Total', counter, { persist: true });

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();

  const lamp = await system.spawn(Light, undefined);
  const seen: string[] = [];
  lamp.subscribe((s) => seen.push(String(s.value)));
  const backToGreen = new Promise<void>((resolve) =>
    lamp.subscribe((s) => {
      if (s.context.cycles === 1) resolve();
    }),
  );
  for (let i = 0; i < 3; i++) lamp.send({ type: 'NEXT' });
  await backToGreen;
  console.log(`light (pid differs from main: ${lamp.pid !== process.pid}): green -> ${seen.join(' -> ')}`);
  console.log(`snapshot in the main process: ${JSON.stringify(lamp.snapshot())}`);

  const sup = await system.supervise({
    strategy: 'one_for_one',
    children: [{ id: 'total', actor: Total, args: undefined, restartFrom: 'lastSnapshot' }],
  });
  const total = sup.machine<typeof counter>('total');
  if (total === undefined) throw new Error('no total child');
  total.send({ type: 'ADD', amount: 40 });
  total.send({ type: 'ADD', amount: 2 });
  console.log(`total: ${(await total.ask({ type: 'TOTAL' })).total}`);
  const restarted = system.events.next((e) => e.type === 'restarted');
  const dropped = system.events.next((e) => e.type === 'deadLetter');
  total.send({ type: 'ADD', amount: -1 }); // the action throws: the worker crashes
  await restarted;
  const poison = await dropped;
  console.log(
    `crashed and restarted from its last snapshot; dead letter: ${JSON.stringify(poison.type === 'deadLetter' ? poison.message : undefined)}`,
  );
  console.log(`total after the restart: ${(await total.ask({ type: 'TOTAL' })).total}`);
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
