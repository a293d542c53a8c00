/**
 * `@troupe/nats`: Troupe's queues and queue mailboxes on NATS JetStream, with dead letters.
 *
 * @example
 * ```ts
 * import { ActorSystem } from '@troupe/node-runtime';
 * import { natsBackend } from '@troupe/nats';
 * await using system = await ActorSystem.start({ backend: natsBackend({ servers: 'nats://127.0.0.1:4222' }) });
 * ```
 *
 * @module \@troupe/nats
 */

export { NodeAgent, type NodeAgentOptions, startNodeAgent } from './cluster/agent/NodeAgent.js';
export { type ClusterStatus, clusterStatus } from './cluster/clusterStatus.js';
export { type NatsClusterOptions, natsCluster } from './cluster/natsCluster.js';
export {
  type DeadLetter,
  type DeadLetterOptions,
  listDeadLetters,
  purgeDeadLetters,
  replayDeadLetters,
  showDeadLetter,
} from './deadLetterQueue.js';
export { type NatsBackendOptions, natsBackend } from './natsBackend.js';
