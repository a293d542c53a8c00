import { describe, expect, it } from 'vitest';
import {
  isTsxLoader,
  isTsxPreflight,
  nodeOptionsArgs,
  preloadsOf,
  toNodeOptions,
} from '../src/shared/preloads.js';

const PREFLIGHT = '/app/node_modules/.pnpm/tsx@4.20.0/node_modules/tsx/dist/preflight.cjs';
const LOADER = 'file:///app/node_modules/.pnpm/tsx@4.20.0/node_modules/tsx/dist/loader.mjs';

describe('preloadsOf', () => {
  it('reads --require, -r and --import, with their values spaced or after =, in order', () => {
    expect(
      preloadsOf([
        '--require',
        PREFLIGHT,
        '--no-warnings',
        '--import',
        LOADER,
        '-r',
        'dotenv/config',
        '--import=./a.mjs',
      ]),
    ).toEqual([
      { flag: '--require', specifier: PREFLIGHT },
      { flag: '--import', specifier: LOADER },
      { flag: '--require', specifier: 'dotenv/config' },
      { flag: '--import', specifier: './a.mjs' },
    ]);
  });

  it('takes the values of other flags for no preload', () => {
    expect(preloadsOf(['--title', 'tsx', '--conditions=tsx', '--max-old-space-size=64'])).toEqual([]);
  });
});

describe('tsx recognition', () => {
  it('knows tsx by its package name and the tsx CLI by its files, wherever they are installed', () => {
    expect(isTsxLoader('tsx')).toBe(true);
    expect(isTsxLoader(LOADER)).toBe(true);
    expect(
      isTsxLoader('C:\\Users\\me\\AppData\\npm-cache\\_npx\\1\\node_modules\\tsx\\dist\\loader.mjs'),
    ).toBe(true);
    expect(isTsxPreflight(PREFLIGHT)).toBe(true);
    for (const other of ['tsx-like', './tsx', 'file:///app/not-tsx/dist/loader.mjs', PREFLIGHT]) {
      expect(isTsxLoader(other)).toBe(false);
    }
    expect(isTsxPreflight(LOADER)).toBe(false);
  });
});

describe('nodeOptionsArgs', () => {
  it('splits at spaces as Node does, keeping quoted spaces and escaped quotes', () => {
    expect(nodeOptionsArgs(undefined)).toEqual([]);
    expect(nodeOptionsArgs('  --import=tsx   --no-warnings ')).toEqual(['--import=tsx', '--no-warnings']);
    expect(nodeOptionsArgs('--require "/my app/pre.cjs" --title "say \\"hi\\""')).toEqual([
      '--require',
      '/my app/pre.cjs',
      '--title',
      'say "hi"',
    ]);
  });

  it('refuses what Node refuses: an unterminated quote or a trailing escape', () => {
    expect(nodeOptionsArgs('--import "tsx')).toBeUndefined();
    expect(nodeOptionsArgs('--title "a\\')).toBeUndefined();
  });

  it('reads back what toNodeOptions writes', () => {
    const args = ['--require', '/my app/pre.cjs', '--title', 'say "hi" \\ there', '--no-warnings'];
    expect(nodeOptionsArgs(toNodeOptions(args))).toEqual(args);
    expect(toNodeOptions(['--no-warnings', '--enable-source-maps'])).toBe(
      '--no-warnings --enable-source-maps',
    );
  });
});
