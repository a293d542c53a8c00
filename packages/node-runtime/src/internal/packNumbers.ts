/** Runs of numbers shorter than this travel as they are. */
const PACK_NUMBERS_FROM = 16;

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

/**
 * A run of values that are all numbers, as one `Float64Array` (which keeps every number exactly,
 * NaN and -0 included), copied in one go instead of encoded item by item; undefined for a short
 * run or one holding anything else.
 */
export function packNumbers(values: ArrayLike<unknown>): Float64Array | undefined {
  if (!Array.isArray(values) || values.length < PACK_NUMBERS_FROM || !values.every(isNumber))
    return undefined;
  return Float64Array.from(values as number[]);
}
