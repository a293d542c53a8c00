/**
 * The cluster from `ActorSystem.start({ cluster })`, opened before the root that uses it exists
 * (opening it connects, which is asynchronous). What it reports about hosts goes to the root once
 * the root binds its listener.
 *
 * @module
 */

import type { ResolvedSystemOptions } from '../options.js';
import type { Cluster, ClusterDeps } from '../shared/cluster.js';

type HostEvent = Parameters<ClusterDeps['onHost']>[0];

/** An opened cluster, and how its root hears of hosts coming and going and describes its actors. */
export interface OpenedCluster {
  readonly cluster: Cluster;
  /** The root's listener (what the cluster reported before this, and everything after) and view. */
  bind(listener: (event: HostEvent) => void, describe: ClusterDeps['describe']): void;
}

/** Opens the system's `cluster`, if it has one. */
export async function openCluster(options: ResolvedSystemOptions): Promise<OpenedCluster | undefined> {
  const { cluster: factory, clock } = options;
  if (factory === undefined) return undefined;
  let listener: ((event: HostEvent) => void) | undefined;
  let view: ClusterDeps['describe'] | undefined;
  const early: HostEvent[] = [];
  const cluster = await factory.open({
    clock,
    onHost: (event) => (listener === undefined ? early.push(event) : listener(event)),
    describe: () => view?.() ?? [],
  });
  return {
    cluster,
    bind: (bound, describe) => {
      listener = bound;
      view = describe;
      for (const event of early.splice(0)) bound(event);
    },
  };
}
