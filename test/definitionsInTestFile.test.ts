/**
 * The mistake itself: a task defined in a test file. A worker imports the whole file to find it,
 * test-runner calls and all, and that import fails; the error says so, instead of blaming the
 * TypeScript loader.
 */

import { DefinitionError, defineTask } from '@troupe/node-runtime';
import { describe, expect, it } from 'vitest';
import { startSystem } from './support/system.js';

// biome-ignore lint/suspicious/noExportsInTest: the mistake under test is exactly this export
export const squareHere = defineTask(import.meta.url, 'squareHere', (x: number) => x * x);

describe('a definition made in a test file', () => {
  it('fails in a process and in a pool with an error that names the rule, not the loader', async () => {
    const system = await startSystem();
    const failure = await system.process(squareHere, 3).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DefinitionError);
    expect((failure as Error).message).toMatch(
      /^Cannot import file:.*definitionsInTestFile\.test\.ts: \w*Error: .*\. Definitions in a test file do not work/s,
    );
    expect((failure as Error).message).not.toMatch(/loader/);
    const pool = await system.pool({ size: 1 });
    await expect(pool.map(squareHere, [1, 2])).rejects.toThrow(/Definitions in a test file do not work/);
  });
});
