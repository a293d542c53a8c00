/** Runs of numbers shorter than this travel as they are. */
export const PACK_NUMBERS_FROM = 16;

/** A run of numbers packed for the wire: integers as `Int32Array`, any others as `Float64Array`. */
export type PackedNumbers = Int32Array | Float64Array;

/** Whether a number is an int32 that reads back as itself (-0 is not: an `Int32Array` holds 0). */
export function isInt32(value: number): boolean {
  return (value | 0) === value && (value !== 0 || 1 / value > 0);
}

/**
 * A run of values that are all numbers, copied in one go instead of encoded item by item:
 * an `Int32Array` when every one is an int32, so the other side reads small integers back (V8's
 * integer code runs on them; doubles made a CPU-bound task with an integer argument ~1.7×
 * slower), else a `Float64Array` (which keeps every number exactly, NaN and -0 included).
 * Undefined for a short run or one holding anything else (a hole in a sparse array included: it
 * reads as undefined).
 */
export function packNumbers(values: ArrayLike<unknown>): PackedNumbers | undefined {
  const count = values.length;
  if (!Array.isArray(values) || count < PACK_NUMBERS_FROM) return undefined;
  let integers = true;
  for (let i = 0; i < count; i++) {
    const value: unknown = values[i];
    if (typeof value !== 'number') return undefined;
    if (integers && !isInt32(value)) integers = false;
  }
  return integers ? new Int32Array(values as number[]) : new Float64Array(values as number[]);
}
