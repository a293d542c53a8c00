import { Worker } from 'node:worker_threads';
import { SpawnError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { withThreadFlags } from '../src/placements/threadFlags.js';

/** Starts like `new Worker`: refuses, as Node does, any of `refused` (listing them), else returns the flags. */
function fakeStart(refused: readonly string[], calls: string[][]) {
  return (execArgv: string[]): string[] => {
    calls.push(execArgv);
    const bad = execArgv.filter((flag) => refused.includes(flag));
    if (bad.length > 0) {
      throw Object.assign(new Error(`Initiated Worker with invalid execArgv flags: ${bad.join(', ')}`), {
        code: 'ERR_WORKER_INVALID_EXEC_ARGV',
      });
    }
    return execArgv;
  };
}

describe('withThreadFlags', () => {
  it('starts with every flag when the thread takes them all', () => {
    const calls: string[][] = [];
    const flags = ['--import', 'tsx', '--no-warnings', '--conditions=a'];
    expect(withThreadFlags(flags, fakeStart([], calls))).toEqual(flags);
    expect(calls).toHaveLength(1);
  });

  it('leaves out the flags refused, with their values, and keeps the others in order', () => {
    const calls: string[][] = [];
    const flags = [
      '--expose-gc',
      '--import',
      'tsx',
      '--title',
      'root',
      '--max-semi-space-size=16',
      '-r',
      'x',
    ];
    const start = fakeStart(['--expose-gc', '--title', '--max-semi-space-size=16'], calls);
    expect(withThreadFlags(flags, start)).toEqual(['--import', 'tsx', '-r', 'x']);
    expect(calls).toHaveLength(2);
    // Known from then on: the next thread starts without them at the first try.
    expect(withThreadFlags(flags, start)).toEqual(['--import', 'tsx', '-r', 'x']);
    expect(calls).toHaveLength(3);
  });

  it('throws SpawnError naming the flags when leaving out those listed does not help', () => {
    const stubborn = () => {
      throw Object.assign(new Error('Initiated Worker with invalid execArgv flags: --weird'), {
        code: 'ERR_WORKER_INVALID_EXEC_ARGV',
      });
    };
    const error = (() => {
      try {
        withThreadFlags(['--weird', '--other'], stubborn);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(SpawnError);
    expect(error?.message).toMatch(/cannot start with the Node flags --weird of execArgv/);
    expect(error?.message).toMatch(/placement 'process'/);
    expect(error?.cause).toMatchObject({ code: 'ERR_WORKER_INVALID_EXEC_ARGV' });
  });

  it('rethrows any other error of the start', () => {
    const boom = new TypeError('boom');
    expect(() =>
      withThreadFlags(['--a-flag-of-its-own'], () => {
        throw boom;
      }),
    ).toThrow(boom);
  });

  it("starts a real thread under flags Node refuses for threads (this Node's list)", async () => {
    const worker = withThreadFlags(
      ['--expose-gc', '--max-old-space-size=200', '--no-warnings'],
      (execArgv) =>
        new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', {
          eval: true,
          execArgv,
        }),
    );
    try {
      const seen = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(seen).toEqual(['--no-warnings']);
    } finally {
      await worker.terminate();
    }
  });
});
