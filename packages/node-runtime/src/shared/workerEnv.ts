import {
  type Flag,
  flagsOf,
  isTsxLoader,
  isTsxPreload,
  loadsCode,
  nodeOptionsArgs,
  type Preload,
  preloadOf,
  toNodeOptions,
} from './preloads.js';

/** Environment variable carrying `maxMessageBytes` to a child process worker. */
export const MAX_BYTES_ENV = 'TROUPE_MAX_MESSAGE_BYTES';

/** Environment variable handing a child process worker the tsx loader to register itself (see {@link withoutTsx}). */
export const TSX_ENV = 'TROUPE_TSX';

/** What a child process worker started without its tsx flags is to do about them (JSON in {@link TSX_ENV}). */
export interface TsxHandOver {
  /** tsx's preloads, to run once the runtime has loaded: `NODE_OPTIONS`' first, then `execArgv`'s. */
  readonly preloads: readonly Preload[];
  /** Those of `execArgv`, as `--flag value` words, to put back into the worker's `process.execArgv`. */
  readonly execArgv: readonly string[];
  /** `NODE_OPTIONS` as it was, when tsx was taken out of it, to put back into the worker's environment. */
  readonly nodeOptions?: string;
}

/** A child process's flags and `NODE_OPTIONS`, without tsx when the worker is to register it itself. */
export interface WithoutTsx {
  readonly execArgv: string[];
  /** The child's `NODE_OPTIONS`: `undefined` to leave it out. */
  readonly nodeOptions: string | undefined;
  /** `undefined` when nothing was taken out. */
  readonly handOver: TsxHandOver | undefined;
}

/**
 * Takes the tsx loader out of a child process's flags and `NODE_OPTIONS`: `--import tsx`, or the
 * tsx CLI's `--require …/tsx/dist/preflight.cjs --import …/tsx/dist/loader.mjs`. The worker
 * registers tsx itself once the runtime's own modules have loaded: they then load natively, not
 * one by one through the loader's hooks thread, which saves about 50 ms of every spawn.
 *
 * Other flags stay where they are. Only when no other preload comes after tsx: one that does may
 * need tsx to load (`--import ./setup.ts`), and then everything stays as it was.
 */
export function withoutTsx(execArgv: readonly string[], nodeOptions: string | undefined): WithoutTsx {
  const unchanged = { execArgv: [...execArgv], nodeOptions, handOver: undefined };
  const fromEnv = nodeOptionsArgs(nodeOptions);
  if (fromEnv === undefined) return unchanged;
  const envFlags = flagsOf(fromEnv);
  const argFlags = flagsOf(execArgv);
  // In the order Node reads them: NODE_OPTIONS first.
  const all = [...envFlags, ...argFlags];
  const first = all.findIndex(isTsxFlag);
  if (first === -1 || !all.some((flag) => isTsxLoader(preloadOf(flag)?.specifier ?? ''))) return unchanged;
  if (all.slice(first).some((flag) => loadsCode(flag) && !isTsxFlag(flag))) return unchanged;
  const envTsx = envFlags.filter(isTsxFlag);
  const argTsx = argFlags.filter(isTsxFlag);
  const keptEnv = envFlags.filter((flag) => !isTsxFlag(flag)).flatMap((flag) => flag.words);
  return {
    execArgv: argFlags.filter((flag) => !isTsxFlag(flag)).flatMap((flag) => flag.words),
    nodeOptions:
      envTsx.length === 0 ? nodeOptions : keptEnv.length === 0 ? undefined : toNodeOptions(keptEnv),
    handOver: {
      preloads: [...envTsx, ...argTsx].map((flag) => preloadOf(flag) as Preload),
      execArgv: argTsx.flatMap((flag) => {
        const { flag: name, specifier } = preloadOf(flag) as Preload;
        return [name, specifier];
      }),
      ...(envTsx.length === 0 || nodeOptions === undefined ? {} : { nodeOptions }),
    },
  };
}

function isTsxFlag(flag: Flag): boolean {
  const preload = preloadOf(flag);
  return preload !== undefined && isTsxPreload(preload);
}
