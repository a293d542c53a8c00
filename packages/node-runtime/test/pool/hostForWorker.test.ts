import { describe, expect, it } from 'vitest';
import { hostForWorker } from '../../src/pool/hostForWorker.js';
import type { HostInfo } from '../../src/shared/cluster.js';

const host = (name: string, cpus: number, up = true): HostInfo => ({
  name,
  up,
  cpus,
  workers: 0,
  lastHeartbeat: 0,
});
const counts = (of: Record<string, number>) => (name: string) => of[name] ?? 0;

describe('hostForWorker: where a pool across hosts puts its next worker', () => {
  const hosts = [host('a', 16), host('b', 2), host('c', 4, false)];

  it('fills each host up to its CPUs by default, so a big host gets more workers', () => {
    expect(hostForWorker(['a', 'b'], {}, hosts, counts({ a: 2, b: 0 }))).toBe('a');
    expect(hostForWorker(['a', 'b'], {}, hosts, counts({ a: 15, b: 1 }))).toBe('a');
    expect(hostForWorker(['a', 'b'], {}, hosts, counts({ a: 16, b: 1 }))).toBe('b');
  });

  it('takes sizePerHost, or size shared evenly, as each host’s share', () => {
    expect(hostForWorker(['a', 'b'], { sizePerHost: 2 }, hosts, counts({ a: 2, b: 0 }))).toBe('b');
    expect(hostForWorker(['a', 'b'], { size: 4 }, hosts, counts({ a: 2, b: 1 }))).toBe('b');
    // Ties go in the order the pool names its hosts.
    expect(hostForWorker(['b', 'a'], { sizePerHost: 2 }, hosts, counts({}))).toBe('b');
  });

  it('skips a host that is down, takes any live host for "*", and gives the choice back when none is up', () => {
    expect(hostForWorker(['b', 'c'], { sizePerHost: 1 }, hosts, counts({ b: 5 }))).toBe('b');
    expect(hostForWorker('*', { sizePerHost: 1 }, hosts, counts({ a: 1 }))).toBe('b');
    expect(hostForWorker(['c'], {}, hosts, counts({}))).toEqual(['c']);
    expect(hostForWorker('c', {}, hosts, counts({}))).toBe('c');
  });
});
