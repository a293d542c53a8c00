/** Every gallery example runs from the command line and prints what it promises. */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tsxExecArgv } from './support/system.js';

const gallery = fileURLToPath(new URL('../packages/examples/src/gallery.ts', import.meta.url));

async function runGallery(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...tsxExecArgv, gallery, ...args], {
    timeout: 60_000,
  });
  return stdout;
}

describe('the gallery', () => {
  it('lists its examples', async () => {
    const out = await runGallery('--list');
    for (const name of [
      'hello-process',
      'four-processes',
      'counter-actor',
      'queue-workers',
      'pipe-ping-pong',
      'supervisor-restart',
      'machine-light',
      'service-tree',
      'crash-isolation',
    ]) {
      expect(out).toMatch(new RegExp(`^${name}\\s`, 'm'));
    }
  });

  it('hello-process: the child speaks first, then the main process', async () => {
    expect(await runGallery('hello-process')).toBe(
      'Hello from the child process!\nHello from the main process!\n',
    );
  });

  it("four-processes: the seed's lines from the pool of four, then from four processes, each in any order", async () => {
    const seed = ['Process 1: 1', 'Process 2: 2', 'Process 3: 3', 'Process 4: 4'];
    const lines = (await runGallery('four-processes')).trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines.slice(0, 4).sort()).toEqual(seed);
    expect(lines[4]).toBe('The same with four system.process calls:');
    expect(lines.slice(5).sort()).toEqual(seed);
  });

  it('pool-squares: the squares in input order', async () => {
    expect(await runGallery('pool-squares')).toBe('Squared results: [1, 4, 9, 16, 25]\n');
  });

  it("label-encode: the seed's encoded labels and sorted classes", async () => {
    expect(await runGallery('label-encode')).toBe(
      [
        'Encoded colors: [2 1 0 2 1 0]',
        "Classes: ['blue' 'green' 'red']",
        'Encoded sizes: [2 1 0 1 2 0]',
        "Classes: ['large' 'medium' 'small']",
        'Encoded materials: [2 0 1 0 1 2]',
        "Classes: ['metal' 'plastic' 'wood']",
        '',
      ].join('\n'),
    );
  });

  it('pool-survives: the map completes although a worker was killed mid-map', async () => {
    expect(await runGallery('pool-survives')).toBe(
      'results: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]\nand the pool still serves: [42]\n',
    );
  });

  it('imap-progress: progress lines when not on a terminal, then the count', async () => {
    expect(await runGallery('imap-progress')).toBe(
      [
        '5000/20000 checked',
        '10000/20000 checked',
        '15000/20000 checked',
        '20000/20000 checked',
        '1472 primes between 1000000 and 1020000',
        '',
      ].join('\n'),
    );
  });

  it('counter-actor: the same sum on every placement', async () => {
    const out = await runGallery('counter-actor');
    for (const placement of ['process', 'thread', 'local']) {
      expect(out).toMatch(new RegExp(`^${placement}\\s+counter: 1 \\+ 2 \\+ \\.\\.\\. \\+ 10 = 55$`, 'm'));
    }
  });

  it('crash-isolation: the crash is reported and the sibling still answers', async () => {
    const out = await runGallery('crash-isolation');
    expect(out).toContain('fragile exited: reason=error, error=something went badly wrong');
    expect(out).toContain('sturdy still answers: 21 * 2 = 42');
    expect(out).toContain('asking fragile now: ActorStoppedError');
  });

  it('queue-workers: every item consumed exactly once', async () => {
    expect(await runGallery('queue-workers')).toBe(
      '3 producers, 2 consumers: 30000 items, sum 449985000 (expected 449985000)\n',
    );
  });

  it('pipe-ping-pong: a thousand volleys between two processes', async () => {
    const out = await runGallery('pipe-ping-pong');
    expect(out).toMatch(/^1000 volleys between processes \d+ and \d+$/m);
    expect(out).toMatch(/^frames relayed by the main process: \d+ \(before the link\)$/m);
  });

  it('supervisor-restart: two restarts with new pids, then the supervisor escalates', async () => {
    expect(await runGallery('supervisor-restart')).toBe(
      [
        'crash 1: restarted (pid changed: true), restarts so far: 1',
        'crash 2: restarted (pid changed: true), restarts so far: 2',
        'crash 3: supervisor escalated (EscalationError)',
        '',
      ].join('\n'),
    );
  });

  it('machine-light: the light steps in a child process; the counter comes back from its snapshot', async () => {
    expect(await runGallery('machine-light')).toBe(
      [
        'light (pid differs from main: true): green -> yellow -> red -> green',
        'snapshot in the main process: {"value":"green","context":{"cycles":1},"status":"active"}',
        'total: 42',
        'crashed and restarted from its last snapshot; dead letter: {"type":"ADD","amount":-1}',
        'total after the restart: 42',
        '',
      ].join('\n'),
    );
  });

  it('service-tree: the tree troupe run starts, used and stopped', async () => {
    expect(await runGallery('service-tree')).toBe(
      ['total: 5', 'totaliser: running, own process: true', 'light: running, own process: true', ''].join(
        '\n',
      ),
    );
  });

  it('refuses an unknown example by name', async () => {
    await expect(runGallery('no-such-example')).rejects.toMatchObject({ code: 2 });
  });
});
