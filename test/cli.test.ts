/** The `troupe` CLI, as a user runs it: a real process, its plain (non-terminal) output, signals. */

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

const cli = fileURLToPath(new URL('../packages/node-runtime/bin/troupe.js', import.meta.url));
const serviceTree = fileURLToPath(
  new URL('../packages/examples/src/examples/service-tree.ts', import.meta.url),
);

/** Starts `troupe ...args`; its output lines can be awaited one by one. */
function troupe(...args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child: child as ChildProcess,
    lines,
    exited,
    /** The first line (already printed or still to come) that matches. */
    line(match: RegExp): Promise<string> {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match: (l) => match.test(l), resolve }));
    },
  };
}

const pidOf = (line: string) => Number(/pid=(\d+)/.exec(line)?.[1]);

describe('troupe run', () => {
  it('shows the tree as log lines, survives a child SIGKILLed from outside, and stops in order on SIGINT', async () => {
    const run = troupe('run', serviceTree, '--interval', '100');
    const first = await run.line(
      / totaliser pid=\d+ placement=process state=running restarts=0 uptime=\d+s cpu=(-|\d+%) mailbox=0 memory=[\d.]+MB/,
    );
    await run.line(/ light pid=\d+ placement=process state=running restarts=0/);
    const pid = pidOf(first);
    process.kill(pid, 'SIGKILL');
    const back = await run.line(/ totaliser pid=\d+ .*state=running restarts=1/);
    expect(pidOf(back)).not.toBe(pid);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.lines.at(-1)).toMatch(/ stopped: SIGINT$/);
    expect(run.lines.some((l) => / SIGINT: stopping the tree$/.test(l))).toBe(true);
    expect(run.lines.filter((l) => /state=stopped/.test(l))).toHaveLength(2);
  });

  it('says why a tree stopped when its supervisor gives up: which child, its restarts, its last exit', async () => {
    const run = troupe(
      'run',
      fileURLToPath(new URL('./fixtures/givingUp.ts', import.meta.url)),
      '--interval',
      '100',
    );
    expect(await run.exited).toBe(1);
    const why =
      "supervisor 'doomed' gave up after child 'flaky' (restarted 2 times) ended with error: flaky boom; " +
      'more than 2 restart(s) within 60000 ms';
    expect(run.lines.some((l) => l.endsWith(` ${why}: stopping the tree`))).toBe(true);
    expect(run.lines.some((l) => l.endsWith(` stopped: ${why}`))).toBe(true);
    expect(run.lines.join('\n')).toMatch(
      /last exit of 'flaky': RangeError: flaky boom\n\s+at .*givingUp\.ts/,
    );
  });

  it('prints its version', async () => {
    const run = troupe('--version');
    expect(await run.exited).toBe(0);
    expect(run.lines).toEqual([
      JSON.parse(readFileSync(new URL('../packages/node-runtime/package.json', import.meta.url), 'utf8'))
        .version,
    ]);
  });

  it('names the problem and exits 2 for a missing module or one without a tree', async () => {
    const missing = troupe('run', 'no/such/module.ts');
    expect(await missing.exited).toBe(2);
    expect(missing.lines.join('\n')).toMatch(/No such module: .*no\/such\/module\.ts/);
    const noTree = troupe('run', fileURLToPath(new URL('./fixtures/actors.ts', import.meta.url)));
    expect(await noTree.exited).toBe(2);
    expect(noTree.lines.join('\n')).toMatch(/exports no supervision tree as 'default'/);
  });

  it('refuses bad usage with a message', async () => {
    const noModule = troupe('run');
    expect(await noModule.exited).not.toBe(0);
    expect(noModule.lines.join('\n')).toMatch(/missing required argument 'module'/);
    const badInterval = troupe('run', serviceTree, '--interval', '-5');
    expect(await badInterval.exited).not.toBe(0);
    expect(badInterval.lines.join('\n')).toMatch(/positive whole number/);
  });
});

describe('troupe node and troupe status, with nothing to reach', () => {
  it('say so in one line and exit 2, for a server that does not answer and for bad options', async () => {
    // A port that was free a moment ago: nothing answers there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const url = `nats://127.0.0.1:${port}`;
    const node = troupe('node', '--nats', url, '--name', 'a');
    expect(await node.exited).toBe(2);
    expect(node.lines.join('\n')).toMatch(
      /troupe node: Could not connect to NATS at nats:\/\/127\.0\.0\.1:\d+/,
    );
    const badName = troupe('node', '--nats', url, '--name', 'not a name');
    expect(await badName.exited).toBe(2);
    expect(badName.lines.join('\n')).toMatch(/troupe node: name must be a host name/);
    const status = troupe('status', '--nats', url);
    expect(await status.exited).toBe(2);
    expect(status.lines.join('\n')).toMatch(/troupe status: Could not connect to NATS/);
    const missing = troupe('node', '--name', 'a');
    expect(await missing.exited).not.toBe(0);
    expect(missing.lines.join('\n')).toMatch(/required option '--nats <url>'/);
  });
});
