/**
 * One worker's own surroundings: `env`, `cwd` and `execArgv` spawn options (and the same in a
 * supervised child's spec), with the placements each cannot apply to refused at the call.
 */

import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@troupe/node-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { Surroundings } from './fixtures/actors.js';
import { startSystem } from './support/system.js';

interface Seen {
  value: string | undefined;
  run: string | undefined;
  cwd: string;
  execArgv: string[];
  inspector: boolean;
}

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'troupe-cwd-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a worker of its own', () => {
  for (const placement of ['process', 'thread'] as const) {
    it(`env on placement '${placement}' adds to the root's environment, for that worker only`, async () => {
      const system = await startSystem();
      const own = await system.spawn(Surroundings, undefined, { placement, env: { TROUPE_COLOUR: 'blue' } });
      const plain = await system.spawn(Surroundings, undefined, { placement });
      const seen = (await own.ask('TROUPE_COLOUR', { timeoutMs: 20_000 })) as Seen;
      expect(seen.value).toBe('blue');
      // The rest of the root's environment is still there.
      expect(seen.run).toBe(process.env.TROUPE_TEST_RUN);
      expect(((await plain.ask('TROUPE_COLOUR', { timeoutMs: 20_000 })) as Seen).value).toBeUndefined();
      expect(process.env.TROUPE_COLOUR).toBeUndefined();
    });
  }

  it('cwd sets the working directory of a worker process', async () => {
    const system = await startSystem();
    const actor = await system.spawn(Surroundings, undefined, { cwd: dir });
    expect(((await actor.ask('x', { timeoutMs: 20_000 })) as Seen).cwd).toBe(dir);
    const plain = await system.spawn(Surroundings, undefined);
    expect(((await plain.ask('x', { timeoutMs: 20_000 })) as Seen).cwd).toBe(process.cwd());
  });

  it('execArgv adds Node flags for one worker: a debugger on loopback for that worker alone', async () => {
    const system = await startSystem();
    const debugged = await system.spawn(Surroundings, undefined, { execArgv: ['--inspect=127.0.0.1:0'] });
    const seen = (await debugged.ask('x', { timeoutMs: 20_000 })) as Seen;
    expect(seen.inspector).toBe(true);
    // The system's own flags (the TypeScript loader) are kept.
    expect(seen.execArgv).toContain('--inspect=127.0.0.1:0');
    const plain = await system.spawn(Surroundings, undefined);
    expect(((await plain.ask('x', { timeoutMs: 20_000 })) as Seen).inspector).toBe(false);
  });

  it('a supervised child takes env, cwd and execArgv from its spec, in every incarnation', async () => {
    const system = await startSystem();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 's', actor: Surroundings, env: { TROUPE_COLOUR: 'green' }, cwd: dir }],
    });
    const child = sup.child('s');
    const first = (await child?.ask('TROUPE_COLOUR', { timeoutMs: 20_000 })) as Seen;
    expect(first).toMatchObject({ value: 'green', cwd: dir });
    process.kill(child?.pid as number, 'SIGKILL');
    const again = (await child?.ask('TROUPE_COLOUR', { timeoutMs: 20_000 })) as Seen;
    expect(again).toMatchObject({ value: 'green', cwd: dir });
  });

  it('refuses, at the call, what a placement cannot do and values of the wrong kind, naming the option', async () => {
    const system = await startSystem();
    const refused = async (options: object, message: RegExp) => {
      const spawning = system.spawn(Surroundings, undefined, options);
      await expect(spawning).rejects.toThrow(InvalidArgumentError);
      await expect(spawning).rejects.toThrow(message);
    };
    await refused({ placement: 'thread', cwd: dir }, /^cwd cannot apply to placement 'thread'/);
    await refused({ placement: 'local', env: { A: 'b' } }, /^env cannot apply to placement 'local'/);
    await refused({ placement: 'local', execArgv: [] }, /^execArgv cannot apply to placement 'local'/);
    await refused({ env: { A: 1 } }, /^env must be an object of string values/);
    await refused({ env: 'A=b' }, /^env must be an object of string values/);
    await refused({ cwd: '' }, /^cwd must be a directory path/);
    await refused({ execArgv: '--inspect' }, /^execArgv must be an array of strings/);
    expect(system.stats().workers).toBe(0);
  });
});
