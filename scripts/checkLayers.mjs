#!/usr/bin/env node
/**
 * `pnpm lint`'s layering check for node-runtime: its source is laid out by where the code runs,
 * and imports point one way, down this list. A module may import from its own folder and from
 * any folder below its own, never from one above it (nor across folders of one rank).
 *
 *   cli/         the `troupe` command (uses the public API)
 *   (top level)  the public entry points: index.ts, ActorSystem.ts, isMainModule.ts
 *   pool/        the pool: its root side, its worker actor and its wire format
 *   root/        the root process: handles, registry, router, cells, hubs, supervision glue
 *   placements/  starting a worker: child process, worker thread, in-process; the link to it
 *   worker/      inside a worker: its entry point and the host wiring
 *   reaper/      the reaper sidecar process and the root's side of it
 *   options.ts, spawnOptions.ts, errors.ts: public types and errors (they may import shared/)
 *   shared/      code both sides run: flags, preloads, labels, framing helpers, the link and
 *                cluster interfaces
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'packages', 'node-runtime', 'src');

/** Each module's layer: a higher rank may import a lower one. */
const LEAVES = new Set(['options.ts', 'spawnOptions.ts', 'errors.ts']);
const RANKS = { cli: 7, top: 6, pool: 5, root: 4, placements: 3, worker: 2, reaper: 2, leaf: 1, shared: 0 };

function layerOf(file) {
  const rel = relative(src, file);
  const folder = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : undefined;
  if (folder === undefined) return LEAVES.has(rel) ? 'leaf' : 'top';
  if (!(folder in RANKS))
    throw new Error(`${rel}: folder ${folder}/ has no layer in scripts/checkLayers.mjs`);
  return folder;
}

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const IMPORT =
  /^\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const wrong = [];
for (const file of sources(src)) {
  const from = layerOf(file);
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = normalize(join(dirname(file), (match[1] ?? match[2]).replace(/\.js$/, '.ts')));
    const to = layerOf(target);
    if (to === from || RANKS[to] < RANKS[from]) continue;
    wrong.push(`${relative(root, file)} (${from}) imports ${relative(src, target)} (${to})`);
  }
}
if (wrong.length > 0) {
  console.error(
    `Imports against node-runtime's layering (see scripts/checkLayers.mjs):\n  ${wrong.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  "node-runtime's imports point one way: cli, entry points, pool, root, placements, worker, shared",
);
