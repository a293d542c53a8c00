/**
 * Workers inherit the TypeScript loader the root runs under, on every placement: a small
 * TypeScript app run with the tsx CLI (`npx tsx main.ts`), with `node --import tsx` and with
 * `NODE_OPTIONS=--import=tsx`. And when a TypeScript module cannot be imported in a worker, the
 * error names the real cause: the missing loader only when there is none.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { descendantsOf, isAlive } from './support/processes.js';

const appDir = fileURLToPath(new URL('./fixtures/tsxApp/', import.meta.url));
const tsxCli = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

interface Launch {
  readonly how: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const launches: readonly Launch[] = [
  // What `npx tsx main.ts` runs: the CLI starts node with --require <tsx>/preflight.cjs --import <tsx>/loader.mjs.
  { how: 'the tsx CLI (npx tsx main.ts)', command: tsxCli, args: [], env: {} },
  { how: 'node --import tsx', command: process.execPath, args: ['--import', 'tsx'], env: {} },
  {
    how: 'NODE_OPTIONS=--import=tsx',
    command: process.execPath,
    args: [],
    env: { NODE_OPTIONS: '--import=tsx' },
  },
];

/**
 * Runs `script` of the app (cwd: its directory) as `launch` starts it, and resolves with its exit
 * code and output once it has exited. Whatever is left of it when the test finishes (the root,
 * the tsx CLI's child, their workers) is killed.
 */
async function run(launch: Launch, script: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env };
  if (launch.env.NODE_OPTIONS === undefined) delete env.NODE_OPTIONS;
  const child = spawn(launch.command, [...launch.args, script, ...args], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.pid === undefined || !isAlive(child.pid)) return;
    for (const pid of [child.pid, ...descendantsOf(child.pid)]) process.kill(pid, 'SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe.each(launches)('an app started with $how', (launch) => {
  it('runs actors on every placement, a process task, a thread pool and a process pool', async () => {
    const { code, stdout, stderr } = await run(launch, 'main.ts');
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, 6), stderr).toEqual([
      'process actor: 42',
      'thread actor: 42',
      'local actor: 42',
      'process task: 49',
      'thread pool: 1 4 9 16',
      'process pool: 1 4 9 16',
    ]);
    const root = JSON.parse((lines[6] ?? '').replace(/^root: /, ''));
    const worker = JSON.parse((lines[7] ?? '').replace(/^worker: /, ''));
    expect(lines).toHaveLength(8);
    // A worker process shows the root's loader, flags and NODE_OPTIONS alike, so what it forks
    // gets it too...
    expect(worker.shows).toEqual(root);
    // ...but started without it, and registered it once the runtime had loaded (the fast path).
    expect(worker.startedWith).toEqual({ tsxHandedOver: true, nodeOptions: null });
  });
});

describe('a TypeScript module that cannot be imported in a worker', () => {
  it('names the real cause (a syntax error, a throw at the top level), and blames the loader only when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-tsx-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'syntaxError.ts'), 'export const answer: number = ;\n');
    writeFileSync(
      join(dir, 'throwsAtTop.ts'),
      "const where: string = 'the top level';\nthrow new Error('thrown at ' + where);\n",
    );
    const { code, stdout, stderr } = await run(launches[0] as Launch, 'failures.ts', dir);
    expect(code, stderr).toBe(0);
    const failures = JSON.parse(stdout) as Record<string, { name: string; message: string }>;
    const blamesLoader = /TypeScript loader|--import tsx/;
    for (const placement of ['process', 'thread']) {
      // The spawn rejects with the DefinitionError itself.
      const syntax = failures[`syntax error ${placement}`];
      expect(syntax?.name).toBe('DefinitionError');
      expect(syntax?.message).toContain(`Cannot import file://${join(dir, 'syntaxError.ts')}: `);
      expect(syntax?.message).toMatch(/syntaxError\.ts:1:\d+: ERROR: Unexpected ";"/);
      expect(syntax?.message).not.toMatch(blamesLoader);

      const thrown = failures[`top-level throw ${placement}`];
      expect(thrown).toEqual({
        name: 'DefinitionError',
        message: `Cannot import file://${join(dir, 'throwsAtTop.ts')}: Error: thrown at the top level`,
      });

      const noLoader = failures[`no loader ${placement}`];
      expect(noLoader?.name).toBe('DefinitionError');
      expect(noLoader?.message).toContain(
        `Cannot import file://${join(appDir, 'work.ts')}: Node has no TypeScript loader`,
      );
      expect(noLoader?.message).toContain('Unknown file extension ".ts"');
      expect(noLoader?.message).toMatch(blamesLoader);
    }
  });
});
