/**
 * `@troupe/node-runtime`: Troupe on Node.js. Start an {@link ActorSystem}; spawn actors in child
 * processes (default), worker threads or in-process; run tasks as processes.
 *
 * Everything from `@troupe/core` that applications use is re-exported here, so one import is
 * enough.
 *
 * @example
 * ```ts
 * import { ActorSystem, defineTask } from '@troupe/node-runtime';
 * export const hello = defineTask(import.meta.url, 'hello', () => console.log('Hello!'));
 * await using system = await ActorSystem.start();
 * await (await system.process(hello)).join();
 * ```
 *
 * @module \@troupe/node-runtime
 */

export * from '@troupe/core';
export { ActorSystem, type InspectEvent } from './ActorSystem.js';
export { NameTakenError } from './errors.js';
export { isMainModule } from './isMainModule.js';
export type { ActorSystemOptions, CrashReport } from './options.js';
export { Pool } from './pool/Pool.js';
export type { MapOptions, PoolOptions, Settled } from './pool/PoolOptions.js';
export { ActorHandle } from './root/ActorHandle.js';
export { MachineHandle } from './root/MachineHandle.js';
export { ProcessHandle } from './root/ProcessHandle.js';
export { SupervisorHandle } from './root/SupervisorHandle.js';
export type { ClusterFactory, HostChoice, HostInfo } from './shared/cluster.js';
export type { SpawnOptions } from './spawnOptions.js';
