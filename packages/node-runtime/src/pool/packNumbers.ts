/** Runs of numbers shorter than this travel as they are. */
export const PACK_NUMBERS_FROM = 16;

/**
 * A run of values that are all numbers, as one `Float64Array` (which keeps every number exactly,
 * NaN and -0 included), copied in one go instead of encoded item by item; undefined for a short
 * run or one holding anything else (a hole in a sparse array included: it reads as undefined).
 */
export function packNumbers(values: ArrayLike<unknown>): Float64Array | undefined {
  const count = values.length;
  if (!Array.isArray(values) || count < PACK_NUMBERS_FROM) return undefined;
  const packed = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const value: unknown = values[i];
    if (typeof value !== 'number') return undefined;
    packed[i] = value;
  }
  return packed;
}
