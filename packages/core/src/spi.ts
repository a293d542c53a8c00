/**
 * `@troupe/core/spi`: what a runtime needs to host Troupe workers — the worker-side host, the
 * wire protocol, framing, handles that travel, and call bookkeeping. Applications do not need
 * this entry point; `@troupe/node-runtime` is built on it.
 *
 * @example
 * ```ts
 * import { ActorRunner, FrameDecoder, FrameWriter } from '@troupe/core/spi';
 * ```
 *
 * @module
 */

export { ActorRunner, type ActorRunnerOptions, type RunnerPort } from './ActorRunner.js';
export { Channel, type ChannelOptions, type Transport } from './Channel.js';
export { Portable, type PortableData } from './Codec.js';
export { checkSendable } from './checkSendable.js';
export { findDefinition, isRegisteredDefinition } from './definitions.js';
export { FRAME_HEADER_BYTES, FrameDecoder, FrameWriter, frame } from './framing.js';
export { type Deferred, deferred } from './internal/deferred.js';
export { failAsk } from './internal/MessageLoop.js';
export { PendingCalls, type PendingOptions } from './internal/PendingCalls.js';
export { poolLinkOf } from './internal/runnerLink.js';
export { isRefusedWhileLoading, loadDefinition, refuseWhileLoadingDefinitions } from './loadDefinition.js';
export { isMachineEvent } from './machine/fromMachine.js';
export { isPipeEnd, type PipeEnd, type PipeLink } from './pipe/Connection.js';
export {
  type DirectConnector,
  type DirectHandlers,
  type DirectLink,
  WorkerPipes,
} from './pipe/WorkerPipes.js';
export type {
  ChunkAnswers,
  ChunkMessage,
  Outcome,
  RefusedChunk,
  TaskRef,
  UnitAnswers,
} from './pool/chunks.js';
export { defaultChunkSize } from './pool/defaultChunkSize.js';
export type { Job, QueuedItem } from './pool/Job.js';
export type { PoolLink } from './pool/PoolLink.js';
export { PoolScheduler } from './pool/PoolScheduler.js';
export { taskAddress } from './pool/poolRequest.js';
export type { SchedulerDeps, SchedulerOptions } from './pool/SchedulerOptions.js';
export * from './protocol.js';
export { EmbeddedQueueBackend, type EmbeddedQueueBackendOptions } from './queue/EmbeddedQueueBackend.js';
export { type ItemRun, isItemRun, splitRun, type TakenItems, takenItems, toWire } from './queue/itemRun.js';
export type {
  Awaitable,
  BackendWaitOptions,
  FailedItem,
  QueueBackend,
  QueueInfo,
  QueueItem,
} from './queue/QueueBackend.js';
export { isQueueInfo, packItem, unpackItem, whenReady } from './queue/QueueBackend.js';
export type { QueueBackendDeps, QueueBackendFactory } from './queue/QueueBackendFactory.js';
export { QueueClient, type QueueOps } from './queue/QueueClient.js';
export { checkQueueOptions } from './queue/QueueRecord.js';
export { checkQueueCall, queueCall } from './queue/queueCall.js';
export { RemoteQueueOps } from './queue/RemoteQueueOps.js';
export { sameQueue } from './queue/sameQueue.js';
export { RoutedActorRef, type Router } from './RoutedActorRef.js';
export { setTaskAttempt } from './taskContext.js';
export {
  type Bound,
  checkAbortSignal,
  checkBoolean,
  checkCount,
  checkFinite,
  checkFunction,
  checkName,
  checkObject,
  checkOneOf,
  checkPositiveInt,
  checkPositiveTimeout,
  checkStrings,
  checkTimeout,
  checkWaitOptions,
  describeKind,
  describeValue,
  fail,
  invalidOption,
  mustBe,
} from './validate.js';
