/**
 * Wires an ActorRunner to a channel: the worker side of every placement.
 */

import { Codec, realClock } from '@troupe/core';
import {
  ActorRunner,
  Channel,
  type FromWorker,
  type InitMessage,
  isToWorker,
  type ToWorker,
  type Transport,
} from '@troupe/core/spi';
import { nodeDirectConnector } from './NodeDirectConnector.js';

export interface HostChannel {
  readonly runner: ActorRunner;
  readonly channel: Channel<ToWorker, FromWorker>;
}

/** How the worker side of a link is wired. */
export interface HostChannelOptions {
  readonly transport: Transport;
  readonly maxMessageBytes: number;
  /** Called once the worker is done, after what it sent has been flushed to the transport. */
  readonly exit: (code: number) => void;
  /** Writes synchronously, when the runtime can (a process that is exiting). */
  readonly writeSync?: ((chunks: Uint8Array[]) => void) | undefined;
  /** An actor's message loop has started (its `init` has run). */
  readonly onActorRunning?: (() => void) | undefined;
  /** The worker has been told what to run. */
  readonly onInit?: ((init: InitMessage) => void) | undefined;
}

/** Builds the worker side of a link. */
export function createRunnerChannel(options: HostChannelOptions): HostChannel {
  const { transport, maxMessageBytes, exit, writeSync } = options;
  let exiting = false;
  const runner: ActorRunner = new ActorRunner(
    {
      // Queue calls carry items their codec already checked: the frame around them may exceed the
      // message limit by its envelope.
      send: (message) =>
        message.t === 'qcall'
          ? channel.forward(message)
          : channel.send(message, labelOf(message), focusOf(message)),
      flush: () => channel.flush(),
      flushSync() {
        if (writeSync !== undefined) channel.flushTo(writeSync);
      },
      exit(code) {
        if (exiting) return;
        exiting = true;
        channel.flush();
        exit(code);
      },
    },
    {
      clock: realClock,
      maxMessageBytes,
      schedule: setImmediate,
      onActorRunning: options.onActorRunning,
      onInit: options.onInit,
      directPipes: nodeDirectConnector(() => new Codec({ maxMessageBytes, revive: runner.revive })),
    },
  );
  const channel = new Channel<ToWorker, FromWorker>({
    codec: new Codec({ maxMessageBytes, revive: runner.revive }),
    transport,
    accept: isToWorker,
    onMessage: (message) => runner.handle(message),
    onProtocolError: (error) => runner.crash(error),
  });
  return { runner, channel };
}

/** What a SerializationError calls the value the actor code handed in. */
function labelOf(message: FromWorker): string {
  switch (message.t) {
    case 'reply':
      return 'reply';
    case 'done':
      return 'result';
    case 'crash':
      return 'error';
    default:
      return 'msg';
  }
}

/** The part of a frame that came from actor code, where a bad value is looked for first. */
function focusOf(message: FromWorker): unknown {
  switch (message.t) {
    case 'reply':
    case 'done':
      return message.value;
    case 'route':
    case 'routeAsk':
      return message.body;
    case 'crash':
      return message.error;
    default:
      return message;
  }
}
