/** Workers never outlive their root, even when it is SIGKILLed with a busy-looping child. */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Counter, Crasher, sleepForever } from './fixtures/actors.js';
import { goneWithRoot, isAlive } from './support/processes.js';
import { startSystem, tsxExecArgv } from './support/system.js';

describe('orphans', () => {
  it('idle, busy-looping and mid-stream children are all gone within 1 s of the root being SIGKILLed', async () => {
    const script = fileURLToPath(new URL('./fixtures/orphanRoot.ts', import.meta.url));
    const root = spawn(process.execPath, [...tsxExecArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => {
      root.kill('SIGKILL');
    });
    const [line] = (await once(createInterface({ input: root.stdout }), 'line')) as [string];
    const { pids } = JSON.parse(line) as { pids: number[] };
    expect(pids).toHaveLength(4);
    expect(pids.every(isAlive)).toBe(true);

    expect(await goneWithRoot(root, pids)).toBe(true);
  });

  it('leaves no process and no zombie after shutdown, busy and sleeping ones included', async () => {
    const system = await startSystem({ shutdownMs: 500 });
    const idle = await system.spawn(Counter, { start: 0 });
    const busy = await system.spawn(Crasher, undefined);
    await busy.ask({ type: 'spin' });
    const task = await system.process(sleepForever);
    const pids = [idle.pid, busy.pid, task.pid] as number[];
    expect(pids.every(isAlive)).toBe(true);
    await system.shutdown();
    // Reaped, not merely dead: no /proc entry is left at all.
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  });
});
