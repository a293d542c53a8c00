/**
 * The default chunk size of `map`.
 *
 * @module
 */

/**
 * Python's rule for `map`'s default chunk size: `ceil(n / (4 · workers))`, at least 1.
 *
 * @example
 * ```ts
 * defaultChunkSize(100, 4); // 7
 * ```
 */
export function defaultChunkSize(items: number, workers: number): number {
  return Math.max(1, Math.ceil(items / (4 * Math.max(1, workers))));
}
