/**
 * `@troupe/node-runtime/spi`: what a cluster transport (such as `@troupe/nats`) builds on. Its
 * root side implements {@link ClusterFactory}; its node agent starts workers with
 * {@link startWorker}, exactly as a root does on its own host. Applications do not need it.
 *
 * @example
 * ```ts
 * import { defaultExecArgv, startWorker } from '@troupe/node-runtime/spi';
 * const link = startWorker('process', { execArgv: defaultExecArgv(), maxMessageBytes: 1 << 20, env: undefined }, undefined);
 * link.attach((bytes) => relay(bytes));
 * ```
 *
 * @module \@troupe/node-runtime/spi
 */

export { defaultExecArgv } from './options.js';
export { startWorker } from './placements/startWorker.js';
export type {
  Cluster,
  ClusterDeps,
  ClusterFactory,
  HostChoice,
  HostInfo,
  RemoteActorStatus,
  RemoteLaunch,
} from './shared/cluster.js';
export { allowedHosts } from './shared/cluster.js';
export type { RawExit, WorkerLaunch, WorkerLink } from './shared/WorkerLink.js';
export { checkHostName } from './spawnOptions.js';
