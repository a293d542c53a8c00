import { describe, expect, it } from 'vitest';
import { withoutTsx } from '../src/shared/workerEnv.js';

const PREFLIGHT = '/app/node_modules/tsx/dist/preflight.cjs';
const LOADER = 'file:///app/node_modules/tsx/dist/loader.mjs';

describe('withoutTsx', () => {
  it('hands over --import tsx in either spelling, keeping the other flags', () => {
    for (const flag of [['--import', 'tsx'], ['--import=tsx']]) {
      expect(withoutTsx([...flag, '--no-warnings'], undefined)).toEqual({
        execArgv: ['--no-warnings'],
        nodeOptions: undefined,
        handOver: { preloads: [{ flag: '--import', specifier: 'tsx' }], execArgv: ['--import', 'tsx'] },
      });
    }
  });

  it("hands over the tsx CLI's preflight and loader together", () => {
    expect(
      withoutTsx(['--require', PREFLIGHT, '--import', LOADER, '--enable-source-maps'], undefined),
    ).toEqual({
      execArgv: ['--enable-source-maps'],
      nodeOptions: undefined,
      handOver: {
        preloads: [
          { flag: '--require', specifier: PREFLIGHT },
          { flag: '--import', specifier: LOADER },
        ],
        execArgv: ['--require', PREFLIGHT, '--import', LOADER],
      },
    });
  });

  it('takes tsx out of NODE_OPTIONS, keeping the rest, and hands over the value to put back', () => {
    expect(withoutTsx(['--expose-gc'], '--no-warnings --import=tsx')).toEqual({
      execArgv: ['--expose-gc'],
      nodeOptions: '--no-warnings',
      handOver: {
        preloads: [{ flag: '--import', specifier: 'tsx' }],
        execArgv: [],
        nodeOptions: '--no-warnings --import=tsx',
      },
    });
    // Nothing left: NODE_OPTIONS is left out.
    expect(withoutTsx([], '--import tsx').nodeOptions).toBeUndefined();
    // Untouched when tsx is not in it.
    expect(withoutTsx(['--import', 'tsx'], '--no-warnings  --trace-warnings')).toMatchObject({
      nodeOptions: '--no-warnings  --trace-warnings',
      handOver: { execArgv: ['--import', 'tsx'] },
    });
  });

  it('changes nothing without tsx, or when a preload comes after tsx (it may need tsx to load)', () => {
    const cases: [string[], string | undefined][] = [
      [['--import', './setup.mjs', '--no-warnings'], undefined],
      [['--require', PREFLIGHT], undefined],
      [['--import', 'tsx', '--import', './setup.ts'], undefined],
      [['--require', PREFLIGHT, '--import', LOADER, '--require', './setup.ts'], undefined],
      [['--loader', './hooks.mjs'], '--import=tsx'],
      [['--import', './setup.ts'], '--import=tsx'],
      [['--import', 'tsx'], '--import "unterminated'],
    ];
    for (const [execArgv, nodeOptions] of cases) {
      expect(withoutTsx(execArgv, nodeOptions)).toEqual({ execArgv, nodeOptions, handOver: undefined });
    }
  });

  it('leaves preloads before tsx where they are: they run before it either way', () => {
    expect(withoutTsx(['--import', './first.mjs', '--import', 'tsx'], '--require ./env.cjs')).toEqual({
      execArgv: ['--import', './first.mjs'],
      nodeOptions: '--require ./env.cjs',
      handOver: { preloads: [{ flag: '--import', specifier: 'tsx' }], execArgv: ['--import', 'tsx'] },
    });
  });
});
