/**
 * Every gallery example runs from the command line and prints what it promises: through the
 * gallery (`pnpm gallery <name>`) and on its own (`node --import tsx <file>`), with the same checks.
 */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { natsMissing } from './support/natsServer.js';
import { tsxExecArgv } from './support/system.js';

const gallery = fileURLToPath(new URL('../packages/examples/src/gallery.ts', import.meta.url));
const exampleFile = (name: string) =>
  fileURLToPath(new URL(`../packages/examples/src/examples/${name}.ts`, import.meta.url));

/** At most two programs at a time: each example starts several processes of its own. */
const slots = limiter(2);

/**
 * Runs `node --import tsx <args>` and resolves with its stdout once it exits with code 0 (a
 * non-zero code rejects). The child is killed when it outlives 25 s or the test is aborted.
 */
function runNode(args: readonly string[], signal: AbortSignal): Promise<string> {
  return slots(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...tsxExecArgv, ...args], {
      signal,
      timeout: 25_000,
    });
    return stdout;
  });
}

interface Expectation {
  readonly name: string;
  readonly promise: string;
  readonly check: (out: string) => void;
}

const seedFourProcesses = ['Process 1: 1', 'Process 2: 2', 'Process 3: 3', 'Process 4: 4'];

const expectations: readonly Expectation[] = [
  {
    name: 'hello-process',
    promise: 'the child speaks first, then the main process',
    check: (out) => expect(out).toBe('Hello from the child process!\nHello from the main process!\n'),
  },
  {
    name: 'four-processes',
    promise: "the seed's lines from the pool of four, then from four processes, each in any order",
    check: (out) => {
      const lines = out.trimEnd().split('\n');
      expect(lines).toHaveLength(9);
      expect(lines.slice(0, 4).sort()).toEqual(seedFourProcesses);
      expect(lines[4]).toBe('The same with four system.process calls:');
      expect(lines.slice(5).sort()).toEqual(seedFourProcesses);
    },
  },
  {
    name: 'pool-squares',
    promise: 'the squares in input order',
    check: (out) => expect(out).toBe('Squared results: [1, 4, 9, 16, 25]\n'),
  },
  {
    name: 'label-encode',
    promise: "the seed's encoded labels and sorted classes",
    check: (out) =>
      expect(out).toBe(
        [
          'Encoded colors: [2 1 0 2 1 0]',
          "Classes: ['blue' 'green' 'red']",
          'Encoded sizes: [2 1 0 1 2 0]',
          "Classes: ['large' 'medium' 'small']",
          'Encoded materials: [2 0 1 0 1 2]',
          "Classes: ['metal' 'plastic' 'wood']",
          '',
        ].join('\n'),
      ),
  },
  {
    name: 'pool-survives',
    promise: 'the map completes although a worker was killed mid-map',
    check: (out) =>
      expect(out).toBe('results: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]\nand the pool still serves: [42]\n'),
  },
  {
    name: 'imap-progress',
    promise: 'progress lines when not on a terminal, then the count',
    check: (out) =>
      expect(out).toBe(
        [
          '5000/20000 checked',
          '10000/20000 checked',
          '15000/20000 checked',
          '20000/20000 checked',
          '1472 primes between 1000000 and 1020000',
          '',
        ].join('\n'),
      ),
  },
  {
    name: 'counter-actor',
    promise: 'the same sum on every placement',
    check: (out) => {
      for (const placement of ['process', 'thread', 'local']) {
        expect(out).toMatch(new RegExp(`^${placement}\\s+counter: 1 \\+ 2 \\+ \\.\\.\\. \\+ 10 = 55$`, 'm'));
      }
    },
  },
  {
    name: 'queue-workers',
    promise: 'every item consumed exactly once',
    check: (out) =>
      expect(out).toBe('3 producers, 2 consumers: 30000 items, sum 449985000 (expected 449985000)\n'),
  },
  {
    name: 'pipe-ping-pong',
    promise: 'a thousand volleys between two processes',
    check: (out) => {
      expect(out).toMatch(/^1000 volleys between processes \d+ and \d+$/m);
      expect(out).toMatch(/^frames relayed by the main process: \d+ \(before the link\)$/m);
    },
  },
  {
    name: 'supervisor-restart',
    promise: 'two restarts with new pids, then the supervisor escalates',
    check: (out) =>
      expect(out).toBe(
        [
          'crash 1: restarted (pid changed: true), restarts so far: 1',
          'crash 2: restarted (pid changed: true), restarts so far: 2',
          'crash 3: supervisor escalated (EscalationError)',
          '',
        ].join('\n'),
      ),
  },
  {
    name: 'machine-light',
    promise: 'the light steps in a child process; the counter comes back from its snapshot',
    check: (out) =>
      expect(out).toBe(
        [
          'light (pid differs from main: true): green -> yellow -> red -> green',
          'snapshot in the main process: {"value":"green","context":{"cycles":1},"status":"active"}',
          'total: 42',
          'crashed and restarted from its last snapshot; dead letter: {"type":"ADD","amount":-1}',
          'total after the restart: 42',
          '',
        ].join('\n'),
      ),
  },
  {
    name: 'service-tree',
    promise: 'the tree troupe run starts, used and stopped',
    check: (out) =>
      expect(out).toBe(
        ['total: 5', 'totaliser: running, own process: true', 'light: running, own process: true', ''].join(
          '\n',
        ),
      ),
  },
  {
    name: 'queues-on-nats',
    promise: "host A's orders, put before it stopped, are each finished once by host B's workers",
    check: (out) =>
      expect(out).toBe(
        natsMissing === undefined
          ? [
              'Host A put 20 orders into "orders" and stopped.',
              "Host B's 2 workers finished 20 orders: 1..20, each once.",
              '',
            ].join('\n')
          : 'queues-on-nats: skipped (needs nats-server on PATH, or NATS_URL)\n',
      ),
  },
  {
    name: 'actors-across-hosts',
    promise: 'an actor on host a, a pool across a and b; a SIGKILLed, the actor restarted on b',
    check: (out) =>
      expect(out).toBe(
        natsMissing === undefined
          ? [
              'Hosts up: a, b',
              'tally runs on host a; total 5',
              'pool.map across a and b: 1 4 9 16 25 36 49 64',
              'Host a was SIGKILLed.',
              'tally exited: hostDown',
              'tally restarted on host b; total 0',
              'pool.map on what is left: 81 100',
              '',
            ].join('\n')
          : 'actors-across-hosts: skipped (needs nats-server on PATH, or NATS_URL)\n',
      ),
  },
  {
    name: 'crash-isolation',
    promise: 'the crash is reported and the sibling still answers',
    check: (out) => {
      expect(out).toContain('fragile exited: reason=error, error=something went badly wrong');
      expect(out).toContain('sturdy still answers: 21 * 2 = 42');
      expect(out).toContain('asking fragile now: ActorStoppedError');
    },
  },
];

describe.concurrent('the gallery', () => {
  it('lists every example, each with a check here', async ({ signal }) => {
    const listed = (await runNode([gallery, '--list'], signal)).trimEnd().split('\n');
    expect(listed.map((line) => line.split(/\s/)[0]).sort()).toEqual(expectations.map((e) => e.name).sort());
  });

  for (const { name, promise, check } of expectations) {
    it(`${name}: ${promise}`, { timeout: 60_000 }, async ({ signal }) =>
      check(await runNode([gallery, name], signal)),
    );
  }

  it('refuses an unknown example by name', async ({ signal }) => {
    await expect(runNode([gallery, 'no-such-example'], signal)).rejects.toMatchObject({ code: 2 });
  });
});

describe.concurrent('each example on its own (node --import tsx <file>)', () => {
  for (const { name, promise, check } of expectations) {
    // Exits 0 by itself (its system shut down) and prints what the gallery prints for it.
    it(`${name}: ${promise}`, { timeout: 60_000 }, async ({ signal }) =>
      check(await runNode([exampleFile(name)], signal)),
    );
  }
});

/** Runs at most `free` jobs at once; the others wait their turn, in order. */
function limiter(free: number): <T>(job: () => Promise<T>) => Promise<T> {
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next === undefined) free++;
      else next(); // the slot passes straight to the next job
    }
  };
}
