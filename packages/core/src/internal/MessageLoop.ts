/**
 * An actor's message loop: one message at a time, each to completion, in arrival order. Each
 * message gets its own context, so a reply made after its message was handled cannot answer a
 * later ask by mistake.
 */

import type { ActorContext, ActorDefinition } from '../definitions.js';
import { NoReplyError, TroupeError } from '../errors.js';
import type { ExitReason } from '../exit.js';
import type { RoutedActorRef } from '../RoutedActorRef.js';
import { Deque } from './Deque.js';

/** One thing for the loop to do. `viaMailbox` marks work that came from a queue mailbox. */
export type Work =
  | { readonly kind: 'send'; readonly body: unknown; readonly viaMailbox: boolean }
  | { readonly kind: 'ask'; readonly id: number; readonly body: unknown; readonly viaMailbox: boolean }
  | { readonly kind: 'stop'; readonly viaMailbox: boolean };

/** What the loop reports to its runner. */
export interface LoopEvents {
  /**
   * A message is about to be handled: what earlier messages sent (replies) must leave now, not
   * wait behind a message that may run for long without yielding.
   */
  beforeMessage?(): void;
  reply(id: number, value: unknown, viaMailbox: boolean): void;
  fail(id: number, error: Error, viaMailbox: boolean): void;
  /** A message from the mailbox has been handled. */
  handled(work: Work): void;
  /** The loop is empty and idle. */
  idle(): void;
  /** The actor stopped (after `terminate`) for `reason`. */
  stopped(reason: ExitReason): void;
  crashed(error: unknown): void;
}

/** Where a runtime-internal actor finds {@link failAsk} on its context, out of sight of user code. */
const FAIL_ASK: unique symbol = Symbol('troupe.failAsk');

/**
 * Fails the ask being handled with `error` instead of replying, without crashing the actor. For
 * the runtime's own actors (the pool's); false when `ctx` is not handling an unanswered ask.
 */
export function failAsk(ctx: ActorContext<unknown, unknown>, error: Error): boolean {
  const fail = (ctx as { [FAIL_ASK]?: (error: Error) => boolean })[FAIL_ASK];
  return fail?.(error) ?? false;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export class MessageLoop {
  readonly #definition: ActorDefinition;
  readonly #self: RoutedActorRef;
  readonly #events: LoopEvents;
  readonly #queue = new Deque<Work>();
  #state: unknown;
  #busy = false;
  #finished = false;
  #stopSelf = false;
  /** The message being handled, when one is. */
  #current: Work | undefined;

  constructor(definition: ActorDefinition, self: RoutedActorRef, state: unknown, events: LoopEvents) {
    this.#definition = definition;
    this.#self = self;
    this.#state = state;
    this.#events = events;
  }

  /** Messages waiting, not counting the one in hand. */
  get backlog(): number {
    return this.#queue.length;
  }

  /** True while a message from the queue mailbox is being handled. */
  get handlingMailboxMessage(): boolean {
    return this.#current?.viaMailbox === true && this.#current.kind !== 'stop';
  }

  push(work: Work): void {
    if (this.#finished) return;
    this.#queue.push(work);
    this.drain();
  }

  drain(): void {
    if (this.#busy || this.#finished) return;
    this.#busy = true;
    for (;;) {
      const work = this.#queue.shift();
      if (work === undefined) break;
      if (work.kind === 'stop') {
        this.#events.handled(work);
        this.#finish('shutdown');
        return;
      }
      const context = this.#contextFor(work);
      let next: unknown;
      this.#events.beforeMessage?.();
      try {
        this.#current = work;
        next = this.#definition.spec.receive(this.#state, work.body as never, context.ctx);
      } catch (error) {
        this.#crash(error);
        return;
      }
      if (isThenable(next)) {
        next.then(
          (state) => {
            if (this.#after(work, context, state)) {
              this.#busy = false;
              this.drain();
            }
          },
          (error: unknown) => this.#crash(error),
        );
        return;
      }
      if (!this.#after(work, context, next)) return;
    }
    this.#busy = false;
    this.#events.idle();
  }

  /** Records the new state and settles the ask; false when the actor is finishing. */
  #after(work: Work, context: { done: boolean; replied: boolean }, state: unknown): boolean {
    if (this.#finished) return false;
    this.#state = state;
    context.done = true;
    this.#current = undefined;
    if (work.kind === 'ask' && !context.replied) {
      this.#events.fail(work.id, new NoReplyError(this.#self.name), work.viaMailbox);
    }
    this.#events.handled(work);
    if (this.#stopSelf) {
      this.#finish('normal');
      return false;
    }
    return true;
  }

  #contextFor(work: Work): { ctx: ActorContext<unknown, unknown>; done: boolean; replied: boolean } {
    const loop = this;
    const context = {
      done: false,
      replied: false,
      ctx: {
        self: this.#self,
        isAsk: work.kind === 'ask',
        reply(value: unknown): void {
          if (work.kind !== 'ask') return;
          if (context.done) throw new TroupeError('ctx.reply() called after its message was handled');
          if (context.replied) throw new TroupeError('ctx.reply() called twice for one ask');
          loop.#events.reply(work.id, value, work.viaMailbox);
          context.replied = true;
        },
        stop(): void {
          loop.#stopSelf = true;
        },
        [FAIL_ASK](error: Error): boolean {
          if (work.kind !== 'ask' || context.done || context.replied) return false;
          loop.#events.fail(work.id, error, work.viaMailbox);
          context.replied = true;
          return true;
        },
      } satisfies ActorContext<unknown, unknown> & { [FAIL_ASK](error: Error): boolean },
    };
    return context;
  }

  #crash(error: unknown): void {
    if (this.#finished) return;
    this.#events.crashed(error);
    this.#finished = true;
  }

  #finish(reason: ExitReason): void {
    this.#finished = true;
    this.#current = undefined;
    let result: unknown;
    try {
      result = this.#definition.spec.terminate?.(this.#state, reason);
    } catch (error) {
      this.#events.crashed(error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => this.#events.stopped(reason),
        (error: unknown) => this.#events.crashed(error),
      );
    } else {
      this.#events.stopped(reason);
    }
  }
}
