import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/Clock.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { MAX_WORKERS } from '../../src/limits.js';
import { SUPERVISOR_DEFAULTS } from '../../src/supervision/defaults.js';
import { Supervisor } from '../../src/supervision/Supervisor.js';
import { resolveSupervisorOptions } from '../../src/supervision/validateOptions.js';
import { FakeRuntime, Noop, worker } from './fakeRuntime.js';

const base = { strategy: 'one_for_one', children: [] } as const;

function make(options: unknown): Supervisor {
  return new Supervisor(options as never, new FakeRuntime(), { clock: new SimulatedClock() });
}

describe('supervisor options', () => {
  it('applies the documented defaults', () => {
    const options = resolveSupervisorOptions({
      strategy: 'one_for_all',
      backoff: { minMs: 10, maxMs: 80 },
      children: [worker('w'), { id: 's', type: 'supervisor', supervisor: base }],
    });
    expect(options).toMatchObject({
      strategy: 'one_for_all',
      maxRestarts: 3,
      withinMs: 5000,
      heartbeatMs: undefined,
      maxChildren: MAX_WORKERS,
      backoff: { minMs: 10, maxMs: 80, randomFactor: 0, resetAfterMs: 80 },
    });
    expect(
      options.children.map(({ id, type, restart, shutdown }) => ({ id, type, restart, shutdown })),
    ).toEqual([
      { id: 'w', type: 'worker', restart: 'permanent', shutdown: 5000 },
      { id: 's', type: 'supervisor', restart: 'permanent', shutdown: 'infinity' },
    ]);
    expect(SUPERVISOR_DEFAULTS).toEqual({
      restart: 'permanent',
      workerShutdownMs: 5000,
      supervisorShutdown: 'infinity',
      maxRestarts: 3,
      withinMs: 5000,
      randomFactor: 0,
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 42, /options/],
    ['strategy', { ...base, strategy: 'one_for_some' }, /strategy.*'one_for_one'.*"one_for_some"/],
    ['strategy missing', { children: [] }, /strategy/],
    ['maxRestarts negative', { ...base, maxRestarts: -1 }, /maxRestarts: expected an integer ≥ 0, got -1/],
    ['maxRestarts fractional', { ...base, maxRestarts: 1.5 }, /maxRestarts/],
    ['withinMs zero', { ...base, withinMs: 0 }, /withinMs: expected a finite number > 0, got 0/],
    ['withinMs infinite', { ...base, withinMs: Number.POSITIVE_INFINITY }, /withinMs/],
    ['backoff not an object', { ...base, backoff: 5 }, /backoff: expected an object/],
    ['backoff.minMs', { ...base, backoff: { minMs: 0, maxMs: 10 } }, /backoff\.minMs/],
    ['backoff.maxMs < minMs', { ...base, backoff: { minMs: 10, maxMs: 5 } }, /backoff\.maxMs: .*≥ 10/],
    ['backoff.randomFactor', { ...base, backoff: { minMs: 1, maxMs: 5, randomFactor: -1 } }, /randomFactor/],
    ['backoff.resetAfterMs', { ...base, backoff: { minMs: 1, maxMs: 5, resetAfterMs: 'x' } }, /resetAfterMs/],
    ['heartbeatMs', { ...base, heartbeatMs: -5 }, /heartbeatMs/],
    ['name empty', { ...base, name: '' }, /option name: expected a non-empty string, got ""/],
    ['name not a string', { ...base, name: 7 }, /option name: expected a non-empty string, got 7/],
    [
      'nested name',
      { ...base, children: [{ id: 's', type: 'supervisor', supervisor: { ...base, name: null } }] },
      /children\[0\]\.supervisor\.name: expected a non-empty string, got null/,
    ],
    ['maxChildren', { ...base, maxChildren: 1.5 }, /maxChildren/],
    [
      'maxChildren over MAX_WORKERS',
      { ...base, maxChildren: 1025 },
      /maxChildren: expected at most 1024 \(MAX_WORKERS; nest supervisors for more\), got 1025/,
    ],
    ['maxChildren infinite', { ...base, maxChildren: Number.POSITIVE_INFINITY }, /maxChildren/],
    [
      'more children than MAX_WORKERS',
      { ...base, children: Array.from({ length: 1025 }, (_, i) => worker(`w${i}`)) },
      /option children: expected at most 1024 child specs \(MAX_WORKERS; nest supervisors for more\), got 1025/,
    ],
    [
      'maxChildren below children',
      { ...base, maxChildren: 1, children: [worker('a'), worker('b')] },
      /maxChildren/,
    ],
    ['children not an array', { strategy: 'one_for_one', children: {} }, /children: expected an array/],
    ['child not an object', { ...base, children: [null] }, /children\[0\]: expected a child spec/],
    ['child id empty', { ...base, children: [worker('')] }, /children\[0\]\.id: expected a non-empty string/],
    [
      'child id duplicate',
      { ...base, children: [worker('a'), worker('a')] },
      /children\[1\]\.id: .*unique.*"a"/,
    ],
    ['child actor', { ...base, children: [{ id: 'a', actor: {}, args: null }] }, /children\[0\]\.actor/],
    ['child type', { ...base, children: [{ ...worker('a'), type: 'daemon' }] }, /children\[0\]\.type/],
    [
      'child restart',
      { ...base, children: [{ ...worker('a'), restart: 'always' }] },
      /children\[0\]\.restart/,
    ],
    ['child shutdown', { ...base, children: [{ ...worker('a'), shutdown: -1 }] }, /children\[0\]\.shutdown/],
    [
      'nested option',
      { ...base, children: [{ id: 's', type: 'supervisor', supervisor: { ...base, maxRestarts: -2 } }] },
      /children\[0\]\.supervisor\.maxRestarts/,
    ],
    [
      'nested options missing',
      { ...base, children: [{ id: 's', type: 'supervisor' }] },
      /children\[0\]\.supervisor/,
    ],
  ];
  for (const [what, options, message] of bad) {
    it(`rejects ${what} with an InvalidArgumentError naming the option`, () => {
      expect(() => make(options)).toThrow(InvalidArgumentError);
      expect(() => make(options)).toThrow(message);
    });
  }

  it('takes a child spec without args as one whose args are undefined', () => {
    const options = resolveSupervisorOptions({ ...base, children: [{ id: 'a', actor: Noop }] });
    const [child] = options.children;
    expect(child).toMatchObject({ id: 'a', type: 'worker', restart: 'permanent' });
    expect((child?.spec as { args?: unknown } | undefined)?.args).toBeUndefined();
  });

  it('accepts args of null and every shutdown value', () => {
    expect(() =>
      make({
        ...base,
        children: [
          { id: 'a', actor: Noop, args: null, shutdown: 0 },
          { ...worker('b'), shutdown: 'brutal_kill' },
          { ...worker('c'), shutdown: 'infinity' },
        ],
      }),
    ).not.toThrow();
  });
});
