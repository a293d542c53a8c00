/**
 * Length-prefixed frames over a byte stream.
 *
 * A frame is a 4-byte big-endian unsigned length followed by that many payload bytes. The
 * {@link FrameDecoder} copes with headers and payloads split across chunks and with many frames
 * in one chunk, and rejects a header announcing more than its limit before allocating anything.
 * The {@link FrameWriter} coalesces the frames written in the same tick into one write.
 *
 * @module
 */

import { ProtocolError } from './errors.js';

/** Bytes in a frame header. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Splits a byte stream into frames.
 *
 * @example
 * ```ts
 * import { FrameDecoder } from '@troupe/core';
 * const decoder = new FrameDecoder(1024, (frame) => console.log(frame.byteLength));
 * decoder.push(new Uint8Array([0, 0, 0, 2, 7]));
 * decoder.push(new Uint8Array([9])); // logs 2
 * ```
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #onFrame: (frame: Uint8Array) => void;
  /** Header bytes gathered so far, when a header was split. */
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** The payload being assembled, when a payload was split. */
  #partial: Uint8Array | undefined;
  #partialFill = 0;
  #failed = false;

  /**
   * @param maxFrameBytes - the largest payload accepted; a larger header throws
   *   {@link ProtocolError} and the decoder refuses all further input.
   * @param onFrame - called with each complete payload, in order. A payload that arrived whole
   *   in one chunk is a view into that chunk, not a copy.
   */
  constructor(maxFrameBytes: number, onFrame: (frame: Uint8Array) => void) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#onFrame = onFrame;
  }

  /** True while part of a frame is buffered. */
  get pending(): boolean {
    return this.#headerFill > 0 || this.#partial !== undefined;
  }

  /** Feeds the next chunk of the stream. Throws {@link ProtocolError} on an oversized header. */
  push(chunk: Uint8Array): void {
    if (this.#failed) throw new ProtocolError('Frame decoder already failed');
    let offset = 0;
    const end = chunk.byteLength;
    while (offset < end) {
      if (this.#partial !== undefined) {
        const take = Math.min(this.#partial.byteLength - this.#partialFill, end - offset);
        this.#partial.set(chunk.subarray(offset, offset + take), this.#partialFill);
        this.#partialFill += take;
        offset += take;
        if (this.#partialFill === this.#partial.byteLength) {
          const frame = this.#partial;
          this.#partial = undefined;
          this.#onFrame(frame);
        }
        continue;
      }
      let length: number;
      if (this.#headerFill === 0 && end - offset >= FRAME_HEADER_BYTES) {
        length = readLength(chunk, offset);
        offset += FRAME_HEADER_BYTES;
      } else {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, end - offset);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerFill);
        this.#headerFill += take;
        offset += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) return;
        this.#headerFill = 0;
        length = readLength(this.#header, 0);
      }
      if (length > this.#maxFrameBytes) {
        this.#failed = true;
        throw new ProtocolError(
          `Frame header announces ${length} bytes, over the limit of ${this.#maxFrameBytes}`,
        );
      }
      if (end - offset >= length) {
        const frame = chunk.subarray(offset, offset + length);
        offset += length;
        this.#onFrame(frame);
      } else {
        this.#partial = new Uint8Array(length);
        this.#partialFill = 0;
      }
    }
  }
}

function readLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

function writeLength(target: Uint8Array, at: number, length: number): void {
  target[at] = length >>> 24;
  target[at + 1] = (length >>> 16) & 0xff;
  target[at + 2] = (length >>> 8) & 0xff;
  target[at + 3] = length & 0xff;
}

/** Payloads at least this large are handed to the sink uncopied, beside their header. */
const COPY_LIMIT = 64 * 1024;

/**
 * Frames payloads and hands them to a sink, coalescing everything written in one tick (one
 * microtask turn) into a single call.
 *
 * @example
 * ```ts
 * import { FrameWriter } from '@troupe/core';
 * const writer = new FrameWriter((chunks) => socket.write(chunks[0]));
 * writer.write(new Uint8Array([1, 2]));
 * writer.write(new Uint8Array([3])); // both go out in one sink call
 * ```
 */
export class FrameWriter {
  readonly #sink: (chunks: Uint8Array[]) => void;
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;
  #scheduled = false;
  #closed = false;

  /** @param sink - receives the framed bytes of one tick, in order. */
  constructor(sink: (chunks: Uint8Array[]) => void) {
    this.#sink = sink;
  }

  /** Queues one payload; it goes out at the end of the current tick. */
  write(payload: Uint8Array): void {
    if (this.#closed) return;
    this.#queued.push(payload);
    this.#queuedBytes += payload.byteLength;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Sends everything queued now instead of at the end of the tick. */
  readonly flush = (): void => {
    const chunks = this.take();
    if (chunks.length > 0) this.#sink(chunks);
  };

  /** Removes what is queued and returns it framed, for a caller that writes it some other way. */
  take(): Uint8Array[] {
    this.#scheduled = false;
    const payloads = this.#queued;
    if (payloads.length === 0 || this.#closed) return [];
    const total = this.#queuedBytes + FRAME_HEADER_BYTES * payloads.length;
    this.#queued = [];
    this.#queuedBytes = 0;
    return frameAll(payloads, total);
  }

  /** Drops anything queued and ignores later writes. */
  close(): void {
    this.#closed = true;
    this.#queued = [];
    this.#queuedBytes = 0;
  }
}

/** Frames payloads into as few chunks as possible, copying only small payloads. */
function frameAll(payloads: Uint8Array[], total: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let buffer = new Uint8Array(Math.min(total, COPY_LIMIT + FRAME_HEADER_BYTES));
  let fill = 0;
  for (const payload of payloads) {
    if (payload.byteLength >= COPY_LIMIT) {
      const header = new Uint8Array(FRAME_HEADER_BYTES);
      writeLength(header, 0, payload.byteLength);
      if (fill > 0) chunks.push(buffer.subarray(0, fill));
      chunks.push(header, payload);
      buffer = buffer.subarray(fill);
      fill = 0;
      continue;
    }
    if (fill + FRAME_HEADER_BYTES + payload.byteLength > buffer.byteLength) {
      if (fill > 0) chunks.push(buffer.subarray(0, fill));
      buffer = new Uint8Array(Math.max(COPY_LIMIT, FRAME_HEADER_BYTES + payload.byteLength));
      fill = 0;
    }
    writeLength(buffer, fill, payload.byteLength);
    buffer.set(payload, fill + FRAME_HEADER_BYTES);
    fill += FRAME_HEADER_BYTES + payload.byteLength;
  }
  if (fill > 0) chunks.push(buffer.subarray(0, fill));
  return chunks;
}

/** Frames one payload into a fresh buffer (for writes that cannot wait for the tick). */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  writeLength(out, 0, payload.byteLength);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}
