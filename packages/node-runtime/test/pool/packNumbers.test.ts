import { describe, expect, it } from 'vitest';
import { isInt32, PACK_NUMBERS_FROM, packNumbers } from '../../src/pool/packNumbers.js';

const run = (value: (i: number) => number): number[] =>
  Array.from({ length: PACK_NUMBERS_FROM }, (_, i) => value(i));

describe('packNumbers', () => {
  it('packs a run of integers as an Int32Array, so they are read back as integers', () => {
    const values = run((i) => (i - 8) * 1000);
    const packed = packNumbers(values);
    expect(packed).toBeInstanceOf(Int32Array);
    expect(Array.from(packed ?? [])).toEqual(values);
    expect(packNumbers(run((i) => (i === 3 ? 2 ** 31 - 1 : -(2 ** 31))))).toBeInstanceOf(Int32Array);
  });

  it('packs any other run of numbers as a Float64Array, every value exact', () => {
    const odd = [
      -0,
      0.5,
      2 ** 31,
      -(2 ** 31) - 1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e300,
      Number.EPSILON,
    ];
    for (const value of odd) {
      const values = run((i) => (i === 5 ? value : i));
      const packed = packNumbers(values);
      expect(packed, String(value)).toBeInstanceOf(Float64Array);
      expect(Object.is(packed?.[5], value), String(value)).toBe(true);
    }
  });

  it('leaves short runs, runs with anything but numbers, and sparse arrays alone', () => {
    expect(packNumbers([1, 2, 3])).toBeUndefined();
    expect(packNumbers(run((i) => i).map((v, i) => (i === 4 ? String(v) : v)))).toBeUndefined();
    const sparse = run((i) => i);
    delete sparse[9];
    expect(packNumbers(sparse)).toBeUndefined();
    expect(packNumbers(new Float64Array(20))).toBeUndefined();
  });

  it('calls -0 no int32 (an Int32Array would give back 0)', () => {
    expect(isInt32(0)).toBe(true);
    expect(isInt32(-0)).toBe(false);
    expect(isInt32(-5)).toBe(true);
    expect(isInt32(2 ** 31)).toBe(false);
    expect(isInt32(1.5)).toBe(false);
    expect(isInt32(Number.NaN)).toBe(false);
  });
});
