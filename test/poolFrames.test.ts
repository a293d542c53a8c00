/**
 * The pool's frames travel on its workers' own channels (the protocol's `pool` frame): only a
 * pool worker may send one.
 */

import { ProtocolError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { rawFrame } from './fixtures/exposure.js';
import { identity } from './fixtures/pool.js';
import { startSystem } from './support/system.js';

describe('pool frames', () => {
  it('from a worker that is not a pool worker end that worker with ProtocolError; the pool keeps serving', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1 });
    const hostile = await system.process(rawFrame, { t: 'pool', body: { begun: 1 } });
    const exit = await hostile.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(ProtocolError);
    await expect(pool.map(identity, [1, 2, 3])).resolves.toEqual([1, 2, 3]);
  });
});
