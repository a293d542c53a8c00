/** Test helper: the per-chunk answers that unit answers (answers in columns) stand for. */

import type { ChunkAnswers, UnitAnswers } from '@troupe/core/spi';

/** Chunk `chunks[i]` answered `values[i]`, or failed at item 0 when `i` is among the failures. */
export function expandUnits({ chunks, values, failures }: UnitAnswers): ChunkAnswers[] {
  const failed = new Map(failures);
  return Array.from(chunks, (chunk, i) => {
    const error = failed.get(i);
    return {
      chunk,
      from: 0,
      values: [values[i]],
      failures: error === undefined ? [] : [[0, error] as const],
    };
  });
}
