/**
 * The gallery runner: `pnpm gallery` runs every example, `pnpm gallery <name>...` some,
 * `pnpm gallery --list` lists them.
 */

import { parseArgs } from 'node:util';
import { examples } from './examples/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { list: { type: 'boolean', short: 'l' }, help: { type: 'boolean', short: 'h' } },
});

if (values.help) {
  console.log('Usage: pnpm gallery [--list] [name...]');
  process.exit(0);
}

if (values.list) {
  const width = Math.max(...examples.map((e) => e.name.length));
  for (const e of examples) console.log(`${e.name.padEnd(width)}  ${e.summary}`);
  process.exit(0);
}

const unknown = positionals.filter((name) => !examples.some((e) => e.name === name));
if (unknown.length > 0) {
  console.error(`Unknown example(s): ${unknown.join(', ')}. Run with --list to see them.`);
  process.exit(2);
}

const chosen = positionals.length === 0 ? examples : examples.filter((e) => positionals.includes(e.name));
for (const [i, example] of chosen.entries()) {
  if (chosen.length > 1) console.log(`${i === 0 ? '' : '\n'}── ${example.name}: ${example.summary}`);
  const module = await example.load();
  await module.run();
}
