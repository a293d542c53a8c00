/**
 * `@troupe/core`: the runtime-agnostic heart of Troupe.
 *
 * Definitions ({@link defineActor}, {@link defineTask}), the actor reference type, the codec,
 * errors, exit reasons, the clock and the event types. It imports nothing from `node:`;
 * `@troupe/node-runtime` puts it to work on Node.js. Runtimes build on `@troupe/core/spi`.
 *
 * @example
 * ```ts
 * import { defineActor, defineTask } from '@troupe/core';
 * export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);
 * ```
 *
 * @module \@troupe/core
 */

export type { ActorRef, AskOptions } from './ActorRef.js';
export { type Clock, realClock, SimulatedClock, type TimerHandle } from './Clock.js';
export {
  Codec,
  type CodecOptions,
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAME_HEADROOM_BYTES,
  type PortableData,
} from './Codec.js';
export {
  type ActorContext,
  type ActorDefinition,
  type ActorSpec,
  type Definition,
  defineActor,
  defineTask,
  type InitContext,
  type TaskDefinition,
} from './definitions.js';
export { describeExit } from './describeExit.js';
export { EventStream } from './EventStream.js';
export * from './errors.js';
export type {
  ChildStateEvent,
  DeadLetterEvent,
  EscalatedEvent,
  ExitedEvent,
  HostDownEvent,
  HostUpEvent,
  InspectionEventRecord,
  MailboxDepthEvent,
  PipeLinkedEvent,
  Placement,
  RestartedEvent,
  RestoreFailedEvent,
  SecurityEvent,
  SpawnedEvent,
  SystemEvent,
} from './events.js';
export { PLACEMENTS } from './events.js';
export { EXIT_REASONS, type ExitInfo, type ExitReason, isNormalExit } from './exit.js';
export { MAX_WORKERS } from './limits.js';
export {
  fromMachine,
  isMachineDefinition,
  type MachineDefinition,
  type MachineOptions,
  type MachineSnapshot,
} from './machine/fromMachine.js';
export { Connection, type PipeEndInfo, type PipeSide, type RecvOptions } from './pipe/Connection.js';
export { type PoolRef, type PoolRequest, poolRequest, type TaskAddress } from './pool/poolRequest.js';
export type { ActorAddress, InspectionRecord, SnapshotView } from './protocol.js';
export { Queue } from './queue/Queue.js';
export type {
  Awaitable,
  BackendWaitOptions,
  FailedItem,
  OnConsumerDeath,
  QueueBackend,
  QueueInfo,
  QueueItem,
  QueueOptions,
  WaitOptions,
} from './queue/QueueBackend.js';
export type { QueueBackendDeps, QueueBackendFactory } from './queue/QueueBackendFactory.js';
export { SUPERVISOR_DEFAULTS } from './supervision/defaults.js';
export type { SupervisionEvent } from './supervision/SupervisionEvent.js';
export { Supervisor, type SupervisorDeps } from './supervision/Supervisor.js';
export type {
  BackoffOptions,
  ChildInstance,
  ChildRuntime,
  ChildSpec,
  ChildState,
  ChildStatus,
  RestartFrom,
  RestartType,
  ShutdownValue,
  Strategy,
  SupervisorChildSpec,
  SupervisorExit,
  SupervisorOptions,
  WorkerChildSpec,
} from './supervision/types.js';
export { type TaskContext, taskContext } from './taskContext.js';
