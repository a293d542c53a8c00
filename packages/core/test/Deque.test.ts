import { describe, expect, it } from 'vitest';
import { Deque } from '../src/internal/Deque.js';

describe('Deque', () => {
  it('starts empty', () => {
    const deque = new Deque<number>();
    expect(deque.length).toBe(0);
    expect(deque.peek()).toBeUndefined();
    expect(deque.shift()).toBeUndefined();
    expect(deque.drain()).toEqual([]);
  });

  it('hands items back first in, first out', () => {
    const deque = new Deque<string>();
    deque.push('a');
    deque.push('b');
    deque.push('c');
    expect(deque.length).toBe(3);
    expect(deque.shift()).toBe('a');
    expect(deque.shift()).toBe('b');
    deque.push('d');
    expect(deque.shift()).toBe('c');
    expect(deque.shift()).toBe('d');
    expect(deque.shift()).toBeUndefined();
    expect(deque.length).toBe(0);
  });

  it('peeks at the oldest item without removing it', () => {
    const deque = new Deque<number>();
    deque.push(1);
    deque.push(2);
    expect(deque.peek()).toBe(1);
    expect(deque.peek()).toBe(1);
    expect(deque.length).toBe(2);
    deque.shift();
    expect(deque.peek()).toBe(2);
  });

  it('keeps falsy items', () => {
    const deque = new Deque<number | string | null | boolean>();
    for (const item of [0, '', null, false]) deque.push(item);
    expect(deque.length).toBe(4);
    expect([deque.shift(), deque.shift(), deque.shift(), deque.shift()]).toEqual([0, '', null, false]);
    expect(deque.length).toBe(0);
  });

  it('drains every item oldest first and is usable afterwards', () => {
    const deque = new Deque<number>();
    for (let i = 0; i < 5; i++) deque.push(i);
    deque.shift();
    expect(deque.drain()).toEqual([1, 2, 3, 4]);
    expect(deque.length).toBe(0);
    expect(deque.shift()).toBeUndefined();
    deque.push(9);
    expect(deque.length).toBe(1);
    expect(deque.shift()).toBe(9);
  });

  it('keeps order and length across growth and wrap-around of its ring', () => {
    const deque = new Deque<number>();
    // Shifted and pushed in turn, the ring wraps; then it grows while wrapped.
    for (let i = 0; i < 10; i++) deque.push(-1);
    for (let i = 0; i < 10; i++) deque.shift();
    expect(deque.length).toBe(0);
    for (let i = 0; i < 5000; i++) deque.push(i);
    for (let i = 0; i < 3000; i++) expect(deque.shift()).toBe(i);
    expect(deque.length).toBe(2000);
    expect(deque.peek()).toBe(3000);
    deque.push(5000);
    expect(deque.drain()).toEqual(Array.from({ length: 2001 }, (_, i) => 3000 + i));
  });

  it('behaves like an array queue under a long mix of pushes and shifts', () => {
    const deque = new Deque<number>();
    const model: number[] = [];
    // A fixed pseudo-random walk (LCG), so a failure reproduces.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      if (random() < 0.55) {
        deque.push(next);
        model.push(next++);
      } else {
        expect(deque.shift()).toBe(model.shift());
      }
      expect(deque.length).toBe(model.length);
      expect(deque.peek()).toBe(model[0]);
    }
    expect(deque.drain()).toEqual(model);
  });
});
