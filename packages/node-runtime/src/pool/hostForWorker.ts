/**
 * Where a pool across hosts starts its next worker: the live host, of those it may use, furthest
 * below its share — `sizePerHost`, or the pool's `size` shared evenly, or else as many workers as
 * the host has CPUs — counting only this pool's own workers.
 *
 * @module
 */

import { allowedHosts, type HostChoice, type HostInfo } from '../shared/cluster.js';

/**
 * The host for the next worker; the choice itself when none of its hosts is up (the spawn then
 * fails, naming them).
 *
 * @example
 * ```ts
 * hostForWorker(['a', 'b'], { sizePerHost: 2 }, hosts, (h) => (h === 'a' ? 2 : 0)); // 'b'
 * ```
 */
export function hostForWorker(
  choice: HostChoice,
  sizing: { readonly size?: number | undefined; readonly sizePerHost?: number | undefined },
  hosts: readonly HostInfo[],
  workersOn: (host: string) => number,
): HostChoice {
  const allowed = allowedHosts(choice);
  const up = hosts.filter((h) => h.up && (allowed === undefined || allowed.includes(h.name)));
  if (up.length === 0) return choice;
  const share = (h: HostInfo) =>
    sizing.sizePerHost ?? (sizing.size === undefined ? h.cpus : Math.ceil(sizing.size / up.length));
  const order = (h: HostInfo) => (allowed === undefined ? 0 : allowed.indexOf(h.name));
  const [best] = [...up].sort(
    (a, b) => share(b) - workersOn(b.name) - (share(a) - workersOn(a.name)) || order(a) - order(b),
  );
  return (best as HostInfo).name;
}
