#!/usr/bin/env node
/**
 * `pnpm lint`'s size check: no source file of a package over MAX_LINES lines. A file that long is
 * two ideas sharing a room (see shared STYLE: one concept per file); split it by concept.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 400;
const root = fileURLToPath(new URL('..', import.meta.url));

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const tooLong = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'src');
  try {
    readdirSync(dir);
  } catch {
    continue;
  }
  for (const file of sources(dir)) {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    if (lines > MAX_LINES) tooLong.push(`${relative(root, file)}: ${lines} lines`);
  }
}
if (tooLong.length > 0) {
  console.error(`Source files over ${MAX_LINES} lines (split each by concept):\n  ${tooLong.join('\n  ')}`);
  process.exit(1);
}
console.log(`Every package source file is within ${MAX_LINES} lines`);
