import { describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import type { ActorContext, InitContext } from '../src/definitions.js';
import { DefinitionError } from '../src/errors.js';
import { RUNNER_LINK, type RunnerLink } from '../src/internal/runnerLink.js';
import { fromMachine, isMachineDefinition } from '../src/machine/fromMachine.js';
import type { ActorReport } from '../src/protocol.js';

const stepper = setup({
  types: { events: {} as { type: 'STEP' }, context: {} as { steps: number } },
}).createMachine({
  initial: 'a',
  context: { steps: 0 },
  states: {
    a: { on: { STEP: { target: 'b', actions: assign({ steps: ({ context }) => context.steps + 1 }) } } },
    b: { on: { STEP: { target: 'a', actions: assign({ steps: ({ context }) => context.steps + 1 }) } } },
  },
});

const Stepper = fromMachine(import.meta.url, 'Stepper', stepper, { persist: true });
const Quiet = fromMachine(import.meta.url, 'Quiet', stepper, { inspect: false });

/** Runs a definition's init with a recording host link, as a worker would. */
async function start(definition: typeof Stepper, restore?: unknown) {
  const reports: ActorReport[] = [];
  const crashes: unknown[] = [];
  const link: RunnerLink = {
    restore,
    report: (r) => void reports.push(r),
    crash: (e) => void crashes.push(e),
  };
  const ctx = Object.assign({ self: {} as InitContext['self'] }, { [RUNNER_LINK]: link });
  const state = (await definition.spec.init(undefined, ctx as never)) as unknown;
  const send = (event: { type: 'STEP' }) => {
    const replyCtx: ActorContext = { self: ctx.self, isAsk: false, reply: () => {}, stop: () => {} };
    definition.spec.receive(state as never, event, replyCtx as never);
  };
  return { reports, crashes, send };
}

const snapshots = (reports: ActorReport[]) => reports.filter((r) => r.kind === 'snapshot');

describe('fromMachine', () => {
  it('refuses what is not an xstate machine, and a bad location, with DefinitionError', () => {
    expect(() => fromMachine(import.meta.url, 'NotAMachine', {} as never)).toThrow(DefinitionError);
    expect(() => fromMachine('stepper.ts', 'NoUrl', stepper)).toThrow(/import\.meta\.url/);
    expect(() => fromMachine(import.meta.url, 'Stepper', stepper)).toThrow(/Duplicate/);
    expect(isMachineDefinition(Stepper)).toBe(true);
    expect(Stepper.machineOptions).toEqual({ persist: true, inspect: true });
  });

  it('reports the initial snapshot, then one per change, with the persisted form while active', async () => {
    const { reports, send } = await start(Stepper);
    send({ type: 'STEP' });
    const all = snapshots(reports);
    expect(all.map((r) => r.kind === 'snapshot' && r.snapshot.value)).toEqual(['a', 'b']);
    const last = all.at(-1);
    expect(last?.kind === 'snapshot' && last.persisted).toMatchObject({ value: 'b', context: { steps: 1 } });
    expect(reports.some((r) => r.kind === 'inspect' && r.inspection.type === '@xstate.event')).toBe(true);
  });

  it('sends no inspection events when inspect is false', async () => {
    const { reports, send } = await start(Quiet);
    send({ type: 'STEP' });
    expect(reports.filter((r) => r.kind === 'inspect')).toEqual([]);
    expect(snapshots(reports).at(-1)).toMatchObject({ snapshot: { value: 'b' } });
    expect(snapshots(reports).at(-1)).not.toHaveProperty('persisted');
  });

  it('restores from a persisted snapshot', async () => {
    const source = createActor(stepper).start();
    source.send({ type: 'STEP' });
    source.send({ type: 'STEP' });
    source.send({ type: 'STEP' });
    const { reports } = await start(Stepper, source.getPersistedSnapshot());
    expect(snapshots(reports)[0]).toMatchObject({ snapshot: { value: 'b', context: { steps: 3 } } });
    expect(reports.some((r) => r.kind === 'restoreFailed')).toBe(false);
  });

  it('starts fresh, and says why, when the restore itself fails', async () => {
    const bogus = { status: 'active', value: 'no-such-state', context: { steps: 9 }, children: {} };
    const { reports, crashes } = await start(Stepper, bogus);
    const failed = reports.find((r) => r.kind === 'restoreFailed');
    expect(failed?.kind === 'restoreFailed' && failed.error).toBeInstanceOf(Error);
    expect(snapshots(reports).at(-1)).toMatchObject({ snapshot: { value: 'a', context: { steps: 0 } } });
    expect(crashes).toEqual([]);
  });
});
