/**
 * One end of a framed, encoded channel over any byte transport: the same on both sides of a
 * worker link, whatever carries the bytes (an OS pipe, a MessagePort, memory).
 *
 * @module
 */

import type { Codec } from './Codec.js';
import { ProtocolError } from './errors.js';
import { FrameDecoder, FrameWriter } from './framing.js';

/** Carries bytes for a {@link Channel}. */
export interface Transport {
  /** Writes the framed bytes of one tick, in order (ideally as one write). */
  write(chunks: Uint8Array[]): void;
  /** Closes the transport; the peer sees end of stream. */
  close(): void;
}

/** How a {@link Channel} is wired. */
export interface ChannelOptions<In> {
  readonly codec: Codec;
  readonly transport: Transport;
  /** Accepts only well-formed messages of the expected direction. */
  readonly accept: (value: unknown) => value is In;
  /** Receives each decoded message, in order. */
  readonly onMessage: (message: In) => void;
  /** The peer broke the protocol; the channel has closed itself. */
  readonly onProtocolError: (error: ProtocolError) => void;
}

/**
 * Encodes messages into frames on a transport, and decodes the frames that arrive.
 *
 * @example
 * ```ts
 * const channel = new Channel({ codec, transport, accept: isFromWorker, onMessage, onProtocolError });
 * socket.on('data', (chunk) => channel.receive(chunk));
 * channel.send({ t: 'send', body: 42 });
 * ```
 */
export class Channel<In, Out> {
  readonly #codec: Codec;
  readonly #transport: Transport;
  readonly #writer: FrameWriter;
  readonly #decoder: FrameDecoder;
  readonly #options: ChannelOptions<In>;
  #closed = false;

  constructor(options: ChannelOptions<In>) {
    this.#options = options;
    this.#codec = options.codec;
    this.#transport = options.transport;
    this.#writer = new FrameWriter((chunks) => this.#transport.write(chunks));
    this.#decoder = new FrameDecoder(options.codec.maxFrameBytes, (frame) => this.#onFrame(frame));
  }

  /** True once closed (by either side or a protocol error). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Encodes and queues one message; it is written at the end of the tick. Throws
   * `SerializationError` / `MessageTooLargeError` synchronously, and then nothing is sent.
   * Messages sent after close are dropped.
   */
  send(message: Out, label = 'msg', focus: unknown = message): void {
    const bytes = this.#codec.encode(message, label, focus);
    if (!this.#closed) this.#writer.write(bytes);
  }

  /**
   * Encodes and queues a frame the runtime built around what a sender already had accepted (a
   * mailbox item, a relayed pipe frame, a forwarded answer): checked against the codec's
   * `maxFrameBytes`, which leaves room for the envelope. Throws as {@link send} does.
   */
  forward(message: Out, label = 'msg', focus: unknown = message): void {
    const bytes = this.#codec.encodeFrame(message, label, focus);
    if (!this.#closed) this.#writer.write(bytes);
  }

  /** Queues bytes already encoded by this channel's codec (a frame prepared ahead). */
  sendBytes(bytes: Uint8Array): void {
    if (!this.#closed) this.#writer.write(bytes);
  }

  /** Writes everything queued now. */
  flush(): void {
    this.#writer.flush();
  }

  /**
   * Hands what is queued to `write` now, framed, instead of to the transport: for the last words
   * of a process that is exiting, written synchronously.
   */
  flushTo(write: (chunks: Uint8Array[]) => void): void {
    const chunks = this.#writer.take();
    if (chunks.length > 0) write(chunks);
  }

  /** Feeds bytes that arrived from the transport. */
  receive(chunk: Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#decoder.push(chunk);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Flushes, then closes the transport. */
  close(): void {
    if (this.#closed) return;
    this.#writer.flush();
    this.#closed = true;
    this.#writer.close();
    this.#transport.close();
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    let message: unknown;
    try {
      message = this.#codec.decode(frame);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!this.#options.accept(message)) {
      this.#fail(new ProtocolError('Unexpected message on channel'));
      return;
    }
    this.#options.onMessage(message);
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer.close();
    this.#transport.close();
    const protocolError =
      error instanceof ProtocolError ? error : new ProtocolError('Channel failed', { cause: error });
    this.#options.onProtocolError(protocolError);
  }
}
