import { describe, expect, it } from 'vitest';
import { Codec } from '../src/Codec.js';
import { ProtocolError } from '../src/errors.js';
import { type ItemRun, isItemRun, isRun, splitRun, takenItems, toWire } from '../src/queue/itemRun.js';

const bytesOf = (items: readonly Uint8Array[]) => items.map((item) => [...item]);

describe('item runs', () => {
  it('carry encoded items end to end and split back into the same items', () => {
    const codec = new Codec();
    const values = [{ id: 1, op: 'add' }, [1, 2, 3], new Map([['k', 1]]), 'a string', { id: 2, op: 'add' }];
    const items = values.map((value) => codec.encode(value));
    const wire = toWire(items);
    expect(isRun(wire)).toBe(true);
    const run = wire as ItemRun;
    expect(isItemRun(run)).toBe(true);
    expect(run.ends.length).toBe(items.length);
    expect(run.bytes.byteLength).toBe(items.reduce((sum, item) => sum + item.byteLength, 0));
    expect(bytesOf(splitRun(run))).toEqual(bytesOf(items));
    expect(bytesOf(takenItems(run) as Uint8Array[])).toEqual(bytesOf(items));
    // Decoded in one call, and crossing a codec (as a frame's argument) as it was.
    expect(codec.decodeAll(run.bytes, run.ends)).toEqual(values);
    const back = codec.decode(codec.encode({ arg: run })) as { arg: ItemRun };
    expect(isItemRun(back.arg)).toBe(true);
    expect(codec.decodeAll(back.arg.bytes, back.arg.ends)).toEqual(values);
  });

  it('stay an array when an item is not encoded bytes, or there is only one', () => {
    const mixed = [new Uint8Array([1]), 2, 'three'];
    expect(toWire(mixed)).toBe(mixed);
    const one = [new Uint8Array([1])];
    expect(toWire(one)).toBe(one);
    expect(toWire([])).toEqual([]);
    expect(takenItems(mixed)).toBe(mixed);
  });

  it('are not copied when the items lie end to end in one buffer, and copied piece by piece when not', () => {
    const buffer = new Uint8Array([9, 1, 2, 3, 4, 5, 6, 9]);
    const views = [buffer.subarray(1, 3), buffer.subarray(3, 4), buffer.subarray(4, 7)];
    const whole = toWire(views) as ItemRun;
    expect(whole.bytes.buffer).toBe(buffer.buffer);
    expect([...whole.bytes]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...whole.ends]).toEqual([2, 3, 6]);
    // Two stretches of one buffer and an item of another: a new buffer, in order.
    const other = new Uint8Array([7, 8]);
    const apart = toWire([
      views[0] as Uint8Array,
      views[2] as Uint8Array,
      other,
      views[1] as Uint8Array,
    ]) as ItemRun;
    expect(apart.bytes.buffer).not.toBe(buffer.buffer);
    expect([...apart.bytes]).toEqual([1, 2, 4, 5, 6, 7, 8, 3]);
    expect([...apart.ends]).toEqual([2, 5, 7, 8]);
    // Splitting gives views of the run, whatever its offset in its buffer.
    expect(bytesOf(splitRun(whole))).toEqual([[1, 2], [3], [4, 5, 6]]);
  });

  it('are told from malformed ones', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(isItemRun({ bytes, ends: new Uint32Array([1, 3]) })).toBe(true);
    for (const bad of [
      undefined,
      null,
      [bytes],
      { bytes },
      { bytes, ends: new Uint32Array([]) },
      { bytes, ends: new Uint32Array([2, 2]) },
      { bytes, ends: new Uint32Array([0, 3]) },
      { bytes, ends: new Uint32Array([4]) },
      { bytes, ends: [1, 3] },
      { bytes: [1, 2, 3], ends: new Uint32Array([3]) },
    ])
      expect(isItemRun(bad)).toBe(false);
  });
});

describe('Codec.decodeAll', () => {
  it('throws ProtocolError for bytes that are not whole messages, or messages that do not end where they should', () => {
    const codec = new Codec();
    const bytes = codec.encode({ id: 1, payload: [1, 2, 3] });
    const n = bytes.byteLength;
    expect(() => codec.decodeAll(bytes, [n - 2])).toThrow(ProtocolError);
    // Whole, but cut in two items: the first would read on into the second.
    expect(() => codec.decodeAll(bytes, [n - 4, n])).toThrow(ProtocolError);
    // Two messages said to be one.
    const two = new Uint8Array([...bytes, ...bytes]);
    expect(() => codec.decodeAll(two, [2 * n])).toThrow(ProtocolError);
    // The codec still decodes what follows.
    expect(codec.decodeAll(two, [n, 2 * n])).toEqual([
      { id: 1, payload: [1, 2, 3] },
      { id: 1, payload: [1, 2, 3] },
    ]);
  });
});
