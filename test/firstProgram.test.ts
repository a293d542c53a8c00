/**
 * A user's first program, run the way a user runs it: the README's example pasted into one file of
 * a fresh project, started with tsx; and the mistakes a first program makes (a module that starts
 * a system at its top level, a definition made inside a function), each of which must end with an
 * error at the call that names the rule, never with a worker starting a system of its own.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, isMainModule } from '@troupe/node-runtime';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = join(repo, 'node_modules', '.bin', 'tsx');

/** A fresh project outside the workspace, with Troupe and tsx installed (as links). */
function freshProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-first-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  mkdirSync(join(dir, 'node_modules', '@troupe'), { recursive: true });
  symlinkSync(join(repo, 'packages', 'node-runtime'), join(dir, 'node_modules', '@troupe', 'node-runtime'));
  symlinkSync(join(repo, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'));
  return dir;
}

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Writes `files` into a fresh project and runs `command` there, to its end. */
function run(
  files: Record<string, string>,
  command: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const dir = freshProject();
  projects.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          stdout,
          stderr,
        }),
    );
  });
}

/** The first ```ts block after `heading` in README.md. */
function readmeExample(heading: string): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`README.md has no ts block after ${heading}`);
  return block;
}

/** What the example's comments say each `console.log(...)` prints: `console.log(x); // 1`. */
function promisedOutput(example: string): string[] {
  return [...example.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => (m[1] as string).trim());
}

describe("the README's taste", () => {
  it('runs as given, pasted into counter.ts of a fresh project, under `npx tsx counter.ts`', async () => {
    const example = readmeExample('## A taste');
    expect(example).toMatch(/^\/\/ counter\.ts/);
    const promised = promisedOutput(example);
    expect(promised).toHaveLength(4);
    const { code, stdout, stderr } = await run({ 'counter.ts': example }, [tsxCli, 'counter.ts']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(promised);
  }, 90_000);

  it('without its main-module guard, fails at the first spawn with the rule, instead of forking without end', async () => {
    const unguarded = readmeExample('## A taste')
      .replace(/^if \(isMainModule\(import\.meta\.url\)\) \{$/m, '{')
      // Each import of the module, in the root or a worker, says so.
      .replace(/^(export const square)/m, "console.log('loaded', process.pid);\n$1");
    const { code, stdout, stderr } = await run({ 'counter.ts': unguarded }, [tsxCli, 'counter.ts']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /DefinitionError: ActorSystem\.start\(\) was called while a Troupe worker was importing file:\/\/.*counter\.ts/,
    );
    expect(stderr).toMatch(/isMainModule\(import\.meta\.url\)/);
    // The root and the one worker its spawn started: no worker started a system of its own.
    expect(stdout.split('\n').filter((line) => line.startsWith('loaded'))).toHaveLength(2);
  }, 90_000);
});

/**
 * A program whose `main()` starts a system and runs a task through a pool and as a process,
 * printing what each call gives; `MODE` says how the module calls main(), `DEFINE` where the
 * task is defined.
 */
const mistakes = `
import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';
const placement = process.env.PLACEMENT as 'process' | 'thread';
const topLevel = defineTask(import.meta.url, 'topLevel', (x: number) => x * x);
async function main() {
  const system = await ActorSystem.start();
  const task = process.env.DEFINE === 'inside' ? defineTask(import.meta.url, 'inner', (x: number) => x * x) : topLevel;
  const say = (error: Error) => \`\${error.name}: \${error.message}\`;
  try {
    const pool = await system.pool({ size: 1, placement });
    console.log('map:', await pool.map(task, [1, 2, 3]).then(String, say));
    console.log('process:', await system.process(task, 3).then(() => 'started', say));
  } finally {
    await system.shutdown();
  }
}
if (process.env.MODE === 'unawaited') main();
else if (process.env.MODE === 'awaited') await main();
else if (isMainModule(import.meta.url)) await main();
`;

describe('mistakes in a first program end in an error naming the rule', () => {
  const rule =
    /DefinitionError: ActorSystem\.start\(\) was called while a Troupe worker was importing file:.*main\.ts.*isMainModule/;
  for (const placement of ['process', 'thread']) {
    for (const mode of ['awaited', 'unawaited']) {
      it(`a module that calls ${mode === 'awaited' ? 'await main()' : 'main() without await'} at its top level, on placement '${placement}'`, async () => {
        const { code, stdout, stderr } = await run(
          { 'main.ts': mistakes },
          ['node', '--import', 'tsx', 'main.ts'],
          {
            MODE: mode,
            PLACEMENT: placement,
            DEFINE: 'top',
          },
        );
        expect(stderr).toBe('');
        expect(code).toBe(0);
        const [map, proc] = stdout.trim().split('\n');
        expect(map).toMatch(new RegExp(`^map: ${rule.source}`));
        expect(proc).toMatch(new RegExp(`^process: ${rule.source}`));
      }, 60_000);
    }

    it(`a task defined inside a function, on placement '${placement}': the pool and the process name the rule at once`, async () => {
      const { code, stdout, stderr } = await run(
        { 'main.ts': mistakes },
        ['node', '--import', 'tsx', 'main.ts'],
        {
          MODE: 'guarded',
          PLACEMENT: placement,
          DEFINE: 'inside',
        },
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const inner =
        /DefinitionError: file:.*main\.ts defines no task named 'inner' once imported \(it defines: task topLevel\)\. Definitions must be made at the top level of their module/;
      const [map, proc] = stdout.trim().split('\n');
      expect(map).toMatch(new RegExp(`^map: ${inner.source}`));
      expect(proc).toMatch(new RegExp(`^process: ${inner.source}`));
    }, 60_000);
  }

  it('a definition made again (inside a function called twice) says why', async () => {
    const twice = `
import { defineTask } from '@troupe/node-runtime';
const make = () => defineTask(import.meta.url, 'sq', (x: number) => x * x);
make();
try { make(); } catch (error) { console.log(String(error)); }
`;
    const { stdout } = await run({ 'twice.ts': twice }, ['node', '--import', 'tsx', 'twice.ts']);
    expect(stdout).toMatch(
      /DefinitionError: Duplicate definition name 'sq' in file:.*twice\.ts.*one made inside a function is made again at each call/,
    );
  }, 60_000);
});

const probe = `
import { ActorSystem, defineActor, isMainModule } from '@troupe/node-runtime';
export const Probe = defineActor(import.meta.url, 'Probe', {
  init: () => null,
  receive: (state, _msg: 'ask', ctx) => {
    ctx.reply(isMainModule(import.meta.url));
    return state;
  },
});
console.log('imported, main:', isMainModule(import.meta.url));
if (isMainModule(import.meta.url)) {
  await using system = await ActorSystem.start();
  for (const placement of ['process', 'thread'] as const) {
    const probe = await system.spawn(Probe, undefined, { placement });
    console.log(placement, 'worker, main:', await probe.ask('ask', { timeoutMs: 20_000 }));
  }
}
`;

describe('isMainModule', () => {
  it('is true for the entry point in the root, and false in its workers (a thread shares the root process.argv)', async () => {
    const { code, stdout, stderr } = await run({ 'probe.ts': probe }, [
      'node',
      '--import',
      'tsx',
      'probe.ts',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'imported, main: true',
      'imported, main: false',
      'process worker, main: false',
      'imported, main: false',
      'thread worker, main: false',
    ]);
  }, 60_000);

  it('is false for a module that is not the entry point', () => {
    // The test runner is the entry point here, not this file.
    expect(isMainModule(import.meta.url)).toBe(false);
  });

  it('refuses anything but a file: URL with InvalidArgumentError naming what to pass', () => {
    for (const bad of [undefined, 42, '/abs/path.ts', 'https://example.com/x.js', 'main.ts']) {
      expect(() => isMainModule(bad as string)).toThrow(InvalidArgumentError);
    }
    expect(() => isMainModule('main.ts')).toThrow(
      /isMainModule\(moduleUrl\) must be the module's own import\.meta\.url/,
    );
  });
});

const crashing = `
import { readFileSync } from 'node:fs';
import { ActorSystem, defineActor, isMainModule } from '@troupe/node-runtime';
export const Fragile = defineActor(import.meta.url, 'Fragile', {
  init: () => 0,
  receive: (n, msg: 'title' | 'shout' | 'throw', ctx) => {
    if (msg === 'title') ctx.reply(readFileSync('/proc/self/cmdline', 'utf8').split('\\0')[0]);
    if (msg === 'shout') {
      console.log('out one\\nout two');
      console.error('err one');
      ctx.reply('done');
    }
    if (msg === 'throw') throw new TypeError('bad message');
    return n;
  },
});
if (isMainModule(import.meta.url)) {
  const options = JSON.parse(process.env.OPTIONS ?? '{}');
  await using system = await ActorSystem.start(options);
  const named = await system.spawn(Fragile, undefined, { name: 'fragile-one', mailbox: 'pipe' });
  const unnamed = await system.spawn(Fragile, undefined, { placement: 'thread' });
  console.log('title:', await named.ask('title'));
  await named.ask('shout');
  await unnamed.ask('shout');
  // An ask is not a watcher: it fails when the actor dies, and the report follows at once.
  await named.ask('throw').catch(() => {});
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
`;

describe('crashes you can see', () => {
  it('a crash nothing watches prints one report to stderr: actor, id, pid, reason and the remote stack', async () => {
    const { code, stderr } = await run({ 'main.ts': crashing }, ['node', '--import', 'tsx', 'main.ts']);
    expect(code).toBe(0);
    const reports = stderr.match(/^Troupe crash report: .*$/gm) ?? [];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      /^Troupe crash report: actor fragile-one \(id [\w-]+, pid \d+, process\) ended: error: bad message$/,
    );
    expect(stderr).toMatch(/TypeError: bad message\n\s+at .*main\.ts/);
  }, 60_000);

  it('logger: false silences it', async () => {
    const { code, stderr } = await run({ 'main.ts': crashing }, ['node', '--import', 'tsx', 'main.ts'], {
      OPTIONS: JSON.stringify({ logger: false }),
    });
    expect(code).toBe(0);
    // What the actors wrote themselves, and nothing else.
    expect(stderr).toBe('err one\nerr one\n');
  }, 60_000);

  it("prefixOutput labels each line of a worker's stdout and stderr; a worker process is titled after its actor", async () => {
    const { code, stdout, stderr } = await run(
      { 'main.ts': crashing },
      ['node', '--import', 'tsx', 'main.ts'],
      {
        OPTIONS: JSON.stringify({ prefixOutput: true }),
      },
    );
    expect(stderr.split('\n').filter((line) => line.includes('err one'))).toEqual([
      '[fragile-one] err one',
      expect.stringMatching(/^\[Fragile#[\w-]+\] err one$/),
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('title: troupe: fragile-one');
    expect(lines.slice(1, 3)).toEqual(['[fragile-one] out one', '[fragile-one] out two']);
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/^\[Fragile#[\w-]+\] out one$/),
      expect.stringMatching(/^\[Fragile#[\w-]+\] out two$/),
    ]);
  }, 60_000);
});
