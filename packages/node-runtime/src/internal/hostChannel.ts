/**
 * Wires an ActorHost to a channel: the worker side of every placement.
 */

import { Codec, realClock } from '@troupe/core';
import {
  ActorHost,
  Channel,
  type FromWorker,
  isToWorker,
  type ToWorker,
  type Transport,
} from '@troupe/core/spi';
import { nodeDirectConnector } from './NodeDirectConnector.js';

export interface HostChannel {
  readonly host: ActorHost;
  readonly channel: Channel<ToWorker, FromWorker>;
}

/**
 * Builds the worker side of a link. `exit` is called once the worker is done, after what it
 * sent has been flushed to the transport.
 */
export function createHostChannel(
  transport: Transport,
  maxMessageBytes: number,
  exit: (code: number) => void,
  writeSync?: (chunks: Uint8Array[]) => void,
): HostChannel {
  let exiting = false;
  const host: ActorHost = new ActorHost(
    {
      send: (message) => channel.send(message, labelOf(message), focusOf(message)),
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
      directPipes: nodeDirectConnector(() => new Codec({ maxMessageBytes, revive: host.revive })),
    },
  );
  const channel = new Channel<ToWorker, FromWorker>({
    codec: new Codec({ maxMessageBytes, revive: host.revive }),
    transport,
    accept: isToWorker,
    onMessage: (message) => host.handle(message),
    onProtocolError: (error) => host.crash(error),
  });
  return { host, channel };
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
