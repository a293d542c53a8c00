/**
 * The modules Node flags preload (`--require X`, `--import X`), read from `execArgv` or
 * `NODE_OPTIONS`, and the tsx loader among them: `--import tsx`, or what the tsx CLI passes
 * (`--require <tsx>/dist/preflight.cjs --import file://<tsx>/dist/loader.mjs`).
 */

/** A module a Node flag preloads. */
export interface Preload {
  /** `--require` (CommonJS; Node runs every one of these before any `--import`) or `--import`. */
  readonly flag: '--require' | '--import';
  /** As written: a package name, a path or a file URL. */
  readonly specifier: string;
}

/** One Node flag, with the words it takes up (`--import=tsx`, or `--import` and `tsx`). */
export interface Flag {
  readonly name: string;
  readonly value: string | undefined;
  readonly words: readonly string[];
}

/** The flags that load code before the main module. */
const LOADING_FLAGS = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);

/**
 * `args` as flags. A word that does not start with `-` is the value of the flag before it, as
 * always in `execArgv` and `NODE_OPTIONS` (they hold no script name).
 */
export function flagsOf(args: readonly string[]): Flag[] {
  const flags: { name: string; value: string | undefined; words: string[] }[] = [];
  for (const word of args) {
    const last = flags.at(-1);
    if (!word.startsWith('-') && last !== undefined && last.value === undefined) {
      last.value = word;
      last.words.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    flags.push(
      word.startsWith('--') && eq > 0
        ? { name: word.slice(0, eq), value: word.slice(eq + 1), words: [word] }
        : { name: word, value: undefined, words: [word] },
    );
  }
  return flags;
}

/** The preload a flag names, if it is `--require`/`-r` or `--import` with a value. */
export function preloadOf(flag: Flag): Preload | undefined {
  if (flag.value === undefined) return undefined;
  if (flag.name === '--import') return { flag: '--import', specifier: flag.value };
  if (flag.name === '--require' || flag.name === '-r') return { flag: '--require', specifier: flag.value };
  return undefined;
}

/** The modules `args` preloads, in the order written. */
export function preloadsOf(args: readonly string[]): Preload[] {
  return flagsOf(args).flatMap((flag) => preloadOf(flag) ?? []);
}

/** True for a flag that loads code before the main module (`--require`, `--import`, `--loader`). */
export function loadsCode(flag: Flag): boolean {
  return LOADING_FLAGS.has(flag.name);
}

/** True for tsx's ESM entry: the package (`tsx`) or the file the tsx CLI imports. */
export function isTsxLoader(specifier: string): boolean {
  return specifier === 'tsx' || /[\\/]tsx[\\/]dist[\\/]loader\.mjs$/.test(specifier);
}

/** True for the CommonJS preflight the tsx CLI requires before its loader. */
export function isTsxPreflight(specifier: string): boolean {
  return /[\\/]tsx[\\/]dist[\\/]preflight\.cjs$/.test(specifier);
}

/** True for a preload that belongs to tsx (its loader or the CLI's preflight). */
export function isTsxPreload(preload: Preload): boolean {
  return preload.flag === '--import' ? isTsxLoader(preload.specifier) : isTsxPreflight(preload.specifier);
}

/**
 * `NODE_OPTIONS` split into words as Node splits it: at spaces, except inside double quotes,
 * where a backslash escapes the next character. `undefined` for a value Node refuses (an
 * unterminated quote).
 */
export function nodeOptionsArgs(nodeOptions: string | undefined): string[] | undefined {
  const args: string[] = [];
  if (nodeOptions === undefined) return args;
  let quoted = false;
  let fresh = true;
  for (let i = 0; i < nodeOptions.length; i++) {
    let c = nodeOptions[i] as string;
    if (c === '\\' && quoted) {
      if (i + 1 === nodeOptions.length) return undefined;
      c = nodeOptions[++i] as string;
    } else if (c === ' ' && !quoted) {
      fresh = true;
      continue;
    } else if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (fresh) args.push(c);
    else args[args.length - 1] += c;
    fresh = false;
  }
  return quoted ? undefined : args;
}

/** `args` written as a `NODE_OPTIONS` value that {@link nodeOptionsArgs} reads back as `args`. */
export function toNodeOptions(args: readonly string[]): string {
  return args.map((arg) => (/[\s"\\]/.test(arg) ? `"${arg.replace(/["\\]/g, '\\$&')}"` : arg)).join(' ');
}
