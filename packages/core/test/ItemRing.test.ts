import { describe, expect, it } from 'vitest';
import { ItemRing } from '../src/queue/ItemRing.js';

describe('ItemRing', () => {
  it('hands items back first in, first out, each with its deliveries', () => {
    const ring = new ItemRing();
    ring.push('a', 0);
    ring.push(new Uint8Array([1]), 3);
    expect(ring.length).toBe(2);
    expect(ring.shift()).toBe('a');
    expect(ring.shiftedDeliveries).toBe(0);
    expect(ring.shift()).toEqual(new Uint8Array([1]));
    expect(ring.shiftedDeliveries).toBe(3);
    expect(ring.length).toBe(0);
  });

  it('drops the oldest items, never more than it holds', () => {
    const ring = new ItemRing();
    for (let i = 0; i < 5; i++) ring.push(i, i);
    ring.drop(2);
    expect(ring.length).toBe(3);
    expect(ring.shift()).toBe(2);
    ring.drop(10);
    expect(ring.length).toBe(0);
    ring.push('again', 1);
    expect(ring.drain()).toEqual({ values: ['again'], deliveries: [1] });
  });

  it('behaves like two arrays under a long mix of pushes, shifts and drops, across growth', () => {
    const ring = new ItemRing();
    const model: [unknown, number][] = [];
    // A fixed pseudo-random walk (LCG), so a failure reproduces.
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      if (r < 0.55) {
        const value = step % 7 === 0 ? null : step;
        ring.push(value, step % 5);
        model.push([value, step % 5]);
      } else if (r < 0.95) {
        if (model.length === 0) continue;
        const [value, deliveries] = model.shift() as [unknown, number];
        expect(ring.shift()).toBe(value);
        expect(ring.shiftedDeliveries).toBe(deliveries);
      } else {
        ring.drop(3);
        model.splice(0, 3);
      }
      expect(ring.length).toBe(model.length);
    }
    expect(ring.drain()).toEqual({ values: model.map(([v]) => v), deliveries: model.map(([, d]) => d) });
  });
});
