/**
 * A pool worker's link to its pool: frames beside the actor's messages (the protocol's `pool`
 * frame), on the worker's own channel, so a worker's answers come back the way its batches went.
 *
 * @module
 */

/**
 * The worker's end of its link to its pool. The host gives it to a definition's `init` out of
 * sight of user code; the runtime's pool worker takes it with `poolLinkOf(ctx)`.
 *
 * @example
 * ```ts
 * const link = poolLinkOf(ctx);
 * link?.listen((note) => skip(note));
 * link?.send(answers);
 * link?.flush(); // out before the next item runs
 * ```
 */
export interface PoolLink {
  /** Sends a frame to the pool; throws `SerializationError` or `MessageTooLargeError` synchronously. */
  send(body: unknown): void;
  /** Hands what was sent to the transport now, not at the end of the tick (an item may never yield). */
  flush(): void;
  /** Where the pool's frames go, as they arrive (one listener: a later call replaces it). */
  listen(listener: (body: unknown) => void): void;
}
