/**
 * Bundles each package's compiled JavaScript (what `tsc -b` wrote to dist/) into a few ES modules
 * in dist/bundle/, which the packages' `exports` and `bin` point at.
 *
 * Why: Node loads every ES module through an asynchronous pipeline of its own, and a worker loads
 * Troupe's ~80 modules before it can start an actor; as a handful of files the same code loads in
 * about 60% of the time, which is most of what spawning a worker costs beyond Node and tsx
 * themselves. Everything a package imports from another package stays an import (one copy of
 * `@troupe/core` per process, whoever imports it), and so does every dependency. Entry points
 * share their code through chunks, so there is one copy of each module within a package too.
 * Source maps chain back to the TypeScript sources, and carry their text (tsc writes it into its maps
 * with `inlineSources`), since the packages do not ship src/.
 */

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each package: its entry points, relative to its dist/ directory. */
const packages = {
  core: ['index.js', 'spi.js'],
  // workerMain and reaperMain are started as files (new URL('./workerMain.js', import.meta.url)
  // from whichever chunk holds that code), so every entry lands flat in dist/bundle/.
  'node-runtime': ['index.js', 'spi.js', 'worker/workerMain.js', 'reaper/reaperMain.js', 'cli/main.js'],
  nats: ['index.js'],
};

for (const [name, entries] of Object.entries(packages)) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const outdir = join(dir, 'dist', 'bundle');
  // Written over the last build, not after deleting it: a process running from it meanwhile (a
  // test, a gallery example) keeps finding its files. Only then are stale chunks removed.
  const { metafile } = await build({
    entryPoints: entries.map((entry) => join(dir, 'dist', entry)),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    // Dependencies (and their subpaths, such as @troupe/core/spi) stay imports.
    external: Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).flatMap((dep) => [
      dep,
      `${dep}/*`,
    ]),
    logLevel: 'warning',
    metafile: true,
  });
  const written = new Set(Object.keys(metafile.outputs).map((file) => basename(file)));
  for (const file of readdirSync(outdir)) if (!written.has(file)) rmSync(join(outdir, file));
}
