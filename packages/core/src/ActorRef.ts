/**
 * The address of an actor: what you hold to talk to it.
 *
 * @module
 */

import type { ExitInfo } from './exit.js';

/**
 * Options for {@link ActorRef.ask}.
 *
 * @example
 * ```ts
 * const n = await ref.ask({ type: 'get' }, { timeoutMs: 1000 });
 * const m = await ref.ask({ type: 'get' }, { signal: AbortSignal.timeout(1000) });
 * ```
 */
export interface AskOptions {
  /**
   * Reject with `AskTimeoutError` if no reply arrives within this many milliseconds: any finite
   * number ≥ 0, however large (past Node's 2^31 − 1 ms timer limit too). Omit it to wait without a
   * limit; a negative, NaN or infinite value throws `InvalidArgumentError` at the call.
   */
  readonly timeoutMs?: number;
  /** Reject with the signal's reason when it aborts. */
  readonly signal?: AbortSignal;
}

/**
 * A serializable reference to a running actor, typed by the messages it accepts and the replies
 * its asks resolve with. It can travel inside messages and spawn arguments; the actor that
 * receives it can `send` and `ask` through it as well.
 *
 * @example
 * ```ts
 * const counter: ActorRef<{ type: 'inc' } | { type: 'get' }, number> =
 *   await system.spawn(Counter, { start: 0 });
 * counter.send({ type: 'inc' });
 * console.log(await counter.ask({ type: 'get' })); // 1
 * await counter.stop();
 * ```
 */
export interface ActorRef<Msg = unknown, Reply = unknown> {
  /** Unique id within the actor system. */
  readonly id: string;
  /** The name given at spawn, or the id. */
  readonly name: string;
  /**
   * Delivers `msg` without waiting. Throws `SerializationError` / `MessageTooLargeError`
   * synchronously for a message that cannot be sent; a message to a dead actor goes to the
   * dead-letter stream instead of throwing.
   */
  send(msg: Msg): void;
  /**
   * Delivers `msg` and resolves with the actor's `ctx.reply(...)`. Rejects with
   * `ActorStoppedError` at once if the actor has stopped, `AskTimeoutError` past `timeoutMs`,
   * `ActorCrashedError` if the actor dies first, `NoReplyError` if it handled the message
   * without replying.
   */
  ask(msg: Msg, options?: AskOptions): Promise<Reply>;
  /**
   * Asks the actor to stop after the messages already sent to it, waits for it to exit
   * (killing it after the system's `shutdownMs`), and resolves with how it exited.
   */
  stop(): Promise<ExitInfo>;
}
