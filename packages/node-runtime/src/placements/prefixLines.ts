/**
 * A worker's output with each line prefixed by its label (`[Counter#x1y2] `), for
 * `prefixOutput`. Lines are written whole; a last line without its newline is written when the
 * stream ends.
 */

import type { Readable, Writable } from 'node:stream';

/** Copies `from` to `to` line by line, each line prefixed with `[label()] `. */
export function prefixLines(from: Readable, to: Writable, label: () => string): void {
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length > 0) to.write(lines.map((line) => `[${label()}] ${line}\n`).join(''));
  });
  from.on('end', () => {
    if (partial !== '') to.write(`[${label()}] ${partial}\n`);
    partial = '';
  });
}
